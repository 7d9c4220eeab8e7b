"""The baseline store for the benchmarks: the same graph evaluated by rdflib's own
SPARQL engine, behind the project's GraphStore interface so the same routes and
queries run on it unchanged. Not part of the product."""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
import rdflib

from attestgraph import vocabulary as v
from attestgraph.graph.results import Result
from attestgraph.graph.store import GraphStore


def _to_ox(term):
    if term is None:
        return None
    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


class RdflibStore(GraphStore):
    location = "rdflib"
    writable = True

    def __init__(self, quads: Iterable[ox.Quad]):
        self.dataset = rdflib.Dataset(default_union=True)
        lines = "\n".join(f"{q.subject} {q.predicate} {q.object} {q.graph_name} ." for q in quads)
        self.dataset.parse(data=lines, format="nquads")
        self.namespaces = {prefix: rdflib.Namespace(iri) for prefix, iri in v.PREFIXES.items()}

    def query(self, sparql, *, default_graphs=None, named_graphs=None, max_rows=None) -> Result:
        answer = self.dataset.query(sparql, initNs=self.namespaces)
        if answer.type == "ASK":
            return Result(kind="ask", boolean=bool(answer.askAnswer))
        if answer.type in ("CONSTRUCT", "DESCRIBE"):
            triples = [ox.Triple(_to_ox(s), _to_ox(p), _to_ox(o)) for s, p, o in answer.graph]
            return Result(kind="graph", triples=triples[:max_rows] if max_rows else triples)
        variables = [str(var) for var in answer.vars]
        rows = [tuple(_to_ox(row[var]) for var in answer.vars) for row in answer]
        truncated = bool(max_rows and len(rows) > max_rows)
        return Result(kind="select", variables=variables, rows=rows[:max_rows] if max_rows else rows, truncated=truncated)

    def replace_graph(self, graph, quads) -> None:
        context = self.dataset.graph(rdflib.URIRef(graph))
        context.remove((None, None, None))
        for q in quads:
            context.add((rdflib.URIRef(q.subject.value), rdflib.URIRef(q.predicate.value), _rdflib_object(q.object)))

    def remove_graph(self, graph) -> None:
        self.dataset.remove_graph(rdflib.URIRef(graph))


def _rdflib_object(term):
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    return rdflib.Literal(term.value, lang=term.language, datatype=None if term.language else rdflib.URIRef(term.datatype.value))
