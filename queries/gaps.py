"""Gaps for one engagement: coverage per framework and category from the controls it
has implemented (and, separately, from those it can evidence), and the missing
controls ranked by the coverage each adds per person-day.

A leaf is *full* when an implemented control maps to it, or to an ancestor, by
``equal`` or ``superset-of`` with a semantic or syntactic rationale; *partial* when
one maps to it otherwise; *open* when none does. The ranking is greedy: after each
pick the states are updated, so a control is credited only with what it adds to
what is already there (full counts 1, partial 0.5).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from attestgraph import vocabulary as v
from attestgraph.graph.store import EmbeddedStore, GraphStore
from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement import Engagement, engagement_quads
from attestgraph.queries.overlap import FULL_RATIONALES, FULL_RELATIONSHIPS, natural_key
from attestgraph.queries.scope import in_scope_leaves

STATE_VALUE = {"open": 0.0, "partial": 0.5, "full": 1.0}
NOT_RELATED = v.AG + "NotRelated"


def load_into(store: GraphStore, engagement: Engagement) -> GraphStore:
    """Put the engagement's graph into ``store`` (a writable copy if it is read-only)."""
    if isinstance(store, EmbeddedStore) and not store.writable:
        store = store.copy_to_memory()
    store.replace_graph(engagement.graph, engagement_quads(engagement))
    return store


def _state(rel: str, rat: str) -> str:
    return "full" if rel in FULL_RELATIONSHIPS and rat in FULL_RATIONALES else "partial"


def _better(a: str, b: str) -> str:
    return a if STATE_VALUE[a] >= STATE_VALUE[b] else b


@dataclass
class Reach:
    """For each in-scope leaf, the state each control gives it."""

    by_control: dict[str, dict[str, str]]  # control id -> leaf iri -> state

    def states(self, controls: set[str], leaves: list[Requirement]) -> dict[str, str]:
        out = {leaf.iri: "open" for leaf in leaves}
        for control in controls:
            for iri, state in self.by_control.get(control, {}).items():
                if iri in out:
                    out[iri] = _better(out[iri], state)
        return out


def leaves_under(catalog: Catalog, frameworks: list[str]) -> dict[str, list[str]]:
    """For every requirement of ``frameworks``, the leaves it covers (itself when a leaf):
    a mapping on a parent reaches each leaf below it."""
    found: dict[str, list[str]] = defaultdict(list)
    for r in catalog.requirements(frameworks):
        if r.leaf:
            for node in catalog.lineage(r):
                found[node.iri].append(r.iri)
    return found


def control_reach(catalog: Catalog, frameworks: list[str]) -> Reach:
    """What every catalog control reaches among the leaves of ``frameworks``."""
    by_control: dict[str, dict[str, str]] = defaultdict(dict)
    under = leaves_under(catalog, frameworks)
    for row in catalog.run("control-mappings", slug=frameworks).records():
        state = _state(row["rel"], row["rat"])
        for leaf in under.get(row["r"], []):
            current = by_control[row["controlId"]].get(leaf, "open")
            by_control[row["controlId"]][leaf] = _better(current, state)
    return Reach(dict(by_control))


def summarise(states: dict[str, str], leaves: list[Requirement]) -> dict:
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: {"full": 0, "partial": 0, "open": 0})
    for leaf in leaves:
        per_category[leaf.category][states[leaf.iri]] += 1
    overall = {"full": 0, "partial": 0, "open": 0}
    for counts in per_category.values():
        for key in overall:
            overall[key] += counts[key]

    def pct(counts):
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


def rank_missing(catalog: Catalog, reach: Reach, have: set[str], leaves: list[Requirement], limit: int | None = None) -> list[dict]:
    """Missing controls in greedy order of coverage added per person-day."""
    states = reach.states(have, leaves)
    frameworks_of = {leaf.iri: leaf.slug for leaf in leaves}
    chosen = set(have)
    ranked = []
    candidates = [c for c in catalog.controls if c not in have]
    while candidates:
        best = None
        for control in candidates:
            gain, per_fw = 0.0, defaultdict(float)
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
        score, control, gain, per_fw, effort = best
        for iri, state in reach.by_control[control].items():
            if iri in states:
                states[iri] = _better(states[iri], state)
        chosen.add(control)
        candidates.remove(control)
        info = catalog.control(control)
        ranked.append(
            {
                "control": control,
                "title": info["label"],
                "effort_days": effort,
                "coverage_gain": round(gain, 1),
                "gain_per_day": round(score, 2),
                "gain_by_framework": {k: round(v, 1) for k, v in sorted(per_fw.items())},
                "frameworks": len(per_fw),
                "needs_first": sorted(d for d in info["dependsOn"] if d not in chosen),
            }
        )
        if limit and len(ranked) >= limit:
            break
    return ranked


def gaps(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None) -> dict:
    """Coverage of the engagement's targets and the missing controls, best value first.

    Returns ``{"engagement", "frameworks", "coverage": {slug: {...}}, "evidenced_coverage",
    "missing": [...], "unevidenced": [...]}``.
    """
    store = load_into(store, engagement)
    catalog = Catalog(store) if catalog is None or catalog.store is not store else catalog
    frameworks = engagement.frameworks
    scoped = in_scope_leaves(catalog, engagement)
    all_leaves = [leaf for slug in frameworks for leaf in scoped[slug]]

    # The engagement's own reach, read from its named graph: the per-engagement gap
    # query that bench/ measures with many engagements loaded.
    rows = catalog.run("engagement-control-reach", engagement=engagement.graph).records()
    evidenced = evidenced_controls(catalog, engagement)
    states = {leaf.iri: "open" for leaf in all_leaves}
    evidenced_states = dict(states)
    under = leaves_under(catalog, frameworks)
    for row in rows:
        if row["rel"] == NOT_RELATED:
            continue
        state = _state(row["rel"], row["rat"])
        for leaf in under.get(row["target"], []):
            if leaf in states:
                states[leaf] = _better(states[leaf], state)
                if row["controlId"] in evidenced:
                    evidenced_states[leaf] = _better(evidenced_states[leaf], state)
    coverage = {slug: summarise(states, scoped[slug]) for slug in frameworks}
    evidenced_coverage = {slug: summarise(evidenced_states, scoped[slug]) for slug in frameworks}
    reach = control_reach(catalog, frameworks)
    have = engagement.implemented_ids
    return {
        "engagement": engagement.id,
        "frameworks": frameworks,
        "coverage": coverage,
        "evidenced_coverage": evidenced_coverage,
        "missing": rank_missing(catalog, reach, have, all_leaves),
        "unevidenced": sorted(have - evidenced),
        "open_requirements": [leaf.ref for leaf in all_leaves if states[leaf.iri] == "open"],
    }
