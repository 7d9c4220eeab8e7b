"""The plan end to end on the shipped graph: the sample and the engagements in
tests/data/engagements. Each test states an invariant a consultant relies on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from attestgraph.queries.analysis.findings import readiness_findings
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import load_engagement
from attestgraph.queries.planning import calendar as cal
from attestgraph.queries.planning.plan import build_plan, capacity_for_type1
from attestgraph.queries.planning.selection import operating

ENGAGEMENTS = Path(__file__).parents[2] / "data" / "engagements"
SAMPLE = Path(__file__).parents[3] / "examples" / "acme-ai.yaml"


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.fixture(scope="module")
def store(shipped_store):
    return shipped_store


@pytest.fixture(scope="module")
def sample_plan(store):
    engagement = load_engagement(SAMPLE)
    return engagement, build_plan(store, engagement)


@pytest.fixture(scope="module")
def type1_only(store):
    engagement = load_engagement(ENGAGEMENTS / "type1-only.yaml")
    return engagement, build_plan(store, engagement)


@pytest.fixture(scope="module")
def sdf_children(store):
    engagement = load_engagement(ENGAGEMENTS / "sdf-children.yaml")
    return engagement, build_plan(store, engagement)


@pytest.fixture(scope="module")
def nist_govern_map(store):
    engagement = load_engagement(ENGAGEMENTS / "nist-ai-rmf.yaml")
    return engagement, build_plan(store, engagement)


ALL = ["sample_plan", "type1_only", "sdf_children"]
# Engagements with no audit milestones (a voluntary framework): the scheduling invariants still hold.
SCHEDULED = ALL + ["nist_govern_map"]


@pytest.mark.parametrize("name", SCHEDULED)
def test_steps_respect_prerequisites_and_stay_in_start_order(name, request):
    engagement, plan = request.getfixturevalue(name)
    steps = {s["control"]: s for s in plan["steps"]}
    assert len(steps) == len(plan["steps"]) > 10
    assert [s["start"] for s in plan["steps"]] == sorted(s["start"] for s in plan["steps"])
    for step in plan["steps"]:
        assert day(plan["start"]) <= day(step["start"]) <= day(step["end"])
        assert day(step["start"]).weekday() < 5 and day(step["end"]).weekday() < 5
        for dep in step["depends_on"]:
            assert day(steps[dep]["end"]) < day(step["start"]), (dep, step["control"])
        assert step["control"] not in operating(engagement)
        assert step["tag"] in ("required", "recommended", "optional")
    assert plan["effort_days"] == pytest.approx(sum(s["effort_days"] for s in plan["steps"]))


@pytest.mark.parametrize("name", SCHEDULED)
def test_weekly_capacity_is_never_exceeded(name, request):
    engagement, plan = request.getfixturevalue(name)
    # Each step's effort is spread evenly over its weeks; the sum in any week stays within capacity.
    load: dict[int, float] = {}
    for step in plan["steps"]:
        first = cal.week_number(engagement.start, day(step["start"]))
        last = cal.week_number(engagement.start, day(step["end"]))
        for week in range(first, last + 1):
            load[week] = load.get(week, 0.0) + step["effort_days"] / (last - first + 1)
    assert max(load.values()) <= plan["capacity_days_per_week"] + 1e-6


@pytest.mark.parametrize("name", ALL)
def test_milestones_fall_on_working_days_in_audit_order(name, request):
    engagement, plan = request.getfixturevalue(name)
    dates = {m["kind"]: day(m["date"]) for m in plan["milestones"]}
    assert all(d.weekday() < 5 for d in dates.values())
    assert dates["soc2-type1"] < dates["soc2-type1-report"]
    gating = [s for s in plan["steps"] if "soc2" in s["advances"] and s["tag"] != "optional"
              and not (engagement.iso42001 and s["phase_number"] >= 5)]
    assert dates["soc2-type1"] > max(day(s["end"]) for s in gating)
    if "type2" in engagement.soc2_reports:
        assert dates["soc2-type1"] <= dates["soc2-type2-window-start"] < dates["soc2-type2-window-end"] < dates["soc2-type2-report"]
    else:
        assert "soc2-type2-window-start" not in dates
    if engagement.iso42001:
        assert dates["iso42001-internal-audit"] < dates["iso42001-management-review"] < dates["iso42001-stage1"] < dates["iso42001-stage2"]
    else:
        assert not any(k.startswith("iso42001") for k in dates)


def test_sample_reaches_type1_in_the_practice_range(sample_plan):
    engagement, plan = sample_plan
    as_of = day(next(m["date"] for m in plan["milestones"] if m["kind"] == "soc2-type1"))
    weeks = (as_of - engagement.start).days / 7
    assert 8 <= weeks <= 12, weeks
    assert plan["effort_days"] < 200


def test_sample_iso_order_holds(sample_plan):
    _, plan = sample_plan
    by_phase: dict[int, list[dict]] = {}
    for step in plan["steps"]:
        by_phase.setdefault(step["phase_number"], []).append(step)
    # Context before everything; operation before internal audit; audit before review; review before improvement.
    pairs = [(e, later) for e, later in ((1, 2), (1, 4), (4, 5), (5, 6), (6, 7)) if e in by_phase and later in by_phase]
    # The sample already runs its context and improvement controls; the plan has operation,
    # internal audit and management review work, so those orders are always checked.
    assert {(4, 5), (5, 6)} <= set(pairs), sorted(by_phase)
    for earlier, later in pairs:
        assert max(day(s["end"]) for s in by_phase[earlier]) < min(day(s["start"]) for s in by_phase[later])
    gap = min(day(s["start"]) for s in by_phase[5]) - max(day(s["end"]) for s in by_phase[4])
    assert gap.days >= 7 * cal.SETTINGS["iso_operating_weeks"]


def test_type2_window_waits_for_one_cycle_of_each_control(sample_plan, store):
    engagement, plan = sample_plan
    catalog = Catalog(store)
    opens = day(next(m["date"] for m in plan["milestones"] if m["kind"] == "soc2-type2-window-start"))
    for step in plan["steps"]:
        if "soc2" in step["advances"] and step["tag"] != "optional" and step["phase_number"] < 5:
            cycle = cal.cycle_working_days(catalog.control(step["control"])["cadence"])
            start = cal.first_working_day(engagement.start)
            ready = cal.day_at(start, cal.index_of(start, day(step["end"])) + 1 + cycle)
            assert opens >= ready, step["control"]
    finding = next(f for f in plan["findings"] if f["id"] == "type2-window-before-plan")
    # Every control that will not have run a cycle by the promised date is named, and no optional one.
    assert finding["controls"] and all(c in {s["control"] for s in plan["steps"] if s["tag"] != "optional"}
                                       for c in finding["controls"])
    assert "INC-01" in {s["control"] for s in plan["steps"]}  # promised for May: scheduled, not counted as operating


def test_type1_only_plan_has_no_iso_or_dpdp_artefacts(type1_only):
    engagement, plan = type1_only
    chosen = {s["control"] for s in plan["steps"]}
    # No Statement of Applicability, AI impact assessment, DPO contact page, privacy notice or consent log.
    assert not chosen & {"AIR-04", "AIR-01", "PRV-13", "PRV-02", "PRV-03"}
    for control in plan["selection"]["controls"]:
        if control["tag"] == "required":
            assert "soc2:" in control["reason"] or "prerequisite" in control["reason"], control
    assert all(set(s["advances"]) <= {"soc2"} for s in plan["steps"])
    assert not any(m["kind"].startswith(("iso42001", "dpdp")) for m in plan["milestones"])
    weeks = (day(next(m["date"] for m in plan["milestones"] if m["kind"] == "soc2-type1")) - engagement.start).days / 7
    assert weeks <= 12


@pytest.mark.parametrize("name", SCHEDULED)
def test_plan_schedules_what_its_findings_ask_for(name, request, store):
    engagement, plan = request.getfixturevalue(name)
    catalog = Catalog(store)
    chosen = {s["control"] for s in plan["steps"]} | operating(engagement)
    for finding in readiness_findings(store, engagement, catalog):
        if finding.id in ("no-evidenced-training-answer",) or finding.id.startswith(("missing-dpdp", "subservice-")):
            missing = [c for c in finding.controls if c not in engagement.implemented_ids]
            assert set(missing) <= chosen, (finding.id, set(missing) - chosen)
    if engagement.touches("customer"):
        assert {"TDG-09", "TDG-10"} <= chosen | engagement.implemented_ids


def test_sdf_with_children_gets_its_duties_and_overdue_first(sdf_children):
    _, plan = sdf_children
    advanced = {n for s in plan["steps"] for n in s["advances"].get("dpdp-act", [])}
    assert any(n.startswith("9") for n in advanced)  # children's data (s.9) applies
    assert any(n.startswith("10") for n in advanced)  # SDF duties (s.10) apply
    overdue = next(f for f in plan["findings"] if f["id"] == "dpdp-overdue")
    assert "before the provisions take effect" not in overdue["action"]
    steps = {s["control"]: s for s in plan["steps"]}
    first_overdue = min(day(steps[c]["start"]) for c in overdue["controls"])
    # Only what the overdue duties need first starts before them.
    needed, stack = set(), list(overdue["controls"])
    while stack:
        for dep in steps[stack.pop()]["depends_on"]:
            if dep not in needed:
                needed.add(dep)
                stack.append(dep)
    assert all(s["control"] in needed for s in plan["steps"] if day(s["start"]) < first_overdue)
    mean = lambda items: sum(day(steps[c]["end"]).toordinal() for c in items) / len(items)
    others = [c for c in steps if c not in overdue["controls"] and c not in needed]
    assert others and mean(overdue["controls"]) < mean(others)


def test_non_sdf_plan_has_no_sdf_or_children_duties(sample_plan):
    _, plan = sample_plan
    not_applicable = {n["requirement"]: n["why"] for n in plan["selection"]["not_applicable"]}
    assert any("Significant Data Fiduciary" in why for why in not_applicable.values())
    assert any("children" in why for why in not_applicable.values())
    advanced = {f"dpdp-act:{n}" for s in plan["steps"] for n in s["advances"].get("dpdp-act", [])}
    assert not advanced & set(not_applicable)


def test_capacity_override_and_type1_by(store):
    engagement = load_engagement(SAMPLE)
    loaded = store
    slow = build_plan(loaded, engagement, capacity=4)
    assert slow["capacity_days_per_week"] == 4.0
    as_of = lambda plan: day(next(m["date"] for m in plan["milestones"] if m["kind"] == "soc2-type1"))
    normal = build_plan(loaded, engagement)
    assert as_of(slow) > as_of(normal)
    answer = capacity_for_type1(loaded, engagement, as_of(slow))
    # The solver is time-bounded, so a probe may land a week either side of the run above;
    # the engagement's own capacity reaches a far earlier date, so the answer is below it.
    assert answer["reachable"] and answer["capacity_days_per_week"] < engagement.capacity
    assert day(answer["type1"]) <= as_of(slow)
    never = capacity_for_type1(loaded, engagement, engagement.start + dt.timedelta(days=7))
    assert not never["reachable"] and "cannot be shortened" in never["why"]


def test_plan_output_contract(sample_plan):
    _, plan = sample_plan
    for key in ("engagement", "start", "capacity_days_per_week", "effort_days", "already_operating", "selection",
                "steps", "schedule_solver", "critical_path", "milestones", "calendar", "findings"):
        assert key in plan
    selection = plan["selection"]
    assert {"rule", "controls", "left_out", "unmet", "forced", "solver"} <= set(selection)
    assert set(selection["solver"]) >= {"status", "objective", "bound", "gap", "wall_seconds", "time_limit_seconds"}
    assert set(plan["schedule_solver"]) >= {"status", "gap", "wall_seconds"}
    assert {"control", "title", "phase", "phase_number", "workstream", "start", "end", "effort_days", "depends_on",
            "advances", "frameworks", "critical", "deadline", "tag", "why"} <= set(plan["steps"][0])
    assert plan["calendar"]["type1_fieldwork_weeks"] == cal.SETTINGS["type1_fieldwork_weeks"]
    assert all(s["critical"] for s in plan["steps"] if s["control"] in plan["critical_path"])


def test_nist_ai_rmf_plan_meets_the_adopted_functions_only(nist_govern_map, store):
    """GOVERN and MAP adopted: each of their 37 subcategories is worked on, met by a control
    already operating, or listed unmet with why; MEASURE and MANAGE are listed not applicable."""
    engagement, plan = nist_govern_map
    assert engagement.frameworks == ["nist-ai-rmf"]
    selection = plan["selection"]
    excluded = {e["requirement"] for e in selection["not_applicable"]}
    assert len(excluded) == 35 and all(r.startswith(("nist-ai-rmf:MEASURE", "nist-ai-rmf:MANAGE")) for r in excluded)
    advanced = {n for step in plan["steps"] for n in step["advances"].get("nist-ai-rmf", [])}
    assert all(set(step["advances"]) <= {"nist-ai-rmf"} for step in plan["steps"])
    assert all(n.startswith(("GOVERN ", "MAP ")) for n in advanced)
    unmet = {u["requirement"].split(":", 1)[1]: u["why"] for u in selection["unmet"]}
    catalog = Catalog(store)
    wanted = {r.notation for r in catalog.requirements("nist-ai-rmf")
              if r.leaf and r.notation.startswith(("GOVERN", "MAP"))}
    assert len(wanted) == 37
    # AST-02 (operating) is superset-of GOVERN 1.6: met before the plan starts, so no step needs it.
    leftover = wanted - advanced - set(unmet)
    assert leftover == {"GOVERN 1.6"}
    assert unmet and all("strength" in why for why in unmet.values())
    assert not plan["milestones"]  # a voluntary framework has no audit or statutory milestones
