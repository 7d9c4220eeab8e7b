"""The plan command's what-if flags end to end, through the on-disk store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from attestgraph.cli import main

TYPE1_ONLY = str(Path(__file__).parent / "data" / "engagements" / "type1-only.yaml")






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
