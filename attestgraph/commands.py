"""The analysis subcommands: frameworks, overlap, evidence, explain, gaps, plan, export, import, serve.

Each is parse -> one query-layer call -> render, as docs/architecture.md asks of the
CLI. This module owns opening the store (:func:`open_store`); ``cli.py`` imports it,
never the other way round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attestgraph import render
from attestgraph.errors import ConfigurationError

if TYPE_CHECKING:
    from attestgraph.graph.store import GraphStore
    from attestgraph.queries.engagement.file import Engagement


def say(message: str) -> None:
    """Progress and what was written: one line on stderr, so stdout stays the answer."""
    print(f"attestgraph: {message}", file=sys.stderr, flush=True)


def open_store(args: argparse.Namespace, rebuild: bool = False) -> GraphStore:
    """The store ``--store`` and ``--data`` name (built first when needed, saying so on
    stderr): the one place a command opens its store."""
    from attestgraph.graph.connect import connect

    return connect(args.store, data=args.data, rebuild=rebuild, progress=say)


def _emit(text: str) -> None:
    sys.stdout.write(text if text.endswith("\n") else text + "\n")


def _json(data: object) -> None:
    _emit(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def cmd_frameworks(args: argparse.Namespace) -> int:
    from attestgraph.queries.catalog import Catalog

    catalog = Catalog(open_store(args))
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


def cmd_overlap(args: argparse.Namespace) -> int:
    from attestgraph.queries.analysis.overlap import overlap

    result = overlap(open_store(args), args.a, args.b)
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


def cmd_evidence(args: argparse.Namespace) -> int:
    from attestgraph.queries.analysis.evidence import shared_evidence

    frameworks = [s.strip() for s in args.frameworks.split(",")] if args.frameworks else None
    result = shared_evidence(open_store(args), frameworks)
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


def cmd_explain(args: argparse.Namespace) -> int:
    from attestgraph.queries.analysis.explain import explain

    result = explain(open_store(args), args.x, args.y)
    if args.format == "json":
        _json(result)
        return 0
    lines = [f"Why {result['x']} relates to {result['y']}"]

    def link(l: dict[str, Any]) -> str:
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
    lines += ["", (f"Shared implementation: controls mapped to both ({len(shared)}; a fact about work, "
                   "no relationship between the requirements follows):")]
    for item in shared:
        counted = "" if item["counted"] else " (a link below the partial-coverage strength: not counted)"
        lines.append(f" via {item['control']} (a control serving both){counted}:")
        lines += [link(l) for l in item["links"]]
    if not result["inferred"] and not result["direct"] and not result["chains"] and not shared:
        lines.append("  (no mapping relates them)")
    _emit("\n".join(lines))
    return 0


def _engagement(args: argparse.Namespace, store: GraphStore) -> Engagement:
    """The engagement file, validated field by field and against the catalog's ids."""
    from attestgraph.queries.catalog import Catalog
    from attestgraph.queries.engagement.file import load_engagement

    return load_engagement(args.engagement, **Catalog(store).known_ids())


def cmd_gaps(args: argparse.Namespace) -> int:
    from attestgraph.queries.analysis.engagement import analyse

    store = open_store(args)
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


# -- interchange: export FORMAT / import FORMAT --------------------------------------


def cmd_export_sssom(args: argparse.Namespace) -> int:
    from attestgraph.interop.sssom import export_sssom

    for path, count in export_sssom(open_store(args), args.out, args.set):
        print(f"{path}: {count} mappings", file=sys.stderr)
    return 0


def cmd_export_oscal(args: argparse.Namespace) -> int:
    from attestgraph.interop.oscal import export_oscal

    for path, count, unit in export_oscal(open_store(args), args.out):
        print(f"{path}: {count} {unit}", file=sys.stderr)
    return 0


def cmd_import_oscal(args: argparse.Namespace) -> int:
    from attestgraph.interop.oscal_import import import_name, import_oscal, read_collection

    # The file and the name are checked before the store is opened (and perhaps built).
    name = import_name(args.file, args.name)
    collection = read_collection(Path(args.file))
    report = import_oscal(open_store(args), args.file, name=name, collection=collection)
    if args.format == "json":
        _json(report)
        return 0
    _emit(render_agreement(report))
    return 0


