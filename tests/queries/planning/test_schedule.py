"""The CP-SAT schedule on small hand-made job sets whose answers are known."""

from __future__ import annotations

from attestgraph.queries.planning.schedule import OPERATION, Job, schedule


def jobs(*specs) -> dict[str, Job]:
    return {s[0]: Job(control=s[0], effort=s[1], depends_on=list(s[2]), phase=OPERATION, **(s[3] if len(s) > 3 else {}))
            for s in specs}


def weekly_load(found: dict[str, Job]) -> dict[int, float]:
    load: dict[int, float] = {}
    for job in found.values():
        weeks = range(job.start // 5, job.end // 5)
        for week in weeks:
            load[week] = load.get(week, 0.0) + job.effort / len(weeks)
    return load


def test_prerequisites_and_capacity():
    found = jobs(*[(f"T-{i:02d}", 1.0 + i % 4, [f"T-{i - 1:02d}"] if i % 3 else []) for i in range(15)])
    outcome = schedule(found, 6.0, iso_order=False, iso_operating_days=20)
    assert outcome.status in ("optimal", "feasible")
    for job in found.values():
        for dep in job.depends_on:
            assert found[dep].end <= job.start
        assert job.start % 5 == 0 and job.end % 5 == 0  # whole weeks
    assert max(weekly_load(found).values()) <= 6.0 + 1e-9


def test_type1_is_as_early_as_capacity_allows():
    # Twelve person-days of SOC 2 work at six a week: two weeks, whatever the order.
    found = jobs(*[(f"S-{i}", 2.0, [], {"soc2": True}) for i in range(6)], ("X-1", 6.0, [], {}))
    schedule(found, 6.0, iso_order=False, iso_operating_days=20)
    assert max(j.end for j in found.values() if j.soc2) == 10
    assert found["X-1"].start >= 10  # the non-SOC 2 work waits


def test_deadlines_are_met_when_feasible_and_overdue_goes_first():
    found = jobs(("A", 3.0, [], {"soc2": True}), ("B", 3.0, [], {"soc2": True}),
                 ("D", 3.0, [], {"deadline": 10}), ("O", 3.0, [], {"overdue": True, "deadline": -5}))
    outcome = schedule(found, 3.0, iso_order=False, iso_operating_days=20)
    assert found["O"].start == 0  # already in force: first
    assert found["D"].end <= 10  # its date is reachable, so it is met
    assert outcome.stages[0]["objective"].startswith("overdue")


def test_one_forced_delay_does_not_license_others():
    # X's prerequisite chain makes it late whatever happens; Y can still be on time.
    found = jobs(("P1", 5.0, []), ("P2", 5.0, ["P1"]), ("X", 1.0, ["P2"], {"deadline": 5}),
                 ("Y", 1.0, [], {"deadline": 5}), ("S", 4.0, [], {"soc2": True}))
    schedule(found, 6.0, iso_order=False, iso_operating_days=20)
    assert found["Y"].end <= 5
    assert found["X"].end == 15  # as early as its chain allows


def test_iso_order_only_when_targeted():
    spec = (("C", 1.0, [], {"phase": 0}), ("P", 1.0, [], {"phase": 1}), ("O", 1.0, [], {"phase": OPERATION}),
            ("AUD", 1.0, [], {"phase": 4}), ("REV", 1.0, [], {"phase": 5}))

    def build():
        made = {}
        for name, effort, deps, extra in spec:
            made[name] = Job(control=name, effort=effort, depends_on=list(deps), **{"phase": OPERATION, **extra})
        return made

    ordered = build()
    schedule(ordered, 10.0, iso_order=True, iso_operating_days=20)
    assert ordered["C"].end <= ordered["P"].start and ordered["C"].end <= ordered["O"].start
    assert ordered["AUD"].start >= ordered["O"].end + 20  # four operating weeks before the internal audit
    assert ordered["REV"].start >= ordered["AUD"].end
    free = build()
    schedule(free, 10.0, iso_order=False, iso_operating_days=20)
    assert all(j.start == 0 for j in free.values())


def test_nothing_to_schedule():
    assert schedule({}, 5.0, iso_order=True, iso_operating_days=20).status == "optimal"
