"""When each selected control is built: one CP-SAT model over working days.

Time is placed in whole weeks (``SLOT_DAYS``), as a programme is run: each control is
an interval of ``ceil(effort / rate)`` weeks with ``rate = min(2 people x 5 days,
weekly capacity)`` person-days a week (``MAX_PEOPLE_PER_CONTROL``: a policy has one
author and one reviewer; more hands on one control wait on each other). A dependant
starts the week after its prerequisite ends, which is the review-and-approval wait a
real programme has. Results are reported as working days (a week's Monday to Friday).

Constraints: prerequisites finish before dependants start (``ag:dependsOn``); the
team's weekly capacity is a cumulative resource (demand in tenths of a person-day per
day, capacity ``capacity_days_per_week / 5``); ISO/IEC 42001's management-system
order only when ISO/IEC 42001 is targeted (context and scope, then leadership and
policy, then risk, impact and SoA; operation may start once policy is set; internal
audit after operation has run for ``iso_operating_weeks``; then management review,
then improvement).

Objectives, solved lexicographically in stages (each stage's value is fixed as a
bound for the next, with the previous solution as a hint):

1. DPDP duties already in force at the start finish as early as possible (they are
   overdue, so they come first);
2. DPDP duties with a future date of effect: the least maximum lateness (zero when the
   dates can be met: hard deadlines where feasible; no duty is made later to bring
   another forward, because the worst duty's lateness is what is minimised);
3. the earliest SOC 2 Type I as-of date;
4. the earliest Type II window start (every in-scope control has run one cycle);
5. the earliest end of ISO/IEC 42001 work (so Stage 2);
6. the most compact schedule (least sum of end days).

Total effort is fixed before scheduling, by the selection (queries/planning/selection.py).
Every stage has a time limit and a fixed seed; the best solution found is kept and
the gap between it and the solver's bound is reported.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
from ortools.sat.python import cp_model

from attestgraph.errors import PlanningError

MAX_PEOPLE_PER_CONTROL = 2
SLOT_DAYS = 5  # the schedule is placed in whole weeks, as a programme plan is run
# The search ends on CP-SAT's deterministic clock, never on the wall clock, so the same
# engagement gets the same plan on an idle laptop and on a loaded CI runner (a wall-time
# cap made the Type I date move by a week between runs, and find nothing at all under
# load). The wall-time limit is only a safety net against a pathological model.
DETERMINISTIC_BUDGET = 0.5  # CP-SAT deterministic time units shared by the stages (the first four reach
# their optimum well inside it on the sample; compactness, which only tidies, takes what is left)
SCHEDULE_SECONDS = 120.0  # safety net for the whole schedule, not a search limit
SEED = 7
INTERLEAVE = True  # with a fixed worker count and seed, CP-SAT then repeats a run exactly
WORKERS = 2
SCALE = 10  # demand and capacity in tenths of a person-day

PHASES = [
    "context and scope",
    "leadership and policy",
    "risk, impact and SoA",
    "operation",
    "internal audit",
    "management review",
    "improvement",
]
# Each phase by name, as its index in PHASES (the order the phases run in).
CONTEXT, LEADERSHIP, RISK, OPERATION, AUDIT, REVIEW, IMPROVEMENT = range(len(PHASES))


@dataclass
class Job:
    control: str
    effort: float
    depends_on: list[str]
    phase: int
    soc2: bool = False  # gates the Type I as-of date and the Type II window
    iso: bool = False  # part of the ISO/IEC 42001 work before Stage 2
    cycle: int = 0  # working days one cadence cycle takes (Type II)
    deadline: int | None = None  # working-day index of a DPDP date of effect
    overdue: bool = False  # the duty was already in force at the start
    start: int = 0
    end: int = 0  # exclusive: the first working day after the work
    slots: int = 1  # weeks the work takes


@dataclass
class Outcome:
    status: str
    gap: float
    wall_seconds: float
    stages: list[dict[str, Any]] = field(default_factory=list)


def schedule(jobs: dict[str, Job], capacity_per_week: float, *, iso_order: bool, iso_operating_days: int,
             type2: bool = True, type2_floor: int = 0, time_limit: float = SCHEDULE_SECONDS) -> Outcome:
    """Fill in ``start`` and ``end`` (working-day indices) of every job; see the module docstring."""
    if not jobs:
        return Outcome("optimal", 0.0, 0.0, [])
    cap = max(1, math.floor(capacity_per_week * SCALE + 1e-9))
    rate = min(MAX_PEOPLE_PER_CONTROL * SLOT_DAYS, capacity_per_week)  # person-days one control takes a week
    for job in jobs.values():
        job.slots = max(1, math.ceil(job.effort / rate - 1e-9))
    demand = {c: min(cap, math.ceil(SCALE * j.effort / j.slots - 1e-9)) for c, j in jobs.items()}
    earliest = _earliest_ends(jobs, iso_order, math.ceil(iso_operating_days / SLOT_DAYS))
    # A date of effect is a hard deadline where the order of work allows it at all; where
    # prerequisites or the ISO/IEC 42001 order make it impossible, the earliest possible
    # end is the deadline instead, so one forced delay does not license others.
    deadline = {c: max(j.deadline // SLOT_DAYS, earliest[c]) for c, j in jobs.items() if j.deadline is not None}
    cycle = {c: math.ceil(j.cycle / SLOT_DAYS) for c, j in jobs.items()}
    operating = math.ceil(iso_operating_days / SLOT_DAYS)
    floor = math.ceil(type2_floor / SLOT_DAYS)
    horizon = sum(j.slots for j in jobs.values()) + operating + 1
    horizon = max([horizon] + [d + 1 for d in deadline.values()]) + max(list(cycle.values()) + [floor, 0])
    model = cp_model.CpModel()
    start = {c: model.new_int_var(0, horizon, f"s:{c}") for c in jobs}
    end = {c: model.new_int_var(0, horizon, f"e:{c}") for c in jobs}
    interval = {c: model.new_interval_var(start[c], j.slots, end[c], f"i:{c}") for c, j in jobs.items()}
    model.add_cumulative([interval[c] for c in jobs], [demand[c] for c in jobs], cap)
    for c, job in jobs.items():
        for d in job.depends_on:
            if d in jobs:
                model.add(start[c] >= end[d])
    if iso_order:
        _phase_gates(model, jobs, start, end, horizon, operating)
    stages: list[tuple[str, cp_model.LinearExpr | int]] = []
    overdue = [c for c, j in jobs.items() if j.overdue]
    if overdue:
        stages.append(("overdue DPDP duties first (sum of their end days)", sum(end[c] for c in overdue)))
    # Under the ISO/IEC 42001 order, internal audit, management review and improvement
    # follow the operating period by rule; where one also serves a DPDP duty its
    # lateness is reported by the plan's findings, not traded against other duties.
    dated = [c for c, j in jobs.items() if j.deadline is not None and not j.overdue
             and not (iso_order and j.phase >= AUDIT)]
    if dated:
        # The latest any duty finishes after its date of effect (0 when every date is
        # met). Minimising the maximum, not one duty's date, means no duty is made later
        # to bring another forward.
        lateness = model.new_int_var(0, horizon, "lateness")
        for c in dated:
            model.add(lateness >= end[c] - deadline[c])
        late = []
        for c in dated:
            each = model.new_int_var(0, horizon, f"late:{c}")
            model.add(each >= end[c] - deadline[c])
            late.append(each)
        # The worst duty first, then the total: weighted so no total can outweigh one
        # week of the maximum (the sum is at most len(dated) * horizon).
        weight = len(dated) * horizon + 1
        stages.append(("DPDP lateness: weeks the latest duty ends after its date of effect, then total weeks late",
                       lateness * weight + sum(late)))
    soc2 = [c for c, j in jobs.items() if j.soc2]
    if soc2:
        type1 = model.new_int_var(0, horizon, "type1")
        model.add_max_equality(type1, [end[c] for c in soc2])
        stages.append(("SOC 2 Type I as-of day", type1))
        if type2:
            window = model.new_int_var(0, 2 * horizon, "type2")
            model.add_max_equality(window, [end[c] + cycle[c] for c in soc2] + [type1, model.new_constant(floor)])
            stages.append(("Type II window start day", window))
    iso = [c for c, j in jobs.items() if j.iso]
    if iso:
        iso_end = model.new_int_var(0, horizon, "iso_end")
        model.add_max_equality(iso_end, [end[c] for c in iso])
        stages.append(("end of ISO/IEC 42001 work (Stage 2 follows)", iso_end))
    stages.append(("compactness (sum of end days)", sum(end.values())))

    hint = _greedy(jobs, demand, cap, deadline, iso_order, operating)
    for c in jobs:
        model.add_hint(start[c], hint[c])
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = WORKERS
    solver.parameters.random_seed = SEED
    solver.parameters.interleave_search = INTERLEAVE
    began = time.perf_counter()
    report: list[dict[str, Any]] = []
    solution: dict[str, int] | None = None
    statuses: list[cp_model.CpSolverStatus] = []
    for label, objective in stages:
        solver.parameters.max_deterministic_time = DETERMINISTIC_BUDGET / len(stages)
        solver.parameters.max_time_in_seconds = max(1.0, time_limit - (time.perf_counter() - began))
        model.minimize(objective)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if solution is None:
                raise PlanningError(f"scheduling found no schedule ({solver.status_name(status).lower()}) within "
                                    f"{round(time.perf_counter() - began, 1)} s; the machine may be overloaded, "
                                    "try again")
            report.append({"objective": label, "status": "no improvement in time"})
            statuses.append(cp_model.FEASIBLE)
            break
        value, bound = solver.objective_value, solver.best_objective_bound
        solution = {c: solver.value(start[c]) for c in jobs}
        report.append({"objective": label, "status": solver.status_name(status).lower(), "value": value,
                       "bound": bound, "gap": round((value - bound) / value, 4) if value else 0.0})
        statuses.append(status)
        model.clear_hints()  # type: ignore[no-untyped-call]  # untyped in ortools' stubs
        for c in jobs:
            model.add_hint(start[c], solution[c])
        model.add(objective <= round(value))
    if solution is None:  # no stage at all: compactness is always one
        raise RuntimeError("scheduling ran no objective")
    for c, job in jobs.items():
        job.start = solution[c] * SLOT_DAYS
        job.end = (solution[c] + job.slots) * SLOT_DAYS
    wall = time.perf_counter() - began
    gaps = [s.get("gap", 0.0) for s in report]
    proven = all(s == cp_model.OPTIMAL for s in statuses) and len(statuses) == len(stages)
    return Outcome("optimal" if proven else "feasible", max(gaps, default=0.0), round(wall, 3), report)


def _waits_for(phase: int, earlier: int) -> bool:
    """Whether work of ``phase`` waits for all of ``earlier`` to finish (ISO/IEC 42001 order).

    Everything waits for context and scope (clause 4). Risk, impact and SoA work follows
    leadership and policy (6.1 needs the policy and roles of clause 5). Operation starts
    once the scope is set; what an operating control needs from policy or risk work is
    an explicit prerequisite (``ag:dependsOn``), so it does not wait for every policy.
    Internal audit waits for everything before it (and for the operating weeks), the
    management review for the audit, improvement for the review.
    """
    if earlier >= phase:
        return False
    if earlier == CONTEXT:
        return True
    if phase == OPERATION:
        return False
    return phase != RISK or earlier == LEADERSHIP


def _gate_offset(phase: int, earlier: int, operating_days: int) -> int:
    """Days after ``earlier`` ends that ``phase`` may start: the internal audit samples
    ``operating_days`` of records of operation; every other gate opens at once."""
    return operating_days if phase == AUDIT and earlier == OPERATION else 0


def _phase_gates(model: cp_model.CpModel, jobs: dict[str, Job], start: dict[str, cp_model.IntVar],
                 end: dict[str, cp_model.IntVar], horizon: int, operating_days: int) -> None:
    by_phase: dict[int, list[str]] = {}
    for c, job in jobs.items():
        by_phase.setdefault(job.phase, []).append(c)
    gate = {}
    for phase, members in by_phase.items():
        gate[phase] = model.new_int_var(0, horizon, f"gate:{phase}")
        for c in members:
            model.add(gate[phase] >= end[c])
    for phase, members in by_phase.items():
        needed = [p for p in gate if _waits_for(phase, p)]
        for c in members:
            for p in needed:
                offset = _gate_offset(phase, p, operating_days)
                model.add(start[c] >= gate[p] + offset)


def critical_chain(jobs: dict[str, Job], last: str, iso_order: bool = False, operating_days: int = 0) -> list[str]:
    """From ``last`` back through what made each job start when it did: a prerequisite
    that ended exactly then, or (under the ISO/IEC 42001 order) the last job of a phase
    it waits for. A job whose start no predecessor explains waited for capacity; the
    chain stops there."""
    chain = [last]
    current = last
    while True:
        job = jobs[current]
        tight = [d for d in job.depends_on if d in jobs and jobs[d].end == job.start]
        if not tight and iso_order:
            phase, start = job.phase, job.start
            tight = [c for c, other in jobs.items() if c != current and _waits_for(phase, other.phase)
                     and other.end + _gate_offset(phase, other.phase, operating_days) == start]
        if not tight:
            break
        current = min(tight)
        chain.append(current)
    return list(reversed(chain))


def _earliest_ends(jobs: dict[str, Job], iso_order: bool, operating: int) -> dict[str, int]:
    """Each job's earliest end in weeks with unlimited capacity (prerequisites and phase gates only)."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(jobs)
    graph.add_edges_from((d, c) for c, j in jobs.items() for d in j.depends_on if d in jobs)
    order = sorted(nx.topological_sort(graph), key=lambda c: jobs[c].phase if iso_order else 0)
    ends: dict[str, int] = {}
    gate: dict[int, int] = {}
    for c in order:
        job = jobs[c]
        begin = max([ends[d] for d in job.depends_on if d in ends] + [0])
        if iso_order:
            for p, end in gate.items():
                if _waits_for(job.phase, p):
                    begin = max(begin, end + (operating if job.phase == AUDIT and p == OPERATION else 0))
        ends[c] = begin + job.slots
        gate[job.phase] = max(gate.get(job.phase, 0), ends[c])
    return ends


