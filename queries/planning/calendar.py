"""The audit calendar: working days, the settings auditors' timelines follow, and the
milestones a plan reaches.

Time in the schedule is counted in working days (Monday to Friday) from the
engagement's start: day 0 is the first working day on or after it. Every milestone
falls on a working day (a date computed in calendar months or weeks that lands on a
weekend moves to the Monday after).

The settings (:data:`SETTINGS`) are the practice's usual figures; a plan reports the
values it used under ``calendar``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator

SETTINGS = {
    # SOC 2 Type I: the as-of date is the working day after the last in-scope control is
    # designed and in place; the auditor's fieldwork and the report follow it.
    "type1_fieldwork_weeks": 2,
    "type1_report_weeks": 3,
    # SOC 2 Type II: after the window closes, fieldwork on the period and the report.
    "type2_fieldwork_weeks": 3,
    "type2_report_weeks": 3,
    # ISO/IEC 42001: operating records an internal audit needs to sample, then the
    # gaps from review to Stage 1 and from Stage 1 to Stage 2.
    "iso_operating_weeks": 4,
    # Type II: the longest wait for a control's first cycle (see CYCLE_DAYS).
    "type2_cycle_cap_days": 30,
    "stage1_after_review_weeks": 2,
    "stage2_after_stage1_weeks": 4,
}

# One full cycle of each cadence, in calendar days, before the control counts as
# operating for a Type II window: it has run once after going live and left its
# record. A cycle longer than ``type2_cycle_cap_days`` is capped: the practice runs the
# first quarterly access review (or risk-treatment check) within a month of go-live
# on purpose, so it has run once before the window opens, and accepts design plus the
# first run for semi-annual and annual controls (the first run is in their effort).
# Per-event and one-time controls count once the procedure exists and has been
# exercised once (in their effort).
CYCLE_DAYS = {
    "continuous": 1,
    "daily": 1,
    "weekly": 7,
    "monthly": 30,
    "quarterly": 91,
    "semi-annual": 182,
    "annual": 365,
    "per event": 0,
    "one-time": 0,
}


def first_working_day(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def working_days(start: dt.date) -> Iterator[dt.date]:
    """Every working day from ``start`` on (an endless iterator)."""
    day = first_working_day(start)
    while True:
        yield day
        day += dt.timedelta(days=1)
        day = first_working_day(day)


def day_at(start: dt.date, index: int) -> dt.date:
    """The date of working day ``index`` counted from the first working day on or after ``start``."""
    first = first_working_day(start)
    weeks, rest = divmod(index, 5)
    day = first + dt.timedelta(weeks=weeks)
    for _ in range(rest):
        day = first_working_day(day + dt.timedelta(days=1))
    return day


def index_of(start: dt.date, day: dt.date) -> int:
    """The working-day index of ``day`` (the next working day when it falls on a weekend)."""
    first, day = first_working_day(start), first_working_day(day)
    if day <= first:
        return -_count(day, first)
    return _count(first, day)


def _count(a: dt.date, b: dt.date) -> int:
    """Working days in [a, b)."""
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for i in range(rest):
        if (a + dt.timedelta(days=weeks * 7 + i)).weekday() < 5:
            count += 1
    return count


def cycle_working_days(cadence: str, cap_days: int = SETTINGS["type2_cycle_cap_days"]) -> int:
    """Working days one cycle of ``cadence`` takes before a Type II window may count it."""
    return math.ceil(min(CYCLE_DAYS.get(cadence, 0), cap_days) * 5 / 7)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days_in_month = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, days_in_month[month - 1]))


def add_weeks(day: dt.date, weeks: int) -> dt.date:
    return first_working_day(day + dt.timedelta(weeks=weeks))


def week_number(start: dt.date, day: dt.date) -> int:
    """The programme week ``day`` falls in (week 1 is the first)."""
    return (day - first_working_day(start)).days // 7 + 1
