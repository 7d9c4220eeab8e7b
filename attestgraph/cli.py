"""The ``attestgraph`` command: thin over the query layer — parse, call, render.

Every error attestgraph raises on purpose becomes one line on stderr and the
exit code its class carries; no traceback reaches the user.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from attestgraph import __version__, commands, render
from attestgraph.commands import open_store, say
from attestgraph.errors import AttestgraphError

FORMATS_QUERY = ["table", "csv", "tsv", "json"]

# -- commands ------------------------------------------------------------------


def cmd_build(args: argparse.Namespace) -> int:
    from attestgraph.graph.connect import data_root
    from attestgraph.graph.embedded import open_embedded

    started = time.perf_counter()
    store, report = open_embedded(
        data_root(args.data), memory=(args.store == "memory"), rebuild=True, progress=say
    )
    counts = store.triples_per_graph()
    from attestgraph.vocabulary import GRAPH

    print(render.table(["graph", "triples"], [[g.removeprefix(GRAPH), n] for g, n in counts.items()]))
    total = sum(counts.values())
    took = report.seconds if report else time.perf_counter() - started
    print(f"built {total} triples in {len(counts)} named graphs in {took:.2f} s ({store.location})")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise AttestgraphError(f"cannot read {args.file}: {exc.strerror}") from None
    elif args.query:
        text = args.query
    else:
        raise AttestgraphError("give a QUERY or -f FILE.rq")
    from attestgraph.server.guard import check_query

    store = open_store(args)
    check_query(text, readable_graphs=store.named_graphs())
    result = store.query(text)
    if result.kind == "graph":
        sys.stdout.write(render.ntriples(result))
        return 0
    writer = {
        "table": render.sparql_table,
        "csv": render.sparql_csv,
        "tsv": render.sparql_tsv,
        "json": render.sparql_json,
    }[args.format]
    out = writer(result)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from attestgraph.graph.check import run_checks

    problems = run_checks(data=args.data, owl=not args.no_owl, progress=say)
    for line in problems:
        print(line)
    if problems:
        print(f"check failed: {len(problems)} violation{'s' if len(problems) != 1 else ''}", file=sys.stderr)
        return 1
    print("check passed: data files parse, SHACL shapes hold, references resolve, OWL is consistent")
    return 0


# -- parser --------------------------------------------------------------------


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="attestgraph",
        description="Crosswalk engine for SOC 2, ISO/IEC 42001, ISO/IEC 27001 and the DPDP Act.",
    )
    root.add_argument("--version", action="version", version=f"attestgraph {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--store",
        help="disk (default: built on first use in the user data dir), memory, or sparql:QUERY_URL[|UPDATE_URL]",
    )
    common.add_argument("--data", help="build from this data root (ontologies/, crosswalks/) instead of the shipped data")
    sub = root.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser("build", parents=[common], help="rebuild the embedded store and print triples per named graph")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("query", parents=[common], help="run a read-only SPARQL query over the union of all graphs")
    p.add_argument("query", nargs="?", help="the SPARQL query text")
    p.add_argument("-f", "--file", help="read the query from FILE.rq")
    p.add_argument("--format", choices=FORMATS_QUERY, default="table")
    p.set_defaults(func=cmd_query)

    p = sub.add_parser("check", parents=[common], help="validate all data: syntax, SHACL, references, OWL consistency")
    p.add_argument("--no-owl", action="store_true", help="skip the HermiT consistency check (needs Java)")
    p.set_defaults(func=cmd_check)

    commands.register(sub, common)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except AttestgraphError as exc:
        print(f"attestgraph: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("attestgraph: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
