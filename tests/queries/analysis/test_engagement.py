"""One analysis per engagement: readiness on the report date, merged findings that agree
with the plan, and an overlap paragraph computed from the engagement itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from attestgraph.queries.analysis.coverage import FULL, OPEN, PARTIAL
from attestgraph.queries.analysis.engagement import analyse, merge_findings, overlap_paragraph, public
from attestgraph.queries.analysis.scope import in_scope_leaves
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import load_engagement


def _finding(identifier, severity):
    return {"id": identifier, "severity": severity, "title": identifier, "found": "", "why": "", "action": "",
            "controls": [], "requirements": []}


def test_merge_keeps_one_finding_per_id_plan_first_most_severe_first():
    readiness = [_finding("subservice-x", "medium"), _finding("scope-excludes-data-components", "high"),
                 _finding("type2-window-before-plan", "medium")]
    plan = [dict(_finding("type2-window-before-plan", "high"), found="from the plan"), _finding("dpdp-deadline-2027-05-13", "high")]
    merged = merge_findings(readiness, plan)
    assert [f["id"] for f in merged] == ["dpdp-deadline-2027-05-13", "type2-window-before-plan",
                                         "scope-excludes-data-components", "subservice-x"]
    assert merged[1]["found"] == "from the plan"


@pytest.fixture(scope="module")
def on_first_of_december(shipped_store):
    """The sample judged on a fixed report date, so no answer depends on today."""
    engagement = load_engagement(Path(__file__).parents[3] / "examples" / "acme-ai.yaml")
    return shipped_store, replace(engagement, report_date=dt.date(2026, 12, 1))


def test_analysis_of_the_sample(on_first_of_december):
    store, engagement = on_first_of_december
    before = store.triples_per_graph()
    result = analyse(store, engagement)
    # A reading function: the store it reads is left as it was (no engagement graph).
    assert store.triples_per_graph() == before and engagement.graph not in before
    assert result["as_of"] == "2026-12-01"
    ids = [f["id"] for f in result["findings"]]
    assert len(ids) == len(set(ids))
    assert "findings" not in result["plan"]
    # The Type II window is judged once, by the plan; the readiness copy is gone.
    assert "type2-window-before-plan" in ids and "type2-window-before-controls-operate" not in ids
    # Every finding says what the plan does with each control it names that is not operating.
    operating = engagement.operating_on(engagement.as_of).implemented_ids
    steps = {s["control"] for s in result["plan"]["steps"]}
    for finding in result["findings"]:
        named = {c for c in finding["controls"] if c not in operating}
        placed = {i["control"] for i in finding["in_plan"]} | {i["control"] for i in finding["not_in_plan"]}
        assert named == placed, finding["id"]
        assert all(i["control"] in steps or i["by"] == "client" for i in finding["in_plan"])
    # INC-01 is only promised from 2027-05-01, after the start: the plan schedules it (a
    # promise is not a control in place), and the breach finding carries the plan's dates.
    breach = next(f for f in result["findings"] if f["id"] == "missing-dpdp-breach-intimation")
    inc01 = next(i for i in breach["in_plan"] if i["control"] == "INC-01")
    assert inc01["by"] == "plan" and inc01["control"] in steps
    assert set(public(result)) == {"engagement", "as_of", "gaps", "findings", "plan", "overlap"}


def test_readiness_counts_only_controls_operating_on_the_report_date(on_first_of_december):
    store, engagement = on_first_of_december
    before = analyse(store, engagement)["gaps"]
    after = analyse(store, replace(engagement, report_date=dt.date(2027, 5, 1)))["gaps"]
    # INC-01 begins operating on 2027-05-01: counted then, not before.
    assert "INC-01" not in before["unevidenced"] and "INC-01" in after["unevidenced"]
    assert any(after["coverage"][s]["overall"]["score_pct"] > before["coverage"][s]["overall"]["score_pct"]
               for s in engagement.frameworks)


def test_overlap_paragraph_is_the_engagements_own(on_first_of_december):
    store, engagement = on_first_of_december
    result = analyse(store, engagement)
    paragraph = result["overlap"]
    catalog = Catalog(store)
    scoped = in_scope_leaves(catalog, engagement)
    iso = next(t for t in paragraph["targets"] if t["slug"] == "iso42001")
    assert iso["total"] == len(scoped["iso42001"]) == iso["full"] + iso["partial"] + iso["open"]
    assert paragraph["text"].startswith(f"Of the {iso['total']} ISO/IEC 42001 requirements in scope")
    assert f"meet {iso['full']} in full and {iso['partial']} in part" in paragraph["text"]
    assert sum(len(g["notations"]) for g in iso["own_work"]) == iso["open"]
    # Own-work groups are titled by their parent requirement.
    for group in iso["own_work"]:
        assert group["title"] == catalog.by_ref[f"iso42001:{group['parent']}"].label
    # Fewer controls for SOC 2 (nothing operating, a plan of three controls) meet less of ISO/IEC 42001.
    small = overlap_paragraph(catalog, engagement, {"GOV-01", "IAM-01", "CRY-01"})
    small_iso = next(t for t in small["targets"] if t["slug"] == "iso42001")
    assert small_iso["open"] > iso["open"] and small["text"] != paragraph["text"]
    # One target alone: nothing to overlap, said plainly.
    alone = replace(engagement, iso42001=False, dpdp_role="none")
    assert "alone" in overlap_paragraph(catalog, alone, set())["text"]


def test_states_come_from_the_coverage_rule(on_first_of_december):
    store, engagement = on_first_of_december
    result = analyse(store, engagement)
    assert result["overlap"]["targets"]
    for target in result["overlap"]["targets"]:
        assert set(target) >= {"slug", "total", FULL, PARTIAL, OPEN, "own_work"}


def test_the_plan_schedules_what_a_supplier_finding_asks_for_without_soc2(shipped_store):
    """Without a SOC 2 target the vendor finding asks for the controls that meet the targets'
    supplier duties (not SOC 2's subservice set), and the plan schedules every one of them."""
    engagement = load_engagement(Path(__file__).parents[2] / "data" / "engagements" / "nist-only-us.yaml")
    result = analyse(shipped_store, replace(engagement, report_date=dt.date(2026, 12, 1)))
    (supplier,) = [f for f in result["findings"] if f["id"].startswith("supplier-")]
    assert supplier["controls"] and not supplier["not_in_plan"]
    steps = {s["control"] for s in result["plan"]["steps"]}
    assert set(supplier["controls"]) <= steps | engagement.implemented_ids
    # SOC 2's subservice set is not asked for by name: no selected control is there for it.
    reasons = [c["reason"] for c in result["plan"]["selection"]["controls"]]
    assert not [r for r in reasons if "subservice" in r or "managed as suppliers" in r]
