"""The plan's invariants: prerequisites first, phases in order, capacity respected,
milestones in the order certification and attestation allow."""

from __future__ import annotations

import datetime as dt

import pytest

from attestgraph.queries.gaps import load_into
from attestgraph.queries.plan import PHASES, Task, build_plan, schedule, working_days


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_no_step_starts_before_its_prerequisites_end(shipped_store, sample):
    plan = build_plan(load_into(shipped_store, sample), sample)
    steps = {s["control"]: s for s in plan["steps"]}
    assert len(steps) == len(plan["steps"]) > 20
    for step in plan["steps"]:
        assert day(step["start"]) <= day(step["end"])
        assert day(step["start"]) >= day(plan["start"])
        for dep in step["depends_on"]:
            assert day(steps[dep]["end"]) < day(step["start"]), (dep, step["control"])
        assert step["control"] not in sample.implemented_ids
        assert step["advances"] or any(step["control"] in s["depends_on"] for s in plan["steps"])


def test_management_system_order_and_milestones(shipped_store, sample):
    plan = build_plan(load_into(shipped_store, sample), sample)
    by_phase = {}
    for step in plan["steps"]:
        by_phase.setdefault(step["phase_number"], []).append(step)
    # Risk work ends before audit starts; audit before review; review before improvement.
    for earlier, later in ((3, 5), (4, 5), (5, 6), (6, 7)):
        if earlier in by_phase and later in by_phase:
            assert max(day(s["end"]) for s in by_phase[earlier]) < min(day(s["start"]) for s in by_phase[later])
    dates = {m["kind"]: day(m["date"]) for m in plan["milestones"]}
    assert dates["iso42001-internal-audit"] < dates["iso42001-management-review"] < dates["iso42001-stage1"] < dates["iso42001-stage2"]
    assert dates["soc2-type2-window-start"] < dates["soc2-type2-window-end"] < dates["soc2-type2-report"]
    assert dates["soc2-type1"] <= dates["soc2-type2-window-start"]
    # The window opens only once every scheduled SOC 2 control has finished.
    soc2_ends = [day(s["end"]) for s in plan["steps"] if "soc2" in s["advances"]]
    assert dates["soc2-type2-window-start"] > max(soc2_ends)
    assert {m["kind"] for m in plan["milestones"]} >= {"dpdp-deadline", "soc2-type1", "iso42001-stage2"}
    assert plan["critical_path"] and all(steps["critical"] for steps in plan["steps"] if steps["control"] in plan["critical_path"])


def test_capacity_is_never_exceeded():
    tasks = {
        f"T-{i:02d}": Task(control=f"T-{i:02d}", title="t", effort=3.0 + i % 4, depends_on=[f"T-{i - 1:02d}"] if i % 3 else [],
                           phase=3, clause_phase=3, frameworks=1 + i % 3, gain_per_day=1.0, advances={"x": ["1"]})
        for i in range(20)
    }
    usage = schedule(tasks, dt.date(2027, 1, 4), capacity_per_week=6.0)
    assert usage and max(usage.values()) <= 6.0 / 5 + 1e-9
    assert sum(usage.values()) == pytest.approx(sum(t.effort for t in tasks.values()))
    for task in tasks.values():
        for dep in task.depends_on:
            assert tasks[dep].end < task.start
        assert task.start.weekday() < 5 and task.end.weekday() < 5


def test_dpdp_duties_move_ahead_when_they_would_be_late(shipped_store, sample):
    plan = build_plan(load_into(shipped_store, sample), sample)
    deadline = [m for m in plan["milestones"] if m["kind"] == "dpdp-deadline"]
    assert deadline
    late = [f for f in plan["findings"] if f["id"].startswith("dpdp-deadline")]
    dpdp_steps = [s for s in plan["steps"] if s["deadline"]]
    other_steps = [s for s in plan["steps"] if not s["deadline"] and s["phase"] == PHASES[3]]
    if late:
        # Duties with a date start, on average, before the operation-phase work without one.
        mean = lambda steps: sum(day(s["start"]).toordinal() for s in steps) / len(steps)  # noqa: E731
        assert mean(dpdp_steps) < mean(other_steps)


def test_working_days_skip_weekends():
    days = working_days(dt.date(2027, 1, 1))  # a Friday
    assert [next(days).isoformat() for _ in range(3)] == ["2027-01-01", "2027-01-04", "2027-01-05"]