def render_agreement(report: dict[str, Any]) -> str:
    """The import's agreement report as text: counts, then the pairs that need a look."""
    c = report["counts"]
    lines = [
        (f"Imported {report['maps']} maps from {report['file']} ({report['title']}, version {report['version']}) "
         f"into <{report['graph']}>"),
        (f"pairs resolved to our ids at both ends: {c['resolved']} of {report['pairs']}; "
         f"ids that match none of ours: {c['unresolved']}"),
        (f"agreement with our curated mappings: {c['same']} same relationship, {c['different']} different, "
         f"{c['only_theirs']} only theirs, {c['only_ours']} only ours "
         f"({report['agreement_pct']}% of shared pairs agree)"),
    ]
    for key, title in (("different", "Different relationship (theirs / ours)"), ("only_theirs", "Only theirs"),
                       ("unresolved", "Unresolved (no requirement of ours with that id)")):
        rows = report[key]
        if rows:
            lines.append(f"\n{title} ({len(rows)}):")
            for row in rows[:50]:
                lines.append("  " + " ".join(str(row[k]) for k in row if row[k] not in (None, "")))
            if len(rows) > 50:
                lines.append(f"  ... {len(rows) - 50} more; --format json lists them all")
    return "\n".join(lines)


def cmd_export_ciso_assistant(args: argparse.Namespace) -> int:
    """CISO Assistant libraries; mapping rows whose end has no node in their library are counted (listed with --format json)."""
    from attestgraph.interop.ciso_assistant import export_ciso_assistant

    result = export_ciso_assistant(open_store(args), args.out, args.set)
    if args.format == "json":
        _json(result.as_json())
        return 0
    for item in result.files:
        counts = ", ".join(f"{value} {key.replace('_', ' ')}" for key, value in item.items() if key not in ("path", "urn"))
        print(f"{item['path']}: {counts}", file=sys.stderr)
    print(f"left out {len(result.left_out)} mapping rows whose requirement has no node in CISO Assistant's library "
          "(`--format json` lists them)", file=sys.stderr)
    for skipped in result.skipped_sets:
        frameworks = ", ".join(skipped["no_library_for"])
        print(f"skipped mapping set {skipped['set']}: no CISO Assistant ids read for {frameworks}", file=sys.stderr)
    return 0


def register_interchange(sub: argparse._SubParsersAction[argparse.ArgumentParser],
                         common: argparse.ArgumentParser) -> None:
    """``export FORMAT`` and ``import FORMAT``: one sub-command per format, each its own
    parser, so a new format is one more ``formats.add_parser`` here."""
    export = sub.add_parser("export", help="write the graph in another tool's format")
    formats = export.add_subparsers(dest="format_name", metavar="FORMAT", required=True)
    p = formats.add_parser("sssom", parents=[common], help="each mapping set as an SSSOM TSV (sssom-py reads it)")
    p.add_argument("--out", default=".", help="folder to write into")
    p.add_argument("--set", help="only this mapping set id (or inferred, not-applicable)")
    p.set_defaults(func=cmd_export_sssom)
    p = formats.add_parser("oscal", parents=[common],
                           help="OSCAL 1.2 catalogs and mapping collections (compliance-trestle reads them)")
    p.add_argument("--out", required=True, help="folder to write into (catalogs/ and mappings/ beneath it)")
    p.set_defaults(func=cmd_export_oscal)
    p = formats.add_parser("ciso-assistant", parents=[common],
                           help="CISO Assistant libraries: the DPDP Rules framework, the controls, the mapping sets")
    p.add_argument("--out", default=".", help="folder to write into")
    p.add_argument("--set", help="only this mapping set id")
    p.add_argument("--format", choices=["table", "json"], default="table", help="json lists what was left out")
    p.set_defaults(func=cmd_export_ciso_assistant)

    imp = sub.add_parser("import", help="load another party's mappings beside ours and compare")
    formats = imp.add_subparsers(dest="format_name", metavar="FORMAT", required=True)
    p = formats.add_parser("oscal", parents=[common],
                           help="an OSCAL mapping collection, into graph/imported/NAME, compared with ours")
    p.add_argument("file", help="the mapping collection (JSON or YAML)")
    p.add_argument("--name", help="the imported set's name (default: the file name's stem)")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_import_oscal)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
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
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--engagement", help="engagement YAML file")
    which.add_argument("--example", action="store_true", help="plan the sample engagement shipped with attestgraph")
    p.add_argument("--out", help="write the report: FILE.html, FILE.md, FILE.json or FILE.csv (default: JSON to stdout)")
    p.add_argument("--capacity", type=_capacity, metavar="N",
                   help="what-if: plan at N person-days a week instead of the engagement's capacity")
    p.add_argument("--type1-by", type=_date, metavar="DATE",
                   help="what-if: the smallest weekly capacity whose SOC 2 Type I as-of date is on or before DATE "
                        "(YYYY-MM-DD), or why it cannot be reached; prints JSON")
    p.set_defaults(func=cmd_plan)

    register_interchange(sub, common)

    p = sub.add_parser("serve", parents=[common], help="serve the HTTP API and the SPARQL endpoint")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("push", parents=[common], help="load the built graph into a remote SPARQL store")
    p.add_argument("--to", required=True, help="sparql:QUERY_URL|UPDATE_URL of the target store")
    p.add_argument("--graph-store", help="Graph Store Protocol URL (default: QUERY_URL with /query replaced by /store)")
    p.set_defaults(func=cmd_push)

    register_init(sub)


