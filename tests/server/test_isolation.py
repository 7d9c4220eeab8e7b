"""Issue 12: no query reaches the network, engagement graphs are private, every query
can be stopped and costs only its own worker, answers are bounded in bytes."""

from __future__ import annotations

import socket
import threading

import pytest
from fastapi.testclient import TestClient

from attestgraph.errors import AttestgraphError
from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings
from attestgraph.server.workers import Job

from .test_api import sample_json
from .test_guard import SERVICE_SPELLINGS

KEY = {"Authorization": "Bearer k3y"}
UPDATE = {"Authorization": "Bearer u9", "Content-Type": "application/sparql-update"}


class Listener:
    """A TCP listener on loopback that counts the connections it is offered."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join()
        self.sock.close()


@pytest.fixture
def listener():
    found = Listener()
    yield found
    found.close()


@pytest.fixture(scope="module")
def app_client(shipped_store):
    settings = Settings(query_timeout=5, max_rows=50, max_answer_bytes=200_000, workers=2,
                        worker_memory_mb=1024, api_key="k3y", update_key="u9")
    with TestClient(create_app(shipped_store, settings), raise_server_exceptions=False) as client:
        yield client


def _at(query: str, port: int) -> str:
    return query.replace("127.0.0.1:9", f"127.0.0.1:{port}")


def test_the_listener_is_reachable_without_the_sandbox(listener):
    """The control: outside a worker, Oxigraph does call the URL, so the tests below can fail."""
    import pyoxigraph as ox

    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s> {{ ?s ?p ?o }} }}"))
    assert listener.connections >= 1


@pytest.mark.parametrize("query", SERVICE_SPELLINGS)
def test_service_in_every_spelling_makes_no_connection(app_client, listener, query, assert_problem):
    for headers in ({}, KEY):
        response = app_client.get("/sparql", params={"query": _at(query, listener.port)}, headers=headers)
        assert response.status_code in (400, 403), response.text
    assert listener.connections == 0


def test_a_worker_cannot_connect_even_when_the_guard_is_bypassed(app_client, listener):
    """The guarantee: a SERVICE handed straight to a worker, past every check, fails there."""
    state = app_client.app.state.services
    job = Job(sparql=f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/s> {{ ?s ?p ?o }} }}",
              media="application/sparql-results+json")
    with pytest.raises(AttestgraphError):
        state.executor.run(job)
    assert listener.connections == 0
    # The worker itself reports that it has no Internet sockets.
    probe = Job(sparql="ASK {}", media="application/sparql-results+json")
    assert state.executor.run(probe).body  # and it still answers


def test_a_query_the_engine_reads_differently_is_refused(app_client):
    """Fail closed: the worker checks that the engine ran the form the guard read."""
    state = app_client.app.state.services
    job = Job(sparql="SELECT * WHERE { ?s ?p ?o } LIMIT 1", media="application/sparql-results+json", form="ask")
    with pytest.raises(AttestgraphError, match="differen"):
        state.executor.run(job)


def test_load_and_service_through_update_make_no_connection(app_client, listener, assert_problem):
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    assert_problem(app_client.post("/update", content=f"LOAD <{url}>", headers=UPDATE), 403, "LOAD")
    assert_problem(app_client.post("/update", content=f"LO\\u0041D <{url}>", headers=UPDATE), 403, "LOAD")
    service = f"INSERT {{ GRAPH <urn:x> {{ ?s ?p ?o }} }} WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"
    assert_problem(app_client.post("/update", content=service, headers=UPDATE), 403, "SERVICE")
    # Past the guard, the writer process is confined too.
    writer = app_client.app.state.services.store.writer
    with pytest.raises(AttestgraphError):
        writer.write(f"LOAD <{url}> INTO GRAPH <urn:loaded>")
    assert listener.connections == 0
    ask = app_client.get("/sparql", params={"query": "ASK { GRAPH <urn:loaded> { ?s ?p ?o } }"}, headers=KEY)
    assert ask.json()["boolean"] is False


def test_update_errors_are_4xx(app_client, assert_problem):
    assert_problem(app_client.post("/update", content="INSERT DATA { <urn:a> }", headers=UPDATE), 400)
    bad_key = dict(UPDATE, Authorization="Bearer ü9".encode())
    assert_problem(app_client.post("/update", content="CLEAR ALL", headers=bad_key), 401)
    # The connection stays usable.
    assert app_client.get("/healthz").status_code == 200


def test_engagement_graphs_are_private_on_sparql(app_client, assert_problem):
    """Issue 12.2: without a key the dataset is the catalog graphs, whatever the query names."""
    graph = "https://w3id.org/attestgraph/graph/engagement/acme-ai"
    assert app_client.put("/api/engagements/acme-ai", json=sample_json(), headers=KEY).status_code == 201
    try:
        documents = "SELECT ?doc WHERE { ?e ag:sourceDocument ?doc }"
        assert app_client.get("/sparql", params={"query": documents}).json()["results"]["bindings"] == []
        assert len(app_client.get("/sparql", params={"query": documents}, headers=KEY).json()["results"]["bindings"]) == 1
        graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
        seen = {b["g"]["value"] for b in app_client.get("/sparql", params={"query": graphs}).json()["results"]["bindings"]}
        assert seen and not any("/engagement/" in g for g in seen)
        explicit = f"SELECT * WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        assert app_client.get("/sparql", params={"query": explicit}).json()["results"]["bindings"] == []
        assert_problem(app_client.get("/sparql", params={"query": f"SELECT * FROM NAMED <{graph}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"}), 403)
        assert_problem(app_client.get("/sparql", params={"query": f"SELECT * FROM <{graph}> WHERE {{ ?s ?p ?o }}"}), 403)
        assert_problem(app_client.get("/sparql", params={"query": graphs, "named-graph-uri": graph}), 403)
        described = app_client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/attestgraph/engagement/acme-ai>"},
                                   headers={"Accept": "application/n-triples"})
        assert described.status_code == 200 and described.text.strip() == ""
        assert "engagement" not in app_client.get("/sparql").text  # the service description
        with_key = app_client.get("/sparql", params={"query": explicit}, headers=KEY).json()["results"]["bindings"]
        assert with_key
    finally:
        app_client.delete("/api/engagements/acme-ai", headers=KEY)


def test_deep_nesting_is_a_400_not_a_crash(app_client, assert_problem):
    assert_problem(app_client.get("/sparql", params={"query": "SELECT * WHERE " + "{" * 5000 + "}" * 5000}), 400, "nest")
    assert app_client.get("/healthz").status_code == 200


def test_answers_are_capped_in_bytes(app_client):
    """Issue 12.6: one row of a string doubled 16 times is cut at the byte limit and flagged."""
    binds = ['BIND("0123456789" AS ?v0)'] + [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(16)]
    query = "SELECT ?v16 WHERE { " + " ".join(binds) + " }"
    response = app_client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.headers["X-Attestgraph-Truncated"] == "true"
    assert len(response.content) < 200_000 and response.json()["results"]["bindings"] == []


def _runaway_app(shipped_store, **overrides):
    settings = Settings(**{"query_timeout": 1, "max_rows": 10, "workers": 2, "worker_memory_mb": 1024, **overrides})
    return TestClient(create_app(shipped_store, settings), raise_server_exceptions=False)


RUNAWAY = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
CHEAP = "ASK { ?c a ag:Control }"


def test_a_runaway_costs_only_its_own_worker(shipped_store, assert_problem):
    """Issue 12.3/12.4: the runaway is killed at its limit (no abandoned query) and only
    its worker is replaced; queries on the other worker go on and succeed meanwhile."""
    with _runaway_app(shipped_store) as client:
        pool = client.app.state.services.executor.pool
        before = set(pool.pids())
        assert len(before) == 2
        outcome = {}
        runner = threading.Thread(target=lambda: outcome.update(r=client.get("/sparql", params={"query": RUNAWAY})))
        runner.start()
        cheap = [client.get("/sparql", params={"query": CHEAP}) for _ in range(5)]
        runner.join()
        assert_problem(outcome["r"], 503)  # stopped at the time limit, or at the memory cap if it gets there first
        assert all(r.status_code == 200 and r.json()["boolean"] is True for r in cheap)
        survivors = before & set(pool.pids())
        assert len(survivors) == 1  # the other worker was never touched
        killed = (before - survivors).pop()
        assert not _alive(killed)
        assert client.get("/sparql", params={"query": CHEAP}).json()["boolean"] is True


def test_a_query_past_the_memory_cap_costs_only_its_worker(shipped_store, assert_problem):
    binds = ['BIND("0123456789" AS ?v0)'] + [f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(30)]
    huge = "SELECT (STRLEN(?v30) AS ?n) WHERE { " + " ".join(binds) + " }"
    with _runaway_app(shipped_store, query_timeout=30, worker_memory_mb=1024) as client:
        assert_problem(client.get("/sparql", params={"query": huge}), 503)
        assert client.get("/sparql", params={"query": CHEAP}).json()["boolean"] is True


def test_workers_end_with_the_app(shipped_store):
    with _runaway_app(shipped_store) as client:
        pids = client.app.state.services.executor.pool.pids()
        assert client.get("/sparql", params={"query": RUNAWAY}).status_code == 503
        pids += client.app.state.services.executor.pool.pids()
    assert pids and not any(_alive(pid) for pid in pids)


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie awaiting its parent is not)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


PROBE = """
import socket
from attestgraph.server.sandbox import deny_network
deny_network()
for family in (socket.AF_INET, socket.AF_INET6, socket.AF_UNIX):
    try:
        socket.socket(family, socket.SOCK_STREAM).close()
        print(family.name, "ok")
    except PermissionError:
        print(family.name, "refused")
