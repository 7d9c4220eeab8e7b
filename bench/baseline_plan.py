"""BASELINE for bench/plan.py: the list scheduler queries/planning/plan.py held before issue 11,
kept verbatim (imports included) so the benchmark can run it beside the CP-SAT plan
in the same process on the same store. Not part of the package.

The sequencing plan for a dual-framework engagement.

Which controls: every catalog control that advances an in-scope requirement of the
engagement's targets and is not yet in operation, with the prerequisites it needs.

In what order, as a resource-constrained list schedule over working days:

1. a control never starts before the controls it depends on (``ag:dependsOn``) have
   finished;
2. ISO/IEC 42001's management-system order gates the phases — context and scope,
   then leadership and policy, then risk and impact assessment with the Statement of
   Applicability, then operation (which may begin once policy is set), then internal
   audit (after the operation phase has run for ``OPERATING_WEEKS``), then
   management review, then improvement;
3. among the controls ready on a day, work that advances more frameworks goes first,
   then more coverage per person-day, then the longer chain of work behind it;
4. the team's capacity (person-days a week) is never exceeded, and one control takes
   at most one person-day per working day.

A DPDP duty is scheduled before its date of effect: if the first schedule lands one
too late, the plan is recomputed with those controls first among their phase; any
still late are flagged as findings.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx

from attestgraph.errors import EngagementError
from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.findings import Finding
from attestgraph.queries.analysis.gaps import STATE_VALUE, Reach, control_reach
from attestgraph.queries.analysis.scope import in_scope_leaves
from attestgraph.queries.catalog import Catalog, natural_key
from attestgraph.queries.engagement.file import Engagement

PHASES = [
    "context and scope",
    "leadership and policy",
    "risk, impact and SoA",
    "operation",
    "internal audit",
    "management review",
    "improvement",
]
OPERATING_WEEKS = 4  # records of operation an internal audit needs to sample
TYPE2_REPORT_WEEKS = 6  # auditor fieldwork and report issuance after the window closes
STAGE1_AFTER_REVIEW_WEEKS = 2
STAGE2_AFTER_STAGE1_WEEKS = 4
HORIZON_DAYS = 5 * 260  # five years of working days: a plan longer than this is refused


def phase_of_clause(notation: str) -> int:
    """The management-system phase an ISO/IEC 42001 clause belongs to (0-based)."""
    if notation.startswith("A."):
        return 3
    head = notation.split(".")[0]
    if head == "4":
        return 0
    if head == "5":
        return 1
    if head == "6":
        return 2
    if notation.startswith("9.2"):
        return 4
    if notation.startswith("9.3"):
        return 5
    if head == "10":
        return 6
    return 3


@dataclass
class Task:
    control: str
    title: str
    effort: float
    depends_on: list[str]
    phase: int
    clause_phase: int  # the phase of its strongest ISO/IEC 42001 clause, before dependencies move it
    frameworks: int
    gain_per_day: float
    advances: dict[str, list[str]]
    deadline: dt.date | None = None
    remaining: float = 0.0
    start: dt.date | None = None
    end: dt.date | None = None
    critical: bool = False
    reasons: list[str] = field(default_factory=list)


def working_days(start: dt.date):
    day = start
    while True:
        if day.weekday() < 5:
            yield day
        day += dt.timedelta(days=1)


def add_weeks(day: dt.date, weeks: int) -> dt.date:
    return day + dt.timedelta(weeks=weeks)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    days_in_month = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, days_in_month[month - 1]))


def select_tasks(catalog: Catalog, engagement: Engagement, reach: Reach) -> tuple[dict[str, Task], dict]:
    """The controls to schedule, with what each advances, and the in-scope leaves."""
    frameworks = engagement.frameworks
    scoped = in_scope_leaves(catalog, engagement)
    leaf_ref = {leaf.iri: leaf for slug in frameworks for leaf in scoped[slug]}
    have = engagement.implemented_ids
    phase_of: dict[str, int] = {}
    best_strength: dict[str, int] = {}
    for row in catalog.run("control-mappings", slug=["iso42001"]).records():
        notation = catalog.by_iri[row["r"]].notation
        control, strength = row["controlId"], row["strength"]
        phase = phase_of_clause(notation)
        if strength > best_strength.get(control, -1) or (strength == best_strength[control] and phase < phase_of[control]):
            best_strength[control], phase_of[control] = strength, phase
    deadlines = _deadlines(catalog, engagement)
    wanted = {c for c, leaves in reach.by_control.items() if c not in have and any(i in leaf_ref for i in leaves)}
    graph = nx.DiGraph()
    for control in catalog.controls:
        for dep in catalog.control(control)["dependsOn"]:
            graph.add_edge(dep, control)
    for control in list(wanted):
        if control in graph:
            wanted |= {a for a in nx.ancestors(graph, control) if a not in have}
    tasks: dict[str, Task] = {}
    for control in wanted:
        info = catalog.control(control)
        advances: dict[str, list[str]] = defaultdict(list)
        gain = 0.0
        deadline = None
        for iri, state in reach.by_control.get(control, {}).items():
            leaf = leaf_ref.get(iri)
            if leaf is None:
                continue
            advances[leaf.slug].append(leaf.notation)
            gain += STATE_VALUE[state]
            if iri in deadlines and (deadline is None or deadlines[iri] < deadline):
                deadline = deadlines[iri]
        effort = float(info["effort"])
        tasks[control] = Task(
            control=control,
            title=info["label"],
            effort=effort,
            depends_on=[d for d in info["dependsOn"] if d not in have],
            phase=phase_of.get(control, 3),
            clause_phase=phase_of.get(control, 3),
            frameworks=len(advances),
            gain_per_day=round(gain / effort, 2),
            advances={slug: sorted(n, key=natural_key) for slug, n in sorted(advances.items())},
            deadline=deadline if deadline and deadline > engagement.start else None,
        )
    _respect_dependency_phases(tasks)
    return tasks, scoped


def _respect_dependency_phases(tasks: dict[str, Task]) -> None:
    """Make phases agree with dependencies, or the phase gates would wait on each other.

    A process something earlier needs is set up in that earlier phase (the corrective
    action process an incident review feeds is established during operation, not after
    management review); but internal audit and management review are events that must
    follow operation, so what depends on them moves after them instead.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(tasks)
    graph.add_edges_from((d, c) for c, t in tasks.items() for d in t.depends_on if d in tasks)
    order = list(nx.topological_sort(graph))
    events = {4, 5}
    for control in reversed(order):
        for dep in tasks[control].depends_on:
            if dep in tasks and tasks[dep].clause_phase not in events:
                tasks[dep].phase = min(tasks[dep].phase, tasks[control].phase)
    for control in order:
        for dep in tasks[control].depends_on:
            if dep in tasks and tasks[dep].phase > tasks[control].phase:
                tasks[control].phase = tasks[dep].phase


