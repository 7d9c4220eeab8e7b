"""Which controls the plan selects: the least effort that meets every applicable unit.

The sufficiency rule (:data:`RULE`, one home; links are read with
:func:`coverage.link_state`, so only full links and partial links at strength >= 5
count):

* a **SOC 2 criterion** is met when a selected control is full on it (or on its
  series or category), or when selected controls advance, at partial or better, at
  least :data:`POF_SHARE` (half) of its points of focus that some catalog control
  reaches at all, with at least one selected link on the criterion or its points of
  focus (a criterion without reachable points of focus needs a partial link on
  itself). Points of focus are what an auditor weighs in judging a criterion; they
  are not each an obligation;
* an **ISO/IEC 42001 clause or Annex A control, or a DPDP provision**, is met when a
  selected control is full on it (or on an ancestor), or when the strengths of the
  selected partial links on the unit itself add up to :data:`COMBINED_STRENGTH`
  (two counting partial links, or one near-complete one at 8 or 9). A parent's partial link is
  never spread to its children.

A unit the catalog cannot meet under this rule is reported ``unmet`` with why; the
selection still takes the strongest route the catalog offers towards it (at least
one partial link), so the work is planned and the gap is visible.

The model (OR-Tools CP-SAT): one 0/1 variable per control, prerequisites
(``x_c <= x_d`` for ``c ag:dependsOn d``), one constraint per unit, controls already
operating fixed to 1 at no cost, controls the engagement excludes fixed to 0, and
controls it includes or that its readiness findings ask for fixed to 1. Objective:
minimum total effort, ties broken by catalog order so the answer is reproducible.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ortools.sat.python import cp_model

from attestgraph.errors import PlanningError
from attestgraph.queries.analysis import coverage
from attestgraph.queries.analysis.applicability import Applicability
from attestgraph.queries.analysis.findings import TargetedRequirements, holds_customer_data, supplier_controls
from attestgraph.queries.catalog import Catalog, natural_key
from attestgraph.queries.engagement.file import Engagement
from attestgraph.relationships import PARTIAL_MIN_STRENGTH

# Share of a criterion's reachable points of focus the selection must advance. Points
# of focus are what an auditor weighs in judging a criterion, not obligations each:
# requiring every one pulled ISO/IEC 42001 and DPDP artefacts (SoA, AI impact
# assessment, DPO page) into Type I-only SOC 2 plans through single points of focus.
# At least half, with a link on the criterion or one of them, is the bar used here.
POF_SHARE = 0.5
# Sum of partial-link strengths that meets an ISO or DPDP unit. Only links at strength
# >= 5 count, so this reads: two counting links, or one near-complete link (8-9, the
# band NIST IR 8278A rev. 1 gives a close relationship short of equal).
COMBINED_STRENGTH = 8
# As in scheduling (schedule.py): the search ends on CP-SAT's deterministic clock, so
# the selection is the same on any machine; the wall-time limit is only a safety net.
SELECTION_DETERMINISTIC_BUDGET = 2.0
SELECTION_SECONDS = 120.0
SEED = 7
WORKERS = 2

RULE = (
    "A SOC 2 criterion is met when a selected control is full on it (or on its series or category), or when "
    "selected controls advance, at partial or better, at least half of the criterion's points of focus that any "
    "catalog control reaches (points of focus are what an auditor weighs, not obligations each), with at least one "
    "selected link on the criterion or its points of focus; a criterion with no reachable point of focus needs a "
    "partial link on itself. An ISO/IEC 42001 clause or Annex A control, or a DPDP provision, is met when a "
    "selected control is full on it or an ancestor, or when the strengths of the selected partial links on it add "
    f"up to at least {COMBINED_STRENGTH} (two counting partial links, or one near-complete link). Links count as coverage.link_state says: full, or partial at strength >= "
    f"{PARTIAL_MIN_STRENGTH}; weaker links never count. The selection is the minimum-effort set of "
    "controls, with their prerequisites, that meets every applicable unit the catalog can meet; controls already "
    "operating cost nothing; a unit the catalog cannot meet is listed as unmet and still advanced by at least one "
    "control."
)

# Buyer questions and duties the readiness findings test (queries/analysis/findings.py): when
# a finding would fire, the plan schedules the controls it asks for.
SUBSERVICE_KINDS = ("model-api", "vector-database", "cloud", "data-labelling")
DPDP_SETS = ("dpdp-notice", "dpdp-consent", "dpdp-breach-intimation", "dpdp-erasure", "dpdp-grievance")


@dataclass
class UnitRoutes:
    """How one unit can be met: by one full control, or by a combination."""

    unit: str  # IRI
    ref: str
    full: set[str] = field(default_factory=set)
    parts: list[set[str]] = field(default_factory=list)  # SOC 2: one set of controls per reachable point of focus
    anchor: set[str] = field(default_factory=set)  # SOC 2: controls with a counting link on criterion or points of focus
    partial: dict[str, int] = field(default_factory=dict)  # others: control -> strongest partial strength on the unit
    soc2: bool = False

    def met_by(self, chosen: set[str]) -> bool:
        if self.full & chosen:
            return True
        if self.soc2:
            if not self.anchor & chosen:
                return False
            return sum(1 for part in self.parts if part & chosen) >= self.parts_needed
        return sum(s for c, s in self.partial.items() if c in chosen) >= COMBINED_STRENGTH

    @property
    def parts_needed(self) -> int:
        """SOC 2: how many of the reachable points of focus the selection must advance."""
        return math.ceil(POF_SHARE * len(self.parts) - 1e-9)

    def meetable(self, available: set[str]) -> bool:
        return self.met_by(available)

    def advancers(self) -> set[str]:
        return self.full | self.anchor | set(self.partial)


def unit_routes(catalog: Catalog, applicability: Applicability, frameworks: list[str],
                rows: list[dict[str, Any]]) -> tuple[dict[str, UnitRoutes], dict[str, dict[str, list[str]]]]:
    """Routes for every applicable unit, and what each control advances (control -> {slug: [notation]}).

    ``rows`` are the ``control-mappings`` rows for ``frameworks``.
    """
    routes = {iri: UnitRoutes(iri, u.ref, soc2=u.requirement.slug == "soc2") for iri, u in applicability.units.items()}
    # Which unit each requirement informs: itself, the criterion above a point of focus,
    # or (for a full link on a parent) every unit below.
    below: dict[str, list[str]] = defaultdict(list)
    informs: dict[str, str] = {}
    for iri in routes:
        for node in catalog.lineage(catalog.by_iri[iri]):
            below[node.iri].append(iri)
    pof_of: dict[str, str] = {}
    for r in catalog.requirements(frameworks):
        unit = coverage.unit_of(r, catalog)
        if unit is not None and unit.iri in routes:
            informs[r.iri] = unit.iri
            if r.iri != unit.iri:
                pof_of[r.iri] = unit.iri
    pof_reach: dict[str, set[str]] = defaultdict(set)  # point of focus -> controls at partial or better
    advances: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in rows:
        state = coverage.link_state(row["rel"], row["rat"], int(row["strength"]))
        if state == coverage.OPEN:
            continue
        control, target = row["controlId"], row["r"]
        if state == coverage.FULL:
            for below_iri in below.get(target, []):
                routes[below_iri].full.add(control)
                advances[control][catalog.by_iri[below_iri].slug].add(catalog.by_iri[below_iri].notation)
        informed = informs.get(target)
        if informed is None:
            continue  # a partial link above the units is not spread down
        route = routes[informed]
        advances[control][catalog.by_iri[informed].slug].add(catalog.by_iri[informed].notation)
        if route.soc2:
            route.anchor.add(control)
            if target in pof_of:
                pof_reach[target].add(control)
        elif target == informed:
            route.partial[control] = max(route.partial.get(control, 0), int(row["strength"]))
    for pof, controls in pof_reach.items():
        routes[pof_of[pof]].parts.append(controls)
    for route in routes.values():
        route.parts.sort(key=lambda s: sorted(s))
    shaped = {c: {slug: sorted(n, key=natural_key) for slug, n in sorted(by.items())} for c, by in advances.items()}
    return routes, shaped


def asked_for(catalog: Catalog, engagement: Engagement, sets: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Controls the readiness findings ask for on this engagement, with the reason (control -> why)."""
    wanted: dict[str, str] = {}

    def want(controls: Iterable[str], why: str) -> None:
        for c in sorted(controls):
            wanted.setdefault(c, why)

    if (engagement.touches("customer") or engagement.touches("training")) and "training-data-use" in sets:
        want(sets["training-data-use"]["members"],
             "AI buyers ask \"does our data train your models?\": the evidenced training-data answer set")
    vendors = [p for p in engagement.third_parties if p.kind in SUBSERVICE_KINDS]
    # SOC 2's words (subservice organisations, CUECs) only where SOC 2 is a target. Without
    # it, the supplier finding asks for the controls that meet the targets' supplier duties
    # (findings.supplier_controls), so those, not SOC 2's subservice set, are what is wanted.
    soc2 = bool(engagement.soc2_reports)
    if soc2 and vendors and "subservice-organisations" in sets:
        want(sets["subservice-organisations"]["members"],
             "third-party model APIs and managed stores treated as subservice organisations")
    if not soc2:
        targeted = TargetedRequirements(catalog, engagement)
        for party in engagement.third_parties:
            if holds_customer_data(engagement, party):
                want(supplier_controls(catalog, targeted, party),
                     f"the supplier duties of the engagement's targets for {party.name}")
    for party in vendors:
        want(party.cuecs, f"complementary user-entity control for {party.name}" if soc2
             else f"control {party.name}'s assurance expects the company to run")
    personal = engagement.touches("personal") or engagement.touches("children") or any(
        p.personal_data for p in engagement.third_parties)
    if personal and engagement.dpdp_role in ("data-fiduciary", "significant-data-fiduciary"):
        for key in DPDP_SETS:
            if key in sets:
                want(sets[key]["members"], f"DPDP duty the readiness finding checks: {sets[key]['label']}")
    return {c: why for c, why in wanted.items() if c in catalog.controls}


