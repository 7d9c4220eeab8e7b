"""The one rule for how much a link meets a requirement.

Every answer that says a requirement is met (overlap, gaps, the plan's control
selection, the report) asks this module, so the rule has one home:

* **full** — the link is ``equal`` or ``superset-of`` (read "x REL requirement": x
  meets all of the requirement) with a semantic or syntactic rationale. A functional
  rationale says the two do the same job, not that one contains the other, so it
  never proves full coverage on its own.
* **partial** — any other related link (``subset-of`` or ``intersects-with``, or a
  full relationship with a functional rationale) at or above
  :data:`PARTIAL_MIN_STRENGTH`. Weaker links are kept in the graph for explanation
  but are not counted: a strength-2 link says "related", not "advances the work".
* **open** — nothing above; the requirement needs work of its own.

A full match on a parent reaches its children (if x contains the parent it contains
every part of it); a partial match on a parent is never spread onto its children,
because nothing says which part of the parent it meets.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.relationships import EQ, NOT, PARTIAL_MIN_STRENGTH, SEM, SUP, SYN, counts

FULL, PARTIAL, OPEN = "full", "partial", "open"
STATE_VALUE = {OPEN: 0.0, PARTIAL: 0.5, FULL: 1.0}

FULL_RELATIONSHIPS = frozenset({EQ, SUP})
FULL_RATIONALES = frozenset({SEM, SYN})


# A programme for framework A builds a control when A leans on it: the control meets
# one of A's requirements in full, or at strength 6 or more. A strength-5 link is enough
# to credit a control that already runs with part of a requirement (the partial floor
# above), not enough to say a programme for A would build it: the catalog is written for
# AI companies, and its AI controls touch SOC 2 points of focus at 5 ("also considers
# technology change") without any SOC 2 programme building an AI impact assessment.
# Where those controls leave a unit of A open, the programme also takes the controls
# that advance it at all: a programme works on every part of its framework the catalog
# can reach. Used until a caller passes the control set a plan actually selected.
PROGRAMME_MIN_STRENGTH = 6


def link_state(relationship: str, rationale: str, strength: int, threshold: int = PARTIAL_MIN_STRENGTH) -> str:
    """How far one link ``x relationship requirement`` meets the requirement.

    >>> from attestgraph.relationships import INT, SEM, SUP
    >>> link_state(SUP, SEM, 8), link_state(INT, SEM, 6), link_state(INT, SEM, 3)
    ('full', 'partial', 'open')
    """
    if relationship == NOT:
        return OPEN
    if relationship in FULL_RELATIONSHIPS and rationale in FULL_RATIONALES:
        return FULL
    return PARTIAL if counts(relationship, strength, threshold) else OPEN


def better(a: str, b: str) -> str:
    """The stronger of two states."""
    return a if STATE_VALUE[a] >= STATE_VALUE[b] else b


def spreads_to_children(state: str) -> bool:
    """Whether a link's state on a parent also holds for each of its children."""
    return state == FULL


# -- what is assessed --------------------------------------------------------
#
# Coverage and control selection count *assessable units*, the requirements an
# auditor or regulator judges one by one:
#
# * SOC 2: the criteria. Points of focus help judge whether a criterion is met; they
#   are not each an obligation, so a point of focus informs its criterion.
# * every other framework: the leaves (subclauses, Annex A controls, sub-sections,
#   clauses of a rule ...).
#
# A unit's state from a set of links:
#
# * full when a link is full on the unit or on an ancestor (full reaches down), or,
#   for a unit with parts (a SOC 2 criterion's points of focus), when every part is
#   full;
# * partial when a link on the unit or on one of its parts is partial or full;
# * open otherwise.

UNIT_LEVEL = {"soc2": "criterion"}


def is_unit(requirement: Requirement) -> bool:
    """Whether ``requirement`` (a :class:`~attestgraph.queries.catalog.Requirement`) is assessed on its own."""
    level = UNIT_LEVEL.get(requirement.slug)
    return requirement.level == level if level else requirement.leaf


def unit_of(requirement: Requirement, catalog: Catalog) -> Requirement | None:
    """The assessable unit a requirement informs (itself, or the criterion above a point
    of focus), or ``None`` for a requirement above the units (a series, a clause)."""
    for node in catalog.lineage(requirement):
        if is_unit(node):
            return node
    return None


