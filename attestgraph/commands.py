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
        _emit(render.records(result["crosswalk"], columns + ["reason", "source"], "csv"))
        return 0
    a, b = result["a"], result["b"]
    _emit(result["headline"]["text"])
    _emit("\n" + result["headline_reverse"]["text"])
    counts = ["category", "full", "partial", "open", "full_pct", "partial_pct", "open_pct"]
    for key, title in (("coverage", f"{b} covered by a programme for {a}"),
                       ("coverage_reverse", f"{a} covered by a programme for {b}")):
        cover = result[key]
        rows = cover["by_category"] + [dict(cover["overall"], category="OVERALL")]
        unit = "criteria" if cover["unit_level"] == "criterion" else "leaf requirements"
        _emit(f"\n{title} ({cover['units']} {unit}; {cover['controls']['rule']}; partial at strength >= {cover['threshold']})")
        _emit(render.records(rows, counts, "table"))
    for slug, notations in result["unique"].items():
        _emit(f"\nneeds its own work in {slug} ({len(notations)}): {', '.join(notations) or '-'}")
    for key, title in (("crosswalk_coverage", f"{b} met by the intent of {a}'s requirements (crosswalk view)"),
                       ("crosswalk_coverage_reverse", f"{a} met by the intent of {b}'s requirements (crosswalk view)")):
        overall = result[key]["overall"]
        _emit(f"\n{title}: full {overall['full']}, partial {overall['partial']}, open {overall['open']} of {overall['total']}")
    n = result["crosswalk_counts"]
    _emit(f"\nCrosswalk: {n['pairs']} requirement pairs ({n['curated']} curated, {n['inferred']} inferred through pivot "
          f"requirements), each read '{a} REL {b}'")
    _emit(render.records(result["crosswalk"], columns, "table"))
    s = result["shared_implementation_counts"]
    _emit(f"\nShared implementation (a fact about work, not a crosswalk): {s['links']} links through {s['controls']} "
          f"controls, serving {s['a_requirements']} {a} and {s['b_requirements']} {b} requirements; "
          "`--format json` lists them")
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
        lines += ["", "Inferred crosswalk mapping:", link(result["inferred"])]
    lines += ["", f"Direct curated mappings ({len(result['direct'])}):"] + [link(l) for l in result["direct"]]
    lines += ["", f"Crosswalk chains through one pivot requirement ({len(result['chains'])}):"]
    for chain in result["chains"]:
        said = f"{result['x']} {chain['composed']} {result['y']}" if chain["composed"] else "no relationship follows"
        lines.append(f" via {chain['via']} (a = {result['x']}, p = {chain['via']}, b = {result['y']}): {said}. {chain['why']}")
        lines += [link(l) for l in chain["links"]]
    shared = result["shared_implementation"]
    lines += ["", f"Shared implementation: controls mapped to both ({len(shared)}; a fact about work, "
              "no relationship between the requirements follows):"]
    for item in shared:
        counted = "" if item["counted"] else " (a link below the partial-coverage strength: not counted)"
        lines.append(f" via {item['control']} (a control serving both){counted}:")
        lines += [link(l) for l in item["links"]]
    if not result["inferred"] and not result["direct"] and not result["chains"] and not shared:
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
    from attestgraph.queries.analysis import analyse

    store = _store(args)
    engagement = _engagement(args, store)
    # One analysis for gaps, plan and report: the findings here are the report's
    # (readiness and plan merged), and coverage counts what operates on the report date.
    analysis = analyse(store, engagement)
    result = dict(analysis["gaps"], as_of=analysis["as_of"], findings=analysis["findings"])
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
    _emit(f"Coverage for {engagement.organisation} ({engagement.id}) from the controls operating on {result['as_of']}")
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
    say = lambda m: print(f"attestgraph: {m}", file=sys.stderr, flush=True)  # noqa: E731
    for path in write_report(store, engagement, args.out, progress=say):
        say(f"wrote {path}")
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
        # Graph by graph (RemoteStore.push): each read whole from the source, put in one
        # request that replaces it, then counted back; a graph that holds other than what
        # was sent stops the push with an error naming it (exit 1), never a success line.
        counts = target.push(source, args.graph_store)
    finally:
        target.close()
        source.close()
    print(f"pushed {sum(counts.values())} triples in {len(counts)} named graphs to {target.query_url} "
          "(each graph counted back)", file=sys.stderr)
    return 0
