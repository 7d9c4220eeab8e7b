"""The plan command's what-if flags end to end, through the on-disk store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attestgraph.cli import main

TYPE1_ONLY = str(Path(__file__).parent / "data" / "engagements" / "type1-only.yaml")
SAMPLE = str(Path(__file__).parents[1] / "examples" / "acme-ai.yaml")


def _without_wall_times(value):
    if isinstance(value, dict):
        return {k: _without_wall_times(v) for k, v in value.items() if k != "wall_seconds"}
    if isinstance(value, list):
        return [_without_wall_times(v) for v in value]
    return value


@pytest.mark.slow
def test_the_same_engagement_gets_the_same_plan_in_every_process(cli, disk_home):
    """Two processes with different string hashing (so different set orders) give the same
    plan: the solvers stop on their deterministic clock and see their variables in a fixed
    order. A wall-clock limit once moved the Type I date by a week between runs."""
    cli("build")  # built once here, so neither child process races to build it
    plans = []
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", "from attestgraph.cli import main; raise SystemExit(main())",
             "plan", "--engagement", SAMPLE],
            env={**os.environ, "PYTHONHASHSEED": seed}, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr
        answer = json.loads(done.stdout)
        answer.pop("generated", None)
        plans.append(_without_wall_times(answer))
    assert plans[0] == plans[1]
    assert plans[0]["plan"]["schedule_solver"]["stages"][1]["status"] == "optimal"  # the Type I stage


def test_capacity_flag_replans_at_that_capacity(cli, disk_home):
    code, out, _ = cli("plan", "--engagement", TYPE1_ONLY, "--capacity", "12")
    plan = json.loads(out)["plan"]
    assert code == 0 and plan["capacity_days_per_week"] == 12.0
    code, out, _ = cli("plan", "--engagement", TYPE1_ONLY)
    base = json.loads(out)["plan"]
    as_of = lambda p: next(m["date"] for m in p["milestones"] if m["kind"] == "soc2-type1")
    assert as_of(plan) < as_of(base)


def test_type1_by_answers_the_smallest_capacity(cli, disk_home):
    code, out, _ = cli("plan", "--engagement", TYPE1_ONLY, "--type1-by", "2027-04-30")
    answer = json.loads(out)
    assert code == 0 and answer["reachable"] and answer["type1"] <= "2027-04-30"
    assert 1 <= answer["capacity_days_per_week"] <= 12
    code, out, _ = cli("plan", "--engagement", TYPE1_ONLY, "--type1-by", "2027-02-08")
    answer = json.loads(out)
    assert code == 0 and not answer["reachable"] and answer["why"]


@pytest.mark.parametrize("flag, value", [("--type1-by", "2027-4"), ("--capacity", "lots"), ("--capacity", "0")])
def test_bad_what_if_values_exit_2(capsys, disk_home, flag, value):
    with pytest.raises(SystemExit) as stopped:
        main(["plan", "--engagement", TYPE1_ONLY, flag, value])
    assert stopped.value.code == 2
    assert flag in capsys.readouterr().err
