"""The query guard decides on the parse tree: updates, SERVICE, LOAD and foreign
datasets are refused before evaluation, whatever the spelling; what the checking
parser cannot read is refused too."""

from __future__ import annotations

import pytest

from attestgraph.errors import ForbiddenOperation, QuerySyntaxError, QueryTooComplex
from attestgraph.server.guard import MAX_DEPTH, check_query, check_update

LISTENER = "http://127.0.0.1:9/sparql"

#: Every spelling of issue 12 that slipped a SERVICE past the old text-based guard.
SERVICE_SPELLINGS = [
    f"SELECT * WHERE {{ SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"select * where {{ service silent <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ SERV\\u0049CE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p <http://a/\\u0023x> . SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p <http://a/#x> . SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p <http://a/\u00a0x> . SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ex:a\\#b . SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p 1SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}",
    f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{LISTENER}> {{ ?s ?p ?o }} }} }}",
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{LISTENER}> {{ ?s ?p ?o }} }} }} }}",
    "ASK { SERVICE ?endpoint { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", SERVICE_SPELLINGS)
def test_service_is_refused_in_every_spelling(query):
    # Refused as SERVICE, or not parsed by the checker (fail closed): never admitted.
    with pytest.raises((ForbiddenOperation, QuerySyntaxError)):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "INSERT DATA { <http://a> <http://b> <http://c> }",
        "DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "DROP ALL",
        "CLEAR DEFAULT",
    ],
)
def test_updates_are_refused_as_queries(query):
    with pytest.raises(ForbiddenOperation, match="read-only"):
        check_query(query)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s rdfs:comment \"please LOAD and DELETE this SERVICE\" }",
        "SELECT ?service ?insert WHERE { ?service ?insert ?o } # DROP ALL in a comment",
        "SELECT * WHERE { ?s ag:delete ?o }",
        "ASK { ?s ?p ?o }",
        "SELECT * WHERE { ?s a <https://w3id.org/attestgraph/vocab#Control> }",
        "DESCRIBE ctl:TDG-05",
        "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
    ],
)
def test_allowed(query):
    check_query(query)


def test_forms_are_reported():
    assert check_query("ASK {}").form == "ask"
    assert check_query("SELECT * {}").form == "select"
    assert check_query("DESCRIBE <http://a>").form == "graph"


def test_from_must_name_a_readable_graph():
    known = ["https://w3id.org/attestgraph/graph/vocab"]
    checked = check_query("SELECT * FROM <https://w3id.org/attestgraph/graph/vocab> WHERE { ?s ?p ?o }", known)
    assert checked.from_graphs == ("https://w3id.org/attestgraph/graph/vocab",) and checked.from_named == ()
    with pytest.raises(ForbiddenOperation, match="not a graph this endpoint serves"):
        check_query("SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }", known)
    # A prefixed name is resolved by the parser, then checked like any IRI.
    with pytest.raises(ForbiddenOperation, match="not a graph"):
        check_query("SELECT * FROM ag:g WHERE { ?s ?p ?o }", known)


def test_dataset_clauses_are_read_from_the_tree():
    checked = check_query("SELECT * FROM <http://a> FROM NAMED <http://b> WHERE {}")
    assert (checked.from_graphs, checked.from_named) == (("http://a",), ("http://b",))


def test_deep_nesting_is_refused_before_any_parser():
    with pytest.raises(QueryTooComplex, match="nest"):
        check_query("SELECT * WHERE " + "{" * 5000 + "}" * 5000)
    check_query("SELECT * WHERE " + "{" * (MAX_DEPTH - 2) + "}" * (MAX_DEPTH - 2))


def test_syntax_error_positions_are_the_clients():
    with pytest.raises(QuerySyntaxError, match="at 1:"):
        check_query("SELECT ?s WHERE { ?s ?p }")


def test_updates_are_checked_on_their_operations():
    check_update("INSERT DATA { GRAPH <urn:g> { <urn:a> rdfs:comment \"x\" } }")
    check_update("DELETE { ?s ?p ?o } WHERE { GRAPH <urn:g> { ?s ?p ?o } }")
    with pytest.raises(ForbiddenOperation, match="LOAD"):
        check_update("LOAD <http://127.0.0.1:9/data.ttl>")
    with pytest.raises(ForbiddenOperation, match="LOAD"):
        check_update("INSERT DATA { <urn:a> <urn:b> <urn:c> } ; LO\\u0041D <http://127.0.0.1:9/x>")
    with pytest.raises(ForbiddenOperation, match="SERVICE"):
        check_update(f"INSERT {{ ?s ?p ?o }} WHERE {{ SERVICE <{LISTENER}> {{ ?s ?p ?o }} }}")
    with pytest.raises(QuerySyntaxError):
        check_update("INSERT DATA { <urn:a> }")
