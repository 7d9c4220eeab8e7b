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

Composition
-----------
A curated mapping "x REL y" also reads backwards as "y inverse(REL) x". A chain
``a r1 p r2 b`` composes by :data:`COMPOSITION`, NIST IR 8477 set semantics, exactly
the table of DESIGN.md; longer chains compose link by link. Each cell with its
reason (read the sets as what each requirement asks for, every set non-empty):

==============  ===========  ===========  ============  ===========  ============
r1 \\ r2         equal        subset-of    superset-of   intersects   not-related
==============  ===========  ===========  ============  ===========  ============
equal           equal        subset-of    superset-of   intersects   not-related
subset-of       subset-of    subset-of    --            --           not-related
superset-of     superset-of  intersects   superset-of   intersects   --
intersects      intersects   intersects   --            --           --
not-related     not-related  --           not-related   --           --
==============  ===========  ===========  ============  ===========  ============

The reasons are in :data:`COMPOSITION_REASONS`. "--" means nothing follows and no
mapping is inferred. The strength of a chain is its weakest link (0 for not-related,
as NIST IR 8278A scores it), its rationale the weakest of its links (functional <
semantic < syntactic), so an inferred link never claims more than any link under it.
For each pair the strongest chain is kept; a pair with a curated mapping in either
direction is never given an inferred one.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

import pyoxigraph as ox

from attestgraph import vocabulary as v

# The threshold below which a link is not counted as advancing a requirement lives in
# the one home of the coverage rule; shared implementation uses the same floor.
from attestgraph.queries.analysis.coverage import PARTIAL_MIN_STRENGTH

EQ, SUB, SUP, INT, NOT = (v.AG + name for name in ("Equal", "SubsetOf", "SupersetOf", "IntersectsWith", "NotRelated"))
RELATIONSHIPS = (EQ, SUB, SUP, INT, NOT)
INVERSE = {EQ: EQ, SUB: SUP, SUP: SUB, INT: INT, NOT: NOT}
SYN, SEM, FUN = (v.AG + name for name in ("Syntactic", "Semantic", "Functional"))
RATIONALE_RANK = {FUN: 0, SEM: 1, SYN: 2}
# How much a relationship says, for choosing between chains: equal tells most.
RELATIONSHIP_RANK = {EQ: 4, SUB: 3, SUP: 3, INT: 2, NOT: 1}

SHARED_GRAPH = v.GRAPH + "shared"
SHARED = v.ID + "shared/"

#: Longest chain composed: a requirement, up to two pivot requirements (each in a
#: framework of its own), the other requirement. Strength only falls along a chain, so
#: longer chains add little but noise.
MAX_LINKS = 3

#: ``COMPOSITION[(r1, r2)]`` is what ``a r1 p`` and ``p r2 b`` guarantee of ``a`` and
#: ``b``, or ``None`` when set theory says nothing. Exactly DESIGN.md's table.
COMPOSITION: dict[tuple[str, str], str | None] = {
    (EQ, EQ): EQ, (EQ, SUB): SUB, (EQ, SUP): SUP, (EQ, INT): INT, (EQ, NOT): NOT,
    (SUB, EQ): SUB, (SUB, SUB): SUB, (SUB, SUP): None, (SUB, INT): None, (SUB, NOT): NOT,
    (SUP, EQ): SUP, (SUP, SUB): INT, (SUP, SUP): SUP, (SUP, INT): INT, (SUP, NOT): None,
    (INT, EQ): INT, (INT, SUB): INT, (INT, SUP): None, (INT, INT): None, (INT, NOT): None,
    (NOT, EQ): NOT, (NOT, SUB): None, (NOT, SUP): NOT, (NOT, INT): None, (NOT, NOT): None,
}

#: Why each cell holds (a r1 p, p r2 b).
COMPOSITION_REASONS: dict[tuple[str, str], str] = {
    (EQ, EQ): "a = p = b.",
    (EQ, SUB): "a = p and p ⊆ b, so a ⊆ b.",
    (EQ, SUP): "a = p and p ⊇ b, so a ⊇ b.",
    (EQ, INT): "a = p, so a overlaps b exactly as p does.",
    (EQ, NOT): "a = p and p shares nothing with b.",
    (SUB, EQ): "a ⊆ p = b.",
    (SUB, SUB): "⊆ is transitive.",
    (SUB, SUP): "a and b both lie within p; they may be disjoint, overlap or nest: nothing follows.",
    (SUB, INT): "a lies within p and p only overlaps b; a may fall in the part of p outside b: nothing follows.",
    (SUB, NOT): "a lies within p and p shares nothing with b, so neither does a.",
    (SUP, EQ): "a ⊇ p = b.",
    (SUP, SUB): "a and b both contain p, so they share p; neither need contain the other: intersects.",
    (SUP, SUP): "⊇ is transitive.",
    (SUP, INT): "a contains p and p shares something with b, so a shares it too: intersects.",
    (SUP, NOT): "a contains p, which shares nothing with b, but a's other parts may: nothing follows.",
    (INT, EQ): "a overlaps p = b.",
    (INT, SUB): "a shares something with p, and all of p lies within b, so a shares it with b: intersects.",
    (INT, SUP): "a overlaps p, which contains b; the overlap may lie outside b: nothing follows.",
    (INT, INT): "a and b each overlap p, perhaps in different parts: nothing follows.",
    (INT, NOT): "a overlaps p and p shares nothing with b, but a's part outside p may: nothing follows.",
    (NOT, EQ): "a shares nothing with p = b.",
    (NOT, SUB): "a shares nothing with p, but b is larger than p and may meet a: nothing follows.",
    (NOT, SUP): "a shares nothing with p, and b lies within p, so a shares nothing with b.",
    (NOT, INT): "a shares nothing with p, but b reaches outside p: nothing follows.",
    (NOT, NOT): "a and b are both outside p; they may still meet: nothing follows.",
}


def compose(first: str, second: str) -> str | None:
    """The relationship of ``a first p`` then ``p second b``; ``None`` when the chain says nothing.

    >>> compose(SUB, SUP) is None
    True
    >>> compose(SUP, SUB) == INT
    True
    """
    return COMPOSITION[(first, second)]


def compose_chain(links: list[str] | tuple[str, ...]) -> str | None:
    """The relationship a chain of links guarantees, composed link by link (``None``: nothing)."""
    result = links[0]
    for link in links[1:]:
        result = compose(result, link)
        if result is None:
            return None
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

    def rank(self) -> tuple:
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
    for row in stage.query(_CURATED, prefixes=v.PREFIXES, use_default_graph_as_union=True):
        source, target = row["from"].value, row["to"].value
        relationship, rationale = row["rel"].value, row["rat"].value
        strength = int(row["strength"].value)
        mapping = row["m"].value
        scheme[target] = row["toScheme"].value
        names[target] = row["toId"].value
        if row["fromId"] is not None:
            names[source] = row["fromId"].value
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
    name = lambda iri: names.get(iri, iri)  # noqa: E731
    word = lambda rel: v.keyword(rel).replace("-", " ")  # noqa: E731
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

    def q(p: str, o) -> ox.Quad:
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
        if link.relationship != NOT and link.strength >= threshold:
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

    def q(p: str, o) -> ox.Quad:
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
