"""Overlap of two frameworks A and B, as a consultant computes it.

Three answers, kept apart because they mean different things:

* **Coverage** (``coverage``, ``coverage_reverse``): how much of B a programme for A
  covers. The programme is the set of catalog controls it builds: the set a caller
  passes (``controls=``, e.g. what a plan selected) or else
  :func:`~attestgraph.queries.analysis.coverage.programme_controls`: the controls that meet a
  requirement of A in full or at :data:`~attestgraph.queries.analysis.coverage.PROGRAMME_MIN_STRENGTH`
  or more, plus those that advance a unit of A the first ones leave open. Each assessable unit of B (SOC 2 criteria, every other framework's leaves;
  :mod:`attestgraph.queries.analysis.coverage`) is then *full*, *partial* (a link at or above
  :data:`~attestgraph.queries.analysis.coverage.PARTIAL_MIN_STRENGTH`) or *open*: it needs
  B-specific work. A parent's partial match is not spread onto its children.
* **Crosswalk** (``crosswalk``, also ``pairs``): set relationships between the
  requirements' intent, curated or soundly composed through pivot requirements
  (``via``), each read "a REL b"; with its own coverage view (``crosswalk_coverage``),
  reported beside the programme's, never mixed into it.
* **Shared implementation** (``shared_implementation``): one control serving a
  requirement of each side. A fact about work, with no set relationship.

The ``headline`` leads: which units of B the programme for A covers, partly covers and
which need their own work, in one paragraph a consultant can put before a client.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from attestgraph import vocabulary as v
from attestgraph.graph.inference import ControlLink, shared_implementations
from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis import coverage as cov
from attestgraph.queries.catalog import Catalog, natural_key
from attestgraph.relationships import INVERSE, PARTIAL_MIN_STRENGTH

# -- the crosswalk -------------------------------------------------------------


@dataclass
class Pair:
    """One crosswalk relationship read "a REL b" (raw IRIs kept for coverage)."""

    a: str
    b: str
    relationship: str
    strength: int
    rationale: str
    via: str | None
    kind: str
    reason: str
    source: str
    x: str  # IRI in A
    y: str  # IRI in B
    rel_iri: str  # read "x REL y"
    rat_iri: str

    def as_dict(self) -> dict[str, Any]:
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


def pairs_between(catalog: Catalog, a: str, b: str) -> list[Pair]:
    """Every crosswalk mapping between ``a`` and ``b``, curated or inferred, read "a REL b"."""
    rows: dict[str, dict[str, Any]] = {}
    vias: dict[str, list[str]] = defaultdict(list)
    for row in catalog.run("mappings-between", fa=v.framework_iri(a), fb=v.framework_iri(b)).records():
        rows.setdefault(row["m"], row)
        if row["via"]:
            vias[row["m"]].append(catalog.label_of(row["via"]))
    out = []
    for m, row in rows.items():
        relationship = row["rel"] if row["forward"] else INVERSE[row["rel"]]
        out.append(
            Pair(
                a=catalog.label_of(row["x"]).partition(":")[2],
                b=catalog.label_of(row["y"]).partition(":")[2],
                relationship=v.keyword(relationship),
                strength=row["strength"],
                rationale=v.keyword(row["rat"]),
                via=", ".join(sorted(vias[m], key=natural_key)) or None,
                kind="inferred" if row["kind"] == v.AG + "Inference" else "curated",
                reason=row["reason"],
                source=row["source"],
                x=row["x"],
                y=row["y"],
                rel_iri=relationship,
                rat_iri=row["rat"],
            )
        )
    out.sort(key=lambda p: (natural_key(p.a), natural_key(p.b)))
    return out


# -- shared implementation --------------------------------------------------


def shared_between(catalog: Catalog, a: str, b: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One control serving a requirement of ``a`` and one of ``b`` (read "control REL a"
    and "control REL b"), strongest first.

    Computed from the control-mapping ``rows`` already read, by the very rule the build
    materialises into ``graph/shared`` (:func:`~attestgraph.graph.inference.shared_implementations`;
    ``shared-implementation.rq`` asks the graph the same): measured 0.3-0.5 s less than
    a second query for SOC 2 x ISO/IEC 27001.
    """
    links = [
        ControlLink(row["controlId"], row["r"], row["slug"], row["rel"], row["strength"], "", row["rat"])
        for row in rows
        if row["slug"] in (a, b)
    ]
    found: list[dict[str, Any]] = []
    for item in shared_implementations(links):
        first, second = (item.first, item.second) if item.first.scheme == a else (item.second, item.first)
        if (first.scheme, second.scheme) != (a, b):
            continue
        found.append(
            {
                "a": catalog.by_iri[first.requirement].notation,
                "b": catalog.by_iri[second.requirement].notation,
                "control": first.control,
                "a_relationship": v.keyword(first.relationship),
                "a_rationale": v.keyword(first.rationale),
                "a_strength": first.strength,
                "b_relationship": v.keyword(second.relationship),
                "b_rationale": v.keyword(second.rationale),
                "b_strength": second.strength,
            }
        )
    found.sort(key=lambda s: (-min(s["a_strength"], s["b_strength"]), natural_key(s["a"]), natural_key(s["b"]), s["control"]))
    return found


