"""Plan benchmark: the CP-SAT plan (queries/planning/plan.py) against the list scheduler it
replaced (bench/baseline_plan.py), in the same run, on the warm on-disk store.

    python bench/plan.py [--repeat 3]

For each engagement (the sample and tests/data/engagements/*.yaml) it prints, for
both planners: steps, person-days, the week of each milestone and the wall time of
build_plan (median of the repeats). Figures go into bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import baseline_plan

from attestgraph.graph.connect import connect
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import load_engagement
from attestgraph.queries.planning.plan import build_plan

ROOT = HERE.parent
ENGAGEMENTS = [ROOT / "examples" / "acme-ai.yaml", *sorted((ROOT / "tests" / "data" / "engagements").glob("*.yaml"))]
KINDS = ["soc2-type1", "soc2-type2-window-start", "soc2-type2-report", "iso42001-stage2"]


def weeks(start: dt.date, date: str) -> str:
    return f"{(dt.date.fromisoformat(date) - start).days / 7:.1f}"


def measure(planner, store, engagement, repeat: int):
    times, plan = [], None
    for _ in range(repeat):
        catalog = Catalog(store)  # cold per run: the planner reads what it needs from the store
        began = time.perf_counter()
        plan = planner(store, engagement, catalog)
        times.append(time.perf_counter() - began)
    return plan, statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    store = connect()
    print("| engagement | planner | steps | person-days | " + " | ".join(f"weeks to {k}" for k in KINDS)
          + " | build_plan s | selection / schedule solve s | schedule status, gap |")
    print("|---|---|---|---|" + "---|" * len(KINDS) + "---|---|---|")
    for path in ENGAGEMENTS:
        engagement = load_engagement(path)
        loaded = store
        for name, planner in (("before (list scheduler)", baseline_plan.build_plan), ("CP-SAT", build_plan)):
            plan, wall = measure(planner, loaded, engagement, args.repeat)
            dates = {m["kind"]: m["date"] for m in plan["milestones"]}
            cells = [weeks(engagement.start, dates[k]) if k in dates else "-" for k in KINDS]
            solved = plan.get("schedule_solver")
            solve = (f"{plan['selection']['solver']['wall_seconds']:.2f} / {solved['wall_seconds']:.2f}"
                     if solved else "-")
            status = f"{solved['status']}, {solved['gap']}" if solved else "-"
            print(f"| {engagement.id} | {name} | {len(plan['steps'])} | {plan['effort_days']} | "
                  + " | ".join(cells) + f" | {wall:.2f} | {solve} | {status} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
