"""The analysis subcommands: frameworks, overlap, evidence, explain, gaps, plan, export, serve.

Each is parse -> one query-layer call -> render, as DESIGN.md asks of the CLI.
"""

from __future__ import annotations

import json
import sys

from attestgraph import render


def _store(args):
    from attestgraph.cli import _store as open_store

    return open_store(args)


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _json(data) -> None:
    _emit(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def cmd_frameworks(args) -> int:
    from attestgraph.queries.catalog import Catalog

    catalog = Catalog(_store(args))
    rows = [
        {"slug": f["slug"], "title": f["title"], "version": f["version"], "level": level, "count": count}
        for f in catalog.frameworks.values()
        for level, count in sorted(f["levels"].items())
    ]
    if args.format == "json":
        _json(list(catalog.frameworks.values()))
    else:
        _emit(render.records(rows, ["slug", "level", "count", "version"], args.format))
    return 0


def cmd_overlap(args) -> int:
    from attestgraph.queries.overlap import overlap

    result = overlap(_store(args), args.a, args.b)
    if args.format == "json":
        _json(result)
        return 0
    columns = ["a", "b", "relationship", "strength", "rationale", "via", "kind"]
    if args.format == "csv":
        _emit(render.records(result["pairs"], columns + ["reason", "source"], "csv"))
        return 0
    _emit(render.records(result["pairs"], columns, "table"))
    for key, title in (("coverage", f"{result['b']} covered by work for {result['a']}"),
                       ("coverage_reverse", f"{result['a']} covered by work for {result['b']}")):
        cover = result[key]
        rows = cover["by_category"] + [dict(cover["overall"], category="OVERALL")]
        _emit(f"\n{title} ({cover['leaves']} leaf requirements)")
        _emit(render.records(rows, ["category", "full", "partial", "untouched", "full_pct", "touched_pct"], "table"))
    for slug, notations in result["unique"].items():
        shown = ", ".join(notations[:25]) + (f", ... ({len(notations)} in all)" if len(notations) > 25 else "")
        _emit(f"\nunique to {slug} ({len(notations)}): {shown or '-'}")
    return 0


def cmd_evidence(args) -> int:
    from attestgraph.queries.evidence import shared_evidence

    frameworks = [s.strip() for s in args.frameworks.split(",")] if args.frameworks else None
    result = shared_evidence(_store(args), frameworks)
    if args.format == "json":
        _json(result)
        return 0
    rows = []
    for item in result["evidence"]:
        row = dict(item)
        for slug in result["frameworks"]:
            row[slug] = ", ".join(item["serves"].get(slug, [])) if args.format == "csv" else len(item["serves"].get(slug, []))
        rows.append(row)
    columns = ["id", "label", "frameworks", "requirements"] + result["frameworks"]
    _emit(render.records(rows, columns, args.format))
    return 0


def cmd_explain(args) -> int:
    from attestgraph.queries.explain import explain

    result = explain(_store(args), args.x, args.y)
    if args.format == "json":
        _json(result)
        return 0
    lines = [f"Why {result['x']} relates to {result['y']}"]

    def link(l):
        return (f"  {l['from']} {l['relationship']} {l['to']} (strength {l['strength']}, {l['rationale']}; "
                f"{l['source_kind']}: {l['source']})\n    {l['reason']}")

    if result["inferred"]:
        lines += ["", "Inferred mapping:", link(result["inferred"])]
    lines += ["", f"Direct curated mappings ({len(result['direct'])}):"] + [link(l) for l in result["direct"]]
    lines += ["", f"Chains through one control or pivot ({len(result['chains'])}):"]
    for chain in result["chains"]:
        lines.append(f" via {chain['via']}:")
        lines += [link(l) for l in chain["links"]]
    if not result["inferred"] and not result["direct"] and not result["chains"]:
        lines.append("  (no mapping relates them)")
    _emit("\n".join(lines))
    return 0


def _engagement(args, store):
    """The engagement file, validated field by field and against the catalog's ids."""
    from attestgraph.queries.catalog import Catalog
    from attestgraph.queries.engagement import load_engagement

    catalog = Catalog(store)
    return load_engagement(
        args.engagement,
        known_controls=set(catalog.controls),
        known_evidence=set(catalog.evidence_types),
        known_components=set(_component_ids(store)),
    )


def _component_ids(store) -> list[str]:
    return store.query("SELECT ?id WHERE { ?c a ag:SystemComponent ; dct:identifier ?id }").column("id")


def cmd_gaps(args) -> int:
    from attestgraph.queries.findings import readiness_findings
    from attestgraph.queries.gaps import gaps, load_into

    store = _store(args)
    engagement = _engagement(args, store)
    store = load_into(store, engagement)
    result = gaps(store, engagement)
    result["findings"] = [f.as_dict() for f in readiness_findings(store, engagement)]
    if args.format == "json":
        _json(result)
        return 0
    rows = []
    for slug, cover in result["coverage"].items():
        for row in cover["by_category"] + [dict(cover["overall"], category="OVERALL")]:
            rows.append(dict(row, framework=slug))
    if args.format == "csv":
        _emit(render.records(result["missing"], ["control", "title", "effort_days", "coverage_gain", "gain_per_day", "frameworks", "needs_first"], "csv"))
        return 0
    _emit(f"Coverage for {engagement.organisation} ({engagement.id}) from implemented controls")
    _emit(render.records(rows, ["framework", "category", "full", "partial", "open", "score_pct"], "table"))
    _emit("\nMissing controls, most coverage per person-day first")
    _emit(render.records(result["missing"][:args.top], ["control", "title", "effort_days", "coverage_gain", "gain_per_day", "needs_first"], "table"))
    if result["unevidenced"]:
        _emit(f"\nImplemented but without evidence on hand: {', '.join(result['unevidenced'])}")
    _emit(f"\nReadiness findings ({len(result['findings'])})")
    for f in result["findings"]:
        _emit(f"[{f['severity'].upper()}] {f['title']}\n  found: {f['found']}\n  why: {f['why']}\n  do: {f['action']}")
    return 0


def cmd_export(args) -> int:
    from attestgraph.crosswalks.sssom import export_sssom

    written = export_sssom(_store(args), args.out, args.set)
    for path, count in written:
        print(f"{path}: {count} mappings", file=sys.stderr)
    return 0


def register(sub, common) -> None:
    p = sub.add_parser("frameworks", parents=[common], help="list frameworks with requirement counts by level")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_frameworks)

    p = sub.add_parser("overlap", parents=[common], help="related requirement pairs of two frameworks and coverage each way")
    p.add_argument("a", help="framework slug, e.g. soc2")
    p.add_argument("b", help="framework slug, e.g. iso42001")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_overlap)

    p = sub.add_parser("evidence", parents=[common], help="evidence types ranked by how many requirements they serve")
    p.add_argument("--frameworks", help="comma-separated slugs (default: all)")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.set_defaults(func=cmd_evidence)

    p = sub.add_parser("explain", parents=[common], help="why two requirements relate: the chains of mappings")
    p.add_argument("x", help="requirement as slug:notation, e.g. dpdp-act:8(6)")
    p.add_argument("y", help="requirement as slug:notation, e.g. iso27001:A.5.26")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("gaps", parents=[common], help="coverage, missing controls and findings for one engagement")
    p.add_argument("--engagement", required=True, help="engagement YAML file")
    p.add_argument("--format", choices=["table", "csv", "json"], default="table")
    p.add_argument("--top", type=int, default=20, help="how many missing controls to list in the table")
    p.set_defaults(func=cmd_gaps)

    p = sub.add_parser("plan", parents=[common], help="sequencing plan and report for one engagement")
    p.add_argument("--engagement", required=True, help="engagement YAML file")
    p.add_argument("--out", help="write the report: FILE.html, FILE.md, FILE.json or FILE.csv (default: JSON to stdout)")
    p.add_argument("--capacity", type=_capacity, metavar="N",
                   help="what-if: plan at N person-days a week instead of the engagement's capacity")
    p.add_argument("--type1-by", type=_date, metavar="DATE",
                   help="what-if: the smallest weekly capacity whose SOC 2 Type I as-of date is on or before DATE "
                        "(YYYY-MM-DD), or why it cannot be reached; prints JSON")
    p.set_defaults(func=cmd_plan)

    p = sub.add_parser("export", parents=[common], help="export data views")
    p.add_argument("view", choices=["sssom"], help="sssom: each mapping set as an SSSOM TSV")
    p.add_argument("--out", default=".", help="folder to write into")
    p.add_argument("--set", help="only this mapping set id")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("serve", parents=[common], help="serve the HTTP API and the SPARQL endpoint")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", parents=[common], help="load the built graph into a remote SPARQL store")
    p.add_argument("--to", required=True, help="sparql:QUERY_URL|UPDATE_URL of the target store")
    p.add_argument("--graph-store", help="Graph Store Protocol URL (default: QUERY_URL with /query replaced by /store)")
    p.set_defaults(func=cmd_push)