def _capacity(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected person-days a week (a number), got {text!r}") from None
    if not 0.5 <= value <= 500:
        raise argparse.ArgumentTypeError(f"expected 0.5 to 500 person-days a week, got {text}")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def cmd_plan(args: argparse.Namespace) -> int:
    import dataclasses

    if args.example:
        from importlib import resources

        with resources.as_file(sample_engagement()) as path:
            return cmd_plan(argparse_replace(args, engagement=str(path), example=False))

    from attestgraph.queries.report.writer import write_report

    store = open_store(args)
    engagement = _engagement(args, store)
    if args.type1_by is not None:
        from attestgraph.queries.planning.plan import capacity_for_type1

        _json(capacity_for_type1(store, engagement, args.type1_by))
        return 0
    if args.capacity is not None:
        engagement = dataclasses.replace(engagement, capacity=args.capacity)
    for path in write_report(store, engagement, args.out, progress=say):
        say(f"wrote {path}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from attestgraph.server.run import serve

    serve(args.host, args.port, store=args.store, data=args.data)
    return 0


def cmd_push(args: argparse.Namespace) -> int:
    from attestgraph.graph.connect import connect

    if not args.to.startswith("sparql:"):
        raise ConfigurationError(f"--to {args.to!r}: expected sparql:QUERY_URL|UPDATE_URL")
    source = open_store(args)
    target = connect(args.to)
    try:
        # Graph by graph (GraphStore.push): each read whole from the source, put in one
        # request that replaces it, then counted back; a graph that holds other than what
        # was sent stops the push with an error naming it (exit 1), never a success line.
        counts = target.push(source, args.graph_store)
    finally:
        target.close()
        source.close()
    print(f"pushed {sum(counts.values())} triples in {len(counts)} named graphs to {target.location} "
          "(each graph counted back)", file=sys.stderr)
    return 0


# -- the sample engagement: `attestgraph init`, `attestgraph plan --example` ------------

SAMPLE = "acme-ai.yaml"
INIT_NAME = "engagement.yaml"


def sample_engagement() -> Traversable:
    """The sample engagement shipped in the package (examples/acme-ai.yaml in a checkout)."""
    from importlib import resources

    return resources.files("attestgraph.examples") / SAMPLE


def argparse_replace(args: argparse.Namespace, **changes: object) -> argparse.Namespace:
    """A copy of parsed arguments with ``changes`` applied."""
    return argparse.Namespace(**{**vars(args), **changes})


def register_init(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help=f"write the sample engagement to DIR/{INIT_NAME} to start from (never overwrites)")
    p.add_argument("dir", nargs="?", default=".", help="folder to write into, made if missing (default: here)")
    p.set_defaults(func=cmd_init)


def cmd_init(args: argparse.Namespace) -> int:
    from pathlib import Path

    from attestgraph.errors import ConfigurationError

    target = Path(args.dir) / INIT_NAME
    if target.exists() or target.is_symlink():
        raise ConfigurationError(f"{target} exists; init never overwrites a file (move it or choose another DIR)")
    if Path(args.dir).exists() and not Path(args.dir).is_dir():
        raise ConfigurationError(f"{args.dir} is a file, not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as out:  # "x": fails rather than overwrite, even in a race
        out.write(sample_engagement().read_text(encoding="utf-8"))
    print(f"attestgraph: wrote {target}; edit it, then: attestgraph plan --engagement {target} --out report.html",
          file=sys.stderr)
    return 0
