"""The plan for one engagement: which controls (queries/planning/selection.py), when
(queries/planning/schedule.py), the audit calendar (queries/planning/calendar.py) and the findings that
only the schedule can raise.

1. Applicability (queries/analysis/applicability.py) decides the units the engagement must meet.
2. Selection picks the minimum-effort set of controls that meets them, plus what the
   readiness findings ask for and what the engagement file includes.
3. Scheduling places the selected controls over working days, in CP-SAT.
4. The calendar turns the schedule into milestones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import networkx as nx

from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.applicability import Applicability, applicable_units
from attestgraph.queries.analysis.findings import Finding, control_sets
from attestgraph.queries.catalog import Catalog, natural_key
from attestgraph.queries.engagement.file import Engagement
from attestgraph.queries.planning import calendar as cal
from attestgraph.queries.planning.schedule import (
    AUDIT,
    CONTEXT,
    IMPROVEMENT,
    LEADERSHIP,
    OPERATION,
    PHASES,
    REVIEW,
    RISK,
    Job,
    critical_chain,
    schedule,
)
from attestgraph.queries.planning.selection import Selection, operating, select_controls


def phase_of_clause(notation: str) -> int:
    """The management-system phase an ISO/IEC 42001 clause belongs to (0-based)."""
    if notation.startswith("A."):
        return OPERATION
    head = notation.split(".")[0]
    if notation.startswith("9.2"):
        return AUDIT
    if notation.startswith("9.3"):
        return REVIEW
    return {"4": CONTEXT, "5": LEADERSHIP, "6": RISK, "10": IMPROVEMENT}.get(head, OPERATION)


def _phases(catalog: Catalog, chosen: set[str], depends: dict[str, list[str]], mappings: list[dict[str, Any]]) -> dict[str, int]:
    """Each control's phase from its strongest ISO/IEC 42001 link, made to agree with its
    prerequisites: a process something earlier needs is set up in that earlier phase, but
    internal audit and management review are events that must follow operation, so what
    depends on them moves after them instead."""
    best: dict[str, tuple[int, int]] = {}
    for row in mappings:
        control = row["controlId"]
        if row["slug"] != "iso42001" or control not in chosen:
            continue
        clause_phase = phase_of_clause(catalog.by_iri[row["r"]].notation)
        key = (-int(row["strength"]), clause_phase)
        if control not in best or key < best[control]:
            best[control] = key
    clause = {c: best[c][1] if c in best else OPERATION for c in chosen}
    phase = dict(clause)
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(chosen)
    graph.add_edges_from((d, c) for c in chosen for d in depends[c] if d in chosen)
    order = list(nx.topological_sort(graph))
    for c in reversed(order):
        for d in depends[c]:
            if d in chosen and clause[d] not in (AUDIT, REVIEW):
                phase[d] = min(phase[d], phase[c])
    for c in order:
        for d in depends[c]:
            if d in chosen and phase[d] > phase[c]:
                phase[c] = phase[d]
    return phase


def _iso_mappings(catalog: Catalog, engagement: Engagement, selection: Selection) -> list[dict[str, Any]]:
    """ISO/IEC 42001 links of the controls, read once: they name each control's phase."""
    if engagement.iso42001:
        return selection.mappings
    return catalog.run("control-mappings", slug=["iso42001"]).records()


def build_plan(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None, *,
               capacity: float | None = None) -> dict[str, Any]:
    """The plan: ``selection``, ``steps``, ``milestones``, ``calendar`` and the plan's ``findings``.

    ``capacity`` (person-days a week) overrides the engagement's, for what-if questions.
    """
    catalog = catalog or Catalog(store)
    applicability = applicable_units(catalog, engagement)
    selection = select_controls(catalog, engagement, applicability, control_sets(catalog))
    return _plan(catalog, engagement, applicability, selection,
                 float(capacity if capacity is not None else engagement.capacity))


