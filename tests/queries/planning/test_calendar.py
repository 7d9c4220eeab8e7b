"""Working-day arithmetic and the cycle rule of the audit calendar."""

from __future__ import annotations

import datetime as dt

from attestgraph.queries.planning import calendar as cal


def test_working_days_skip_weekends():
    days = cal.working_days(dt.date(2027, 1, 1))  # a Friday
    assert [next(days).isoformat() for _ in range(3)] == ["2027-01-01", "2027-01-04", "2027-01-05"]


def test_day_at_and_index_of_agree():
    start = dt.date(2027, 1, 2)  # a Saturday: day 0 is Monday 4 January
    assert cal.day_at(start, 0) == dt.date(2027, 1, 4)
    assert cal.day_at(start, 5) == dt.date(2027, 1, 11)
    for index in range(40):
        assert cal.index_of(start, cal.day_at(start, index)) == index
    assert cal.index_of(start, dt.date(2027, 1, 9)) == 5  # a Saturday counts as the Monday after
    assert cal.index_of(start, dt.date(2026, 12, 28)) == -5


def test_cycles_are_capped_for_long_cadences():
    cap = cal.SETTINGS["type2_cycle_cap_days"]
    assert cal.cycle_working_days("monthly") == 22
    assert cal.cycle_working_days("quarterly") == cal.cycle_working_days("annual") == -(-cap * 5 // 7)
    assert cal.cycle_working_days("per event") == 0
    assert cal.cycle_working_days("weekly") == 5


def test_months_and_weeks_land_on_real_days():
    assert cal.add_months(dt.date(2027, 8, 31), 6) == dt.date(2028, 2, 29)
    assert cal.add_weeks(dt.date(2027, 1, 2), 1).weekday() < 5
