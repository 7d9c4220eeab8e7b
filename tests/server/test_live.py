"""Real processes on loopback: `attestgraph serve` over an on-disk store (where a
query past its limit is stopped by killing its worker), and a real Oxigraph server
as the remote store that `attestgraph push` fills."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from attestgraph.graph.remote import RemoteStore

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, log: Path, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited with {process.returncode}: {log.read_text()[-2000:]}")
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer in {seconds} s")


@contextmanager
def running(command: list[str], probe: str, log: Path, env: dict | None = None):
    """A server process on loopback, yielded once ``probe`` (a path) answers, always stopped."""
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(probe, process, log)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def served(mini_root, home, tmp_path):
    port = free_port()
    env = dict(os.environ, ATTESTGRAPH_HOME=str(home), ATTESTGRAPH_QUERY_TIMEOUT="2", ATTESTGRAPH_MAX_ROWS="1000")
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "attestgraph.cli", "serve", "--data", str(mini_root), "--port", str(port)]
    with running(command, base + "/healthz", tmp_path / "serve.log", env):
        yield base


def test_serve_answers_and_stops_a_runaway_query(served):
    assert httpx.get(served + "/healthz").json()["status"] == "ok"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?c a ag:Control }"
    answer = httpx.get(served + "/sparql", params={"query": query}).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "3"
    # A cross product the size of the store to the fourth power: only a kill stops it.
    runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = httpx.get(served + "/sparql", params={"query": runaway}, timeout=30)
    assert response.status_code == 503 and "limit" in response.json()["detail"]
    assert time.monotonic() - started < 15
    # The server goes on answering, on a fresh worker.
    answer = httpx.get(served + "/sparql", params={"query": query}).json()
    assert answer["results"]["bindings"][0]["n"]["value"] == "3"


@pytest.fixture
def oxigraph_server(tmp_path):
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.fail("the oxigraph server (PyPI package 'oxigraph', a test dependency) is not installed")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [binary, "serve", "--location", str(tmp_path / "oxigraph"), "--bind", f"127.0.0.1:{port}"]
    with running(command, base + "/query?query=ASK%7B%7D", tmp_path / "oxigraph.log"):
        yield base


def test_push_then_query_the_remote_store(oxigraph_server, mini_root, home):
    from attestgraph.cli import main
    from attestgraph.graph.build import build_stage
    from attestgraph.graph.sources import DataRoot
    from attestgraph.graph.store import EmbeddedStore
    from attestgraph.queries.analysis.overlap import overlap

    setting = f"sparql:{oxigraph_server}/query|{oxigraph_server}/update"
    assert main(["push", "--data", str(mini_root), "--store", "memory", "--to", setting]) == 0
    remote = RemoteStore.from_setting(setting)
    stage, _ = build_stage(DataRoot.at(mini_root))
    local = EmbeddedStore(stage)
    assert remote.triples_per_graph() == local.triples_per_graph()
    assert overlap(remote, "fa", "fb") == overlap(local, "fa", "fb")
    # Pushing again replaces rather than duplicates.
    assert main(["push", "--data", str(mini_root), "--store", "memory", "--to", setting]) == 0
    assert remote.triples_per_graph() == local.triples_per_graph()
    # Issue 12.7: a remote source works, and the target is never left empty (here the
    # source is the target itself: each graph is read whole before it is replaced).
    assert main(["push", "--store", setting, "--to", setting]) == 0
    assert remote.triples_per_graph() == local.triples_per_graph()
    remote.close()


def test_remote_errors_are_clear(oxigraph_server):
    from attestgraph.errors import QuerySyntaxError, StoreError

    remote = RemoteStore.from_setting(f"sparql:{oxigraph_server}/query")
    with pytest.raises(QuerySyntaxError):
        remote.query("SELECT WHERE {")
    with pytest.raises(StoreError, match="no update URL"):
        remote.remove_graph("https://w3id.org/attestgraph/graph/x")
    remote.close()
    unreachable = RemoteStore.from_setting(f"sparql:http://127.0.0.1:{free_port()}/query")
    with pytest.raises(StoreError, match="cannot reach"):
        unreachable.query("ASK {}")
    unreachable.close()


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _gone(pids: set[int], seconds: float = 20) -> set[int]:
    """The pids still alive after waiting up to ``seconds`` for them to end."""
    deadline = time.monotonic() + seconds
    while True:
        alive = {p for p in pids if Path(f"/proc/{p}").exists()
                 and (Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z")}
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_no_process_outlives_the_server(mini_root, home, tmp_path, signal_name):
    """Issue 12.7: after a runaway replaced a worker, and with the writer running, a
    signal to the server ends every process it started."""
    import signal

    port = free_port()
    env = dict(os.environ, ATTESTGRAPH_HOME=str(home), ATTESTGRAPH_QUERY_TIMEOUT="1", ATTESTGRAPH_WORKERS="2",
               ATTESTGRAPH_API_KEY="k3y")
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "attestgraph.cli", "serve", "--data", str(mini_root), "--port", str(port)]
    log = tmp_path / "serve.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(base + "/healthz", process, log)
        runaway = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"
        assert httpx.get(base + "/sparql", params={"query": runaway}, timeout=30).status_code == 503
        assert httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200
        started = _descendants(process.pid)
        assert len(started) >= 3  # two query workers and the writer (and multiprocessing's helper)
        process.send_signal(getattr(signal, signal_name))
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert _gone(started) == set(), log.read_text()[-2000:]