# -- coverage -----------------------------------------------------------------


def _counts(states: list[str]) -> dict[str, Any]:
    counts = {state: states.count(state) for state in (cov.FULL, cov.PARTIAL, cov.OPEN)}
    total = len(states)

    def pct(n: int) -> float:
        return round(100 * n / total, 1) if total else 0.0

    return dict(counts, total=total, full_pct=pct(counts[cov.FULL]), partial_pct=pct(counts[cov.PARTIAL]),
                open_pct=pct(counts[cov.OPEN]))


def summarise_units(catalog: Catalog, slug: str, states: dict[str, str]) -> dict[str, Any]:
    """Counts and lists of ``slug``'s applicable units by state, overall and per category."""
    units, excluded = cov.assessed_units(catalog, slug)
    per_category: dict[str, list[str]] = defaultdict(list)
    lists: dict[str, list[str]] = {cov.FULL: [], cov.PARTIAL: [], cov.OPEN: []}
    for unit in units:
        state = states.get(unit.iri, cov.OPEN)
        per_category[unit.category].append(state)
        lists[state].append(unit.notation)
    level = cov.UNIT_LEVEL.get(slug, "leaf")
    return {
        "framework": slug,
        "unit_level": level,
        "units": len(units),
        "overall": _counts([s for states_ in per_category.values() for s in states_]),
        "by_category": [
            dict(category=c, label=_label(catalog, slug, c), **_counts(per_category[c]))
            for c in sorted(per_category, key=natural_key)
        ],
        "requirements": {state: sorted(found, key=natural_key) for state, found in lists.items()},
        "not_applicable": sorted((u.notation for u in excluded), key=natural_key),
    }


def _label(catalog: Catalog, slug: str, notation: str) -> str:
    found = catalog.by_ref.get(f"{slug}:{notation}")
    return found.label if found else notation


def programme(catalog: Catalog, slug: str, rows: list[dict[str, Any]], controls: Iterable[str] | None = None,
              name: str | None = None) -> dict[str, Any]:
    """The control set of a programme for ``slug``: the one given; else the planner's
    selection for a reference engagement (:mod:`attestgraph.queries.planning.programme`); else,
    for a framework the planner does not target, the threshold rule's."""
    if controls is not None:
        ids = sorted({catalog.control(c)["id"] for c in controls})
        return {"chosen_by": "given", "rule": f"the {len(ids)} controls the caller's programme selected",
                "threshold": None, "count": len(ids), "ids": ids}
    from attestgraph.queries.planning.programme import reference_programme  # late: the planner imports this module

    reference = reference_programme(catalog, slug)
    if reference is not None:
        return {"chosen_by": "reference-plan", "rule": reference["rule"], "threshold": None,
                "count": len(reference["ids"]), "ids": reference["ids"]}
    # No planner target (ISO/IEC 27001): every control that works on the framework.
    ids = sorted(cov.programme_controls(rows, slug, catalog))
    rule = (f"the {len(ids)} catalog controls that meet {_article(name or slug)} {name or slug} requirement in full or at strength "
            f"{cov.PROGRAMME_MIN_STRENGTH} or more, and those that advance {_article(name or slug)} {name or slug} requirement they leave open")
    return {"chosen_by": "threshold", "rule": rule, "threshold": cov.PROGRAMME_MIN_STRENGTH,
            "count": len(ids), "ids": ids}