def operating(engagement: Engagement) -> set[str]:
    """Controls already operating when the engagement starts. One the engagement lists
    with a later ``since`` is a promise, not a control in place: the plan schedules it
    (so the Type I as-of date and the Type II window see when it really starts)."""
    return {i.control for i in engagement.implemented if i.since <= engagement.start}


@dataclass
class Selection:
    chosen: set[str]  # controls to schedule (not yet operating)
    tags: dict[str, str]  # chosen or operating control -> tag
    reasons: dict[str, str]
    advances: dict[str, dict[str, list[str]]]
    routes: dict[str, UnitRoutes]
    left_out: list[dict[str, Any]]
    unmet: list[dict[str, Any]]
    forced: dict[str, list[str]]
    solver: dict[str, Any]
    mappings: list[dict[str, Any]] = field(default_factory=list)  # the control-mappings rows read
    rule: str = RULE


def select_controls(catalog: Catalog, engagement: Engagement, applicability: Applicability,
                    sets: dict[str, dict[str, Any]], time_limit: float = SELECTION_SECONDS) -> Selection:
    """Solve the selection model; see the module docstring."""
    frameworks = engagement.frameworks
    rows = catalog.run("control-mappings", slug=frameworks).records()
    routes, advances = unit_routes(catalog, applicability, frameworks, rows)
    have = operating(engagement)
    controls = sorted(catalog.controls, key=natural_key)
    depends = {c: [d for d in catalog.control(c)["dependsOn"]] for c in controls}
    include = [c for c in engagement.include if c in catalog.controls]
    exclude = {c for c in engagement.exclude if c in catalog.controls and c not in have}
    # A control whose prerequisite is excluded cannot be selected either.
    blocked: dict[str, str] = {c: "excluded by the engagement file (plan.exclude)" for c in exclude}
    changed = True
    while changed:
        changed = False
        for c in controls:
            if c not in blocked and c not in have:
                bad = [d for d in depends[c] if d in blocked]
                if bad:
                    blocked[c] = f"its prerequisite {bad[0]} is excluded by the engagement file"
                    changed = True
    available = {c for c in controls if c not in blocked}
    asked = {c: why for c, why in asked_for(catalog, engagement, sets).items() if c in available}
    forced_in = {c: "included by the engagement file (plan.include)" for c in include if c in available}
    forced_in.update({c: w for c, w in asked.items() if c not in forced_in})

    model = cp_model.CpModel()
    # Variables in a fixed order, never a set's (which follows the process's string
    # hashing): the solver's answer depends on the order they are made in.
    order = sorted(available, key=natural_key)
    x = {c: model.new_bool_var(c) for c in order}
    for c in order:
        if c in have or c in forced_in:
            model.add(x[c] == 1)
        for d in depends[c]:
            if d in have:
                continue
            model.add_implication(x[c], x[d])
    unmet: list[dict[str, Any]] = []
    for route in sorted(routes.values(), key=lambda r: natural_key(r.ref)):
        if route.meetable(available):
            _add_unit(model, x, route, available)
            continue
        unmet.append({"requirement": route.ref, "why": _why_unmet(route, available, blocked)})
        reach = sorted(route.advancers() & available)
        if reach:
            model.add_bool_or([x[c] for c in reach])  # advance it as far as the catalog allows
    scale = 10  # efforts to a tenth of a person-day
    tiebreak = {c: i for i, c in enumerate(controls)}
    weight = len(controls) * (len(controls) + 1)
    cost = {c: 0 if c in have else round(float(catalog.control(c)["effort"]) * scale) for c in available}
    model.minimize(sum(x[c] * (cost[c] * weight + tiebreak[c]) for c in x if c not in have))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.max_deterministic_time = SELECTION_DETERMINISTIC_BUDGET
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = SEED
    solver.parameters.interleave_search = True  # repeatable with a fixed worker count and seed
    started = time.perf_counter()
    status = solver.solve(model)
    wall = time.perf_counter() - started
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise PlanningError(f"control selection found no solution ({solver.status_name(status).lower()}) "
                            f"within {round(wall, 1)} s; the machine may be overloaded, try again")
    picked = {c for c in available if solver.value(x[c])}
    effort = sum(cost[c] for c in picked) / scale
    bound = solver.best_objective_bound / weight / scale
    solver_info = {
        "status": solver.status_name(status).lower(),
        "objective": round(effort, 1),
        "bound": round(min(bound, effort), 1),
        "gap": round((effort - min(bound, effort)) / effort, 4) if effort else 0.0,
        "wall_seconds": round(wall, 3),
        "time_limit_seconds": time_limit,
    }
    tags, reasons = _tag(picked, have, routes, depends, forced_in, asked, include)
    chosen = picked - have
    left_out = _left_out(catalog, routes, advances, picked, have, blocked)
    forced = {"include": sorted(include, key=natural_key), "exclude": sorted(exclude, key=natural_key),
              "asked_by_findings": sorted(asked, key=natural_key),
              "ignored": sorted(set(include) - set(forced_in), key=natural_key)}
    return Selection(chosen, tags, reasons, advances, routes, left_out, unmet, forced, solver_info, rows)