def unit_states(catalog: Catalog, slugs: str | Iterable[str], links: Iterable[tuple[str, str]]) -> dict[str, str]:
    """The state of every assessable unit of ``slugs`` given ``links``.

    ``links`` is an iterable of ``(requirement_iri, state)`` for the links one set of
    controls (or one framework's requirements) has onto these frameworks. Returns
    unit IRI -> ``full`` / ``partial`` / ``open``.
    """
    best: dict[str, str] = {}
    for iri, state in links:
        if state != OPEN:
            best[iri] = better(best.get(iri, OPEN), state)
    out: dict[str, str] = {}
    for unit, lineage, parts in _unit_structure(catalog, slugs):
        if any(best.get(node) == FULL for node in lineage) or parts and all(best.get(p) == FULL for p in parts):
            out[unit] = FULL
        elif best.get(unit) or any(best.get(p) for p in parts):
            out[unit] = PARTIAL
        else:
            out[unit] = OPEN
    return out


def _unit_structure(catalog: Catalog, slugs: str | Iterable[str]) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """Each unit of ``slugs`` with its lineage and its parts, as IRIs. The structure of a
    catalog does not change, and callers ask per control (a plan asks ~150 times), so it
    is computed once per catalog view and set of frameworks."""
    key = (slugs,) if isinstance(slugs, str) else tuple(sorted(slugs))
    cache: dict[tuple[str, ...], list[tuple[str, tuple[str, ...], tuple[str, ...]]]]
    cache = catalog.__dict__.setdefault("_unit_structure", {})
    if key not in cache:
        requirements = catalog.requirements(list(key))
        children: dict[str, list[str]] = {}
        for r in requirements:
            if r.parent:
                parent = catalog.by_ref.get(f"{r.slug}:{r.parent}")
                if parent is not None:
                    children.setdefault(parent.iri, []).append(r.iri)
        cache[key] = [
            (r.iri, tuple(node.iri for node in catalog.lineage(r)), tuple(_descendants(r.iri, children)))
            for r in requirements if is_unit(r)
        ]
    return cache[key]


def _descendants(iri: str, children: dict[str, list[str]]) -> list[str]:
    found, stack = [], list(children.get(iri, []))
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(children.get(node, []))
    return found


def programme_controls(rows: list[dict[str, Any]], slug: str, catalog: Catalog | None = None,
                       threshold: int = PROGRAMME_MIN_STRENGTH) -> set[str]:
    """The controls a programme for ``slug`` builds, from control-mapping rows
    (``controlId``, ``r``, ``slug``, ``rel``, ``rat``, ``strength``).

    First the controls whose link onto a requirement of ``slug`` is full, or partial at
    ``threshold`` or more. Then, given ``catalog``, for each unit of ``slug`` those leave
    open, the controls that advance it at all (partial at :data:`PARTIAL_MIN_STRENGTH`):
    a programme for a framework works on every part of it the catalog can reach.
    """
    own = [row for row in rows if row["slug"] == slug]
    chosen = {row["controlId"] for row in own if link_state(row["rel"], row["rat"], row["strength"], threshold) != OPEN}
    if catalog is None:
        return chosen
    links: dict[str, list[tuple[str, str]]] = {}
    for row in own:
        state = link_state(row["rel"], row["rat"], row["strength"])
        if state != OPEN:
            links.setdefault(row["controlId"], []).append((row["r"], state))
    states = unit_states(catalog, [slug], [link for c in chosen for link in links.get(c, [])])
    left_open = {iri for iri, state in states.items() if state == OPEN}
    if not left_open:
        return chosen
    for control in sorted(set(links) - chosen):
        reached = unit_states(catalog, [slug], links[control])
        if any(reached[iri] != OPEN for iri in left_open):
            chosen.add(control)
    return chosen


def assessed_units(catalog: Catalog, slug: str) -> tuple[list[Requirement], list[Requirement]]:
    """The assessable units of ``slug`` an organisation acts on, and those marked not
    applicable (a duty of the Data Principal ...), which no programme is asked to cover."""
    units = [r for r in catalog.requirements(slug) if is_unit(r)]
    excluded = {u.iri for u in units if any(node.not_applicable for node in catalog.lineage(u))}
    return [u for u in units if u.iri not in excluded], [u for u in units if u.iri in excluded]
