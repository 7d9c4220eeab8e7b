"""Overlap of two frameworks: related requirement pairs, and how much of each side
the work for the other covers.

A pair comes from a curated crosswalk (``via`` empty) or from an inferred mapping
through a shared control or a pivot framework (``via`` names it). Mappings recorded
from B to A are read backwards, with the relationship inverted, so every pair reads
"a REL b".

Coverage counts the leaf requirements of the covered side. A leaf is *full* when
some requirement of the other side relates to it, or to one of its ancestors, by
``equal`` or ``superset-of`` with a semantic or syntactic rationale; *partial* when
something relates to it otherwise; *untouched* when nothing does.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from attestgraph import vocabulary as v
from attestgraph.graph.inference import INVERSE
from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog

FULL_RELATIONSHIPS = {v.AG + "Equal", v.AG + "SupersetOf"}
FULL_RATIONALES = {v.AG + "Semantic", v.AG + "Syntactic"}


@dataclass
class Pair:
    a: str
    b: str
    relationship: str
    strength: int
    rationale: str
    via: str | None
    kind: str
    reason: str
    source: str
    full: bool = field(default=False)

    def as_dict(self) -> dict:
        return {
            "a": self.a,
            "b": self.b,
            "relationship": self.relationship,
            "strength": self.strength,
            "rationale": self.rationale,
            "via": self.via,
            "kind": self.kind,
            "reason": self.reason,
            "source": self.source,
        }


def pairs_between(catalog: Catalog, a: str, b: str) -> list[tuple[Pair, str, str, str, str]]:
    """Pairs read as "a REL b", with the raw IRIs kept for coverage: (pair, x, y, rel, rat)."""
    out = []
    for row in catalog.run("mappings-between", fa=v.framework_iri(a), fb=v.framework_iri(b)).records():
        relationship = row["rel"] if row["forward"] else INVERSE[row["rel"]]
        x, y = row["x"], row["y"]
        via = catalog.label_of(row["via"]) if row["via"] else None
        kind = "inferred" if row["kind"] == v.AG + "Inference" else "curated"
        pair = Pair(
            a=catalog.label_of(x).partition(":")[2],
            b=catalog.label_of(y).partition(":")[2],
            relationship=v.keyword(relationship),
            strength=row["strength"],
            rationale=v.keyword(row["rat"]),
            via=via,
            kind=kind,
            reason=row["reason"],
            source=row["source"],
        )
        pair.full = relationship in FULL_RELATIONSHIPS and row["rat"] in FULL_RATIONALES
        out.append((pair, x, y, relationship, row["rat"]))
    return out


def coverage(catalog: Catalog, covered_slug: str, touches: dict[str, str]) -> dict:
    """Counts of the covered framework's leaves by state, overall and per category.

    ``touches`` maps a requirement IRI of the covered side to "full" or "partial";
    a leaf takes the best state of itself and its ancestors.
    """
    requirements = catalog.requirements(covered_slug)
    per_category: dict[str, dict[str, int]] = defaultdict(lambda: {"full": 0, "partial": 0, "untouched": 0})
    states: dict[str, str] = {}
    for r in requirements:
        if not r.leaf:
            continue
        found = {touches.get(node.iri) for node in catalog.lineage(r)}
        state = "full" if "full" in found else "partial" if "partial" in found else "untouched"
        states[r.notation] = state
        per_category[r.category][state] += 1
    overall = {"full": 0, "partial": 0, "untouched": 0}
    for counts in per_category.values():
        for key in overall:
            overall[key] += counts[key]
    return {
        "framework": covered_slug,
        "leaves": len(states),
        "overall": _with_percent(overall),
        "by_category": [dict(category=c, **_with_percent(per_category[c])) for c in sorted(per_category, key=natural_key)],
        "states": states,
    }


def _with_percent(counts: dict[str, int]) -> dict:
    total = sum(counts.values()) or 1
    return dict(counts, total=sum(counts.values()), full_pct=round(100 * counts["full"] / total, 1),
                touched_pct=round(100 * (counts["full"] + counts["partial"]) / total, 1))


def natural_key(text: str):
    """Sort key that orders ids as people do: CC2.10 after CC2.9, A.5.10 after A.5.9."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


def overlap(store: GraphStore, a: str, b: str, catalog: Catalog | None = None) -> dict:
    """Every related pair of requirements of ``a`` and ``b`` and the coverage each way.

    Returns a dict with ``a``, ``b``, ``pairs`` (each with ``a`` and ``b`` as official
    ids, ``relationship``, ``strength``, ``via``...), ``coverage`` (of ``b`` by work for
    ``a``), ``coverage_reverse`` (of ``a`` by work for ``b``) and ``unique``.
    """
    catalog = catalog or Catalog(store)
    catalog.framework(a)
    catalog.framework(b)
    found = pairs_between(catalog, a, b)
    touches_b: dict[str, str] = {}
    touches_a: dict[str, str] = {}
    for pair, x, y, relationship, rationale in found:
        _touch(touches_b, y, pair.full)
        # Read backwards for b's work covering a: a ⊆ b means b ⊇ a.
        reverse_full = INVERSE[relationship] in FULL_RELATIONSHIPS and rationale in FULL_RATIONALES
        _touch(touches_a, x, reverse_full)
    cover_b = coverage(catalog, b, touches_b)
    cover_a = coverage(catalog, a, touches_a)
    pairs = sorted((p for p, *_ in found), key=lambda p: (natural_key(p.a), natural_key(p.b)))
    return {
        "a": a,
        "b": b,
        "pairs": [p.as_dict() for p in pairs],
        "coverage": _public(cover_b),
        "coverage_reverse": _public(cover_a),
        "unique": {
            a: sorted((n for n, s in cover_a["states"].items() if s == "untouched"), key=natural_key),
            b: sorted((n for n, s in cover_b["states"].items() if s == "untouched"), key=natural_key),
        },
    }


def _touch(touches: dict[str, str], iri: str, full: bool) -> None:
    if full:
        touches[iri] = "full"
    else:
        touches.setdefault(iri, "partial")


def _public(cover: dict) -> dict:
    return {key: value for key, value in cover.items() if key != "states"}
