"""Reading a crosswalk file: one mapping set as a TSV with a commented header.

The format (see ``ontologies/README.md``) is close to SSSOM's: ``# key: value``
metadata lines, a column row, then one mapping per line. Reading checks every
field against what it must be and reports the file, the line and the field;
resolving ids against the graph is left to a resolver the caller passes in, so
this module knows nothing of stores.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from attestgraph import vocabulary as v
from attestgraph.errors import DataFileSyntaxError

MAPPING_COLUMNS = ["from", "to", "relationship", "rationale", "strength", "reason", "source_kind", "source"]
NOT_APPLICABLE_COLUMNS = ["requirement", "reason"]
REQUIRED_HEADER = ["mapping_set_id", "title", "from_set", "to_set", "author", "date", "license", "method"]
NOT_APPLICABLE_FILE = "not-applicable"


@dataclass
class MappingRow:
    line: int
    from_ref: str
    to_ref: str
    relationship: str
    rationale: str
    strength: int
    reason: str
    source_kind: str
    source: str


@dataclass
class NotApplicableRow:
    line: int
    requirement: str
    reason: str


@dataclass
class MappingSetFile:
    path: Path
    header: dict[str, str]
    rows: list[MappingRow | NotApplicableRow] = field(default_factory=list)

    @property
    def set_id(self) -> str:
        return self.header.get("mapping_set_id", self.path.stem)


def _strength_fits(relationship: str, strength: int) -> bool:
    """NIST IR 8278A rev. 1: equal is 10, not related is 0, the rest in between."""
    if relationship == "equal":
        return strength == 10
    if relationship == "not-related":
        return strength == 0
    return 1 <= strength <= 9


def _read_text(path: Path) -> str:
    """The file as UTF-8; a byte that is not names the file, line and column."""
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise DataFileSyntaxError(path, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded", line, column) from None


def read_mapping_set(path: Path) -> MappingSetFile:
    """Parse and check one crosswalk file; raise :class:`DataFileSyntaxError` on the first fault."""
    path = Path(path)
    is_na = path.stem == NOT_APPLICABLE_FILE
    text = _read_text(path)
    header: dict[str, str] = {}
    body_start = 0
    lines = text.splitlines()
    for index, raw in enumerate(lines):
        if not raw.startswith("#"):
            body_start = index
            break
        content = raw.lstrip("#").strip()
        if not content:
            continue
        key, sep, value = content.partition(":")
        if not sep:
            raise DataFileSyntaxError(path, f"header line must be '# key: value', got {raw!r}", index + 1)
        header[key.strip()] = value.strip()
    else:
        body_start = len(lines)
    if not is_na:
        missing = [key for key in REQUIRED_HEADER if key not in header]
        if missing:
            raise DataFileSyntaxError(path, f"header is missing {', '.join(missing)}", 1)
        if header["mapping_set_id"] != path.stem:
            raise DataFileSyntaxError(
                path, f"mapping_set_id {header['mapping_set_id']!r} must equal the file name {path.stem!r}", 1
            )
    expected = NOT_APPLICABLE_COLUMNS if is_na else MAPPING_COLUMNS
    result = MappingSetFile(path=path, header=header)
    reader = csv.reader(lines[body_start:], delimiter="\t", quoting=csv.QUOTE_NONE)
    columns = None
    seen: dict[tuple[str, ...], int] = {}
    for offset, cells in enumerate(reader):
        line = body_start + offset + 1
        if not cells or all(not c.strip() for c in cells):
            continue
        if columns is None:
            columns = [c.strip() for c in cells]
            if columns != expected:
                raise DataFileSyntaxError(path, f"column row must be {' | '.join(expected)}, got {' | '.join(columns)}", line)
            continue
        if len(cells) != len(expected):
            raise DataFileSyntaxError(path, f"expected {len(expected)} tab-separated fields, got {len(cells)}", line)
        cells = [c.strip() for c in cells]
        for name, value in zip(expected, cells):
            if not value:
                raise DataFileSyntaxError(path, f"field '{name}' is empty", line)
        row: MappingRow | NotApplicableRow
        row_key: tuple[str, ...]
        if is_na:
            row = NotApplicableRow(line, cells[0], cells[1])
            row_key = (row.requirement,)
        else:
            row = _mapping_row(path, line, cells)
            row_key = (row.from_ref, row.to_ref)
        if row_key in seen:
            raise DataFileSyntaxError(path, f"{' -> '.join(row_key)} repeats line {seen[row_key]}", line)
        seen[row_key] = line
        result.rows.append(row)
    if columns is None:
        raise DataFileSyntaxError(path, f"no column row ({' | '.join(expected)})", body_start + 1)
    return result


def _mapping_row(path: Path, line: int, cells: list[str]) -> MappingRow:
    from_ref, to_ref, relationship, rationale, strength_text, reason, source_kind, source = cells
    for name, value, allowed in (
        ("relationship", relationship, v.RELATIONSHIPS),
        ("rationale", rationale, v.RATIONALES),
        ("source_kind", source_kind, v.SOURCE_KINDS),
    ):
        if value not in allowed:
            raise DataFileSyntaxError(path, f"field '{name}' is {value!r}; expected one of {', '.join(allowed)}", line)
    try:
        strength = int(strength_text)
    except ValueError:
        raise DataFileSyntaxError(path, f"field 'strength' is {strength_text!r}; expected an integer 0-10", line) from None
    if not _strength_fits(relationship, strength):
        raise DataFileSyntaxError(
            path,
            f"field 'strength' {strength} does not fit relationship {relationship!r} "
            "(equal is 10, not-related is 0, the others 1-9)",
            line,
        )
    if from_ref == to_ref:
        raise DataFileSyntaxError(path, "a mapping cannot point at itself", line)
    return MappingRow(line, from_ref, to_ref, relationship, rationale, strength, reason, source_kind, source)

