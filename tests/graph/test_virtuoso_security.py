"""What Virtuoso would act on is refused before it is sent (issue 16).

The session's Virtuoso lets its anonymous SPARQL user sponge and call SERVICE (see
tests/conftest.py), as an operator might. A listener on loopback counts every request
that reaches it: first the engine is shown to fetch from it when asked directly, then
each such request sent through attestgraph's ``/sparql`` over that Virtuoso is refused
with a 4xx and the listener hears nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.slow


class Listener:
    """A loopback HTTP server that records each path asked of it and answers 404."""

    def __init__(self) -> None:
        self.heard: list[str] = []
        heard = self.heard

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                heard.append(self.path)
                self.send_response(404)
                self.end_headers()

            do_POST = do_GET

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    ear = Listener()
    yield ear
    ear.close()


@pytest.fixture(scope="module")
def client(virtuoso_shipped) -> Iterator[TestClient]:
    from attestgraph.graph.remote import RemoteStore
    from attestgraph.server.app import create_app
    from attestgraph.server.settings import Settings

    store = RemoteStore(f"{virtuoso_shipped}/sparql", timeout=60)
    app = create_app(store, Settings(query_timeout=60, max_rows=100, workers=1))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def test_the_engine_fetches_when_asked_directly(virtuoso_shipped, listener):
    """The control: without the guard, Virtuoso dereferences what a query names."""
    query = f'define get:soft "replace" SELECT * FROM <{listener.base}/graph.ttl> WHERE {{ ?s ?p ?o }}'
    httpx.post(f"{virtuoso_shipped}/sparql", data={"query": query}, timeout=60)
    query = f"SELECT * WHERE {{ SERVICE <{listener.base}/sparql> {{ ?s ?p ?o }} }}"
    httpx.post(f"{virtuoso_shipped}/sparql", data={"query": query}, timeout=60)
    assert any(p.startswith("/graph.ttl") for p in listener.heard)
    assert any(p.startswith("/sparql") for p in listener.heard)


HOSTILE = {
    "SERVICE": "SELECT * WHERE {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}",
    "FROM": "SELECT * FROM <{base}/from.ttl> WHERE {{ ?s ?p ?o }}",
    "FROM NAMED": "SELECT * FROM NAMED <{base}/named.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "define pragma": 'define get:soft "replace" SELECT * FROM <{base}/pragma.ttl> WHERE {{ ?s ?p ?o }}',
    "define after a comment": '# harmless\n  DEFINE input:grab-all "yes" SELECT * WHERE {{ <{base}/x> ?p ?o }}',
    "bif: function": 'PREFIX bif: <bif:> SELECT * WHERE {{ ?s ?p ?o FILTER(bif:http_get("{base}/bif")) }}',
    "bif: predicate": 'SELECT * WHERE {{ ?s <bif:contains> "{base}" }}',
    "sql: function": 'SELECT * WHERE {{ ?s ?p ?o FILTER(<sql:DB.DBA.RDF_SPONGE_UP>("{base}/sql.ttl")) }}',
    "extension function": 'SELECT * WHERE {{ BIND(<http://www.openlinksw.com/x>("{base}/ext") AS ?x) }}',
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_refused_before_it_is_sent(client, listener, kind):
    query = HOSTILE[kind].format(base=listener.base)
    response = client.post("/sparql", data={"query": query})
    assert response.status_code in (400, 403), (kind, response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")
    assert listener.heard == []


def test_a_protocol_dataset_outside_the_store_is_refused(client, listener):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1",
                                             "default-graph-uri": f"{listener.base}/default.ttl"})
    assert response.status_code == 403
    assert listener.heard == []


def test_a_graph_pattern_on_a_foreign_iri_reads_nothing_and_fetches_nothing(client, listener):
    """GRAPH <iri> is answered from the stated dataset, which holds only the store's graphs."""
    query = f"SELECT * WHERE {{ GRAPH <{listener.base}/g.ttl> {{ ?s ?p ?o }} }}"
    response = client.post("/sparql", data={"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert response.json()["results"]["bindings"] == []
    assert listener.heard == []
    # and the same endpoint does answer from the store
    response = client.post("/sparql", data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?f a ag:Framework }"},
                           headers={"Accept": "application/sparql-results+json"})
    assert int(response.json()["results"]["bindings"][0]["n"]["value"]) > 0
