"""The SPARQL 1.1 Protocol endpoint: formats, datasets, and every refusal."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import pytest

COUNT = "SELECT ?slug (COUNT(?r) AS ?n) WHERE { ?f dct:identifier ?slug . ?r skos:inScheme ?f } GROUP BY ?slug ORDER BY ?slug"


def slugs_from_json(response) -> list[str]:
    return [b["slug"]["value"] for b in response.json()["results"]["bindings"]]


def test_get_post_form_and_post_body_agree(client):
    expected = ["dpdp-act", "dpdp-rules", "eu-ai-act", "iso27001", "iso42001", "nist-ai-600-1", "nist-ai-rmf", "soc2"]
    assert slugs_from_json(client.get("/sparql", params={"query": COUNT})) == expected
    assert slugs_from_json(client.post("/sparql", data={"query": COUNT})) == expected
    response = client.post("/sparql", content=COUNT, headers={"Content-Type": "application/sparql-query"})
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert slugs_from_json(response) == expected


def test_select_formats_by_accept(client):
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/csv"})
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["slug", "n"] and rows[-1][0] == "soc2"
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "text/tab-separated-values"})
    assert response.text.splitlines()[0] == "?slug\t?n"
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(response.text)
    ns = {"s": "http://www.w3.org/2005/sparql-results#"}
    assert [v.attrib["name"] for v in root.find("s:head", ns)] == ["slug", "n"]
    ask = client.get("/sparql", params={"query": "ASK { ?c a ag:Control }"}, headers={"Accept": "application/sparql-results+json"})
    assert ask.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize("accept, marker", [
    ("text/turtle", "@prefix"), ("application/n-triples", " .\n"), ("application/ld+json", "@id"),
])
def test_construct_formats(client, accept, marker):
    query = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a ag:Control ; skos:prefLabel ?l } LIMIT 3"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert marker in response.text


def test_construct_turtle_parses(client):
    import rdflib

    query = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a ag:Control ; skos:prefLabel ?l } LIMIT 3"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/turtle"})
    assert len(rdflib.Graph().parse(data=response.text, format="turtle")) == 3


def test_service_description(client):
    response = client.get("/sparql")
    assert response.headers["content-type"].startswith("text/turtle")
    assert "sd:Service" in response.text and "sd:SPARQL11Query" in response.text


def test_dataset_parameters(client):
    graph = "https://w3id.org/attestgraph/graph/framework/soc2"
    response = client.get("/sparql", params={"query": COUNT, "default-graph-uri": graph})
    assert slugs_from_json(response) == ["soc2"]
    query = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query, "named-graph-uri": graph})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 1000


def test_row_cap_is_flagged(client):
    response = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a ag:Requirement }"})
    assert len(response.json()["results"]["bindings"]) == 50
    assert response.headers["X-Attestgraph-Truncated"] == "true"


@pytest.mark.parametrize("query, word", [
    ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
    ("DELETE WHERE { ?s ?p ?o }", "read-only"),
    ("LOAD <file:///etc/passwd>", "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", "SERVICE"),
    ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", "not a graph this endpoint serves"),
    ("SELECT * FROM NAMED <http://example.org/g> WHERE { GRAPH ?g { ?s ?p ?o } }", "not a graph this endpoint serves"),
])
def test_hostile_queries_are_refused_before_evaluation(client, query, word, assert_problem):
    assert_problem(client.get("/sparql", params={"query": query}), 403, word)


def test_updates_are_refused_in_every_form(client, assert_problem):
    assert_problem(client.post("/sparql", data={"update": "DROP ALL"}), 403, "read-only")
    assert_problem(client.post("/sparql", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}), 403)
    assert_problem(client.post("/update", content="DROP ALL", headers={"Content-Type": "application/sparql-update"}), 403, "off")
    assert_problem(client.get("/sparql", params={"query": COUNT, "default-graph-uri": "file:///etc/passwd"}), 403)


def test_syntax_error_says_where(client, assert_problem):
    body = assert_problem(client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s ?p }"}), 400, "at 1:")
    assert body["title"] == "SPARQL syntax error"


def test_not_acceptable_and_bad_post(client, assert_problem):
    assert_problem(client.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"}), 406)
    assert_problem(client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}), 415, "application/sparql-query")


def test_body_too_large_is_refused_before_parsing(client, assert_problem):
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 300_000
    assert_problem(client.post("/sparql", content=huge, headers={"Content-Type": "application/sparql-query"}), 413)


def test_time_limit_answers_503(shipped_store, assert_problem):
    from fastapi.testclient import TestClient

    from attestgraph.server.app import create_app
    from attestgraph.server.settings import Settings

    app = create_app(shipped_store, Settings(query_timeout=0.05, max_rows=10))
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    with TestClient(app, raise_server_exceptions=False) as slow_client:
        assert_problem(slow_client.get("/sparql", params={"query": slow}), 503, "limit")
        assert slow_client.get("/healthz").status_code == 200


def test_update_route_when_enabled(shipped_store, assert_problem):
    from fastapi.testclient import TestClient

    from attestgraph.server.app import create_app
    from attestgraph.server.settings import Settings

    app = create_app(shipped_store.copy_to_memory(), Settings(update_key="u9"))
    with TestClient(app, raise_server_exceptions=False) as writer:
        insert = "INSERT DATA { GRAPH <https://w3id.org/attestgraph/graph/notes> { <urn:x> rdfs:comment \"n\" } }"
        headers = {"Content-Type": "application/sparql-update"}
        assert_problem(writer.post("/update", content=insert, headers=headers), 401)
        headers["Authorization"] = "Bearer u9"
        assert_problem(writer.post("/update", content="LOAD <file:///etc/passwd>", headers=headers), 403, "LOAD")
        prefixed = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> " + insert
        assert writer.post("/update", content=prefixed, headers=headers).status_code == 204
        ask = writer.get("/sparql", params={"query": "ASK { <urn:x> rdfs:comment \"n\" }"})
        assert ask.json()["boolean"] is True