def _add_unit(model: cp_model.CpModel, x: dict[str, cp_model.IntVar], route: UnitRoutes, available: set[str]) -> None:
    full = [x[c] for c in sorted(route.full & available)]
    if route.soc2:
        combo = model.new_bool_var(f"combo:{route.ref}")
        model.add_bool_or([x[c] for c in sorted(route.anchor & available)]).OnlyEnforceIf(combo)
        covered = []
        for i, part in enumerate(route.parts):
            members = [x[c] for c in sorted(part & available)]
            if not members:
                continue
            hit = model.new_bool_var(f"pof:{route.ref}:{i}")
            model.add_bool_or(members).OnlyEnforceIf(hit)
            covered.append(hit)
        model.add(sum(covered) >= route.parts_needed).OnlyEnforceIf(combo)
        model.add_bool_or(full + [combo])
        return
    partial = {c: s for c, s in route.partial.items() if c in available}
    if not partial:
        model.add_bool_or(full)
        return
    combo = model.new_bool_var(f"combo:{route.ref}")
    model.add(sum(x[c] * s for c, s in sorted(partial.items())) >= COMBINED_STRENGTH).OnlyEnforceIf(combo)
    model.add_bool_or(full + [combo])


def _why_unmet(route: UnitRoutes, available: set[str], blocked: dict[str, str]) -> str:
    if not route.advancers():
        return "no catalog control links to it at partial strength or better"
    lost = sorted(route.advancers() & set(blocked))
    tail = f"; reachable only through controls the engagement excludes: {', '.join(lost)}" if lost and route.meetable(
        available | set(blocked)) else ""
    if route.soc2:
        missing = sum(1 for p in route.parts if not p & available)
        return (f"no catalog control is full on it and {missing} of its reachable points of focus have no available "
                f"control{tail}" if missing else f"no available control links to it{tail}")
    reach = sum(s for c, s in route.partial.items() if c in available)
    return (f"no catalog control is full on it and its partial links add up to strength {reach}, "
            f"below the {COMBINED_STRENGTH} the rule needs{tail}")


