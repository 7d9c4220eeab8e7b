"""The relationship vocabulary of a crosswalk: NIST IR 8477 set relationships and
rationales, their inverses, and what a chain of two relationships guarantees.

One home for both sides of the data flow: the build composes curated mappings with
it (:mod:`attestgraph.graph.inference`) and the query layer reads mappings backwards
and explains chains with it (:mod:`attestgraph.queries.analysis.overlap`,
:mod:`attestgraph.queries.analysis.explain`), so neither imports the other.

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

from attestgraph import vocabulary as v

EQ, SUB, SUP, INT, NOT = (v.AG + name for name in ("Equal", "SubsetOf", "SupersetOf", "IntersectsWith", "NotRelated"))
RELATIONSHIPS = (EQ, SUB, SUP, INT, NOT)
INVERSE = {EQ: EQ, SUB: SUP, SUP: SUB, INT: INT, NOT: NOT}
SYN, SEM, FUN = (v.AG + name for name in ("Syntactic", "Semantic", "Functional"))
RATIONALE_RANK = {FUN: 0, SEM: 1, SYN: 2}
# How much a relationship says, for choosing between chains: equal tells most.
RELATIONSHIP_RANK = {EQ: 4, SUB: 3, SUP: 3, INT: 2, NOT: 1}

# The weakest link that counts as advancing a requirement. Strengths follow NIST IR
# 8278A rev. 1 (0-10); 5 is the middle of the scale, where the files' reasons start
# to describe work that an auditor would accept as part of the requirement. The
# coverage rule (queries/analysis/coverage.py) and the build's shared-implementation
# rule (graph/inference.py) both count links from here.
PARTIAL_MIN_STRENGTH = 5


def counts(relationship: str, strength: int, threshold: int = PARTIAL_MIN_STRENGTH) -> bool:
    """Whether a link says its source does some of the work of its target: related (a
    not-related link says the opposite, whatever its strength) and at least ``threshold``
    strong. The one home of how not-related and weak links are treated.

    >>> counts(INT, 5), counts(INT, 4), counts(NOT, 9)
    (True, False, False)
    """
    return relationship != NOT and strength >= threshold

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