def _deadlines(catalog: Catalog, engagement: Engagement) -> dict[str, dt.date]:
    slugs = [s for s in engagement.frameworks if s.startswith("dpdp")]
    if not slugs:
        return {}
    found: dict[str, dt.date] = {}
    dated = {row["r"]: dt.date.fromisoformat(row["effective"]) for row in catalog.run("effective-dates", slug=slugs).records()}
    for requirement in catalog.requirements(slugs):
        date = next((dated[n.iri] for n in catalog.lineage(requirement) if n.iri in dated), None)
        if date is not None:
            found[requirement.iri] = date
    return found


def _longest_chain(tasks: dict[str, Task]) -> dict[str, float]:
    """Effort of the longest chain of dependants behind each task (its 'tail')."""
    graph = nx.DiGraph()
    graph.add_nodes_from(tasks)
    graph.add_edges_from((d, c) for c, t in tasks.items() for d in t.depends_on if d in tasks)
    tail: dict[str, float] = {}
    for control in reversed(list(nx.topological_sort(graph))):
        tail[control] = tasks[control].effort + max((tail[s] for s in graph.successors(control)), default=0.0)
    return tail


def schedule(tasks: dict[str, Task], start: dt.date, capacity_per_week: float,
             urgent: set[str] = frozenset()) -> dict[dt.date, float]:
    """Fill in start and end dates; see the module docstring for the rules.

    Returns the person-days spent on each working day, so the capacity can be checked.
    """
    daily_capacity = capacity_per_week / 5.0
    tail = _longest_chain(tasks)
    by_phase: dict[int, set[str]] = defaultdict(set)
    for control, task in tasks.items():
        task.remaining, task.start, task.end = task.effort, None, None
        by_phase[task.phase].add(control)
    done: set[str] = set()
    phase_end: dict[int, dt.date] = {}
    usage: dict[dt.date, float] = {}

    def phase_open(phase: int, today: dt.date) -> bool:
        # Operation may begin once leadership and policy is complete; every other
        # phase waits for the one before it, and internal audit also for the
        # operating period.
        previous = [p for p in range(phase) if by_phase.get(p)]
        needed = [p for p in previous if p != 2] if phase == 3 else previous
        for p in needed:
            if not by_phase[p] <= done:
                return False
        if phase == 4 and 3 in phase_end:
            return today >= add_weeks(phase_end[3], OPERATING_WEEKS)
        return True

    def priority(control: str):
        t = tasks[control]
        deadline = (t.deadline or dt.date.max) if control in urgent else dt.date.max
        return (control not in urgent, deadline, -t.frameworks, -t.gain_per_day, -tail[control], control)

    for step, today in enumerate(working_days(start)):
        if len(done) == len(tasks):
            break
        if step > HORIZON_DAYS:
            raise EngagementError(
                "engagement", "engagement.capacity_days_per_week",
                f"at {capacity_per_week} person-days a week the plan does not finish within five years",
            )
        left = daily_capacity
        ready = [
            c for c, t in tasks.items()
            if c not in done and all(d in done and tasks[d].end < today for d in t.depends_on if d in tasks)
            and phase_open(t.phase, today)
        ]
        # Work already started keeps its place so tasks are not left half-done.
        ready.sort(key=lambda c: (tasks[c].start is None, priority(c)))
        finished_today = []
        for control in ready:
            if left <= 1e-9:
                break
            task = tasks[control]
            amount = min(1.0, task.remaining, left)
            if task.start is None:
                task.start = today
            task.remaining -= amount
            left -= amount
            if task.remaining <= 1e-9:
                task.end = today
                finished_today.append(control)
        if left < daily_capacity:
            usage[today] = daily_capacity - left
        for control in finished_today:
            done.add(control)
            phase = tasks[control].phase
            if by_phase[phase] <= done:
                phase_end[phase] = today
    return usage