def capacity_for_type1(store: GraphStore, engagement: Engagement, by: dt.date, catalog: Catalog | None = None,
                       most: float = 100.0) -> dict[str, Any]:
    """The smallest whole weekly capacity (person-days) whose plan reaches the SOC 2 Type I
    as-of date on or before ``by``, or why no capacity up to ``most`` can.

    The selection does not depend on capacity, so it is solved once; each probe re-solves
    the schedule (bisection over whole person-days a week).
    """
    catalog = catalog or Catalog(store)
    if "type1" not in engagement.soc2_reports:
        return {"by": by.isoformat(), "reachable": False, "capacity_days_per_week": None, "type1": None,
                "why": "the engagement does not target a SOC 2 Type I report"}
    applicability = applicable_units(catalog, engagement)
    selection = select_controls(catalog, engagement, applicability, control_sets(catalog))

    def as_of(capacity: float) -> tuple[dt.date, dict[str, Any]]:
        plan = _plan(catalog, engagement, applicability, selection, capacity)
        date = next(m["date"] for m in plan["milestones"] if m["kind"] == "soc2-type1")
        return dt.date.fromisoformat(date), plan

    best_date, best_plan = as_of(most)
    if best_date > by:
        chain = " -> ".join(best_plan["critical_path"]) or "the work itself"
        return {"by": by.isoformat(), "reachable": False, "capacity_days_per_week": None,
                "type1": best_date.isoformat(),
                "why": f"even at {most:g} person-days a week the as-of date is {best_date.isoformat()}: the chain of "
                       f"prerequisites {chain} (a dependant starts the week after its prerequisite ends) cannot be "
                       f"shortened by adding people"}
    low, high, found = 1, int(most), best_date
    while low < high:
        middle = (low + high) // 2
        date, _ = as_of(float(middle))
        if date <= by:
            high, found = middle, date
        else:
            low = middle + 1
    if high == int(most):
        found = best_date
    else:
        found, _ = as_of(float(high))
    return {"by": by.isoformat(), "reachable": True, "capacity_days_per_week": float(high), "type1": found.isoformat(),
            "why": f"{high} person-days a week reach the as-of date {found.isoformat()}; {high - 1} do not"
                   if high > 1 else "one person-day a week is enough"}


def _plan(catalog: Catalog, engagement: Engagement, applicability: Applicability, selection: Selection,
          capacity: float) -> dict[str, Any]:
    chosen = selection.chosen
    have = operating(engagement)
    depends = {c: [d for d in catalog.control(c)["dependsOn"] if d not in have] for c in catalog.controls}
    phase = _phases(catalog, chosen, depends, _iso_mappings(catalog, engagement, selection))
    start = cal.first_working_day(engagement.start)
    deadlines = _deadlines(applicability, selection)
    laws = deadline_laws(applicability)
    jobs: dict[str, Job] = {}
    # In a fixed order, never a set's (which follows the process's string hashing): the
    # solver's answer depends on the order its variables are made in.
    for c in sorted(chosen, key=natural_key):
        info = catalog.control(c)
        gated = selection.tags[c] != "optional"
        deadline = deadlines.get(c)
        jobs[c] = Job(
            control=c,
            effort=float(info["effort"]),
            depends_on=[d for d in depends[c] if d in chosen],
            phase=phase[c],
            # With ISO/IEC 42001 targeted, the internal audit, management review and
            # improvement controls are ISO events that must follow operation; SOC 2 tests
            # that the monitoring process is designed and in place (CC4.1, CC4.2), which
            # their design already gives, so they do not hold back the Type I as-of date.
            soc2=gated and "soc2" in selection.advances.get(c, {}) and not (engagement.iso42001 and phase[c] >= AUDIT),
            iso=engagement.iso42001 and ("iso42001" in selection.advances.get(c, {}) or phase[c] >= AUDIT),
            cycle=cal.cycle_working_days(info["cadence"]),
            deadline=cal.index_of(start, deadline) if deadline else None,
            overdue=bool(deadline and deadline <= engagement.start),
        )
    type2_floor = _operating_floor(catalog, engagement, selection, start)
    settings = dict(cal.SETTINGS)
    outcome = schedule(jobs, capacity, iso_order=engagement.iso42001,
                       iso_operating_days=settings["iso_operating_weeks"] * 5,
                       type2="type2" in engagement.soc2_reports, type2_floor=type2_floor)
    soc2_jobs = [j for j in jobs.values() if j.soc2]
    last = max(soc2_jobs or jobs.values(), key=lambda j: (j.end, j.control), default=None)
    critical = critical_chain(jobs, last.control, engagement.iso42001, settings["iso_operating_weeks"] * 5) if last else []
    # The chain ends at the SOC 2 as-of date when SOC 2 work is planned, else at the plan's end.
    critical_to = "the SOC 2 as-of date" if soc2_jobs else "the last control in place"
    steps = []
    for job in sorted(jobs.values(), key=lambda j: (j.start, j.end, natural_key(j.control))):
        c = job.control
        deadline = deadlines.get(c)
        steps.append({
            "control": c,
            "title": catalog.control(c)["label"],
            "phase": PHASES[job.phase],
            "phase_number": job.phase + 1,
            "workstream": catalog.control(c)["domain"],
            "start": cal.day_at(start, job.start).isoformat(),
            "end": cal.day_at(start, job.end - 1).isoformat(),
            "effort_days": job.effort,
            "depends_on": sorted(job.depends_on),
            "advances": selection.advances.get(c, {}),
            "frameworks": sorted(selection.advances.get(c, {})),
            "critical": c in critical,
            "deadline": deadline.isoformat() if deadline else None,
            "tag": selection.tags[c],
            "why": _why(job, selection, deadline, c in critical, _law(laws, deadline).name, critical_to),
        })
    milestones, findings = _calendar(engagement, jobs, selection, start, settings, type2_floor, laws)
    findings += _deadline_findings(engagement, jobs, deadlines, start, laws)
    findings += _unmet_finding(selection)
    effort = sum(j.effort for j in jobs.values())
    return {
        "engagement": engagement.id,
        "start": engagement.start.isoformat(),
        "capacity_days_per_week": capacity,
        "effort_days": round(effort, 1),
        "already_operating": sorted(have, key=natural_key),
        "selection": {
            "rule": selection.rule,
            "controls": [
                {"control": c, "title": catalog.control(c)["label"], "tag": selection.tags[c],
                 "reason": selection.reasons.get(c, ""),
                 "effort_days": 0.0 if c in have else float(catalog.control(c)["effort"]),
                 "advances": selection.advances.get(c, {})}
                for c in sorted(selection.tags, key=natural_key)
            ],
            "left_out": selection.left_out,
            "unmet": selection.unmet,
            "not_applicable": applicability.excluded,
            "forced": selection.forced,
            "solver": selection.solver,
        },
        "steps": steps,
        "schedule_solver": {"status": outcome.status, "gap": outcome.gap, "wall_seconds": outcome.wall_seconds,
                            "stages": outcome.stages},
        "critical_path": critical,
        "milestones": milestones,
        "calendar": dict(settings, cycle_days=dict(cal.CYCLE_DAYS), working_days="Monday to Friday",
                         max_people_per_control=2),
        "findings": [f.as_dict() for f in findings],
    }


