"""The W3C SPARQL 1.1 Protocol tests that apply to a read-only, closed endpoint, read
from the suite's own manifest (tests/server/data/w3c-protocol) and run against the app.

Left out: the 14 update tests (``update_*``, ``bad_update_*``, ``bad_multiple_updates``). This endpoint is
read-only; every update is refused with a 403 before it is parsed as one, so those
tests could only confirm the refusal, which test_sparql.py already checks, and say
nothing about update semantics (USING, WITH, the update dataset) the server does not
implement on /sparql.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.collection import Collection

from attestgraph.graph.store import EmbeddedStore
from attestgraph.server.app import create_app
from attestgraph.server.formats import GRAPH_FORMATS, SELECT_FORMATS
from attestgraph.server.settings import Settings

SUITE = Path(__file__).parent / "data" / "w3c-protocol"
MANIFEST = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = rdflib.Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = rdflib.Namespace("http://www.w3.org/2011/http#")
HTS = "http://www.w3.org/2011/http-statusCodes#StatusCode"
CNT = rdflib.Namespace("http://www.w3.org/2011/content#")
DATA = "http://kasei.us/2009/09/sparql/data/"

APPLICABLE = [
    "query_post_form", "query_dataset_default_graphs_get", "query_dataset_default_graphs_post",
    "query_dataset_named_graphs_post", "query_dataset_named_graphs_get", "query_dataset_full",
    "query_multiple_dataset", "query_get", "query_content_type_select", "query_content_type_ask",
    "query_content_type_describe", "query_content_type_construct", "query_post_direct",
    "bad_query_method", "bad_multiple_queries", "bad_query_wrong_media_type", "bad_query_missing_form_type",
    "bad_query_missing_direct_type", "bad_query_non_utf8", "bad_query_syntax",
]


def manifest() -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(SUITE / "manifest.ttl", format="turtle", publicID=MANIFEST.rstrip("#"))
    return graph


def requests_of(graph: rdflib.Graph, test_id: str) -> list[dict[str, Any]]:
    """The HTTP requests of one test and what each must answer, read from the manifest."""
    test = rdflib.URIRef(MANIFEST + test_id)
    action = graph.value(test, MF.action)
    requests = graph.value(action, HT.requests)
    assert requests is not None, f"{test_id} has no requests in the manifest"
    out = []
    for request in Collection(graph, requests):
        body = graph.value(request, HT.body)
        headers = {}
        listed = graph.value(request, HT.headers)
        for header in Collection(graph, listed) if listed is not None else []:
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
        response = graph.value(request, HT.resp)
        boolean = graph.value(response, MF.expectedBoolean)
        out.append({
            "method": str(graph.value(request, HT.methodName)),
            "path": str(graph.value(request, HT.absolutePath)).replace("/sparql/", "/sparql", 1),
            "body": str(graph.value(body, CNT.chars)) if body is not None else None,
            "encoding": str(graph.value(body, CNT.characterEncoding) or "UTF-8") if body is not None else None,
            "headers": headers,
            "statuses": {str(s).removeprefix(HTS) for s in graph.objects(response, MF.expectedStatus)},
            "boolean": boolean.toPython() if isinstance(boolean, rdflib.Literal) else None,
            "format": str(graph.value(response, MF.expectedFormat) or "") or None,
        })
    return out


@pytest.fixture(scope="module")
def suite_client() -> Iterator[TestClient]:
    """The endpoint over the suite's data: data1..3.nt each in the graph the manifest names."""
    store = ox.Store()
    for n in (1, 2, 3):
        graph = ox.NamedNode(f"{DATA}data{n}.rdf")
        store.extend(ox.Quad(t.subject, t.predicate, t.object, graph)
                     for t in ox.parse(path=str(SUITE / f"data{n}.nt"), format=ox.RdfFormat.N_TRIPLES))
    data0 = ox.NamedNode(f"{DATA}data0.rdf")  # named by the manifest, shipped by no file: one triple of our own
    store.add(ox.Quad(data0, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                      ox.NamedNode("http://xmlns.com/foaf/0.1/Document"), data0))
    app = create_app(EmbeddedStore(store), Settings(query_timeout=10, workers=1))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_the_manifest_lists_every_test_named_here() -> None:
    graph = manifest()
    head = graph.value(rdflib.URIRef(MANIFEST.rstrip("#")), MF.entries)
    assert head is not None
    entries = Collection(graph, head)
    listed = {str(e).removeprefix(MANIFEST) for e in entries}
    assert set(APPLICABLE) <= listed
    left_out = listed - set(APPLICABLE)
    assert len(left_out) == 14 and all("update" in name for name in left_out)


@pytest.mark.parametrize("test_id", APPLICABLE)
def test_w3c_protocol(suite_client: TestClient, test_id: str) -> None:
    for request in requests_of(manifest(), test_id):
        content = request["body"].encode(request["encoding"].lower()) if request["body"] is not None else None
        response = suite_client.request(request["method"], request["path"], content=content, headers=request["headers"])
        status_class = f"{str(response.status_code)[0]}xx"
        assert status_class in request["statuses"], (test_id, response.status_code, response.text[:300])
        media = response.headers.get("content-type", "").split(";")[0]
        if request["format"] == "boolean":
            assert media in ("application/sparql-results+json", "application/sparql-results+xml")
        elif request["format"] == "tabular":
            assert media in SELECT_FORMATS
        elif request["format"] == "RDF":
            assert media in GRAPH_FORMATS
            rdflib.Graph().parse(data=response.text, format={"text/turtle": "turtle"}.get(media, media))
        if request["boolean"] is not None:
            assert json.loads(response.text)["boolean"] is request["boolean"]
        if status_class == "4xx":
            assert media == "application/problem+json"
