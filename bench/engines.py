"""One run, three engines: embedded Oxigraph, Oxigraph's server and Virtuoso (issue 16).

    python bench/engines.py [--runs 3] [--requests 40]

Pushes the built graph to a throwaway Oxigraph server and a throwaway Virtuoso (both on
loopback, started here and stopped at the end; Virtuoso by the tests' own launcher,
tests/conftest.py), times the push, every named query (median of ``--runs`` after one
warm-up) and the HTTP routes of `attestgraph serve` over each store, and prints the
Markdown section bench/README.md holds, figures as ratios to the embedded store (the
machine is shared, so only ratios in one run mean much).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run import free_port, load, median_time, ms, wait_for

from attestgraph.graph.connect import connect
from attestgraph.graph.remote import RemoteStore
from attestgraph.graph.store import GraphStore
from attestgraph.queries import named

ROUTES = {
    "/healthz": "/healthz",
    "/api/frameworks": "/api/frameworks",
    "/api/controls (25)": "/api/controls?limit=25",
    "/api/requirements/soc2/CC6.1": "/api/requirements/soc2/CC6.1",
    "/api/overlap soc2 x iso42001 (cached after the first)": "/api/overlap?a=soc2&b=iso42001&limit=50",
    "/sparql `frameworks`": "/sparql?query=" + quote(named.get("frameworks").text),
}


def _conftest() -> Any:
    spec = importlib.util.spec_from_file_location("attestgraph_tests_conftest", HERE.parent / "tests" / "conftest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextmanager
def process(command: list[str], log: Path, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    with open(log, "wb") as out:
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        yield child
    finally:
        child.terminate()
        try:
            child.wait(timeout=30)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="attestgraph-engines-"))
    conftest = _conftest()
    lines: list[str] = []
    try:
        with ExitStack() as stack:
            embedded = connect("disk")
            stores: dict[str, GraphStore] = {"embedded Oxigraph": embedded}
            settings = {"embedded Oxigraph": "disk"}
            push: dict[str, float] = {}

            binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
            port = free_port()
            stack.enter_context(process([binary, "serve", "--location", str(work / "oxigraph"), "--bind",
                                         f"127.0.0.1:{port}"], work / "oxigraph.log"))
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/query?query=ASK%7B%7D")
            settings["Oxigraph server"] = f"sparql:{base}/query|{base}/update|{base}/store"
            stores["Oxigraph server"] = RemoteStore(f"{base}/query", f"{base}/update", graph_store_url=f"{base}/store",
                                                    timeout=300)

            virtuoso = stack.enter_context(conftest.start_virtuoso(work / "virtuoso"))
            settings["Virtuoso 7.2"] = conftest.virtuoso_setting(virtuoso)
            stores["Virtuoso 7.2"] = conftest.open_virtuoso(virtuoso, timeout=300)

            triples = sum(embedded.triples_per_graph().values())
            for name, store in stores.items():
                if isinstance(store, RemoteStore):
                    push[name] = timed(functools.partial(store.push, embedded))
                    print(f"push to {name}: {push[name]:.1f} s", flush=True)

            lines += ["## Engines: embedded Oxigraph, Oxigraph server, Virtuoso (`bench/engines.py`)", "",
                      (f"One run on loopback; the shipped graph ({triples:,} triples in "
                      f"{len(embedded.named_graphs())} named graphs). Remote stores are asked with the dataset "
                      "stated per request (see the README's Scale-out), which includes one graph-listing request "
                      "per query. Named queries: median of "
                      f"{args.runs} after a warm-up, through the store adapter (no HTTP server in front)."), "",
                      "| push (one PUT per graph, each counted back) | time |", "|---|---|"]
            lines += [f"| {name} | {seconds:.1f} s |" for name, seconds in push.items()]
            names = list(stores)
            lines += ["", "| named query | " + " | ".join(names[:1] + [f"{n} (x embedded)" for n in names[1:]]) + " |",
                      "|---" * (len(names) + 1) + "|"]
            totals = dict.fromkeys(names, 0.0)
            for query in sorted(named.library()):
                text = named.bind(named.get(query))
                cells = []
                for name, store in stores.items():
                    seconds = median_time(functools.partial(store.query, text), runs=args.runs)
                    totals[name] += seconds
                    cells.append(seconds)
                row = [ms(cells[0])] + [f"{ms(c)} ({c / cells[0]:.1f}x)" for c in cells[1:]]
                lines.append(f"| {query} | " + " | ".join(row) + " |")
                print(lines[-1], flush=True)
            first = totals[names[0]]
            lines.append("| **all named queries** | " + " | ".join(
                [ms(first)] + [f"{ms(totals[n])} ({totals[n] / first:.1f}x)" for n in names[1:]]) + " |")

            lines += ["", (f"HTTP: `attestgraph serve` over each store; per route one cold request, then "
                          f"{args.requests} requests from 2 client threads (p50)."), "",
                      "| route | " + " | ".join(f"{n} first / p50" for n in names) + " | p50 x embedded |",
                      "|---" * (len(names) + 2) + "|"]
            bases = {}
            env = dict(os.environ, ATTESTGRAPH_STORE_USER=conftest.VIRTUOSO_USER,
                       ATTESTGRAPH_STORE_PASSWORD=conftest.VIRTUOSO_PASSWORD, ATTESTGRAPH_QUERY_TIMEOUT="300")
            for name in names:
                port = free_port()
                stack.enter_context(process([sys.executable, "-m", "attestgraph.cli", "serve", "--store",
                                             settings[name], "--port", str(port)],
                                            work / f"serve-{port}.log", env))
                bases[name] = f"http://127.0.0.1:{port}"
                wait_for(bases[name] + "/healthz", seconds=600)
            for route, path in ROUTES.items():
                stats = {}
                for name in names:
                    cold = load(bases[name] + path, 1, 1, 600, timeout=600)
                    warm = load(bases[name] + path, args.requests, 2, 120, timeout=600)
                    if cold["errors"] or warm["errors"]:
                        raise SystemExit(f"{route} on {name}: {cold['errors'] + warm['errors']} errors")
                    stats[name] = (cold["p50"], warm["p50"])
                ratios = ", ".join(f"{stats[n][1] / stats[names[0]][1]:.1f}x" for n in names[1:])
                lines.append(f"| {route} | " + " | ".join(f"{ms(stats[n][0])} / {ms(stats[n][1])}" for n in names)
                             + f" | {ratios} |")
                print(lines[-1], flush=True)
            for store in stores.values():
                store.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