def _deadlines(applicability: Applicability, selection: Selection) -> dict[str, dt.date]:
    """Each selected control's earliest DPDP date of effect among the units it advances."""
    found: dict[str, dt.date] = {}
    dated = {u.ref: u.effective for u in applicability.units.values() if u.effective}
    for c in selection.chosen:
        for slug, notations in selection.advances.get(c, {}).items():
            for n in notations:
                date = dated.get(f"{slug}:{n}")
                if date and (c not in found or date < found[c]):
                    found[c] = date
    return found


# The laws whose dates of effect become plan deadlines, by framework slug. A date belongs
# to the law whose units carry it.
@dataclass(frozen=True)
class Law:
    """A law whose dates of effect are deadlines: the id prefix of its milestones and
    findings, its name in text, and who can act on a breach once a duty is in force."""

    prefix: str
    name: str
    enforcer: str


DPDP = Law("dpdp", "DPDP", "the Board")
DEADLINE_LAWS = {"dpdp-act": DPDP, "dpdp-rules": DPDP,
                 "eu-ai-act": Law("eu-ai-act", "EU AI Act", "a market surveillance authority")}


def deadline_laws(applicability: Applicability) -> dict[dt.date, Law]:
    """Each date of effect among the applicable units, with the law that sets it."""
    found: dict[dt.date, Law] = {}
    for unit in applicability.units.values():
        if unit.effective and unit.requirement.slug in DEADLINE_LAWS:
            found.setdefault(unit.effective, DEADLINE_LAWS[unit.requirement.slug])
    return found


def _law(laws: dict[dt.date, Law] | None, date: dt.date | None) -> Law:
    """The law a deadline comes from; DPDP when not known."""
    return (laws or {}).get(date, DPDP) if date else DPDP


def _operating_floor(catalog: Catalog, engagement: Engagement, selection: Selection, start: dt.date) -> int:
    """The earliest window day the controls already operating allow (each must have run a cycle)."""
    floor = 0
    for item in engagement.implemented:
        if item.control not in operating(engagement):
            continue
        if "soc2" not in selection.advances.get(item.control, {}):
            continue
        ready = cal.index_of(start, item.since) + cal.cycle_working_days(catalog.control(item.control)["cadence"])
        floor = max(floor, ready)
    return floor


