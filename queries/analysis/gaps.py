"""Gaps for one engagement: coverage per framework and category from the controls it
has implemented (and, separately, from those it can evidence), and the missing
controls ranked by the coverage each adds per person-day.

Coverage follows the one rule in :mod:`attestgraph.queries.analysis.coverage`: it counts the
in-scope *assessable units* (SOC 2 criteria, whose points of focus inform them; the
leaves of every other framework), a link counts as partial only at or above
:data:`~attestgraph.queries.analysis.coverage.PARTIAL_MIN_STRENGTH`, and a parent's partial
match is not spread onto its children. The ranking is greedy: after each pick the
states are updated, so a control is credited only with what it adds to what is
already there (full counts 1, partial 0.5).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from attestgraph.graph.store import GraphStore
from attestgraph.queries import named
from attestgraph.queries.analysis import coverage as cov
from attestgraph.queries.analysis.coverage import OPEN, STATE_VALUE, better
from attestgraph.queries.analysis.scope import in_scope_leaves
from attestgraph.queries.catalog import Catalog, Requirement, natural_key
from attestgraph.queries.engagement.file import Engagement
from attestgraph.queries.engagement.graph import require_engagement_graph


def units_of(catalog: Catalog, requirements: list[Requirement]) -> list[Requirement]:
    """The assessable units the given requirements inform, each once, in order (a SOC 2
    point of focus gives its criterion; a leaf elsewhere is its own unit)."""
    seen: dict[str, Requirement] = {}
    for r in requirements:
        unit = cov.unit_of(r, catalog)
        if unit is not None and unit.iri not in seen:
            seen[unit.iri] = unit
    return list(seen.values())


@dataclass
class Reach:
    """For each control, the state it gives each assessable unit on its own
    (``by_control``: control id -> unit IRI -> full/partial; open units left out; also
    the SOC 2 points of focus it links to itself, which inform but are never counted), and
    its raw links, so a set of controls is judged together (every point of focus full
    from different controls makes the criterion full)."""

    by_control: dict[str, dict[str, str]]
    links: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    catalog: Catalog | None = None
    frameworks: list[str] = field(default_factory=list)

    def states(self, controls: set[str], leaves: list[Requirement]) -> dict[str, str]:
        """The state of each unit ``leaves`` inform (keyed by unit IRI) under ``controls``."""
        if self.catalog is None:
            out = {leaf.iri: OPEN for leaf in leaves}
            for control in controls:
                for iri, state in self.by_control.get(control, {}).items():
                    if iri in out:
                        out[iri] = better(out[iri], state)
            return out
        units = units_of(self.catalog, leaves)
        links = [link for control in controls for link in self.links.get(control, [])]
        found = cov.unit_states(self.catalog, sorted({u.slug for u in units}), links)
        return {u.iri: found.get(u.iri, OPEN) for u in units}


def control_reach(catalog: Catalog, frameworks: list[str]) -> Reach:
    """What every catalog control reaches among the assessable units of ``frameworks``."""
    links: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for row in catalog.run("control-mappings", slug=frameworks).records():
        state = cov.link_state(row["rel"], row["rat"], row["strength"])
        if state != OPEN:
            links[row["controlId"]].append((row["r"], state))
    by_control = {}
    for control, found in links.items():
        states = cov.unit_states(catalog, frameworks, found)
        reached = {iri: state for iri, state in states.items() if state != OPEN}
        # The points of focus the control itself advances, beside their criterion's
        # state: callers that list what a control advances name them. Nothing is
        # spread; counting stays per unit (a point of focus is never a unit).
        for iri, state in found:
            requirement = catalog.by_iri.get(iri)
            if requirement is not None and requirement.leaf and not cov.is_unit(requirement):
                reached[iri] = better(reached.get(iri, OPEN), state)
        by_control[control] = reached
    return Reach(by_control, dict(links), catalog, list(frameworks))


def summarise(states: dict[str, str], units: list[Requirement]) -> dict[str, Any]:
    """Counts of ``units`` by state, overall and per category, with a score (full 1, partial 0.5)."""
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: {"full": 0, "partial": 0, "open": 0})
    for unit in units:
        per_category[unit.category][states[unit.iri]] += 1
    overall = {"full": 0, "partial": 0, "open": 0}
    for counts in per_category.values():
        for key in overall:
            overall[key] += counts[key]

    def pct(counts: dict[str, int]) -> dict[str, Any]:
        total = sum(counts.values())
        score = sum(STATE_VALUE[k] * n for k, n in counts.items())
        return dict(counts, total=total, score_pct=round(100 * score / total, 1) if total else 100.0)

    return {
        "overall": pct(overall),
        "by_category": [dict(category=c, **pct(per_category[c])) for c in sorted(per_category, key=natural_key)],
    }


def evidenced_controls(catalog: Catalog, engagement: Engagement) -> set[str]:
    """Implemented controls for which the engagement holds at least one evidence type they produce."""
    held = set(engagement.evidence)
    return {c for c in engagement.implemented_ids if held.intersection(catalog.control(c)["evidence"])}


def rank_missing(catalog: Catalog, reach: Reach, have: set[str], leaves: list[Requirement], limit: int | None = None) -> list[dict[str, Any]]:
    """Missing controls in greedy order of coverage added per person-day.

    ``leaves`` are the in-scope requirements; the units they inform are what is counted.
    A candidate's gain is what its own states add to the units' current states; after
    each pick the states are recomputed from the chosen set's links together.
    """
    units = units_of(catalog, leaves)
    states = reach.states(have, units)
    frameworks_of = {unit.iri: unit.slug for unit in units}
    chosen = set(have)
    ranked = []
    candidates = [c for c in catalog.controls if c not in have]
    while candidates:
        best: tuple[float, str, float, dict[str, float], float] | None = None
        for control in candidates:
            gain, per_fw = 0.0, defaultdict[str, float](float)
            for iri, state in reach.by_control.get(control, {}).items():
                if iri in states:
                    delta = max(0.0, STATE_VALUE[state] - STATE_VALUE[states[iri]])
                    gain += delta
                    per_fw[frameworks_of[iri]] += delta
            effort = float(catalog.control(control)["effort"])
            score = gain / effort
            if gain > 0 and (best is None or (score, control) > (best[0], best[1])):
                best = (score, control, gain, dict(per_fw), effort)
        if best is None:
            break
        score, control, gain, gained, effort = best
        chosen.add(control)
        states = reach.states(chosen, units)
        candidates.remove(control)
        info = catalog.control(control)
        ranked.append(
            {
                "control": control,
                "title": info["label"],
                "effort_days": effort,
                "coverage_gain": round(gain, 1),
                "gain_per_day": round(score, 2),
                "gain_by_framework": {k: round(v, 1) for k, v in sorted(gained.items())},
                "frameworks": len(gained),
                "needs_first": sorted(d for d in info["dependsOn"] if d not in chosen),
            }
        )
        if limit and len(ranked) >= limit:
            break
    return ranked


def gaps(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None) -> dict[str, Any]:
    """Coverage of the engagement's targets and the missing controls, best value first.

    ``store`` must hold the engagement's graph (made by
    :func:`~attestgraph.queries.engagement.graph.store_with_engagement`; nothing is
    written here); ``catalog`` may be a view of any store with the same catalog graphs.

    Returns ``{"engagement", "frameworks", "coverage": {slug: {...}}, "evidenced_coverage",
    "missing": [...], "unevidenced": [...]}``.
    """
    require_engagement_graph(store, engagement)
    catalog = catalog if catalog is not None else Catalog(store)
    frameworks = engagement.frameworks
    scoped = in_scope_leaves(catalog, engagement)
    all_leaves = [leaf for slug in frameworks for leaf in scoped[slug]]
    units = {slug: units_of(catalog, scoped[slug]) for slug in frameworks}

    # The engagement's own reach, read from its named graph: the per-engagement gap
    # query that bench/ measures with many engagements loaded.
    rows = store.query(named.bind(named.get("engagement-control-reach"), engagement=engagement.graph)).records()
    evidenced = evidenced_controls(catalog, engagement)
    links, evidenced_links = [], []
    for row in rows:
        link = (row["target"], cov.link_state(row["rel"], row["rat"], row["strength"]))
        links.append(link)
        if row["controlId"] in evidenced:
            evidenced_links.append(link)
    states = cov.unit_states(catalog, frameworks, links)
    evidenced_states = cov.unit_states(catalog, frameworks, evidenced_links)
    coverage = {slug: dict(summarise(states, units[slug]), unit_level=cov.UNIT_LEVEL.get(slug, "leaf"))
                for slug in frameworks}
    evidenced_coverage = {slug: summarise(evidenced_states, units[slug]) for slug in frameworks}
    reach = control_reach(catalog, frameworks)
    have = engagement.implemented_ids
    return {
        "engagement": engagement.id,
        "frameworks": frameworks,
        "coverage": coverage,
        "evidenced_coverage": evidenced_coverage,
        "missing": rank_missing(catalog, reach, have, all_leaves),
        "unevidenced": sorted(have - evidenced),
        "open_requirements": [u.ref for slug in frameworks for u in units[slug] if states[u.iri] == OPEN],
    }
