"""A query's answer in one shape, whichever store produced it.

Embedded Oxigraph returns its own solution objects; a remote endpoint returns
SPARQL JSON, which pyoxigraph parses into the same objects. Both become a
:class:`Result` here, so the query layer and the renderers see one type.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


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
    def from_oxigraph(cls, answer, max_rows: int | None = None) -> "Result":
        if isinstance(answer, ox.QueryBoolean):
            return cls(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [var.value for var in answer.variables]
            rows: list[tuple] = []
            truncated = False
            for solution in answer:
                if max_rows is not None and len(rows) >= max_rows:
                    truncated = True
                    break
                rows.append(tuple(solution[name] for name in variables))
            return cls(kind="select", variables=variables, rows=rows, truncated=truncated)
        triples = []
        truncated = False
        for triple in answer:
            if max_rows is not None and len(triples) >= max_rows:
                truncated = True
                break
            triples.append(triple)
        return cls(kind="graph", triples=triples, truncated=truncated)

    def records(self) -> list[dict[str, object]]:
        """SELECT rows as dicts of plain Python values (IRIs and literals as strings, numbers as numbers)."""
        return [
            {name: plain(term) for name, term in zip(self.variables, row)}
            for row in self.rows
        ]

    def column(self, name: str) -> list[object]:
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


def plain(term: Term | None) -> object:
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