def mark_critical(tasks: dict[str, Task]) -> list[str]:
    """The chain that decided when the work ends: from the last task back through the
    predecessor (dependency or phase gate) that finished last before it started."""
    if not tasks:
        return []
    by_phase: dict[int, list[str]] = defaultdict(list)
    for c, t in tasks.items():
        by_phase[t.phase].append(c)
    current = max(tasks, key=lambda c: (tasks[c].end, c))
    chain = [current]
    while True:
        task = tasks[current]
        preds = [d for d in task.depends_on if d in tasks]
        preds += [c for p in range(task.phase) for c in by_phase.get(p, [])]
        preds = [p for p in preds if tasks[p].end < task.start]
        if not preds:
            break
        current = max(preds, key=lambda c: (tasks[c].end, c))
        chain.append(current)
    for control in chain:
        tasks[control].critical = True
    return list(reversed(chain))


def _why(task: Task, tasks: dict[str, Task]) -> str:
    parts = [f"phase {task.phase + 1} ({PHASES[task.phase]})"]
    deps = [d for d in task.depends_on if d in tasks]
    if deps:
        parts.append(f"after {', '.join(sorted(deps))}")
    if task.frameworks > 1:
        parts.append(f"advances {task.frameworks} frameworks at once")
    elif task.frameworks == 1:
        parts.append(f"advances {next(iter(task.advances))} only")
    else:
        parts.append("prerequisite of later work")
    parts.append(f"{task.gain_per_day} coverage per person-day")
    if task.deadline:
        parts.append(f"DPDP duty in force {task.deadline.isoformat()}")
    if task.critical:
        parts.append("on the critical path")
    return "; ".join(parts)


def build_plan(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None) -> dict:
    """The plan: ``steps``, ``milestones`` and the plan's own ``findings``."""
    catalog = catalog or Catalog(store)
    reach = control_reach(catalog, engagement.frameworks)
    tasks, scoped = select_tasks(catalog, engagement, reach)
    schedule(tasks, engagement.start, engagement.capacity)
    late = {c for c, t in tasks.items() if t.deadline and t.end and t.end >= t.deadline}
    if late:
        # Move the DPDP duties (and what they need first) ahead within their phase.
        graph = nx.DiGraph()
        graph.add_edges_from((d, c) for c, t in tasks.items() for d in t.depends_on if d in tasks)
        urgent = set(late)
        for control in late:
            if control in graph:
                urgent |= nx.ancestors(graph, control)
        schedule(tasks, engagement.start, engagement.capacity, urgent=urgent)
    critical = mark_critical(tasks)
    milestones, findings = _milestones(engagement, tasks, scoped, reach)
    steps = []
    for task in sorted(tasks.values(), key=lambda t: (t.start, t.end, t.control)):
        steps.append({
            "control": task.control,
            "title": task.title,
            "phase": PHASES[task.phase],
            "phase_number": task.phase + 1,
            "start": task.start.isoformat(),
            "end": task.end.isoformat(),
            "effort_days": task.effort,
            "depends_on": sorted(d for d in task.depends_on if d in tasks),
            "advances": task.advances,
            "frameworks": task.frameworks,
            "critical": task.critical,
            "deadline": task.deadline.isoformat() if task.deadline else None,
            "why": _why(task, tasks),
        })
    effort = sum(t.effort for t in tasks.values())
    return {
        "engagement": engagement.id,
        "start": engagement.start.isoformat(),
        "capacity_days_per_week": engagement.capacity,
        "effort_days": round(effort, 1),
        "already_operating": sorted(engagement.implemented_ids),
        "steps": steps,
        "critical_path": critical,
        "milestones": milestones,
        "findings": [f.as_dict() for f in findings],
    }


