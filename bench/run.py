"""Benchmarks, each measured against a baseline in the same run (the machines are
shared and noisy, so only ratios mean much). Figures go into bench/README.md.

    python bench/run.py queries   # build stages; named queries on Oxigraph vs rdflib's engine
    python bench/run.py scale     # per-engagement gap query with 1,000 synthetic engagements loaded
    python bench/run.py http      # requests/s and latency: Oxigraph-backed server vs rdflib-backed vs remote Oxigraph
    python bench/run.py scratch   # the engagement's scratch copy: checkpoint vs in-memory copy, and gaps on each
    python bench/run.py all

Every loop is bounded by a count and a time; every server listens on 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.graph.build import build_stage
from attestgraph.graph.embedded import in_memory
from attestgraph.graph.sources import DataRoot
from attestgraph.queries import named

RDFLIB_CAP_SECONDS = 60.0


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


def median_time(fn, runs: int = 5, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# -- named queries -------------------------------------------------------------------

def representative_queries() -> dict[str, str]:
    fw = v.framework_iri
    dpdp = [fw("dpdp-act"), fw("dpdp-rules")]
    params = {
        "frameworks": {},
        "requirements": {"f": fw("soc2")},
        "mappings-between": {"fa": fw("soc2"), "fb": fw("iso42001")},
        "control-mappings": {"f": [fw("soc2"), fw("iso42001")]},
        "evidence-reach": {"f": [fw(s) for s in ("soc2", "iso42001", "dpdp-act")]},
        "mappings-touching": {"e": [v.requirement_iri("dpdp-act", "8(6)"), v.requirement_iri("iso27001", "A.5.26")]},
        "controls": {},
        "control-links": {},
        "evidence-types": {},
        "control-sets": {},
        "effective-dates": {"f": dpdp},
        "requirement-bearers": {"f": dpdp},
        "mapping-set": {"setId": "iso42001-iso27001"},
    }
    return {name: named.bind(named.get(name), **values) for name, values in params.items()}


def _rdflib_child(store, text, conn):
    started = time.perf_counter()
    result = store.query(text)
    conn.send((time.perf_counter() - started, len(result.rows)))


def rdflib_time(store, text: str) -> tuple[float | None, int | None]:
    """One evaluation by rdflib in a forked child, stopped at the cap."""
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()
    process = context.Process(target=_rdflib_child, args=(store, text, child))
    process.start()
    process.join(RDFLIB_CAP_SECONDS)
    if process.is_alive():
        process.kill()
        process.join()
        return None, None
    return parent.recv() if parent.poll() else (None, None)


def bench_queries() -> list[str]:
    from rdflib_store import RdflibStore

    lines = ["## Build and named queries (shipped graph)", ""]
    started = time.perf_counter()
    stage, report = build_stage(DataRoot.shipped())
    total = time.perf_counter() - started
    lines.append(f"Build: {report.total:,} triples in {len(report.triples_per_graph)} named graphs, {total:.1f} s "
                 f"({', '.join(f'{k} {t:.2f} s' for k, t in report.stages.items())}).")
    lines.append("")
    store = in_memory(stage)
    started = time.perf_counter()
    baseline = RdflibStore(stage.quads_for_pattern(None, None, None, None))
    lines.append(f"rdflib Dataset load of the same quads: {time.perf_counter() - started:.1f} s.")
    lines += ["", "| query | rows | Oxigraph (median of 5) | rdflib (one run, capped at 60 s) | rdflib / Oxigraph |",
              "|---|---|---|---|---|"]
    for name, text in representative_queries().items():
        rows = len(store.query(text).rows)
        ox_time = median_time(lambda text=text: store.query(text))
        rd_time, rd_rows = rdflib_time(baseline, text)
        if rd_time is None:
            lines.append(f"| {name} | {rows} | {ms(ox_time)} | > 60 s (stopped) | > {RDFLIB_CAP_SECONDS / ox_time:,.0f}x |")
        else:
            agree = "" if rd_rows == rows else f" (rdflib gave {rd_rows} rows)"
            lines.append(f"| {name} | {rows} | {ms(ox_time)} | {ms(rd_time)}{agree} | {rd_time / ox_time:,.0f}x |")
        print(lines[-1], flush=True)
    return lines


# -- scale: many engagements -----------------------------------------------------------

def synthetic_engagement(index: int, controls: list[str], evidence: list[str], components: list[str], rng) -> list[ox.Quad]:
    """One engagement graph of about 2,500 triples: implementations, evidence held, components,
    and the evidence artifacts collected over a year (what a stored engagement accumulates)."""
    graph = ox.NamedNode(v.engagement_graph(f"synthetic-{index:04d}"))
    root = f"{v.ID}engagement/synthetic-{index:04d}"
    e = ox.NamedNode(root)
    a = lambda p: ox.NamedNode(v.AG + p)
    date = lambda d: ox.Literal(d, datatype=ox.NamedNode(v.XSD + "date"))
    quads = [ox.Quad(e, ox.NamedNode(v.RDF + "type"), a("Engagement"), graph)]
    for control in rng.sample(controls, rng.randint(30, 90)):
        node = ox.NamedNode(f"{root}/implementation/{control}")
        quads += [ox.Quad(e, a("hasImplementation"), node, graph),
                  ox.Quad(node, a("implementsControl"), ox.NamedNode(v.control_iri(control)), graph),
                  ox.Quad(node, a("operatingSince"), date(f"2026-{rng.randint(1, 12):02d}-01"), graph)]
    for item in rng.sample(evidence, rng.randint(20, 60)):
        quads.append(ox.Quad(e, a("holdsEvidence"), ox.NamedNode(v.EVIDENCE + item), graph))
    for j, component in enumerate(rng.sample(components, 8)):
        node = ox.NamedNode(f"{root}/component/c{j}")
        quads += [ox.Quad(e, a("hasComponent"), node, graph),
                  ox.Quad(node, a("componentType"), ox.NamedNode(v.COMPONENT + component), graph)]
    for k in range(370):
        node = ox.NamedNode(f"{root}/artifact/{k}")
        quads += [ox.Quad(node, ox.NamedNode(v.RDF + "type"), a("EvidenceArtifact"), graph),
                  ox.Quad(node, a("artifactOf"), ox.NamedNode(v.EVIDENCE + rng.choice(evidence)), graph),
                  ox.Quad(node, a("collectedOn"), date(f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"), graph),
                  ox.Quad(node, ox.NamedNode(v.DCT + "title"), ox.Literal(f"artifact {k}"), graph),
                  ox.Quad(node, a("sampledFor"), ox.NamedNode(f"{root}/period/{k % 4}"), graph),
                  ox.Quad(e, a("holdsArtifact"), node, graph)]
    return quads


def bench_scale(count: int = 1000) -> list[str]:
    from attestgraph.queries.catalog import Catalog

    stage, _ = build_stage(DataRoot.shipped(), validate=False)
    store = in_memory(stage)
    catalog = Catalog(store)
    controls = sorted(catalog.controls)
    evidence = [e["ev"].rsplit("/", 1)[1] for e in catalog.evidence_types.values()]
    components = catalog.components
    rng = random.Random(8477)

    def gap_query(index: int) -> str:
        return named.bind(named.get("engagement-control-reach"), engagement=v.engagement_graph(f"synthetic-{index:04d}"))

    catalog_query = named.bind(named.get("mappings-between"), fa=v.framework_iri("soc2"), fb=v.framework_iri("iso42001"))
    stage.extend(synthetic_engagement(0, controls, evidence, components, rng))
    one = median_time(lambda: store.query(gap_query(0)), runs=21)
    catalog_one = median_time(lambda: store.query(catalog_query), runs=5)
    catalog_rows = len(store.query(catalog_query).rows)
    before = sum(1 for _ in stage.quads_for_pattern(None, None, None, None))
    started = time.perf_counter()
    for index in range(1, count):
        stage.extend(synthetic_engagement(index, controls, evidence, components, rng))
    loaded = time.perf_counter() - started
    after = sum(1 for _ in stage.quads_for_pattern(None, None, None, None))
    picks = rng.sample(range(count), 51)
    times = []
    for index in picks:
        started = time.perf_counter()
        store.query(gap_query(index))
        times.append(time.perf_counter() - started)
    many = statistics.median(times)
    p95 = sorted(times)[int(0.95 * len(times)) - 1]
    catalog_many = median_time(lambda: store.query(catalog_query), runs=5)
    assert len(store.query(catalog_query).rows) == catalog_rows
    return [
        f"## {count:,} engagements beside the catalog", "",
        (f"Catalog and one engagement: {before:,} triples. With {count:,} synthetic engagements "
        f"(~{(after - before) // max(1, count - 1):,} triples each: implementations, evidence held, components, a year of "
        f"evidence artifacts): {after:,} triples, loaded in {loaded:.1f} s."), "",
        "| query | 1 engagement | 1,000 engagements | ratio |", "|---|---|---|---|",
        (f"| per-engagement gap query (`engagement-control-reach`), median of 21 / 51 engagements | {ms(one)} | "
        f"{ms(many)} (p95 {ms(p95)}) | {many / one:.2f}x |"),
        (f"| catalog join (`mappings-between`, soc2 x iso42001, {catalog_rows} rows), median of 5 | {ms(catalog_one)} | "
        f"{ms(catalog_many)} | {catalog_many / catalog_one:.2f}x |"),
    ]


# -- HTTP ---------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=60).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def load(url: str, requests: int, concurrency: int, max_seconds: float, timeout: float) -> dict:
    """Send up to ``requests`` GETs from ``concurrency`` threads, stopping at ``max_seconds``."""
    import httpx

    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    sent = 0
    deadline = time.monotonic() + max_seconds

    def worker():
        nonlocal sent, errors
        with httpx.Client(timeout=timeout) as client:
            while True:
                with lock:
                    if sent >= requests or time.monotonic() > deadline:
                        return
                    sent += 1
                started = time.perf_counter()
                try:
                    ok = client.get(url).status_code == 200
                except httpx.HTTPError:
                    ok = False
                took = time.perf_counter() - started
                with lock:
                    latencies.append(took)
                    errors += 0 if ok else 1

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    latencies.sort()
    return {
        "n": len(latencies), "errors": errors, "rps": len(latencies) / elapsed if elapsed else 0.0,
        "p50": statistics.median(latencies) if latencies else float("nan"),
        "p99": latencies[max(0, int(0.99 * len(latencies)) - 1)] if latencies else float("nan"),
    }


def bench_http() -> list[str]:
    import urllib.parse

    work = Path(tempfile.mkdtemp(prefix="attestgraph-bench-"))
    env = dict(os.environ, ATTESTGRAPH_HOME=str(work / "home"), ATTESTGRAPH_QUERY_TIMEOUT="120")
    processes = []

    def spawn(args, log_name, extra_env=None):
        log = open(work / log_name, "wb")  # noqa: SIM115  # closed with its process at the end
        process = subprocess.Popen(args, env=dict(env, **(extra_env or {})), stdout=log, stderr=subprocess.STDOUT)
        processes.append((process, log))
        return process

    query = urllib.parse.quote(named.get("frameworks").text)
    routes = {
        "/healthz": "/healthz",
        "/api/overlap (soc2 x iso42001)": "/api/overlap?a=soc2&b=iso42001&limit=50",
        "/sparql named query `frameworks`": f"/sparql?query={query}",
    }
    lines = ["## HTTP on loopback", "",
             ("Bounded load: 8 client threads, at most 400 requests or 20 s per route (rdflib: 1 thread, 3 requests, "
             "400 s); servers on 127.0.0.1 only. Overlap and shared evidence are computed once per server and "
             "served from memory after (the catalog does not change while it runs)."), "",
             "| route | store | first request | requests | errors | req/s | p50 | p99 |", "|---|---|---|---|---|---|---|---|"]
    try:
        port = free_port()
        spawn([sys.executable, "-m", "attestgraph.cli", "serve", "--port", str(port)], "serve-oxigraph.log")
        targets = [("embedded Oxigraph", f"http://127.0.0.1:{port}", 400, 8, 20.0)]
        wait_for(targets[0][1] + "/healthz")

        rd_port = free_port()
        spawn([sys.executable, str(HERE / "serve_rdflib.py"), str(rd_port)], "serve-rdflib.log")
        ox_port = free_port()
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        spawn([binary, "serve", "--location", str(work / "oxigraph"), "--bind", f"127.0.0.1:{ox_port}"], "oxigraph.log")
        wait_for(f"http://127.0.0.1:{ox_port}/query?query=ASK%7B%7D")
        setting = f"sparql:http://127.0.0.1:{ox_port}/query|http://127.0.0.1:{ox_port}/update"
        subprocess.run([sys.executable, "-m", "attestgraph.cli", "push", "--to", setting], env=env, check=True,
                       capture_output=True)
        remote_port = free_port()
        spawn([sys.executable, "-m", "attestgraph.cli", "serve", "--port", str(remote_port), "--store", setting],
              "serve-remote.log")
        wait_for(f"http://127.0.0.1:{remote_port}/healthz")
        targets.append(("remote Oxigraph server", f"http://127.0.0.1:{remote_port}", 400, 8, 20.0))
        wait_for(f"http://127.0.0.1:{rd_port}/healthz", seconds=600)
        targets.append(("rdflib engine", f"http://127.0.0.1:{rd_port}", 3, 1, 400.0))
        results = {}
        for route, path in routes.items():
            for name, base, requests, threads, seconds in targets:
                first = load(base + path, 1, 1, seconds, timeout=seconds)  # cold: nothing cached yet
                stats = load(base + path, requests, threads, seconds, timeout=seconds)
                stats["first"] = first["p50"] if not first["errors"] else float("nan")
                results[(route, name)] = stats
                lines.append(f"| {route} | {name} | {ms(stats['first'])} | {stats['n']} | {stats['errors']} | "
                             f"{stats['rps']:.1f} | {ms(stats['p50'])} | {ms(stats['p99'])} |")
                print(lines[-1], flush=True)
        lines.append("")
        for route in routes:
            base = results[(route, "embedded Oxigraph")]
            rd = results[(route, "rdflib engine")]
            remote = results[(route, "remote Oxigraph server")]
            lines.append(f"- {route}: first request rdflib / Oxigraph = {rd['first'] / base['first']:,.1f}x; "
                         f"under load, rdflib p50 / Oxigraph p50 = {rd['p50'] / base['p50']:,.1f}x; "
                         f"remote p50 / embedded p50 = {remote['p50'] / base['p50']:.2f}x.")
    finally:
        for process, log in processes:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
        shutil.rmtree(work, ignore_errors=True)
    return lines


# -- the scratch copy an analysis loads its engagement into ------------------------------

def bench_scratch(runs: int = 5) -> list[str]:
    """``store_with_engagement`` on the warm on-disk store: the RocksDB checkpoint it now
    makes against the in-memory copy it made before, and the sample's gaps query on each
    (a copy is only cheaper if the queries on it are no slower)."""
    from attestgraph import examples
    from attestgraph.graph.embedded import open_embedded
    from attestgraph.queries.analysis.gaps import gaps
    from attestgraph.queries.catalog import Catalog
    from attestgraph.queries.engagement.file import load_engagement
    from attestgraph.queries.engagement.graph import engagement_quads

    store, _ = open_embedded(DataRoot.shipped())
    engagement = load_engagement(Path(examples.__file__).parent / "acme-ai.yaml")
    catalog = Catalog(store)
    makers = {"in-memory copy (before)": store.copy_to_memory, "checkpoint (scratch_copy)": store.scratch_copy}
    copy_times: dict[str, float] = {}
    gap_times: dict[str, float] = {}
    for name, make in makers.items():
        copy_times[name] = median_time(lambda make=make: make().close(), runs=runs)
        scratch = make()
        scratch.replace_graph(engagement.graph, engagement_quads(engagement))
        gap_times[name] = median_time(lambda scratch=scratch: gaps(scratch, engagement, catalog), runs=runs)
        scratch.close()
    base = "in-memory copy (before)"
    lines = [f"Scratch copy of the shipped store ({sum(store.triples_per_graph().values()):,} triples), median of {runs}:",
             "", "| copy | make the copy | x before | gaps on it | x before |", "|---|---|---|---|---|"]
    for name in makers:
        lines.append(f"| {name} | {ms(copy_times[name])} | {copy_times[name] / copy_times[base]:.2f}x | "
                     f"{ms(gap_times[name])} | {gap_times[name] / gap_times[base]:.2f}x |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("part", choices=["queries", "scale", "http", "scratch", "all"])
    parser.add_argument("--engagements", type=int, default=1000)
    args = parser.parse_args()
    out = [(f"Run on {time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
           f"pyoxigraph {ox.__version__}."), ""]
    if args.part in ("queries", "all"):
        out += bench_queries() + [""]
    if args.part in ("scale", "all"):
        out += bench_scale(args.engagements) + [""]
    if args.part in ("http", "all"):
        out += bench_http() + [""]
    if args.part in ("scratch", "all"):
        out += bench_scratch() + [""]
    print("\n".join(out))


if __name__ == "__main__":
    main()
