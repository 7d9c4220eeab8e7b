"""The price of the confined query workers, and what a runaway client costs others.

    python bench/sparql_overhead.py [--requests N] [--seconds S]

1. The named query ``frameworks`` run embedded (pyoxigraph in this process, no HTTP)
   against the same query through ``/sparql`` of a real ``attestgraph serve`` on
   127.0.0.1 (guard, dataset decision, a worker process, serialisation, HTTP), at 1 and
   8 concurrent clients. Same store, same run: read the ratios.
2. A bounded load run: 8 clients send the fast query while 2 runaway clients keep a
   cross product in flight (each killed at the time limit). Every normal query must
   succeed; the runaways' 503s are expected.

Uses the built store of ``ATTESTGRAPH_HOME`` (built first if missing). Every loop is
bounded by a request count and a time limit; the server listens on loopback only and
is stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from run import free_port, load, ms, wait_for

from attestgraph import vocabulary as v
from attestgraph.graph.connect import connect
from attestgraph.queries import named

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def embedded(text: str, requests: int, concurrency: int) -> dict:
    """The query in this process, as the CLI runs it: p50 over ``requests`` runs."""
    store = connect("disk")
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = [requests]

    def worker():
        while True:
            with lock:
                if remaining[0] <= 0:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            rows = list(store.oxigraph.query(text, prefixes=v.PREFIXES, use_default_graph_as_union=True))
            took = time.perf_counter() - started
            assert rows
            with lock:
                latencies.append(took)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {"n": len(latencies), "p50": statistics.median(latencies),
            "p99": latencies[max(0, int(0.99 * len(latencies)) - 1)]}


def runaway_clients(url: str, clients: int, stop: threading.Event, outcome: dict) -> list[threading.Thread]:
    import httpx

    counting = threading.Lock()  # one lock the clients share (a new one per count guards nothing)

    def worker():
        with httpx.Client(timeout=120) as client:
            while not stop.is_set():
                status = client.get(url, params={"query": RUNAWAY}).status_code
                with counting:
                    outcome[status] = outcome.get(status, 0) + 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    for t in threads:
        t.start()
    return threads


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    text = named.library()["frameworks"].text
    connect("disk").close()  # build once, before timing anything

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ATTESTGRAPH_QUERY_TIMEOUT="3", ATTESTGRAPH_WORKERS="4")
    log = Path(tempfile.mkdtemp(prefix="attestgraph-bench-http-")) / "serve.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([sys.executable, "-m", "attestgraph.cli", "serve", "--port", str(port)],
                                  env=env, stdout=out, stderr=subprocess.STDOUT)
    lines = ["## /sparql overhead and runaway clients (bench/sparql_overhead.py)", ""]
    try:
        wait_for(base + "/healthz")
        import urllib.parse

        url = f"{base}/sparql?query={urllib.parse.quote(text)}"
        load(url, 20, 1, 30, 30)  # warm: the guard's cache, each worker's store
        rows = []
        for clients in (1, 8):
            inside = embedded(text, args.requests, clients)
            http = load(url, args.requests, clients, args.seconds, 30)
            rows.append((clients, inside, http))
        lines += [f"Named query `frameworks` (23 rows), {args.requests} requests per row, 4 query workers, 2 cores.", "",
                  "| clients | embedded p50 | /sparql p50 | /sparql p99 | errors | ratio p50 | overhead p50 |",
                  "|---|---|---|---|---|---|---|"]
        for clients, inside, http in rows:
            lines.append(f"| {clients} | {ms(inside['p50'])} | {ms(http['p50'])} | {ms(http['p99'])} | {http['errors']} | "
                         f"{http['p50'] / inside['p50']:.1f}x | {ms(http['p50'] - inside['p50'])} |")

        stop = threading.Event()
        outcome: dict = {}
        runaways = runaway_clients(base + "/sparql", 2, stop, outcome)
        time.sleep(0.5)  # let both runaways reach a worker
        normal = load(url, 100_000, 8, args.seconds, 60)
        stop.set()
        for t in runaways:
            t.join(30)
        lines += ["", (f"Load with runaways: 8 clients sending `frameworks` for {args.seconds:g} s while 2 clients "
                  "keep a three-way cross product in flight (time limit 3 s)."), "",
                  "| normal queries | failed | p50 | p99 | runaway answers |", "|---|---|---|---|---|",
                  f"| {normal['n']} | {normal['errors']} | {ms(normal['p50'])} | {ms(normal['p99'])} | "
                  + ", ".join(f"{n} x {status}" for status, n in sorted(outcome.items())) + " |"]
    finally:
        server.terminate()
        server.wait(30)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
