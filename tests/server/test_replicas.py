"""Two `attestgraph serve` replicas over one remote store (issue 16).

Both serve the session's Virtuoso (tests/conftest.py), which holds the shipped graph.
A bounded load run (200 requests from 4 client threads, alternating between the
replicas) must give no error and one answer per route; an engagement stored through
one replica is read, listed and deleted through the other, and lives in the remote
store itself.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import yaml

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai.yaml"
KEY = {"Authorization": "Bearer k3y"}
ROUTES = [
    "/api/frameworks",
    "/api/controls?limit=25",
    "/api/requirements/soc2/CC6.1",
    "/api/overlap?a=soc2&b=iso42001&limit=20",
    "/api/evidence?frameworks=soc2,iso42001",
    ("/sparql?query=SELECT%20%3Fid%20WHERE%20%7B%20%3Ff%20a%20ag%3AFramework%20%3B%20dct%3Aidentifier%20%3Fid%20%7D"
     "%20ORDER%20BY%20%3Fid"),
]
REQUESTS, CLIENTS = 200, 4


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(stack: ExitStack, setting: str, home: Path, log: Path) -> str:
    port = _port()
    env = dict(os.environ, ATTESTGRAPH_HOME=str(home), ATTESTGRAPH_API_KEY="k3y", ATTESTGRAPH_STORE_USER="dba",
               ATTESTGRAPH_STORE_PASSWORD="dba", ATTESTGRAPH_QUERY_TIMEOUT="120")
    out = stack.enter_context(open(log, "wb"))  # noqa: SIM115  # closed by the ExitStack
    process = subprocess.Popen([sys.executable, "-m", "attestgraph.cli", "serve", "--store", setting,
                                "--port", str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)

    def stop() -> None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    stack.callback(stop)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while True:
        if process.poll() is not None:
            raise AssertionError(f"replica exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(base + "/healthz", timeout=5).status_code == 200:
                return base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"replica {base} did not answer: {log.read_text()[-2000:]}")
        time.sleep(0.5)


@pytest.fixture(scope="module")
def replicas(virtuoso_shipped, tmp_path_factory) -> Iterator[tuple[str, str]]:
    folder = tmp_path_factory.mktemp("replicas")
    base = virtuoso_shipped
    setting = f"sparql:{base}/sparql|{base}/sparql-auth|{base}/sparql-graph-crud-auth"
    with ExitStack() as stack:
        one = _serve(stack, setting, folder / "home", folder / "one.log")
        two = _serve(stack, setting, folder / "home", folder / "two.log")
        yield one, two


def test_bounded_load_across_both_gives_one_answer_per_route(replicas):
    def fetch(i: int) -> tuple[str, int, str]:
        base, route = replicas[i % 2], ROUTES[(i // 2) % len(ROUTES)]
        response = httpx.get(base + route, timeout=300, headers={"Accept": "application/sparql-results+json"})
        return route, response.status_code, response.text

    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(fetch, range(REQUESTS)))
    assert len(answers) == REQUESTS
    errors = [(route, status, text[:200]) for route, status, text in answers if status != 200]
    assert errors == []
    by_route: dict[str, set[str]] = {}
    for route, _, text in answers:
        by_route.setdefault(route, set()).add(text)
    assert set(by_route) == set(ROUTES)
    assert {route: len(texts) for route, texts in by_route.items()} == {route: 1 for route in ROUTES}
    frameworks = json.loads(by_route[ROUTES[0]].pop())
    assert len(frameworks["items"] if isinstance(frameworks, dict) else frameworks) >= 5


def test_an_engagement_written_through_one_is_read_through_the_other(replicas, virtuoso_writer, virtuoso_shipped):
    one, two = replicas
    document = json.loads(json.dumps(yaml.safe_load(SAMPLE.read_text()), default=str))
    graph = "https://w3id.org/attestgraph/graph/engagement/acme-ai"
    stored = httpx.put(one + "/api/engagements/acme-ai", json=document, headers=KEY, timeout=300)
    assert stored.status_code == 201, stored.text
    try:
        # It lives in the remote store, not in either replica.
        remote = virtuoso_writer(virtuoso_shipped)
        try:
            assert graph in remote.named_graphs() and remote.count_in(graph) > 0
        finally:
            remote.close()
        assert httpx.get(two + "/api/engagements", headers=KEY, timeout=60).json() == {"items": ["acme-ai"]}
        # Read back whole through each replica's /sparql with the key: the stored document
        # and every triple of the engagement's graph.
        read = f"SELECT ?doc WHERE {{ GRAPH <{graph}> {{ ?e ag:sourceDocument ?doc }} }}"
        count = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        answers = {}
        for base in (one, two):
            docs = httpx.get(base + "/sparql", params={"query": read}, timeout=120,
                             headers=dict(KEY, Accept="application/sparql-results+json"))
            sizes = httpx.get(base + "/sparql", params={"query": count}, timeout=120,
                              headers=dict(KEY, Accept="application/sparql-results+json"))
            assert docs.status_code == sizes.status_code == 200, docs.text + sizes.text
            [binding] = docs.json()["results"]["bindings"]
            answers[base] = (json.loads(binding["doc"]["value"]), sizes.json()["results"]["bindings"][0]["n"]["value"])
        assert answers[two] == answers[one]
        assert answers[two][0] == document and int(answers[two][1]) > 10  # the document as it was sent
        # Without the key, neither replica shows it, on the API or on /sparql.
        assert httpx.get(two + "/api/engagements/acme-ai", timeout=60).status_code == 401
        # Virtuoso answers GRAPH <iri> from that graph whatever dataset the request
        # states, so on a remote store naming it is refused before anything is sent.
        for ask in (f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                    f"ASK {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g = <{graph}>) }}"):
            answer = httpx.get(two + "/sparql", params={"query": ask}, timeout=60,
                               headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 403, answer.text
        sneaky = "ASK { GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), \"/engagement/\")) }"
        answer = httpx.get(two + "/sparql", params={"query": sneaky}, timeout=60,
                           headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["boolean"] is False
    finally:
        deleted = httpx.delete(two + "/api/engagements/acme-ai", headers=KEY, timeout=60)
    assert deleted.status_code == 204
    assert httpx.get(one + "/api/engagements/acme-ai", headers=KEY, timeout=60).status_code == 404
