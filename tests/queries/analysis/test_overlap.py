"""Overlap on the mini graph, where every answer is known by hand, and on the shipped data.

The mini graph (tests/data/mini): controls GOV-01 (fa:1.1 superset-of 8, fb:1.1 equal
10), GOV-02 (fa:1.2 subset-of functional 5, fb:2.1 superset-of 7), GOV-03 (fa:2.1
intersects 4); crosswalks through the pivot fp: fa:1.1 = fp:1.1 ⊇ fb:1.2,
fa:1.2 ⊆ fp:1.2 ⊆ fb:1.2, fa:2.1 ⊆ fp:2.1 ⊇ fb:2.1 (nothing follows).
"""

from __future__ import annotations

import pytest

from attestgraph.errors import UnknownIdentifier
from attestgraph.graph.build import build_stage
from attestgraph.graph.embedded import in_memory
from attestgraph.graph.sources import DataRoot
from attestgraph.queries.analysis import overlap as overlap_module
from attestgraph.queries.analysis.overlap import overlap


@pytest.fixture
def mini_store(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    return in_memory(stage)


def overall(full, partial, open_, pct=None):
    total = full + partial + open_
    return {"full": full, "partial": partial, "open": open_, "total": total,
            "full_pct": round(100 * full / total, 1), "partial_pct": round(100 * partial / total, 1),
            "open_pct": round(100 * open_ / total, 1)}


def test_crosswalk_is_sound_composition_through_pivot_requirements_only(mini_store):
    result = overlap(mini_store, "fa", "fb")
    pairs = {(p["a"], p["b"]): (p["relationship"], p["strength"], p["via"], p["kind"]) for p in result["crosswalk"]}
    assert pairs == {
        ("1.1", "1.2"): ("superset-of", 8, "fp:1.1", "inferred"),
        ("1.2", "1.2"): ("subset-of", 6, "fp:1.2", "inferred"),
    }
    assert result["pairs"] == result["crosswalk"]
    assert result["crosswalk_counts"] == {"pairs": 2, "curated": 0, "inferred": 2}


def test_shared_implementation_is_its_own_kind(mini_store):
    result = overlap(mini_store, "fa", "fb")
    assert result["shared_implementation"] == [
        {"a": "1.1", "b": "1.1", "control": "GOV-01", "a_relationship": "superset-of", "a_rationale": "semantic",
         "a_strength": 8, "b_relationship": "equal", "b_rationale": "semantic", "b_strength": 10},
        {"a": "1.2", "b": "2.1", "control": "GOV-02", "a_relationship": "subset-of", "a_rationale": "functional",
         "a_strength": 5, "b_relationship": "superset-of", "b_rationale": "semantic", "b_strength": 7},
    ]
    assert "relationship" not in result["shared_implementation"][0]
    assert result["shared_implementation_counts"] == {"links": 2, "controls": 2, "a_requirements": 2, "b_requirements": 2}


def test_reversed_frameworks_invert_relationships(mini_store):
    result = overlap(mini_store, "fb", "fa")
    pairs = {(p["a"], p["b"]): p["relationship"] for p in result["crosswalk"]}
    assert pairs == {("1.2", "1.1"): "subset-of", ("1.2", "1.2"): "superset-of"}
    assert {(s["a"], s["b"], s["control"]) for s in result["shared_implementation"]} == {("1.1", "1.1", "GOV-01"), ("2.1", "1.2", "GOV-02")}


def test_programme_coverage_counts_units_by_the_coverage_rule(mini_store):
    result = overlap(mini_store, "fa", "fb")
    # The programme for fa: GOV-01 (superset-of 8, above the programme threshold), and
    # GOV-02, whose strength-5 link is the only work on fa:1.2, which GOV-01 leaves
    # open; not GOV-03 (strength 4 counts for nothing). GOV-01 = fb:1.1 and
    # GOV-02 ⊇ fb:2.1 cover those in full; fb:1.2 needs fb's own work, whatever the
    # crosswalk says of it.
    cover = result["coverage"]
    assert cover["controls"]["ids"] == ["GOV-01", "GOV-02"] and cover["controls"]["chosen_by"] == "threshold"
    assert cover["overall"] == overall(2, 0, 1)
    assert cover["requirements"] == {"full": ["1.1", "2.1"], "partial": [], "open": ["1.2"]}
    assert cover["unit_level"] == "leaf" and cover["units"] == 3 and cover["threshold"] == 5
    # The programme for fb: GOV-01 and GOV-02. GOV-02 meets fa:1.2 only in part
    # (functional rationale, strength 5: at the threshold, so partial).
    back = result["coverage_reverse"]
    assert back["controls"]["ids"] == ["GOV-01", "GOV-02"]
    assert back["requirements"] == {"full": ["1.1"], "partial": ["1.2"], "open": ["2.1"]}
    assert result["unique"] == {"fa": ["2.1"], "fb": ["1.2"]}
    assert result["headline"]["covered"] == ["1.1", "2.1"] and result["headline"]["own_work"] == ["1.2"]


def test_crosswalk_coverage_is_reported_beside_it(mini_store):
    result = overlap(mini_store, "fa", "fb")
    # fa:1.1 ⊇ fb:1.2 (semantic) meets fb:1.2's intent in full; nothing reaches fb:1.1 or fb:2.1.
    assert result["crosswalk_coverage"]["requirements"] == {"full": ["1.2"], "partial": [], "open": ["1.1", "2.1"]}
    # Read backwards: fb:1.2 ⊇ fa:1.2 in full, fb:1.2 ⊆ fa:1.1 in part.
    assert result["crosswalk_coverage_reverse"]["requirements"] == {"full": ["1.2"], "partial": ["1.1"], "open": ["2.1"]}


def test_given_controls_replace_the_rule_and_weak_links_do_not_count(mini_store):
    result = overlap(mini_store, "fb", "fa", controls=["GOV-03"])
    cover = result["coverage"]
    assert cover["controls"] == {"chosen_by": "given", "rule": "the 1 controls the caller's programme selected",
                                 "threshold": None, "count": 1, "ids": ["GOV-03"]}
    # GOV-03 intersects fa:2.1 at strength 4: below the threshold, so fa:2.1 stays open.
    assert cover["overall"] == overall(0, 0, 3)
    with pytest.raises(UnknownIdentifier):
        overlap(mini_store, "fb", "fa", controls=["NOPE-1"])


def test_a_partial_match_on_a_parent_is_not_spread_to_its_children(mini_root):
    path = mini_root / "crosswalks" / "controls-fb.tsv"
    path.write_text(path.read_text() + "control:GOV-01\tfb:G1\tintersects-with\tsemantic\t7\tPolicy touches group one.\tjudgement\tattestgraph judgement\n")
    stage, _ = build_stage(DataRoot.at(mini_root), validate=False)
    result = overlap(in_memory(stage), "fa", "fb")
    assert result["coverage"]["requirements"]["open"] == ["1.2"]  # fb:1.2 sits under fb:G1


def test_headline_names_the_work_left(mini_store):
    text = overlap(mini_store, "fa", "fb")["headline"]["text"]
    assert text.startswith("An A programme covers 2 of 3 B requirements in full and 0 in part; 1 needs B-specific work: "
                           "G1 Group one: 1.2 B one-two. Covered in full: 1.1, 2.1.")


def test_unknown_framework_names_the_choices(mini_store):
    with pytest.raises(UnknownIdentifier) as caught:
        overlap(mini_store, "fa", "soc3")
    assert "unknown framework 'soc3'" in str(caught.value)
    assert "fa, fb, fp" in str(caught.value)


def test_shipped_soc2_and_iso42001_overlap(shipped_store):
    result = overlap(shipped_store, "soc2", "iso42001")
    assert {"a", "b", "headline", "coverage", "coverage_reverse", "crosswalk", "pairs", "shared_implementation",
            "unique"} <= set(result)
    for pair in result["crosswalk"]:
        assert pair["relationship"] in {"equal", "subset-of", "superset-of", "intersects-with", "not-related"}
        assert 0 <= pair["strength"] <= 10
        assert (pair["via"] is None) == (pair["kind"] == "curated")
        assert pair["via"] is None or all(":" in via for via in pair["via"].split(", "))  # pivots are requirements
    # Shared implementation outnumbers the crosswalk and never masquerades as one.
    assert len(result["shared_implementation"]) > len(result["crosswalk"])
    assert all(min(s["a_strength"], s["b_strength"]) >= 5 for s in result["shared_implementation"])
    cover = result["coverage"]
    assert cover["framework"] == "iso42001" and cover["units"] == cover["overall"]["total"] == 70
    assert cover["overall"]["full"] + cover["overall"]["partial"] + cover["overall"]["open"] == 70
    # SOC 2 is counted per criterion, the reverse way.
    assert result["coverage_reverse"]["unit_level"] == "criterion" and result["coverage_reverse"]["units"] == 61
    # ISO 42001's AI impact assessment is its own work for a SOC 2 programme.
    own = set(result["headline"]["own_work"])
    assert {"A.5.2", "A.5.4", "A.5.5", "6.1.4"} <= own
    assert own == set(cover["requirements"]["open"]) == set(result["unique"]["iso42001"])
    assert "need ISO/IEC 42001-specific work" in result["headline"]["text"]
    assert "A.5 " in result["headline"]["text"]


def test_shared_implementation_matches_the_graph(shipped_store):
    """overlap computes shared implementation by the rule the build materialises; the
    named query over graph/shared must give the same links."""
    from attestgraph import vocabulary as v
    from attestgraph.queries import named

    result = overlap(shipped_store, "soc2", "iso27001")
    from_overlap = {(s["a"], s["b"], s["control"], s["a_strength"], s["b_strength"]) for s in result["shared_implementation"]}
    rows = named.run(shipped_store, "shared-implementation", fa=v.framework_iri("soc2"), fb=v.framework_iri("iso27001")).records()
    prefix = len(v.ID)
    from_graph = {(r["x"][prefix:].partition("/")[2], r["y"][prefix:].partition("/")[2], r["controlId"], r["strengthA"], r["strengthB"])
                  for r in rows}
    local = {(v.notation_local(a), v.notation_local(b), c, sa, sb) for a, b, c, sa, sb in from_overlap}
    assert local == from_graph and len(local) == len(result["shared_implementation"]) > 100


@pytest.mark.parametrize(("name", "article"), [
    ("ISO/IEC 42001", "an"), ("SOC 2", "a"), ("NIST AI RMF", "a"), ("EU AI Act", "an"), ("DPDP Act", "a"),
])
def test_the_headline_article_follows_how_the_name_is_said(name: str, article: str) -> None:
    assert overlap_module._article(name) == article