def _milestones(engagement: Engagement, tasks: dict[str, Task], scoped, reach: Reach) -> tuple[list[dict], list[Finding]]:
    milestones: list[dict] = []
    findings: list[Finding] = []

    def operating(control: str) -> dt.date:
        if control in tasks:
            return tasks[control].end + dt.timedelta(days=1)
        since = {i.control: i.since for i in engagement.implemented}
        return since.get(control, engagement.start)

    def add(kind: str, date: dt.date, label: str) -> None:
        milestones.append({"kind": kind, "date": date.isoformat(), "label": label})

    soc2_leaves = {leaf.iri for leaf in scoped.get("soc2", [])}
    soc2_controls = {c for c, leaves in reach.by_control.items() if soc2_leaves & set(leaves)
                     and (c in tasks or c in engagement.implemented_ids)}
    if engagement.soc2_reports and soc2_controls:
        all_operating = max(operating(c) for c in soc2_controls)
        if "type1" in engagement.soc2_reports:
            add("soc2-type1", all_operating, "SOC 2 Type I as-of date: every in-scope control designed and in place")
        if "type2" in engagement.soc2_reports:
            opens = all_operating
            if engagement.window_start and engagement.window_start > opens:
                opens = engagement.window_start
            closes = add_months(opens, engagement.window_months)
            add("soc2-type2-window-start", opens, "Type II observation window opens (every in-scope control operating)")
            if engagement.window_start and engagement.window_start < all_operating:
                waiting = sorted(c for c in soc2_controls if operating(c) > engagement.window_start)
                findings.append(Finding(
                    id="type2-window-before-plan",
                    severity="high",
                    title="The planned Type II window opens before the plan has every control operating",
                    found=f"Window planned for {engagement.window_start.isoformat()}; the earliest safe date is "
                          f"{all_operating.isoformat()}. {len(waiting)} in-scope controls are not yet operating by the "
                          f"planned date, among them {', '.join(waiting[:12])}.",
                    why="Every control in scope must operate for the whole observation window; opening it early means "
                        "exceptions for each control that starts late, which buyers read as failures.",
                    action=f"Move the window to {all_operating.isoformat()} or later, or narrow the categories in scope.",
                    controls=waiting,
                ))
            add("soc2-type2-window-end", closes, f"Type II window closes after {engagement.window_months} months")
            add("soc2-type2-report", add_weeks(closes, TYPE2_REPORT_WEEKS), "Type II report issued")
    if engagement.iso42001:
        audit = [t for t in tasks.values() if t.clause_phase == 4]
        review = [t for t in tasks.values() if t.clause_phase == 5]
        last_op = max((t.end for t in tasks.values() if t.phase <= 3), default=engagement.start)
        audit_date = max((t.end for t in audit), default=add_weeks(last_op, OPERATING_WEEKS))
        review_date = max((t.end for t in review), default=audit_date + dt.timedelta(days=7))
        review_date = max(review_date, audit_date + dt.timedelta(days=1))
        add("iso42001-internal-audit", audit_date, "ISO/IEC 42001 internal audit complete (9.2)")
        add("iso42001-management-review", review_date, "ISO/IEC 42001 management review held (9.3)")
        stage1 = add_weeks(review_date, STAGE1_AFTER_REVIEW_WEEKS)
        add("iso42001-stage1", stage1, "Certification audit Stage 1 (documentation and readiness)")
        add("iso42001-stage2", add_weeks(stage1, STAGE2_AFTER_STAGE1_WEEKS), "Certification audit Stage 2 (implementation)")
    for date in sorted({t.deadline for t in tasks.values() if t.deadline}):
        duties = sorted(c for c, t in tasks.items() if t.deadline == date)
        shown = ", ".join(duties[:8]) + (f" and {len(duties) - 8} more" if len(duties) > 8 else "")
        add("dpdp-deadline", date, f"DPDP provisions take effect; {len(duties)} planned controls serve them ({shown})")
        late = [c for c in duties if tasks[c].end >= date]
        if late:
            findings.append(Finding(
                id=f"dpdp-deadline-{date.isoformat()}",
                severity="high",
                title=f"DPDP duties in force on {date.isoformat()} are planned too late",
                found=f"{len(late)} of the {len(duties)} controls that serve these provisions finish on or after the date: "
                      f"{', '.join(late)}.",
                why="From that date the Board can act on a breach of the provision; the plan must reach the duty first.",
                action="Add capacity, start earlier, or move these controls ahead of single-framework work.",
                controls=late,
            ))
    milestones.sort(key=lambda m: (m["date"], m["kind"]))
    return milestones, findings
