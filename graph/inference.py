"""Inferred mappings: requirement pairs related through a shared control or a pivot.

A curated mapping "x REL y" also reads backwards as "y inverse(REL) x". Two such
steps that meet at an element ``via`` (a control, or a requirement of a third
framework) give a chain ``a r1 via r2 b``, whose relationship is composed
soundly (NIST IR 8477 set semantics):

* equal ∘ R = R ∘ equal = R
* subset ∘ subset = subset, superset ∘ superset = superset
* anything through intersects-with, and subset then superset (or the reverse), is intersects-with
* a chain with not-related in it says nothing and is dropped

The strength of a chain is its weakest link, so it never rises along a chain,
and its rationale is the weakest of its links (functional < semantic <
syntactic), so coverage propagates as full only where every link allows it.

For each pair the strongest chain is kept and materialised as an
``ag:InferredMapping`` in the inferred graph with ``ag:via`` and
``ag:derivedFrom`` naming the chain. A pair that already has a curated mapping,
in either direction, is never given an inferred one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pyoxigraph as ox

from attestgraph import vocabulary as v

EQ, SUB, SUP, INT, NOT = (v.AG + name for name in ("Equal", "SubsetOf", "SupersetOf", "IntersectsWith", "NotRelated"))
INVERSE = {EQ: EQ, SUB: SUP, SUP: SUB, INT: INT, NOT: NOT}
SYN, SEM, FUN = (v.AG + name for name in ("Syntactic", "Semantic", "Functional"))
RATIONALE_RANK = {FUN: 0, SEM: 1, SYN: 2}
# How much a relationship says, for choosing between chains: equal tells most.
RELATIONSHIP_RANK = {EQ: 3, SUB: 2, SUP: 2, INT: 1}


def compose(first: str, second: str) -> str | None:
    """The relationship of ``a first x`` then ``x second b``; ``None`` when the chain says nothing."""
    if NOT in (first, second):
        return None
    if first == EQ:
        return second
    if second == EQ:
        return first
    if first == second and first in (SUB, SUP):
        return first
    return INT


@dataclass(frozen=True)
class Edge:
    """One curated mapping read in one direction: ``source relationship target``."""

    source: str
    target: str
    relationship: str
    rationale: str
    strength: int
    mapping: str


@dataclass(frozen=True)
class Chain:
    source: str
    target: str
    via: str
    relationship: str
    rationale: str
    strength: int
    mappings: tuple[str, str]
    links: tuple[str, str]  # the two relationships as read along the chain
    source_scheme: str
    target_scheme: str

    def rank(self) -> tuple:
        return (RELATIONSHIP_RANK[self.relationship], self.strength, RATIONALE_RANK[self.rationale], self.via)


_CURATED = """
SELECT ?m ?from ?to ?rel ?rat ?strength ?fromScheme ?toScheme ?fromId ?toId WHERE {
  ?m a ag:Mapping ; ag:fromElement ?from ; ag:toElement ?to ;
     ag:relationship ?rel ; ag:rationale ?rat ; ag:strength ?strength .
  ?to skos:inScheme ?toScheme ; skos:notation ?toNotation . ?toScheme dct:identifier ?toSlug .
  BIND(CONCAT(?toSlug, ":", ?toNotation) AS ?toId)
  OPTIONAL { ?from skos:inScheme ?fromScheme ; skos:notation ?fromNotation . ?fromScheme dct:identifier ?fromSlug }
  OPTIONAL { ?from a ag:Control ; dct:identifier ?controlId }
  BIND(COALESCE(CONCAT(?fromSlug, ":", ?fromNotation), ?controlId) AS ?fromId)
}"""


def curated_edges(stage: ox.Store) -> tuple[list[Edge], dict[str, str], dict[str, str]]:
    """Every curated mapping in both directions, the framework of each requirement seen,
    and the id users know each element by (``soc2:CC6.1``, ``IAM-01``)."""
    edges: list[Edge] = []
    scheme: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in stage.query(_CURATED, prefixes=v.PREFIXES, use_default_graph_as_union=True):
        source, target = row["from"].value, row["to"].value
        relationship, rationale = row["rel"].value, row["rat"].value
        strength = int(row["strength"].value)
        mapping = row["m"].value
        scheme[target] = row["toScheme"].value
        names[target] = row["toId"].value
        if row["fromId"] is not None:
            names[source] = row["fromId"].value
        if row["fromScheme"] is not None:
            scheme[source] = row["fromScheme"].value
        edges.append(Edge(source, target, relationship, rationale, strength, mapping))
        edges.append(Edge(target, source, INVERSE[relationship], rationale, strength, mapping))
    return edges, scheme, names


def infer_chains(edges: list[Edge], scheme: dict[str, str]) -> dict[tuple[str, str], Chain]:
    """The strongest two-step chain for each pair of requirements in different frameworks.

    Pairs are keyed in one canonical direction (smaller IRI first); pairs with a
    curated mapping are left out.
    """
    curated = {(e.source, e.target) for e in edges}
    by_middle: dict[str, list[Edge]] = {}
    for edge in edges:
        by_middle.setdefault(edge.target, []).append(edge)  # edge: a -> middle
    best: dict[tuple[str, str], Chain] = {}
    for middle, incoming in by_middle.items():
        middle_scheme = scheme.get(middle)  # None for a control
        outgoing = [e for e in edges_from(middle, by_middle) if e.target in scheme]
        for first in incoming:
            a = first.source
            if a not in scheme or scheme[a] == middle_scheme:
                continue
            for second in outgoing:
                b = second.target
                if b == a or scheme[b] == scheme[a] or scheme[b] == middle_scheme:
                    continue
                if a > b or (a, b) in curated:
                    continue
                relationship = compose(first.relationship, second.relationship)
                if relationship is None:
                    continue
                chain = Chain(
                    source=a,
                    target=b,
                    via=middle,
                    relationship=relationship,
                    rationale=min(first.rationale, second.rationale, key=RATIONALE_RANK.__getitem__),
                    strength=min(first.strength, second.strength),
                    mappings=(first.mapping, second.mapping),
                    links=(first.relationship, second.relationship),
                    source_scheme=scheme[a],
                    target_scheme=scheme[b],
                )
                key = (a, b)
                if key not in best or chain.rank() > best[key].rank():
                    best[key] = chain
    return best


def edges_from(middle: str, by_middle: dict[str, list[Edge]]) -> list[Edge]:
    # Every edge into ``middle`` has a twin out of it (the inverse reading), so
    # the outgoing edges are the inverses of the incoming ones.
    return [
        Edge(middle, e.source, INVERSE[e.relationship], e.rationale, e.strength, e.mapping)
        for e in by_middle.get(middle, [])
    ]


def describe(chain: Chain, first: str, second: str, names: dict[str, str]) -> str:
    """One sentence naming the chain: which links, through what, composed to what."""
    name = lambda iri: names.get(iri, iri)  # noqa: E731
    word = lambda rel: v.keyword(rel).replace("-", " ")  # noqa: E731
    kind = "control" if "/control/" in chain.via else "pivot requirement"
    return (
        f"Inferred through {kind} {name(chain.via)}: {name(chain.source)} {word(first)} {name(chain.via)}, "
        f"and {name(chain.via)} {word(second)} {name(chain.target)}, so {name(chain.source)} "
        f"{word(chain.relationship)} {name(chain.target)} (weakest link strength {chain.strength})."
    )


def chain_quads(chain: Chain, graph: ox.NamedNode, reason: str) -> list[ox.Quad]:
    digest = hashlib.sha256(f"{chain.source}|{chain.target}".encode()).hexdigest()[:16]
    node = ox.NamedNode(f"{v.MAPPING}inferred/{digest}")

    def q(p: str, o) -> ox.Quad:
        return ox.Quad(node, ox.NamedNode(p), o, graph)

    return [
        q(v.RDF + "type", ox.NamedNode(v.AG + "InferredMapping")),
        q(v.RDF + "type", ox.NamedNode(v.AG + "Mapping")),
        q(v.AG + "fromElement", ox.NamedNode(chain.source)),
        q(v.AG + "toElement", ox.NamedNode(chain.target)),
        q(v.AG + "relationship", ox.NamedNode(chain.relationship)),
        q(v.AG + "rationale", ox.NamedNode(chain.rationale)),
        q(v.AG + "strength", ox.Literal(str(chain.strength), datatype=ox.NamedNode(v.XSD + "integer"))),
        q(v.AG + "via", ox.NamedNode(chain.via)),
        q(v.AG + "fromScheme", ox.NamedNode(chain.source_scheme)),
        q(v.AG + "toScheme", ox.NamedNode(chain.target_scheme)),
        q(v.AG + "derivedFrom", ox.NamedNode(chain.mappings[0])),
        q(v.AG + "derivedFrom", ox.NamedNode(chain.mappings[1])),
        q(v.AG + "sourceKind", ox.NamedNode(v.AG + "Inference")),
        q(v.DCT + "source", ox.Literal("attestgraph inference: composition of two curated mappings")),
        q(v.RDFS + "comment", ox.Literal(reason)),
    ]


def materialise_inferred(stage: ox.Store) -> int:
    """Write every inferred mapping into the inferred graph; return how many."""
    edges, scheme, names = curated_edges(stage)
    chains = infer_chains(edges, scheme)
    graph = ox.NamedNode(v.INFERRED_GRAPH)
    quads: list[ox.Quad] = []
    for key in sorted(chains):
        chain = chains[key]
        quads.extend(chain_quads(chain, graph, describe(chain, *chain.links, names)))
    stage.extend(quads)
    return len(chains)