def _greedy(jobs: dict[str, Job], demand: dict[str, int], cap: int, deadline: dict[str, int], iso_order: bool,
            operating: int) -> dict[str, int]:
    """A serial list schedule used as the solver's first hint: week by week, ready jobs
    by priority (overdue duties, then SOC 2 work, then dated duties by date, then ISO/IEC
    42001 work, then the longest chain behind a job)."""
    def priority(c: str) -> tuple[bool, bool, int, int, bool, str]:
        j = jobs[c]
        return (not j.overdue, not j.soc2, -tail[c], deadline.get(c, 10**6), not j.iso, c)

    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(jobs)
    graph.add_edges_from((d, c) for c, j in jobs.items() for d in j.depends_on if d in jobs)
    tail: dict[str, int] = {}
    for c in reversed(list(nx.topological_sort(graph))):
        tail[c] = jobs[c].slots + max((tail[s] for s in graph.successors(c)), default=0)
    used: dict[int, int] = {}
    start: dict[str, int] = {}
    gate: dict[int, int] = {}
    left = set(jobs)
    week = 0
    by_phase: dict[int, set[str]] = {}
    for c, j in jobs.items():
        by_phase.setdefault(j.phase, set()).add(c)
    while left:
        ready = []
        for c in left:
            j = jobs[c]
            if any(d in left or start[d] + jobs[d].slots > week for d in j.depends_on if d in jobs):
                continue
            if iso_order:
                blocked = False
                for p, members in by_phase.items():
                    if _waits_for(j.phase, p):
                        if members & left:
                            blocked = True
                            break
                        offset = operating if j.phase == AUDIT and p == OPERATION else 0
                        if gate.get(p, 0) + offset > week:
                            blocked = True
                            break
                if blocked:
                    continue
            ready.append(c)
        for c in sorted(ready, key=priority):
            j = jobs[c]
            if all(used.get(week + k, 0) + demand[c] <= cap for k in range(j.slots)):
                start[c] = week
                for k in range(j.slots):
                    used[week + k] = used.get(week + k, 0) + demand[c]
                left.discard(c)
                gate[j.phase] = max(gate.get(j.phase, 0), week + j.slots)
        week += 1
        if week > 10000:
            raise RuntimeError("the list schedule did not converge")
    return start