def programme_coverage(catalog: Catalog, covered: str, by: str, rows: list[dict[str, Any]],
                       controls: Iterable[str] | None = None,
                       names: dict[str, str] | None = None) -> dict[str, Any]:
    """How much of ``covered`` the programme for ``by`` covers, unit by unit."""
    chosen = programme(catalog, by, rows, controls, (names or {}).get(by))
    ids = set(chosen["ids"])
    links = [
        (row["r"], cov.link_state(row["rel"], row["rat"], row["strength"]))
        for row in rows
        if row["slug"] == covered and row["controlId"] in ids
    ]
    states = cov.unit_states(catalog, [covered], links)
    return dict(summarise_units(catalog, covered, states), by=by, threshold=PARTIAL_MIN_STRENGTH, controls=chosen)


def crosswalk_coverage(catalog: Catalog, covered: str, by: str, pairs: list[Pair], forward: bool) -> dict[str, Any]:
    """How much of ``covered`` the requirements of ``by`` meet by their intent (the crosswalk view)."""
    links = []
    for p in pairs:
        if forward:  # "x REL y": x's intent against y
            links.append((p.y, cov.link_state(p.rel_iri, p.rat_iri, p.strength)))
        else:  # read backwards: "y inverse(REL) x"
            links.append((p.x, cov.link_state(INVERSE[p.rel_iri], p.rat_iri, p.strength)))
    states = cov.unit_states(catalog, [covered], links)
    return dict(summarise_units(catalog, covered, states), by=by, threshold=PARTIAL_MIN_STRENGTH)


# -- the headline -------------------------------------------------------------


def _article(name: str) -> str:
    # "an ISO/IEC 42001 programme", "a SOC 2 programme": by the sound of the first letter, and
    # "a NIST AI RMF programme": SOC and NIST are said as words, not letter by letter.
    return "an" if name[:1].upper() in "AEIOUFHLMNRSX" and not name.upper().startswith(("SOC", "NIST", "U")) else "a"


def _grouped(catalog: Catalog, slug: str, notations: list[str], titled: bool = False) -> str:
    """"A.5 Impact assessment of AI systems: A.5.2, A.5.4; 6 Planning: 6.1.4" for a list of
    units (with each unit's title after its id when ``titled``)."""
    groups: dict[str, list[str]] = defaultdict(list)
    for notation in notations:
        groups[catalog.by_ref[f"{slug}:{notation}"].category].append(notation)
    parts = []
    for category in sorted(groups, key=natural_key):
        label = _label(catalog, slug, category)
        title = category if label.casefold() == category.casefold() else f"{category} {label}"
        items = [f"{n} {_label(catalog, slug, n)}" if titled else n for n in groups[category]]
        parts.append(f"{title}: {', '.join(items)}")
    return "; ".join(parts)


