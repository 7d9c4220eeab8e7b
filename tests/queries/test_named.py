"""The named-query library: every file documents itself, and binding is safe."""

from __future__ import annotations

import re

import pytest

from attestgraph.errors import QueryError, UnknownIdentifier
from attestgraph.queries import named


def test_every_query_has_a_header_and_its_placeholders():
    library = named.library()
    assert len(library) >= 15
    for name, query in library.items():
        assert query.summary, f"{name}.rq has no header comment"
        header = []
        for line in query.text.splitlines():
            if not line.startswith("#"):
                break
            header.append(line)
        assert any(line.startswith("# Returns") for line in header), f"{name}.rq header does not say what it returns"
        placeholders = {v for line in re.findall(r"#VALUES((?:[ \t]+\?\w+)+)", query.text) for v in line.split()}
        assert placeholders == {f"?{p}" for p in query.params}, name


def test_bind_makes_one_tuple_block_for_several_variables():
    text = named.bind(named.get("mappings-between"), fa="https://w3id.org/attestgraph/id/soc2",
                      fb="https://w3id.org/attestgraph/id/iso42001")
    assert ("VALUES (?fa ?fb) { (<https://w3id.org/attestgraph/id/soc2> "
            "<https://w3id.org/attestgraph/id/iso42001>) }") in text


def test_bind_leaves_unbound_variables_free_and_quotes_literals():
    text = named.bind(named.get("controls"))
    assert "VALUES" not in text
    text = named.bind(named.get("mapping-set"), setId='x" } ; DROP ALL ; #')
    assert 'VALUES ?setId { "x\\" } ; DROP ALL ; #" }' in text


def test_bind_refuses_unknown_parameters_and_names():
    with pytest.raises(QueryError, match="takes"):
        named.bind(named.get("controls"), nonsense="x")
    with pytest.raises(UnknownIdentifier, match="unknown named query 'nope'"):
        named.get("nope")
