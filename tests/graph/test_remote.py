"""The remote store adapter: its setting, the lexical forms it repairs, and a push that
checks what it wrote, against a real Oxigraph server on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from attestgraph.errors import ConfigurationError, StoreError
from attestgraph.graph.remote import RemoteStore, canonical_duration, repaired_literal

XSD = "http://www.w3.org/2001/XMLSchema#"


def test_the_setting_names_query_update_and_graph_store_urls(monkeypatch):
    monkeypatch.delenv("ATTESTGRAPH_STORE_USER", raising=False)
    monkeypatch.delenv("ATTESTGRAPH_STORE_PASSWORD", raising=False)
    store = RemoteStore.from_setting("sparql:http://h/sparql|http://h/sparql-auth|http://h/crud")
    assert (store.query_url, store.update_url, store.graph_store_url) == ("http://h/sparql", "http://h/sparql-auth",
                                                                          "http://h/crud")
    assert RemoteStore.from_setting("sparql:http://h/query").update_url is None
    for bad in ("sparql:ftp://h/q", "sparql:", "sparql:http://a|http://b|http://c|http://d"):
        with pytest.raises(ConfigurationError, match="expected sparql:QUERY_URL"):
            RemoteStore.from_setting(bad)
    monkeypatch.setenv("ATTESTGRAPH_STORE_PASSWORD", "secret")
    with pytest.raises(ConfigurationError, match="ATTESTGRAPH_STORE_USER"):
        RemoteStore.from_setting("sparql:http://h/sparql")


@pytest.mark.parametrize("lexical", ["PT72H", "PT48H", "P90D", "P7D", "P30D", "P60D", "P1Y", "P3Y", "P6M", "P7Y",
                                     "PT1H30M", "PT0.5S"])
def test_a_virtuoso_duration_reads_back_as_oxigraph_gives_it(lexical):
    """Virtuoso 7.2 returns months (year-month) or seconds as a double (day-time) as the
    lexical form; the repaired form is Oxigraph's canonical form of the same value."""
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://s"), ox.NamedNode("http://p"), ox.Literal(lexical, datatype=ox.NamedNode(
        XSD + "duration")), ox.NamedNode("http://g")))
    oxigraph = next(iter(store.query("SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } }", use_default_graph_as_union=True)))
    months = "Y" in lexical or ("M" in lexical and "T" not in lexical)
    if months:
        number = lexical[1:-1]
        virtuoso = str(int(number) * (12 if lexical.endswith("Y") else 1))
    else:
        seconds = {"PT72H": 259200, "PT48H": 172800, "P90D": 7776000, "P7D": 604800, "P30D": 2592000,
                   "P60D": 5184000, "PT1H30M": 5400, "PT0.5S": 0.5}[lexical]
        virtuoso = f"{float(seconds):.6g}" if seconds >= 1e6 else f"{float(seconds)}"
    repaired = repaired_literal(ox.Literal(virtuoso, datatype=ox.NamedNode(XSD + "duration")))
    assert repaired.value == oxigraph["o"].value


def test_canonical_forms():
    assert canonical_duration(0, 0) == "PT0S"
    assert canonical_duration(14, 0) == "P1Y2M"
    assert canonical_duration(0, 90061.0) == "P1DT1H1M1S"
    assert repaired_literal(ox.Literal("1", datatype=ox.NamedNode(XSD + "boolean"))).value == "true"
    assert repaired_literal(ox.Literal("0", datatype=ox.NamedNode(XSD + "boolean"))).value == "false"
    # A standard form is left as it is.
    kept = ox.Literal("P3D", datatype=ox.NamedNode(XSD + "duration"))
    assert repaired_literal(kept) == kept


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def oxigraph_server(tmp_path) -> Iterator[str]:
    binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    if not Path(binary).exists():
        pytest.fail("the oxigraph server (PyPI package 'oxigraph', a test dependency) is not installed")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    with open(tmp_path / "oxigraph.log", "wb") as log:
        process = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "db"), "--bind", f"127.0.0.1:{port}"],
                                   stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError((tmp_path / "oxigraph.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)



@pytest.mark.slow
def test_the_dataset_is_the_union_of_the_store_graphs(oxigraph_server, mini_root, home):
    """On Oxigraph's server (whose default graph is its own, empty, default graph) the
    adapter's stated dataset gives the embedded store's union answers."""
    from attestgraph.graph.build import build_stage
    from attestgraph.graph.sources import DataRoot
    from attestgraph.graph.store import EmbeddedStore

    local = EmbeddedStore(build_stage(DataRoot.at(mini_root))[0])
    remote = RemoteStore(f"{oxigraph_server}/query", f"{oxigraph_server}/update",
                         graph_store_url=f"{oxigraph_server}/store")
    try:
        counts = remote.push(local)
        assert counts == local.triples_per_graph() == remote.triples_per_graph()
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert remote.query(query).column("n") == local.query(query).column("n") != [0]
        # A triple in the service's own default graph is not in the dataset.
        remote.update("INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }")
        assert remote.query(query).column("n") == local.query(query).column("n")
        assert remote.query(query, default_graphs=[]).column("n") == [0]
    finally:
        remote.close()


@pytest.mark.slow
def test_a_push_that_loses_triples_fails_naming_the_graph(oxigraph_server, mini_root, home, monkeypatch, cli):
    """The issue's failure: an endpoint keeps part of what it was sent. The push reads
    each graph's count back, so it stops with an error (exit 1), never a success line."""
    original = RemoteStore.put_graph

    def lossy(self: RemoteStore, graph: str, triples, store_url: str | None = None) -> None:
        kept = list(triples)
        if graph.endswith("/framework/fb"):
            kept = kept[:-1]  # what a lossy endpoint keeps
        original(self, graph, kept, store_url)

    monkeypatch.setattr(RemoteStore, "put_graph", lossy)
    setting = f"sparql:{oxigraph_server}/query|{oxigraph_server}/update|{oxigraph_server}/store"
    code, _, err = cli("push", "--data", str(mini_root), "--store", "memory", "--to", setting)
    assert code == 1
    assert "framework/fb" in err and "push incomplete" in err and "pushed" not in err


def test_an_unreachable_endpoint_is_a_store_error():
    remote = RemoteStore(f"http://127.0.0.1:{_free_port()}/sparql")
    with pytest.raises(StoreError, match="cannot reach"):
        remote.query("ASK {}")
    remote.close()