"""


def test_the_sandbox_refuses_internet_sockets():
    """The filter itself, in a process of its own: AF_INET/AF_INET6 refused, AF_UNIX allowed."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True).stdout
    assert out.split("\n")[:3] == ["AF_INET refused", "AF_INET6 refused", "AF_UNIX ok"]


def test_a_runaway_write_is_stopped_and_changes_nothing(shipped_store, assert_problem):
    """Writes have the same limit: the writer is killed, its transaction never commits,
    and the next write goes to a fresh writer."""
    headers = {"Authorization": "Bearer u9", "Content-Type": "application/sparql-update"}
    with _runaway_app(shipped_store, update_key="u9") as client:
        runaway = ("INSERT { GRAPH <urn:big> { ?a ?b ?c } } WHERE { GRAPH ?x { ?a ?b ?c } GRAPH ?y { ?d ?e ?f } "
                   "GRAPH ?z { ?g ?h ?i } }")
        assert_problem(client.post("/update", content=runaway, headers=headers), 503, "limit")
        ask = "ASK { GRAPH <urn:big> { ?s ?p ?o } }"
        assert client.get("/sparql", params={"query": ask}, headers={"Authorization": "Bearer u9"}).json()["boolean"] is False
        small = "INSERT DATA { GRAPH <urn:small> { <urn:a> rdfs:comment \"x\" } }"
        assert client.post("/update", content=small, headers=headers).status_code == 204
        ask = "ASK { GRAPH <urn:small> { ?s ?p ?o } }"
        assert client.get("/sparql", params={"query": ask}).json()["boolean"] is True