def _capacity(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected person-days a week (a number), got {text!r}") from None
    if not 0.5 <= value <= 500:
        raise argparse.ArgumentTypeError(f"expected 0.5 to 500 person-days a week, got {text}")
    return value


def _date(text: str):
    import argparse
    import datetime as dt

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def cmd_plan(args) -> int:
    import dataclasses

    from attestgraph.queries.report import write_report

    store = _store(args)
    engagement = _engagement(args, store)
    if args.type1_by is not None:
        from attestgraph.queries.gaps import load_into
        from attestgraph.queries.plan import capacity_for_type1

        _json(capacity_for_type1(load_into(store, engagement), engagement, args.type1_by))
        return 0
    if args.capacity is not None:
        engagement = dataclasses.replace(engagement, capacity=args.capacity)
    write_report(store, engagement, args.out, progress=lambda m: print(f"attestgraph: {m}", file=sys.stderr, flush=True))
    return 0


def cmd_serve(args) -> int:
    from attestgraph.server.run import serve

    serve(args.host, args.port, store=args.store, data=args.data)
    return 0


def cmd_push(args) -> int:
    from attestgraph.graph.remote import RemoteStore

    source = _store(args)
    target = RemoteStore.from_setting(args.to)
    try:
        counts = source.triples_per_graph()
        for graph in counts:
            target.remove_graph(graph)
        target.load_quads(source.oxigraph.quads_for_pattern(None, None, None, None), args.graph_store)
    finally:
        target.close()
    print(f"pushed {sum(counts.values())} triples in {len(counts)} named graphs to {target.query_url}", file=sys.stderr)
    return 0
