"""Turning source files into quads: Turtle as it stands, crosswalk TSVs as reified mappings.

Nothing here writes to a store; the build collects every quad first so that a
fault in the last file leaves nothing half-written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.crosswalks.mapping_set import MappingRow, MappingSetFile, NotApplicableRow, read_mapping_set
from attestgraph.errors import DataFileSyntaxError, UnknownReferenceError

RDF_TYPE = ox.NamedNode(v.RDF + "type")
XSD_INTEGER = ox.NamedNode(v.XSD + "integer")
XSD_DATE = ox.NamedNode(v.XSD + "date")


def node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def parse_turtle(path: Path, graph: str) -> list[ox.Quad]:
    """Parse one Turtle file into quads of ``graph``; a syntax error names file, line and column."""
    target = node(graph)
    try:
        triples = list(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE, base_iri=v.ID))
    except SyntaxError as exc:
        line, column = exc.lineno, exc.offset
        message = exc.msg
        # Oxigraph prefixes its own position; keep only the reason.
        if ": " in message and message.startswith("Parser error"):
            message = message.split(": ", 1)[1]
        if line is not None and "dot is expected" in message:
            line, column = _end_of_statement(path, line, column)
            message = "a dot is expected at the end of this statement"
        raise DataFileSyntaxError(path, message, line, column) from None
    except (OSError, ValueError) as exc:
        raise DataFileSyntaxError(path, str(exc)) from None
    return [ox.Quad(t.subject, t.predicate, t.object, target) for t in triples]


def _end_of_statement(path: Path, line: int, column: int | None) -> tuple[int, int | None]:
    """Where a missing ``.`` belongs: Oxigraph notices it at the next statement's first
    token, which may be lines later (blank lines, comments); the fault is at the end of
    the last line before it that holds Turtle."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return line, column
    if line > len(lines) or (column or 1) > 1 and lines[line - 1][: (column or 1) - 1].strip():
        return line, column  # something precedes the token on its own line: that line is at fault
    for number in range(line - 1, 0, -1):
        content = lines[number - 1].strip()
        if content and not content.startswith("#"):
            return number, len(lines[number - 1].rstrip()) + 1
    return line, column


class ReferenceIndex:
    """Resolves the ids crosswalk files use (``soc2:CC6.1``, ``control:IAM-01``) to IRIs."""

    def __init__(self, requirements: dict[str, dict[str, str]], controls: dict[str, str]):
        self.requirements = requirements  # slug -> notation -> IRI
        self.controls = controls  # identifier -> IRI

    def resolve(self, ref: str) -> str | None:
        prefix, sep, local = ref.partition(":")
        if not sep:
            return None
        if prefix == "control":
            return self.controls.get(local)
        return self.requirements.get(prefix, {}).get(local)

    def expected(self, ref: str) -> str:
        prefix = ref.partition(":")[0]
        if prefix == "control":
            return "no control with that id in the catalog"
        if prefix in self.requirements:
            return f"no requirement with that notation in framework {prefix!r}"
        known = ", ".join(sorted(self.requirements) + ["control"])
        return f"prefix must be one of {known}"


def mapping_set_quads(path: Path, index: ReferenceIndex) -> tuple[MappingSetFile, list[ox.Quad]]:
    """Read one crosswalk file and turn each row into an ``ag:Mapping`` (or a not-applicable note)."""
    parsed = read_mapping_set(path)
    graph = node(v.mapping_graph(parsed.set_id))
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, node(p), o, graph))

    def resolve(row_line: int, column: str, ref: str) -> ox.NamedNode:
        iri = index.resolve(ref)
        if iri is None:
            raise UnknownReferenceError(path, row_line, column, ref, index.expected(ref))
        return node(iri)

    if path.stem == "not-applicable":
        for row in parsed.rows:
            if not isinstance(row, NotApplicableRow):
                raise DataFileSyntaxError(path, "a mapping row in the not-applicable list", row.line)
            target = resolve(row.line, "requirement", row.requirement)
            add(target, v.AG + "notApplicable", ox.Literal(row.reason))
        return parsed, quads

    set_node = node(v.MAPPING + parsed.set_id)
    add(set_node, v.RDF + "type", node(v.AG + "MappingSet"))
    add(set_node, v.DCT + "identifier", ox.Literal(parsed.set_id))
    add(set_node, v.DCT + "title", ox.Literal(parsed.header["title"]))
    add(set_node, v.AG + "fromSet", ox.Literal(parsed.header["from_set"]))
    add(set_node, v.AG + "toSet", ox.Literal(parsed.header["to_set"]))
    add(set_node, v.DCT + "creator", ox.Literal(parsed.header["author"]))
    add(set_node, v.DCT + "date", ox.Literal(parsed.header["date"], datatype=XSD_DATE))
    add(set_node, v.DCT + "license", ox.Literal(parsed.header["license"]))
    add(set_node, v.AG + "method", ox.Literal(parsed.header["method"]))
    for row in parsed.rows:
        if not isinstance(row, MappingRow):
            raise DataFileSyntaxError(path, "a not-applicable row in a mapping set", row.line)
        _add_mapping(row, parsed.set_id, set_node, resolve, add)
    return parsed, quads


def _add_mapping(row: MappingRow, set_id: str, set_node: ox.NamedNode, resolve: Callable[[int, str, str], ox.NamedNode],
                 add: Callable[[ox.NamedNode, str, ox.NamedNode | ox.Literal], None]) -> None:
    source = resolve(row.line, "from", row.from_ref)
    target = resolve(row.line, "to", row.to_ref)
    local = f"{_local(row.from_ref)}__{_local(row.to_ref)}"
    mapping = node(f"{v.MAPPING}{set_id}/{local}")
    add(mapping, v.RDF + "type", node(v.AG + "Mapping"))
    add(mapping, v.AG + "inMappingSet", set_node)
    add(mapping, v.AG + "fromElement", source)
    add(mapping, v.AG + "toElement", target)
    add(mapping, v.AG + "relationship", node(v.RELATIONSHIPS[row.relationship]))
    add(mapping, v.AG + "rationale", node(v.RATIONALES[row.rationale]))
    add(mapping, v.AG + "strength", ox.Literal(str(row.strength), datatype=XSD_INTEGER))
    add(mapping, v.RDFS + "comment", ox.Literal(row.reason))
    add(mapping, v.AG + "sourceKind", node(v.SOURCE_KINDS[row.source_kind]))
    add(mapping, v.DCT + "source", ox.Literal(row.source))


def _local(ref: str) -> str:
    prefix, _, local = ref.partition(":")
    return f"{prefix}-{v.notation_local(local)}".replace("/", "-")
