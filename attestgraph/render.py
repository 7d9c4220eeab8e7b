"""Text renderings of answers: aligned tables, CSV/TSV, and the SPARQL result formats.

``query`` output follows the SPARQL 1.1 result formats (JSON, CSV, TSV) so any
SPARQL tool reads it; the other commands render lists of records.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from attestgraph.graph.results import Result, Term, plain
from attestgraph.vocabulary import curie


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return str(value)


def table(columns: Sequence[str], rows: Iterable[Sequence[object]], max_width: int = 60) -> str:
    """A plain aligned text table; long cells are cut with an ellipsis."""
    cells = [[_cell(value) for value in row] for row in rows]
    cut = [[c if len(c) <= max_width else c[: max_width - 1] + "…" for c in row] for row in cells]
    widths = [len(c) for c in columns]
    for row in cut:
        widths = [max(w, len(c)) for w, c in zip(widths, row)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cut]
    return "\n".join([line, rule, *body, f"({len(cut)} row{'s' if len(cut) != 1 else ''})"])


def delimited(columns: Sequence[str], rows: Iterable[Sequence[object]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def records(items: list[dict[str, Any]], columns: Sequence[str], fmt: str) -> str:
    """Render a list of dicts as table, csv or tsv (json is the caller's own structure)."""
    rows = [[item.get(c) for c in columns] for item in items]
    if fmt == "table":
        return table(columns, rows)
    if fmt in ("csv", "tsv"):
        return delimited(columns, rows, "," if fmt == "csv" else "\t")
    raise ValueError(fmt)


# -- SPARQL result formats -----------------------------------------------------


def _json_term(term: Term) -> dict[str, Any]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def sparql_json(result: Result) -> str:
    if result.kind == "ask":
        return json.dumps({"head": {}, "boolean": result.boolean})
    bindings = [
        {name: _json_term(term) for name, term in zip(result.variables, row) if term is not None}
        for row in result.rows
    ]
    return json.dumps({"head": {"vars": result.variables}, "results": {"bindings": bindings}}, indent=1)


def sparql_csv(result: Result) -> str:
    if result.kind == "ask":
        return "boolean\n" + ("true" if result.boolean else "false") + "\n"
    return delimited(result.variables, ([plain(t) if t is not None else "" for t in row] for row in result.rows)).replace(
        "\n", "\r\n"
    )


def sparql_tsv(result: Result) -> str:
    if result.kind == "ask":
        return "?boolean\n" + ("true" if result.boolean else "false") + "\n"
    lines = ["\t".join("?" + v for v in result.variables)]
    for row in result.rows:
        lines.append("\t".join("" if t is None else str(t) for t in row))
    return "\n".join(lines) + "\n"


def sparql_table(result: Result) -> str:
    if result.kind == "ask":
        return "true" if result.boolean else "false"
    def show(term: Term | None) -> object:
        if term is None:
            return ""
        if isinstance(term, ox.NamedNode):
            return curie(term.value)
        return plain(term)

    return table(result.variables, ([show(t) for t in row] for row in result.rows))


def ntriples(result: Result) -> str:
    return "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result.triples)
