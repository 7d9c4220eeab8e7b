"""The read-only guard refuses updates, SERVICE and foreign datasets before evaluation."""

from __future__ import annotations

import pytest

from attestgraph.errors import ForbiddenOperation
from attestgraph.queries.guard import check_read_only, dataset_iris


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "CLEAR DEFAULT",
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
        "select * where { service silent <http://x> { ?s ?p ?o } }",
    ],
)
def test_refused(query):
    with pytest.raises(ForbiddenOperation):
        check_read_only(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s rdfs:comment \"please LOAD and DELETE this SERVICE\" }",
        "SELECT ?service ?insert WHERE { ?service ?insert ?o } # DROP ALL in a comment",
        "SELECT * WHERE { ?s ex:delete ?o }",
        "ASK { ?s ?p ?o }",
    ],
)
def test_allowed(query):
    check_read_only(query)


def test_from_must_name_a_graph_of_the_store():
    known = ["https://w3id.org/attestgraph/graph/vocab"]
    check_read_only("SELECT * FROM <https://w3id.org/attestgraph/graph/vocab> WHERE { ?s ?p ?o }", known)
    with pytest.raises(ForbiddenOperation, match="not a graph of this store"):
        check_read_only("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", known)
    with pytest.raises(ForbiddenOperation, match="full IRI"):
        check_read_only("SELECT * FROM ex:g WHERE { ?s ?p ?o }", known)


def test_dataset_iris_lists_clauses():
    assert dataset_iris("SELECT * FROM <http://a> FROM NAMED <http://b> WHERE {}") == [
        ("FROM", "http://a"),
        ("FROM NAMED", "http://b"),
    ]
