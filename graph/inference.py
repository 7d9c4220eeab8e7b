"""What the build derives from the curated mappings: sound crosswalk inferences, and
shared implementation.

Two notions, kept apart because they answer different questions:

* A **crosswalk relationship** is set theory between two requirements' intent. The
  build composes curated requirement-to-requirement mappings through *pivot
  requirements* (a requirement of a third framework) and writes what set theory
  guarantees as an ``ag:InferredMapping`` in the inferred graph.
* **Shared implementation** is a fact about work: one control serves both
  requirements. It is never an ``ag:Mapping`` and never carries a set relationship
  (a control that meets part of A and part of B says nothing about how A's intent
  relates to B's). It is written as an ``ag:SharedImplementation`` in its own named
  graph, naming the control and its two control mappings.

Composition follows :mod:`attestgraph.relationships` (NIST IR 8477 set semantics,
DESIGN.md's table); the strength of a chain is its weakest link, its rationale the
weakest of its links, and a pair with a curated mapping is never given an inferred one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.graph.results import solutions, value
from attestgraph.relationships import (
    INVERSE,
    NOT,
    PARTIAL_MIN_STRENGTH,
    RATIONALE_RANK,
    RELATIONSHIP_RANK,
    compose,
    counts,
)

SHARED_GRAPH = v.GRAPH + "shared"
SHARED = v.ID + "shared/"

#: Longest chain composed: a requirement, up to two pivot requirements (each in a
#: framework of its own), the other requirement. Strength only falls along a chain, so
#: longer chains add little but noise.
MAX_LINKS = 3


def compose_chain(links: list[str] | tuple[str, ...]) -> str | None:
    """The relationship a chain of links guarantees, composed link by link (``None``: nothing)."""
    result: str | None = links[0]
    for link in links[1:]:
        result = compose(result, link) if result is not None else None
    return result


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
    """A chain of curated mappings from ``source`` to ``target`` through pivot requirements."""

    source: str
    target: str
    via: tuple[str, ...]
    relationship: str
    rationale: str
    strength: int
    mappings: tuple[str, ...]
    links: tuple[str, ...]  # the relationships as read along the chain
    source_scheme: str
    target_scheme: str

    def rank(self) -> tuple[int, int, int, int, tuple[str, ...]]:
        # Most informative relationship, then strongest, then best rationale, then the
        # shorter chain; the pivots' IRIs break a tie so a rebuild picks the same chain.
        return (RELATIONSHIP_RANK[self.relationship], self.strength, RATIONALE_RANK[self.rationale],
                -len(self.links), tuple(reversed(self.via)))


_CURATED = """
SELECT ?m ?from ?to ?rel ?rat ?strength ?fromScheme ?toScheme ?fromId ?toId WHERE {
  ?m a ag:Mapping ; ag:fromElement ?from ; ag:toElement ?to ;
     ag:relationship ?rel ; ag:rationale ?rat ; ag:strength ?strength .
  ?to skos:inScheme ?toScheme ; skos:notation ?toNotation . ?toScheme dct:identifier ?toSlug .
  BIND(CONCAT(?toSlug, ":", ?toNotation) AS ?toId)
  OPTIONAL { ?from skos:inScheme ?fromScheme ; skos:notation ?fromNotation . ?fromScheme dct:identifier ?fromSlug }
  OPTIONAL { ?from a ag:Control ; dct:identifier ?controlId }
  BIND(COALESCE(CONCAT(?fromSlug, ":", ?fromNotation), ?controlId) AS ?fromId)
  MINUS { ?m a ag:InferredMapping }
}"""


@dataclass(frozen=True)
class ControlLink:
    """One curated control mapping: ``control relationship requirement``."""

    control: str
    requirement: str
    scheme: str
    relationship: str
    strength: int
    mapping: str
    rationale: str = ""


def curated_links(stage: ox.Store) -> tuple[list[Edge], list[ControlLink], dict[str, str], dict[str, str]]:
    """The curated mappings: requirement-to-requirement ones in both directions, the
    control mappings, the framework of each requirement seen, and the id users know
    each element by (``soc2:CC6.1``, ``IAM-01``)."""
    edges: list[Edge] = []
    controls: list[ControlLink] = []
    scheme: dict[str, str] = {}
    names: dict[str, str] = {}
    for row in solutions(stage.query(_CURATED, prefixes=v.PREFIXES, use_default_graph_as_union=True)):
        source, target = value(row["from"]), value(row["to"])
        relationship, rationale = value(row["rel"]), value(row["rat"])
        strength = int(value(row["strength"]))
        mapping = value(row["m"])
        scheme[target] = value(row["toScheme"])
        names[target] = value(row["toId"])
        if row["fromId"] is not None:
            names[source] = value(row["fromId"])
        if row["fromScheme"] is None:  # a control
            controls.append(ControlLink(source, target, scheme[target], relationship, strength, mapping, rationale))
            continue
        scheme[source] = row["fromScheme"].value
        edges.append(Edge(source, target, relationship, rationale, strength, mapping))
        edges.append(Edge(target, source, INVERSE[relationship], rationale, strength, mapping))
    return edges, controls, scheme, names


def curated_edges(stage: ox.Store) -> tuple[list[Edge], dict[str, str], dict[str, str]]:
    """The requirement-to-requirement curated mappings in both directions, schemes and names."""
    edges, _, scheme, names = curated_links(stage)
    return edges, scheme, names


def infer_chains(edges: list[Edge], scheme: dict[str, str], max_links: int = MAX_LINKS) -> dict[tuple[str, str], Chain]:
    """The strongest sound chain for each pair of requirements in different frameworks.

    ``edges`` are requirement-to-requirement links in both directions (an edge whose
    ends are not both in ``scheme`` is ignored: controls are no pivot). A chain never
    visits a framework twice, so every pivot is a requirement of a third framework.
    Pairs are keyed in one canonical direction (smaller IRI first); pairs with a
    curated mapping are left out.
    """
    edges = [e for e in edges if e.source in scheme and e.target in scheme]
    curated = {(e.source, e.target) for e in edges}
    out: dict[str, list[Edge]] = defaultdict(list)
    for edge in edges:
        out[edge.source].append(edge)
    best: dict[tuple[str, str], Chain] = {}

    def consider(path: list[Edge], relationship: str) -> None:
        a, b = path[0].source, path[-1].target
        if a > b or (a, b) in curated:
            return
        weakest = min(e.strength for e in path)
        chain = Chain(
            source=a,
            target=b,
            via=tuple(e.target for e in path[:-1]),
            relationship=relationship,
            rationale=min((e.rationale for e in path), key=RATIONALE_RANK.__getitem__),
            strength=0 if relationship == NOT else weakest,
            mappings=tuple(e.mapping for e in path),
            links=tuple(e.relationship for e in path),
            source_scheme=scheme[a],
            target_scheme=scheme[b],
        )
        if (a, b) not in best or chain.rank() > best[(a, b)].rank():
            best[(a, b)] = chain

    def walk(path: list[Edge], relationship: str, seen: frozenset[str]) -> None:
        if len(path) >= 2:
            consider(path, relationship)
        if len(path) == max_links:
            return
        for edge in out[path[-1].target]:
            if scheme[edge.target] in seen:
                continue
            composed = compose(relationship, edge.relationship)
            if composed is not None:
                walk(path + [edge], composed, seen | {scheme[edge.target]})

    for source in sorted(out):
        for first in out[source]:
            walk([first], first.relationship, frozenset({scheme[source], scheme[first.target]}))
    return best


def describe(chain: Chain, names: dict[str, str]) -> str:
    """One sentence naming the chain: each link, and what they compose to."""
    def name(iri: str) -> str:
        return names.get(iri, iri)

    def word(rel: str) -> str:
        return v.keyword(rel).replace("-", " ")

    nodes = (chain.source, *chain.via, chain.target)
    steps = ", then ".join(f"{name(x)} {word(rel)} {name(y)}" for x, rel, y in zip(nodes, chain.links, nodes[1:]))
    pivots = ", ".join(name(p) for p in chain.via)
    return (
        f"Inferred through pivot requirement{'s' if len(chain.via) > 1 else ''} {pivots}: {steps}; "
        f"so {name(chain.source)} {word(chain.relationship)} {name(chain.target)} "
        f"(NIST IR 8477 composition; weakest link strength {chain.strength})."
    )


def chain_quads(chain: Chain, graph: ox.NamedNode, reason: str) -> list[ox.Quad]:
    digest = hashlib.sha256(f"{chain.source}|{chain.target}".encode()).hexdigest()[:16]
    node = ox.NamedNode(f"{v.MAPPING}inferred/{digest}")

    def q(p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(node, ox.NamedNode(p), o, graph)

    quads = [
        q(v.RDF + "type", ox.NamedNode(v.AG + "InferredMapping")),
        q(v.RDF + "type", ox.NamedNode(v.AG + "Mapping")),
        q(v.AG + "fromElement", ox.NamedNode(chain.source)),
        q(v.AG + "toElement", ox.NamedNode(chain.target)),
        q(v.AG + "relationship", ox.NamedNode(chain.relationship)),
        q(v.AG + "rationale", ox.NamedNode(chain.rationale)),
        q(v.AG + "strength", ox.Literal(str(chain.strength), datatype=ox.NamedNode(v.XSD + "integer"))),
        q(v.AG + "chainLength", ox.Literal(str(len(chain.links)), datatype=ox.NamedNode(v.XSD + "integer"))),
        q(v.AG + "fromScheme", ox.NamedNode(chain.source_scheme)),
        q(v.AG + "toScheme", ox.NamedNode(chain.target_scheme)),
        q(v.AG + "sourceKind", ox.NamedNode(v.AG + "Inference")),
        q(v.DCT + "source", ox.Literal("attestgraph inference: NIST IR 8477 composition of curated mappings")),
        q(v.RDFS + "comment", ox.Literal(reason)),
    ]
    quads += [q(v.AG + "via", ox.NamedNode(p)) for p in chain.via]
    quads += [q(v.AG + "derivedFrom", ox.NamedNode(m)) for m in chain.mappings]
    return quads


# -- shared implementation ----------------------------------------------------


@dataclass(frozen=True)
class Shared:
    """One control serving two requirements of different frameworks (``first.requirement`` < ``second.requirement``)."""

    first: ControlLink
    second: ControlLink


def shared_implementations(controls: list[ControlLink], threshold: int = PARTIAL_MIN_STRENGTH) -> list[Shared]:
    """Every pair of one control's links onto requirements of two different frameworks,
    both related and at or above ``threshold``: weaker links say "related", not that
    the control does the work of the requirement."""
    by_control: dict[str, list[ControlLink]] = defaultdict(list)
    for link in controls:
        if counts(link.relationship, link.strength, threshold):
            by_control[link.control].append(link)
    found = []
    for control in sorted(by_control):
        links = sorted(by_control[control], key=lambda l: l.requirement)
        for i, first in enumerate(links):
            for second in links[i + 1:]:
                if first.scheme != second.scheme:
                    found.append(Shared(first, second))
    return found


def shared_quads(shared: Shared, graph: ox.NamedNode) -> list[ox.Quad]:
    first, second = shared.first, shared.second
    digest = hashlib.sha256(f"{first.control}|{first.requirement}|{second.requirement}".encode()).hexdigest()[:16]
    node = ox.NamedNode(f"{SHARED}{digest}")

    def q(p: str, o: ox.NamedNode | ox.Literal) -> ox.Quad:
        return ox.Quad(node, ox.NamedNode(p), o, graph)

    return [
        q(v.RDF + "type", ox.NamedNode(v.AG + "SharedImplementation")),
        q(v.AG + "sharedControl", ox.NamedNode(first.control)),
        q(v.AG + "controlMapping", ox.NamedNode(first.mapping)),
        q(v.AG + "controlMapping", ox.NamedNode(second.mapping)),
        q(v.AG + "servesRequirement", ox.NamedNode(first.requirement)),
        q(v.AG + "servesRequirement", ox.NamedNode(second.requirement)),
        q(v.AG + "servesScheme", ox.NamedNode(first.scheme)),
        q(v.AG + "servesScheme", ox.NamedNode(second.scheme)),
    ]


def materialise_inferred(stage: ox.Store) -> dict[str, int]:
    """Write the inferred mappings and the shared implementations; return how many of each."""
    edges, controls, scheme, names = curated_links(stage)
    chains = infer_chains(edges, scheme)
    graph = ox.NamedNode(v.INFERRED_GRAPH)
    quads: list[ox.Quad] = []
    for key in sorted(chains):
        chain = chains[key]
        quads.extend(chain_quads(chain, graph, describe(chain, names)))
    shared = shared_implementations(controls)
    shared_graph = ox.NamedNode(SHARED_GRAPH)
    for item in shared:
        quads.extend(shared_quads(item, shared_graph))
    stage.extend(quads)
    return {"inferred": len(chains), "shared": len(shared)}
