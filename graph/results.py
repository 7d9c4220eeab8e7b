"""A query's answer in one shape, whichever store produced it.

Embedded Oxigraph returns its own solution objects; a remote endpoint returns
SPARQL JSON, which pyoxigraph parses into the same objects. Both become a
:class:`Result` here, so the query layer and the renderers see one type.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
#: What ``store.query`` of pyoxigraph answers: which one depends on the query's form.
Answer = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
#: A plain value read from a term (str, int, float, bool or None). Typed ``Any``: which
#: it is depends on the query text and the data, which no type checker sees, so the
#: caller that wrote the query knows, as it knows the variable names.
Plain = Any


def solutions(answer: Answer) -> Iterator[ox.QuerySolution]:
    """The rows of a SELECT answer from pyoxigraph (an error if the query was not a SELECT)."""
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"expected SELECT solutions, got {type(answer).__name__}")
    return iter(answer)


def triples_of(answer: Answer) -> Iterator[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE answer from pyoxigraph."""
    if not isinstance(answer, ox.QueryTriples):
        raise TypeError(f"expected CONSTRUCT triples, got {type(answer).__name__}")
    return iter(answer)


def value(term: Term | None) -> str:
    """The text of a term a query always binds (an IRI or a literal): an error if unbound."""
    if term is None or isinstance(term, ox.Triple):
        raise TypeError(f"expected an IRI or a literal, got {term!r}")
    return term.value


@dataclass
class Result:
    """A SELECT table, an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    kind: str  # "select", "ask" or "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    @classmethod
    def from_oxigraph(cls, answer: Answer, max_rows: int | None = None, max_bytes: int | None = None) -> Result:
        """Read an Oxigraph answer, stopping at ``max_rows`` rows (or triples) or once the
        terms read hold ``max_bytes`` bytes of text, whichever comes first: a row limit
        alone does not bound an answer (one row can hold a string of hundreds of MB)."""
        if isinstance(answer, ox.QueryBoolean):
            return cls(kind="ask", boolean=bool(answer))
        budget = _Budget(max_rows, max_bytes)
        if isinstance(answer, ox.QuerySolutions):
            variables = [var.value for var in answer.variables]
            rows: list[tuple[Term | None, ...]] = []
            for solution in answer:
                row = tuple(solution[name] for name in variables)
                if not budget.admit(row):
                    break
                rows.append(row)
            return cls(kind="select", variables=variables, rows=rows, truncated=budget.exceeded)
        triples = []
        for triple in answer:
            if not budget.admit((triple.subject, triple.predicate, triple.object)):
                break
            triples.append(triple)
        return cls(kind="graph", triples=triples, truncated=budget.exceeded)

    def records(self) -> list[dict[str, Plain]]:
        """SELECT rows as dicts of plain Python values (IRIs and literals as strings, numbers as numbers)."""
        return [
            {name: plain(term) for name, term in zip(self.variables, row)}
            for row in self.rows
        ]

    def column(self, name: str) -> list[Plain]:
        index = self.variables.index(name)
        return [plain(row[index]) for row in self.rows]


_NUMERIC = {
    "http://www.w3.org/2001/XMLSchema#integer": int,
    "http://www.w3.org/2001/XMLSchema#int": int,
    "http://www.w3.org/2001/XMLSchema#long": int,
    "http://www.w3.org/2001/XMLSchema#nonNegativeInteger": int,
    "http://www.w3.org/2001/XMLSchema#decimal": float,
    "http://www.w3.org/2001/XMLSchema#double": float,
    "http://www.w3.org/2001/XMLSchema#float": float,
}
_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"


def plain(term: Term | None) -> Plain:
    """A term as a plain Python value: numbers and booleans typed, everything else a string."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _NUMERIC:
            try:
                return _NUMERIC[datatype](term.value)
            except ValueError:
                return term.value
        if datatype == _BOOLEAN:
            return term.value in ("true", "1")
        return term.value
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return str(term)


def term_size(term: Term | None) -> int:
    """About how many bytes a term takes once serialised (its text, datatype and language)."""
    if term is None:
        return 0
    if isinstance(term, ox.Literal):
        return len(term.value) + len(term.datatype.value) + len(term.language or "") + 8
    if isinstance(term, ox.Triple):
        return term_size(term.subject) + term_size(term.predicate) + term_size(term.object)
    return len(term.value) + 4


class _Budget:
    """Rows and bytes still allowed in one answer."""

    def __init__(self, max_rows: int | None, max_bytes: int | None):
        self.max_rows, self.max_bytes = max_rows, max_bytes
        self.rows = self.bytes = 0
        self.exceeded = False

    def admit(self, terms: tuple[Term | None, ...]) -> bool:
        if self.max_rows is not None and self.rows >= self.max_rows:
            self.exceeded = True
            return False
        if self.max_bytes is not None:
            size = sum(term_size(t) for t in terms)
            if self.bytes + size > self.max_bytes:
                self.exceeded = True
                return False
            self.bytes += size
        self.rows += 1
        return True
