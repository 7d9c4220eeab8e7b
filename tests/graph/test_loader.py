"""Turtle faults name the exact file and line; the fingerprint covers the build's code."""

from __future__ import annotations

import pytest

from attestgraph.errors import DataFileSyntaxError
from attestgraph.graph.loader import parse_turtle
from attestgraph.graph.sources import build_modules


def test_a_missing_dot_is_reported_on_its_own_line(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c\n\n# a comment\n\nex:d ex:e ex:f .\n")
    with pytest.raises(DataFileSyntaxError) as caught:
        parse_turtle(path, "urn:g")
    assert caught.value.line == 2 and str(caught.value).startswith(f"{path}:2:")
    assert "dot" in str(caught.value)


def test_other_faults_keep_oxigraph_position(tmp_path):
    path = tmp_path / "x.ttl"
    path.write_text("@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:d ex:e ] .\n")
    with pytest.raises(DataFileSyntaxError) as caught:
        parse_turtle(path, "urn:g")
    assert caught.value.line == 3


def test_fingerprint_covers_every_module_that_shapes_the_build():
    modules = set(build_modules())
    assert {"attestgraph.graph.build", "attestgraph.graph.loader", "attestgraph.graph.materialise",
            "attestgraph.graph.inference", "attestgraph.crosswalks.mapping_set", "attestgraph.vocabulary",
            "attestgraph.graph.validation", "attestgraph.graph.results"} <= modules
    # The relationship vocabulary (composition, the strength floor of shared implementation)
    # shapes the build; nothing of the query layer or the server does: data flows one way.
    assert "attestgraph.relationships" in modules
    assert not any(m.startswith(("attestgraph.server", "attestgraph.queries")) for m in modules)