def _tag(picked: set[str], have: set[str], routes: dict[str, UnitRoutes], depends: dict[str, list[str]],
         forced_in: dict[str, str], asked: dict[str, str], include: list[str]) -> tuple[dict[str, str], dict[str, str]]:
    """required: without it a met unit would no longer be met (or a required control needs it first);
    recommended: asked for by a readiness finding; optional: only included by the engagement file."""
    tags: dict[str, str] = {}
    reasons: dict[str, str] = {}
    touching: dict[str, list[UnitRoutes]] = defaultdict(list)
    unmet_routes = [r for r in routes.values() if not r.met_by(picked)]
    for r in routes.values():
        if r.met_by(picked):
            for c in r.advancers():
                touching[c].append(r)
    for c in sorted(picked):
        if c in have:
            tags[c], reasons[c] = "operating", "already operating: counted at no cost"
            continue
        broken = [r.ref for r in touching.get(c, []) if not r.met_by(picked - {c})]
        alone = [r.ref for r in unmet_routes if r.advancers() & picked == {c}]
        if alone and not broken:
            tags[c] = "required"
            reasons[c] = (f"the only selected control advancing {', '.join(sorted(alone, key=natural_key)[:6])}, "
                          "which the catalog cannot fully meet")
            continue
        if broken:
            tags[c] = "required"
            reasons[c] = f"needed to meet {', '.join(sorted(broken, key=natural_key)[:6])}" + (
                f" and {len(broken) - 6} more" if len(broken) > 6 else "")
    # Prerequisites inherit the strongest tag of what needs them.
    order = {"required": 0, "recommended": 1, "optional": 2}
    for c in sorted(picked - have - set(tags)):
        if c in asked:
            tags[c], reasons[c] = "recommended", asked[c]
        elif c in forced_in:
            tags[c], reasons[c] = "optional", forced_in[c]
    changed = True
    while changed:
        changed = False
        for c in sorted(t for t in tags if t not in have):
            for d in depends[c]:
                if d not in picked or d in have:
                    continue
                if d not in tags or order[tags[c]] < order[tags[d]]:
                    tags[d], reasons[d] = tags[c], f"prerequisite of {c}"
                    changed = True
    for c in sorted(picked - have - set(tags)):
        tags[c], reasons[c] = "required", "advances units met in combination with other selected controls"
    return tags, reasons


def _left_out(catalog: Catalog, routes: dict[str, UnitRoutes], advances: dict[str, dict[str, list[str]]], picked: set[str],
              have: set[str], blocked: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for c in sorted(advances, key=natural_key):
        if c in picked or c in have:
            continue
        if c in blocked:
            why = blocked[c]
        else:
            units = sorted({r.ref for r in routes.values() if c in r.advancers()}, key=natural_key)
            shown = ", ".join(units[:5]) + (f" and {len(units) - 5} more" if len(units) > 5 else "")
            why = f"not needed: {shown} are met by the selected controls at less effort"
        out.append({"control": c, "title": catalog.control(c)["label"], "why": why})
    return out