def _why(job: Job, selection: Selection, deadline: dt.date | None, critical: bool, law: str = "DPDP",
         critical_to: str = "the SOC 2 as-of date") -> str:
    parts = [f"{selection.tags[job.control]}: {selection.reasons.get(job.control, '')}", f"phase {job.phase + 1} ({PHASES[job.phase]})"]
    if job.depends_on:
        parts.append(f"after {', '.join(sorted(job.depends_on))}")
    if deadline:
        parts.append((f"overdue {law} duty in force since " if job.overdue else f"{law} duty in force ") + deadline.isoformat())
    if critical:
        parts.append(f"on the critical path to {critical_to}")
    return "; ".join(parts)


def _calendar(engagement: Engagement, jobs: dict[str, Job], selection: Selection, start: dt.date, settings: dict[str, Any],
              type2_floor: int, laws: dict[dt.date, Law] | None = None) -> tuple[list[dict[str, Any]], list[Finding]]:
    milestones: list[dict[str, Any]] = []
    findings: list[Finding] = []

    def add(kind: str, date: dt.date, label: str) -> None:
        milestones.append({"kind": kind, "date": cal.first_working_day(date).isoformat(), "label": label})

    soc2 = [j for j in jobs.values() if j.soc2]
    if engagement.soc2_reports:
        type1_day = max([j.end for j in soc2] + [0])
        as_of = cal.day_at(start, type1_day)
        if "type1" in engagement.soc2_reports:
            add("soc2-type1", as_of, "SOC 2 Type I as-of date: every in-scope control designed and in place")
            report = cal.add_weeks(as_of, settings["type1_fieldwork_weeks"] + settings["type1_report_weeks"])
            add("soc2-type1-report", report, f"Type I fieldwork ({settings['type1_fieldwork_weeks']} weeks) and report "
                f"({settings['type1_report_weeks']} weeks)")
        if "type2" in engagement.soc2_reports:
            ready_day = max([j.end + j.cycle for j in soc2] + [type1_day, type2_floor])
            ready = cal.day_at(start, ready_day)
            opens = max(ready, cal.first_working_day(engagement.window_start)) if engagement.window_start else ready
            closes = cal.first_working_day(cal.add_months(opens, engagement.window_months))
            add("soc2-type2-window-start", opens, "Type II window opens: every in-scope control has run one cycle of its cadence")
            add("soc2-type2-window-end", closes, f"Type II window closes after {engagement.window_months} months")
            weeks = settings["type2_fieldwork_weeks"] + settings["type2_report_weeks"]
            add("soc2-type2-report", cal.add_weeks(closes, weeks), f"Type II fieldwork and report ({weeks} weeks after the window)")
            if engagement.window_start and engagement.window_start < ready:
                waiting = sorted((j.control for j in soc2 if cal.day_at(start, j.end + j.cycle) > engagement.window_start),
                                 key=natural_key)
                findings.append(Finding(
                    id="type2-window-before-plan",
                    severity="high",
                    title="The planned Type II window opens before the plan has every control operating",
                    found=f"Window planned for {engagement.window_start.isoformat()}; the earliest safe date is "
                          f"{ready.isoformat()}. {len(waiting)} in-scope controls will not have run a full cycle of "
                          f"their cadence by the planned date: {', '.join(waiting)}.",
                    why="Every control in scope must operate for the whole observation window; opening it early means "
                        "exceptions for each control that starts late, which buyers read as failures.",
                    action=f"Move the window to {ready.isoformat()} or later, or narrow the categories in scope.",
                    controls=waiting,
                ))
    if engagement.iso42001:
        iso = [j for j in jobs.values() if j.iso]
        operation_end = max([j.end for j in iso if j.phase <= OPERATION] + [0])
        audit = [j.end for j in iso if j.phase == AUDIT]
        review = [j.end for j in iso if j.phase == REVIEW]
        audit_day = max(audit) if audit else operation_end + settings["iso_operating_weeks"] * 5
        review_day = max(max(review) if review else audit_day + 5, audit_day + 1)
        review_date = cal.day_at(start, review_day - 1 if review else review_day)
        add("iso42001-internal-audit", cal.day_at(start, audit_day - 1 if audit else audit_day),
            "ISO/IEC 42001 internal audit complete (9.2)")
        add("iso42001-management-review", review_date, "ISO/IEC 42001 management review held (9.3)")
        improvement = max([j.end for j in iso] + [0])
        stage1 = cal.add_weeks(max(review_date, cal.day_at(start, max(improvement - 1, 0))), settings["stage1_after_review_weeks"])
        add("iso42001-stage1", stage1, "Certification audit Stage 1 (documentation and readiness)")
        add("iso42001-stage2", cal.add_weeks(stage1, settings["stage2_after_stage1_weeks"]),
            "Certification audit Stage 2 (implementation)")
    dates = sorted({j.deadline for j in jobs.values() if j.deadline is not None and not j.overdue})
    for day in dates:
        duties = sorted((j.control for j in jobs.values() if j.deadline == day and not j.overdue), key=natural_key)
        shown = ", ".join(duties[:8]) + (f" and {len(duties) - 8} more" if len(duties) > 8 else "")
        law = _law(laws, cal.day_at(start, day))
        add(f"{law.prefix}-deadline", cal.day_at(start, day), f"{law.name} provisions take effect; {len(duties)} planned controls serve them ({shown})")
    milestones.sort(key=lambda m: (m["date"], m["kind"]))
    return milestones, findings


