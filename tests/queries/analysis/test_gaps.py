"""Gaps for one engagement: coverage from what it runs, missing controls by value per day."""

from __future__ import annotations

import pytest

from attestgraph.errors import AttestgraphError
from attestgraph.queries.analysis.gaps import control_reach, gaps
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.graph import store_with_engagement


def test_sample_coverage_and_ranking(shipped_store, sample):
    result = gaps(store_with_engagement(shipped_store, sample), sample)
    assert result["frameworks"] == ["soc2", "iso42001", "dpdp-act", "dpdp-rules"]
    catalog = Catalog(shipped_store)
    # SOC 2 is assessed per criterion (points of focus inform it): the criteria of the
    # three categories in scope; ISO/IEC 42001 per leaf.
    criteria = [r for r in catalog.requirements("soc2") if r.level == "criterion"
                and r.category in {"Security", "Confidentiality", "Privacy"}]
    soc2 = result["coverage"]["soc2"]["overall"]
    assert soc2["total"] == soc2["full"] + soc2["partial"] + soc2["open"] == len(criteria) > 40
    assert result["coverage"]["soc2"]["unit_level"] == "criterion"
    assert result["coverage"]["iso42001"]["overall"]["total"] == len([r for r in catalog.requirements("iso42001") if r.leaf])
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

    from attestgraph.queries.engagement.file import parse_engagement

    before = gaps(store_with_engagement(shipped_store, sample), sample)
    top = before["missing"][0]
    document = copy.deepcopy(sample_document)
    document["implemented"]["controls"].append({"control": top["control"], "since": "2026-11-01"})
    plus_one = parse_engagement(document, "plus-one.yaml")
    after = gaps(store_with_engagement(shipped_store, plus_one), plus_one)
    gained = sum(
        (after["coverage"][s]["overall"]["full"] - before["coverage"][s]["overall"]["full"])
        + 0.5 * (after["coverage"][s]["overall"]["partial"] - before["coverage"][s]["overall"]["partial"])
        for s in before["coverage"]
    )
    assert round(gained, 1) == top["coverage_gain"]


def test_reach_follows_the_coverage_rule(shipped_store):
    """Weak links do not count, a partial link on a parent stays there, and SOC 2 is
    reached per criterion."""
    from attestgraph.queries.analysis.coverage import PARTIAL_MIN_STRENGTH, link_state

    catalog = Catalog(shipped_store)
    reach = control_reach(catalog, ["soc2", "iso42001"])
    rows = catalog.run("control-mappings", slug=["soc2", "iso42001"]).records()
    units = {r.iri for r in catalog.requirements(["soc2", "iso42001"]) if r.level == "criterion" or (r.slug == "iso42001" and r.leaf)}
    for control, states in reach.by_control.items():
        linked = {row["r"] for row in rows if row["controlId"] == control}
        for iri in states:
            r = catalog.by_iri[iri]
            assert iri in units or (r.slug == "soc2" and r.level != "criterion" and iri in linked), (control, r.ref)
    weak = [row for row in rows if row["strength"] < PARTIAL_MIN_STRENGTH and link_state(row["rel"], row["rat"], row["strength"]) == "open"]
    assert weak
    strong_targets = {(row["controlId"], row["r"]) for row in rows if link_state(row["rel"], row["rat"], row["strength"]) != "open"}
    for row in weak:
        r = catalog.by_iri[row["r"]]
        if r.slug == "iso42001" and r.leaf and (row["controlId"], r.iri) not in strong_targets:
            parents_full = any((row["controlId"], n.iri) in strong_targets for n in catalog.lineage(r))
            if not parents_full:
                assert r.iri not in reach.by_control.get(row["controlId"], {}), (row["controlId"], r.ref)
    # A partial link on an ISO/IEC 42001 clause with subclauses never reaches the subclauses.
    for row in rows:
        r = catalog.by_iri[row["r"]]
        if r.slug == "iso42001" and not r.leaf and link_state(row["rel"], row["rat"], row["strength"]) == "partial":
            children = [c for c in catalog.requirements("iso42001") if c.leaf and r in list(catalog.lineage(c))[1:]]
            for child in children:
                direct = [x for x in rows if x["controlId"] == row["controlId"] and x["r"] in {n.iri for n in catalog.lineage(child)}
                          and link_state(x["rel"], x["rat"], x["strength"]) != "open" and x["r"] != r.iri]
                if not direct:
                    assert child.iri not in reach.by_control.get(row["controlId"], {}), (row["controlId"], child.ref)


def test_gaps_refuses_a_store_without_the_engagement_graph(shipped_store, sample):
    # Without the graph every count would read zero: an error, not an empty answer.
    with pytest.raises(AttestgraphError, match="no graph for engagement 'acme-ai'"):
        gaps(shipped_store, sample)
