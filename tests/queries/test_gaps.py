"""Gaps for one engagement: coverage from what it runs, missing controls by value per day."""

from __future__ import annotations

from attestgraph.queries.gaps import gaps


def test_sample_coverage_and_ranking(shipped_store, sample):
    result = gaps(shipped_store, sample)
    assert result["frameworks"] == ["soc2", "iso42001", "dpdp-act", "dpdp-rules"]
    soc2 = result["coverage"]["soc2"]["overall"]
    assert soc2["total"] == soc2["full"] + soc2["partial"] + soc2["open"] > 100
    assert 0 < soc2["score_pct"] < 100
    # Only Security, Confidentiality and Privacy are in scope for the sample.
    assert {c["category"] for c in result["coverage"]["soc2"]["by_category"]} == {"Security", "Confidentiality", "Privacy"}
    # Evidence on hand can only lower what counts.
    for slug, cover in result["coverage"].items():
        assert result["evidenced_coverage"][slug]["overall"]["score_pct"] <= cover["overall"]["score_pct"]
    missing = result["missing"]
    assert missing and not {m["control"] for m in missing} & sample.implemented_ids
    # Greedy picks of a coverage function that only saturates never gain more per day later.
    ratios = [m["gain_per_day"] for m in missing]
    assert ratios == sorted(ratios, reverse=True)


def test_implementing_the_top_pick_raises_coverage(shipped_store, sample, sample_document):
    import copy

    from attestgraph.queries.engagement import parse_engagement

    before = gaps(shipped_store, sample)
    top = before["missing"][0]
    document = copy.deepcopy(sample_document)
    document["implemented"]["controls"].append({"control": top["control"], "since": "2026-11-01"})
    after = gaps(shipped_store, parse_engagement(document, "plus-one.yaml"))
    gained = sum(
        (after["coverage"][s]["overall"]["full"] - before["coverage"][s]["overall"]["full"])
        + 0.5 * (after["coverage"][s]["overall"]["partial"] - before["coverage"][s]["overall"]["partial"])
        for s in before["coverage"]
    )
    assert round(gained, 1) == top["coverage_gain"]