def headline(catalog: Catalog, names: dict[str, str], cover: dict[str, Any], intent: dict[str, Any], crosswalk: dict[str, Any], shared_count: int) -> dict[str, Any]:
    """The honest summary of ``cover`` (a :func:`programme_coverage` result), with the
    crosswalk view ``intent`` (a :func:`crosswalk_coverage` result) beside it."""
    a, b = cover["by"], cover["framework"]
    name_a, name_b = names.get(a, a), names.get(b, b)
    req = cover["requirements"]
    n = cover["overall"]
    unit_word = "criteria" if cover["unit_level"] == "criterion" else "requirements"
    text = (
        f"{_article(name_a).capitalize()} {name_a} programme covers {n['full']} of {n['total']} {name_b} {unit_word} in full and "
        f"{n['partial']} in part; {n['open']} {'needs' if n['open'] == 1 else 'need'} {name_b}-specific work"
    )
    text += f": {_grouped(catalog, b, req[cov.OPEN], titled=True)}." if req[cov.OPEN] else "."
    if req[cov.FULL]:
        text += f" Covered in full: {', '.join(req[cov.FULL])}."
    text += (
        f" Counted per {'criterion' if cover['unit_level'] == 'criterion' else 'leaf requirement'} from "
        f"{cover['controls']['rule']}: in full only where a control meets the whole requirement (equal or "
        f"superset-of, on meaning), in part where a control link has strength {cover['threshold']} or more; "
        f"a partly covered requirement still needs its remaining part done and evidenced for {name_b}."
    )
    by_intent = intent["overall"]
    text += (
        f" Separately, by intent (the crosswalk: {crosswalk['curated']} curated and {crosswalk['inferred']} inferred "
        f"requirement pairs) {name_a} meets {by_intent['full']} of these {name_b} {unit_word} in full and "
        f"{by_intent['partial']} in part; {shared_count} links share a control between the two (shared "
        f"implementation: a fact about work, not a relationship between requirements)."
    )
    return {"text": text, "covered": req[cov.FULL], "partial": req[cov.PARTIAL], "own_work": req[cov.OPEN]}


def framework_names(catalog: Catalog) -> dict[str, str]:
    return {row["slug"]: row["label"] for row in catalog.run("framework-labels").records()}


# -- the answer -----------------------------------------------------------------


def overlap(store: GraphStore, a: str, b: str, catalog: Catalog | None = None, controls: Iterable[str] | None = None,
            controls_reverse: Iterable[str] | None = None) -> dict[str, Any]:
    """Coverage each way, the crosswalk and the shared implementation of ``a`` and ``b``.

    ``controls`` is the control set a programme for ``a`` selected (ids); without it
    the programme is :func:`~attestgraph.queries.analysis.coverage.programme_controls`.
    ``controls_reverse`` is the same for ``b``.

    Returns ``a``, ``b``, ``headline`` and ``headline_reverse`` (``text``, ``covered``,
    ``partial``, ``own_work``), ``coverage`` (of ``b`` by the programme for ``a``) and
    ``coverage_reverse``, ``crosswalk`` (= ``pairs``) with ``crosswalk_counts``,
    ``crosswalk_coverage`` and ``crosswalk_coverage_reverse``, ``shared_implementation``
    with ``shared_implementation_counts``, and ``unique`` (per side, the units that
    need their own work).
    """
    catalog = catalog or Catalog(store)
    catalog.framework(a)
    catalog.framework(b)
    rows = catalog.run("control-mappings", slug=[a, b]).records()
    pairs = pairs_between(catalog, a, b)
    shared = shared_between(catalog, a, b, rows)
    names = framework_names(catalog)
    cover_b = programme_coverage(catalog, b, a, rows, controls, names)
    cover_a = programme_coverage(catalog, a, b, rows, controls_reverse, names)
    crosswalk_counts = {
        "pairs": len(pairs),
        "curated": sum(p.kind == "curated" for p in pairs),
        "inferred": sum(p.kind == "inferred" for p in pairs),
    }
    crosswalk = [p.as_dict() for p in pairs]
    intent_b = crosswalk_coverage(catalog, b, a, pairs, forward=True)
    intent_a = crosswalk_coverage(catalog, a, b, pairs, forward=False)
    return {
        "a": a,
        "b": b,
        "headline": headline(catalog, names, cover_b, intent_b, crosswalk_counts, len(shared)),
        "headline_reverse": headline(catalog, names, cover_a, intent_a, crosswalk_counts, len(shared)),
        "coverage": cover_b,
        "coverage_reverse": cover_a,
        "crosswalk": crosswalk,
        "pairs": crosswalk,
        "crosswalk_counts": crosswalk_counts,
        "crosswalk_coverage": intent_b,
        "crosswalk_coverage_reverse": intent_a,
        "shared_implementation": shared,
        "shared_implementation_counts": {
            "links": len(shared),
            "controls": len({s["control"] for s in shared}),
            "a_requirements": len({s["a"] for s in shared}),
            "b_requirements": len({s["b"] for s in shared}),
        },
        "unique": {a: cover_a["requirements"][cov.OPEN], b: cover_b["requirements"][cov.OPEN]},
    }
