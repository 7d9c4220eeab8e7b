"""An engagement as its own named graph, and the one explicit step that loads it.

The reading functions of the query layer never write: the one that reads an
engagement's graph (:func:`~attestgraph.queries.analysis.gaps.gaps`) is handed a store
that already holds it, made here by :func:`store_with_engagement` (a fresh throwaway
copy, so neither the caller's store nor any other engagement is touched). Storing an
engagement for good (the API's ``PUT``) writes :func:`engagement_quads` through the
server's one writer.
"""

from __future__ import annotations

import datetime as dt

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.errors import AttestgraphError
from attestgraph.graph.store import GraphStore
from attestgraph.queries.engagement.file import Engagement


def store_with_engagement(store: GraphStore, engagement: Engagement) -> GraphStore:
    """A writable throwaway copy of ``store``'s catalog graphs (no engagement's) with
    ``engagement``'s graph added: what the reading functions are given. ``store`` is
    never written (:meth:`GraphStore.scratch_copy`: a checkpoint of an on-disk store,
    else an in-memory copy); the price of never mutating a store someone else reads.
    """
    scratch = store.scratch_copy()
    scratch.replace_graph(engagement.graph, engagement_quads(engagement))
    return scratch


def require_engagement_graph(store: GraphStore, engagement: Engagement) -> None:
    """Fail loudly when ``store`` lacks the engagement's graph: without it every count
    would read zero and look like an engagement with nothing implemented."""
    if not store.query(f"ASK {{ GRAPH <{engagement.graph}> {{ ?s ?p ?o }} }}").boolean:
        raise AttestgraphError(
            f"the store holds no graph for engagement {engagement.id!r}: "
            "load it first with store_with_engagement(store, engagement)"
        )


def engagement_quads(engagement: Engagement) -> list[ox.Quad]:
    """The engagement as triples in its own named graph.

    Its links use their own predicates (``ag:implementsControl``, ``ag:holdsEvidence``),
    never the mapping predicates, so catalog joins never confuse the two.
    """
    g = ox.NamedNode(engagement.graph)
    e = ox.NamedNode(engagement.iri)
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, g))

    def date(value: dt.date) -> ox.Literal:
        return ox.Literal(value.isoformat(), datatype=ox.NamedNode(v.XSD + "date"))

    add(e, v.RDF + "type", ox.NamedNode(v.AG + "Engagement"))
    add(e, v.DCT + "identifier", ox.Literal(engagement.id))
    add(e, v.AG + "organisation", ox.Literal(engagement.organisation))
    add(e, v.AG + "startDate", date(engagement.start))
    for slug in engagement.frameworks:
        add(e, v.AG + "targetsFramework", ox.NamedNode(v.framework_iri(slug)))
    for item in engagement.implemented:
        node = ox.NamedNode(f"{engagement.iri}/implementation/{item.control}")
        add(e, v.AG + "hasImplementation", node)
        add(node, v.AG + "implementsControl", ox.NamedNode(v.control_iri(item.control)))
        add(node, v.AG + "operatingSince", date(item.since))
    for evidence in engagement.evidence:
        add(e, v.AG + "holdsEvidence", ox.NamedNode(f"{v.EVIDENCE}{evidence}"))
    for component in engagement.components:
        node = ox.NamedNode(f"{engagement.iri}/component/{component.id}")
        add(e, v.AG + "hasComponent", node)
        add(node, v.AG + "componentType", ox.NamedNode(v.COMPONENT + component.type))
        add(node, v.AG + "inSystemDescription", ox.Literal("true" if component.in_scope else "false",
                                                           datatype=ox.NamedNode(v.XSD + "boolean")))
        for kind in component.data:
            add(node, v.AG + "touchesData", ox.Literal(kind))
    return quads