def _deadline_findings(engagement: Engagement, jobs: dict[str, Job], deadlines: dict[str, dt.date],
                       start: dt.date, laws: dict[dt.date, Law] | None = None) -> list[Finding]:
    findings: list[Finding] = []
    overdue_by_law: dict[Law, list[str]] = {}
    for j in jobs.values():
        if j.overdue:
            overdue_by_law.setdefault(_law(laws, deadlines[j.control]), []).append(j.control)
    for law, controls in sorted(overdue_by_law.items(), key=lambda item: item[0].prefix):
        overdue = sorted(controls, key=natural_key)
        since = min(deadlines[c] for c in overdue)
        findings.append(Finding(
            id=f"{law.prefix}-overdue",
            severity="high",
            title=f"{law.name} duties already in force are not yet met",
            found=f"{len(overdue)} controls serve provisions in force since {since.isoformat()}, before the engagement "
                  f"starts ({engagement.start.isoformat()}): {', '.join(overdue)}. The plan puts them first.",
            why=f"These duties already bind the company; every day without them is a breach {law.enforcer} can act on.",
            action="Start these controls immediately, ahead of certification work; record interim measures until they operate.",
            controls=overdue,
        ))
    by_date: dict[int, list[str]] = {}
    for j in jobs.values():
        if j.deadline is not None and not j.overdue:
            by_date.setdefault(j.deadline, []).append(j.control)
    for day, duties in sorted(by_date.items()):
        late = sorted((c for c in duties if jobs[c].end > day), key=natural_key)
        if not late:
            continue
        date = cal.day_at(start, day)
        law = _law(laws, date)
        findings.append(Finding(
            id=f"{law.prefix}-deadline-{date.isoformat()}",
            severity="high",
            title=f"{law.name} duties in force on {date.isoformat()} are planned too late",
            found=f"{len(late)} of the {len(duties)} controls that serve these provisions finish after the date even "
                  f"with the duties scheduled first: {', '.join(late)}.",
            why=f"From that date {law.enforcer} can act on a breach of the provision; the plan must reach the duty first.",
            action="Add capacity or start earlier; the plan already schedules these ahead of certification work.",
            controls=late,
        ))
    return findings


# Who judges an unmet requirement, per framework, for the plan-unmet-requirements finding.
JUDGES = {"soc2": "the SOC 2 auditor", "iso42001": "the certification body", "dpdp-act": "the Data Protection Board",
          "dpdp-rules": "the Data Protection Board", "eu-ai-act": "a market surveillance authority",
          "nist-ai-rmf": "the company's own AI risk review (the NIST AI RMF is voluntary)"}


def _unmet_finding(selection: Selection) -> list[Finding]:
    """Applicable units no combination of catalog controls meets under the sufficiency rule."""
    if not selection.unmet:
        return []
    refs = [u["requirement"] for u in selection.unmet]
    by_slug: dict[str, int] = {}
    for ref in refs:
        by_slug[ref.split(":")[0]] = by_slug.get(ref.split(":")[0], 0) + 1
    counts = ", ".join(f"{n} {slug}" for slug, n in sorted(by_slug.items()))
    judges = " or ".join(dict.fromkeys(JUDGES.get(slug, "an assessor") for slug in sorted(by_slug)))
    return [Finding(
        id="plan-unmet-requirements",
        severity="medium",
        title="Applicable requirements the catalog's controls do not fully meet",
        found=f"{len(refs)} applicable requirements ({counts}) are not met by any combination of catalog controls "
              f"under the plan's sufficiency rule; the plan still schedules the strongest control towards each. "
              f"First: {', '.join(refs[:10])}.",
        why=f"{judges[0].upper()}{judges[1:]} judges each of these on its own; partial coverage needs a documented "
            "argument or a control of the company's own.",
        action="Design company-specific measures (or evidence) for these requirements, or record why each is met "
               "by the scheduled controls; the plan's selection.unmet says what is missing for each.",
        requirements=refs,
    )]
