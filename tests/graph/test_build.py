"""The staging build: load, crosswalks, materialise, validate."""

from __future__ import annotations

import pytest

from attestgraph.errors import DataFileSyntaxError, UnknownReferenceError, ValidationFailed
from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore


def test_mini_build_fills_one_named_graph_per_source(mini_root):
    _, report = build_stage(DataRoot.at(mini_root))
    graphs = set(report.triples_per_graph)
    base = "https://w3id.org/attestgraph/graph/"
    assert {
        base + "vocab",
        base + "framework/fa",
        base + "framework/fb",
        base + "framework/fp",
        base + "catalog/catalog",
        base + "mappings/controls-fa",
        base + "mappings/not-applicable",
        base + "derived",
    } <= graphs
    assert report.total == sum(report.triples_per_graph.values()) > 500


def test_mapping_rows_become_reified_mappings(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    store = EmbeddedStore(stage)
    rows = store.query(
        """SELECT ?rel ?strength ?why WHERE {
             ?m ag:fromElement ctl:GOV-01 ; ag:toElement <https://w3id.org/attestgraph/id/fa/1.1> ;
                ag:relationship ?rel ; ag:strength ?strength ; rdfs:comment ?why }"""
    ).records()
    assert rows == [{"rel": "https://w3id.org/attestgraph/vocab#SupersetOf", "strength": 8, "why": "Policy covers it."}]


def test_bad_turtle_names_file_and_line(mini_root):
    path = mini_root / "ontologies" / "frameworks" / "fa.ttl"
    lines = path.read_text().splitlines()
    index = next(i for i, line in enumerate(lines) if '"Group one"@en' in line)
    lines[index] = lines[index].replace('"Group one"@en ;', "Group one ;")
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFileSyntaxError) as caught:
        build_stage(DataRoot.at(mini_root))
    assert caught.value.path.endswith("fa.ttl")
    assert caught.value.line == index + 1
    assert f"fa.ttl:{index + 1}:" in str(caught.value)


def test_unknown_id_in_crosswalk_names_file_line_and_field(mini_root):
    path = mini_root / "crosswalks" / "fa-fp.tsv"
    path.write_text(path.read_text().replace("fp:2.1", "fp:9.9"))
    with pytest.raises(UnknownReferenceError) as caught:
        build_stage(DataRoot.at(mini_root))
    message = str(caught.value)
    assert "fa-fp.tsv:" in message and "field 'to'" in message and "'fp:9.9'" in message


def test_shacl_violation_stops_the_build_naming_focus_path_and_message(mini_root):
    path = mini_root / "ontologies" / "catalog" / "catalog.ttl"
    path.write_text(path.read_text().replace('ag:effortDays 5.0 ;', ""))
    with pytest.raises(ValidationFailed) as caught:
        build_stage(DataRoot.at(mini_root))
    assert any(
        line.startswith("ctl:GOV-03 ag:effortDays:") and "person-days" in line for line in caught.value.violations
    )


def test_dependency_cycle_is_a_violation(mini_root):
    path = mini_root / "ontologies" / "catalog" / "catalog.ttl"
    text = path.read_text().replace(
        'ag:cadence ag:Annual ;\n    ag:producesEvidence ev:policy .',
        'ag:cadence ag:Annual ;\n    ag:dependsOn ctl:GOV-03 ; ag:producesEvidence ev:policy .',
    )
    path.write_text(text)
    with pytest.raises(ValidationFailed) as caught:
        build_stage(DataRoot.at(mini_root))
    assert any("cycle" in line and "ctl:GOV-01" in line for line in caught.value.violations)
