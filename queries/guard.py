"""What a query may ask for before it is evaluated.

The endpoint is read-only and closed: it never updates, never loads, never
calls out (``SERVICE``) and never reads a graph that is not in the store. The
checks run on the query's tokens with strings, IRIs and comments blanked out,
so a keyword inside a literal (``"please LOAD this"``) is not mistaken for one.
"""

from __future__ import annotations

import re
from typing import Iterable

from attestgraph.errors import ForbiddenOperation

_UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH")

_TOKENS = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>(?<![?$:\w])[A-Za-z_][A-Za-z_0-9-]*(?![:\w]))
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out = []
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("comment", "other"):
            continue
        out.append((kind, match.group()))
    return out


def keywords(text: str) -> set[str]:
    """The bare words of a query or update, upper-cased, outside strings, IRIs and comments."""
    return {value.upper() for kind, value in _tokens(text) if kind == "word"}


def dataset_iris(text: str) -> list[tuple[str, str]]:
    """The ``FROM`` / ``FROM NAMED`` clauses as (clause, IRI) pairs; prefixed names are reported as written."""
    tokens = _tokens(text)
    found = []
    for i, (kind, value) in enumerate(tokens):
        if kind == "word" and value.upper() == "FROM":
            clause = "FROM"
            j = i + 1
            if j < len(tokens) and tokens[j][0] == "word" and tokens[j][1].upper() == "NAMED":
                clause, j = "FROM NAMED", j + 1
            if j < len(tokens) and tokens[j][0] == "iri":
                found.append((clause, tokens[j][1][1:-1]))
            else:
                found.append((clause, ""))
    return found


def check_read_only(text: str, known_graphs: Iterable[str] | None = None) -> None:
    """Raise :class:`ForbiddenOperation` for an update, ``SERVICE``, or a dataset outside the store."""
    words = keywords(text)
    updates = sorted(words.intersection(_UPDATE_KEYWORDS))
    # WITH only matters as an update keyword; ADD/COPY/MOVE/CREATE likewise. A SELECT never has them as words.
    if updates:
        raise ForbiddenOperation(
            f"this endpoint is read-only: {', '.join(updates)} is an update operation; updates are refused"
        )
    if "SERVICE" in words:
        raise ForbiddenOperation("SERVICE is refused: queries are answered from this store only, never by calling out")
    if known_graphs is not None:
        allowed = set(known_graphs)
        for clause, iri in dataset_iris(text):
            if not iri:
                raise ForbiddenOperation(f"{clause} must name a graph of this store by its full IRI")
            if iri not in allowed:
                raise ForbiddenOperation(
                    f"{clause} <{iri}> is not a graph of this store; queries never load data from elsewhere"
                )
