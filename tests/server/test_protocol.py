"""The SPARQL 1.1 Protocol details a client relies on: RDF/XML, one query per request,
the base IRI, the service description, HEAD, Vary, Retry-After and CORS."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient

from attestgraph.errors import ConfigurationError
from attestgraph.graph.store import EmbeddedStore
from attestgraph.server.app import create_app
from attestgraph.server.guard import BASE_IRI
from attestgraph.server.settings import Settings

from .test_api import sample_json, services_of

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
KEY = {"Authorization": "Bearer k3y"}
CONTROLS = "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a ag:Control ; skos:prefLabel ?l } ORDER BY ?c LIMIT 3"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ag:Control }"
ProblemCheck = Callable[..., dict[str, Any]]  # the assert_problem fixture (conftest.py)


def test_construct_and_describe_answer_rdf_xml(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CONTROLS}, headers={"Accept": "application/rdf+xml"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/rdf+xml")
    assert len(rdflib.Graph().parse(data=response.text, format="xml")) == 3
    describe = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/attestgraph/id/control/TDG-05>"},
                          headers={"Accept": "application/rdf+xml"})
    graph = rdflib.Graph().parse(data=describe.text, format="xml")
    subjects = {str(s) for s in graph.subjects()}
    assert "https://w3id.org/attestgraph/id/control/TDG-05" in subjects and len(graph) > 3


def test_select_refuses_a_graph_format_and_construct_a_table_format(client: TestClient, assert_problem: ProblemCheck) -> None:
    assert_problem(client.get("/sparql", params={"query": COUNT}, headers={"Accept": "application/rdf+xml"}), 406)
    assert_problem(client.get("/sparql", params={"query": CONTROLS}, headers={"Accept": "text/csv"}), 406)


@pytest.mark.parametrize("how", ["two in the URL", "URL and form", "URL and body", "two in the form"])
def test_exactly_one_query_per_request(client: TestClient, assert_problem: ProblemCheck, how: str) -> None:
    ask = "ASK {}"
    if how == "two in the URL":
        response = client.get("/sparql", params=[("query", ask), ("query", COUNT)])
    elif how == "URL and form":
        response = client.post("/sparql", params={"query": ask}, data={"query": COUNT})
    elif how == "URL and body":
        response = client.post("/sparql", params={"query": ask}, content=COUNT,
                               headers={"Content-Type": "application/sparql-query"})
    else:
        response = client.post("/sparql", content="query=ASK%20%7B%7D&query=ASK%20%7B%7D",
                               headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert_problem(response, 400, "exactly one")


def test_relative_iris_resolve_against_the_project_namespace(client: TestClient) -> None:
    assert BASE_IRI == "https://w3id.org/attestgraph/"
    bound = client.get("/sparql", params={"query": "SELECT ?x WHERE { BIND(<graph/framework/soc2> AS ?x) }"})
    assert bound.json()["results"]["bindings"][0]["x"]["value"] == "https://w3id.org/attestgraph/graph/framework/soc2"
    # The checker resolves FROM the same way, so a relative graph name is a graph it serves.
    scoped = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) FROM <graph/framework/soc2> "
                                                    "WHERE { ?r skos:inScheme ?f }"})
    assert int(scoped.json()["results"]["bindings"][0]["n"]["value"]) > 100
    # A query's own BASE wins.
    own = client.get("/sparql", params={"query": "BASE <http://example.org/> SELECT ?x WHERE { BIND(<y> AS ?x) }"})
    assert own.json()["results"]["bindings"][0]["x"]["value"] == "http://example.org/y"


def _service_description(client: TestClient, accept: str, headers: dict[str, str] | None = None) -> rdflib.Graph:
    response = client.get("/sparql", headers={"Accept": accept, **(headers or {})})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept), response.text[:200]
    assert "Accept" in response.headers["vary"]
    return rdflib.Graph().parse(data=response.text, format={"text/turtle": "turtle", "application/rdf+xml": "xml",
                                                             "application/ld+json": "json-ld"}[accept])


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's JSON-LD parser
@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/ld+json"])
def test_service_description_in_the_asked_format(client: TestClient, accept: str) -> None:
    graph = _service_description(client, accept)
    service = graph.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert str(graph.value(service, SD.endpoint)).endswith("/sparql")
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.feature, SD.UnionDefaultGraph) in graph
    formats = {str(f).rsplit("/", 1)[1] for f in graph.objects(service, SD.resultFormat)}
    assert {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
            "RDF_XML", "JSON-LD"} <= formats
    names = {str(graph.value(g, SD.name)) for g in graph.objects(predicate=SD.namedGraph)}
    assert names == set(services_of(client).catalog.catalog_graphs())
    assert "https://w3id.org/attestgraph/graph/framework/soc2" in names


def test_service_description_never_lists_an_engagement_graph(client: TestClient) -> None:
    assert client.put("/api/engagements/acme-ai", json=sample_json(), headers=KEY).status_code == 201
    try:
        engagement = "https://w3id.org/attestgraph/graph/engagement/acme-ai"
        assert engagement in services_of(client).catalog.graphs()
        for headers in ({}, KEY):
            graph = _service_description(client, "text/turtle", headers)
            names = {str(o) for o in graph.objects(predicate=SD.name)}
            assert names and engagement not in names
    finally:
        client.delete("/api/engagements/acme-ai", headers=KEY)


def test_head_is_get_without_a_body(client: TestClient) -> None:
    plain = {"Accept-Encoding": "identity"}  # gzip would change GET's length, not HEAD's
    for params in ({"query": COUNT}, {}):
        get = client.get("/sparql", params=params, headers=plain)
        head = client.head("/sparql", params=params, headers=plain)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["content-type"] == get.headers["content-type"]
        assert head.headers["content-length"] == str(len(get.content))
        assert "Accept" in head.headers["vary"] and "Accept" in get.headers["vary"]
    bad = client.head("/sparql", params={"query": "SELECT ?s WHERE {"})
    assert bad.status_code == 400 and bad.content == b""
    assert bad.headers["content-type"].startswith("application/problem+json")


def test_answers_vary_by_accept(client: TestClient) -> None:
    for response in (client.get("/sparql", params={"query": COUNT}),
                     client.post("/sparql", data={"query": CONTROLS}),
                     client.get("/sparql", params={"query": COUNT}, headers={"Accept": "image/png"})):
        assert "Accept" in [part.strip() for part in response.headers["vary"].split(",")]


def test_every_503_says_when_to_retry(shipped_store: EmbeddedStore, assert_problem: ProblemCheck) -> None:
    empty = create_app(EmbeddedStore(ox.Store()), Settings(workers=1))
    with TestClient(empty, raise_server_exceptions=False) as no_catalog:
        response = no_catalog.get("/healthz")
        assert_problem(response, 503, "no framework")
        assert int(response.headers["retry-after"]) > 0
    slow = create_app(shipped_store, Settings(query_timeout=0.05, max_rows=10, workers=1))
    with TestClient(slow, raise_server_exceptions=False) as slow_client:
        query = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
        response = slow_client.get("/sparql", params={"query": query})
        assert_problem(response, 503, "limit")
        assert int(response.headers["retry-after"]) > 0


def test_cors_is_off_by_default(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Origin": "https://yasgui.example.org"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = client.options("/sparql", headers={"Origin": "https://yasgui.example.org",
                                                    "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers


def test_cors_allows_the_configured_origins(shipped_store: EmbeddedStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ATTESTGRAPH_CORS_ORIGINS", "https://yasgui.example.org, http://localhost:8888")
    settings = Settings.from_env()
    assert settings.cors_origins == ("https://yasgui.example.org", "http://localhost:8888")
    app = create_app(shipped_store, Settings(cors_origins=settings.cors_origins, workers=1))
    with TestClient(app, raise_server_exceptions=False) as cors:
        origin = {"Origin": "https://yasgui.example.org"}
        preflight = cors.options("/sparql", headers={**origin, "Access-Control-Request-Method": "POST",
                                                     "Access-Control-Request-Headers": "content-type, accept"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://yasgui.example.org"
        assert "POST" in preflight.headers["access-control-allow-methods"]
        assert "content-type" in preflight.headers["access-control-allow-headers"].lower()
        answer = cors.get("/sparql", params={"query": COUNT}, headers=origin)
        assert answer.headers["access-control-allow-origin"] == "https://yasgui.example.org"
        vary = [part.strip() for part in answer.headers["vary"].split(",")]
        assert "Accept" in vary and "Origin" in vary
        assert "X-Attestgraph-Truncated" in answer.headers["access-control-expose-headers"]
        other = cors.get("/sparql", params={"query": COUNT}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        refused = cors.options("/sparql", headers={"Origin": "https://evil.example",
                                                   "Access-Control-Request-Method": "POST"})
        assert refused.status_code == 400


@pytest.mark.parametrize("raw", ["yasgui.example.org", "https://host/path", "ftp://host"])
def test_a_cors_origin_that_is_not_an_origin_is_refused(monkeypatch: pytest.MonkeyPatch, raw: str) -> None:
    monkeypatch.setenv("ATTESTGRAPH_CORS_ORIGINS", raw)
    with pytest.raises(ConfigurationError, match="ATTESTGRAPH_CORS_ORIGINS"):
        Settings.from_env()


def test_openapi_documents_the_protocol_parameters(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    get = spec["paths"]["/sparql"]["get"]
    assert {p["name"] for p in get["parameters"]} == {"query", "default-graph-uri", "named-graph-uri"}
    post = spec["paths"]["/sparql"]["post"]
    assert {"application/sparql-query", "application/x-www-form-urlencoded"} <= set(post["requestBody"]["content"])
    assert "head" in spec["paths"]["/sparql"]
    assert "application/rdf+xml" in get["responses"]["200"]["content"]
