"""Overlap on the mini graph, where every answer is known by hand, and on the shipped data."""

from __future__ import annotations

import pytest

from attestgraph.errors import UnknownIdentifier
from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore
from attestgraph.queries.overlap import overlap


@pytest.fixture
def mini_store(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    return EmbeddedStore(stage)


def test_pairs_read_from_a_to_b_with_via(mini_store):
    result = overlap(mini_store, "fa", "fb")
    pairs = {(p["a"], p["b"]): (p["relationship"], p["strength"], p["via"]) for p in result["pairs"]}
    assert pairs == {
        ("1.1", "1.1"): ("subset-of", 8, "GOV-01"),
        ("1.1", "1.2"): ("superset-of", 8, "fp:1.1"),
        ("1.2", "1.2"): ("subset-of", 6, "fp:1.2"),
        ("1.2", "2.1"): ("superset-of", 5, "GOV-02"),
        ("2.1", "2.1"): ("intersects-with", 6, "fp:2.1"),
    }


def test_reversed_frameworks_invert_relationships(mini_store):
    result = overlap(mini_store, "fb", "fa")
    pairs = {(p["a"], p["b"]): p["relationship"] for p in result["pairs"]}
    assert pairs[("1.2", "1.1")] == "subset-of"  # fa:1.1 ⊇ fb:1.2 read backwards
    assert pairs[("1.1", "1.1")] == "superset-of"


def test_coverage_counts_full_only_under_equal_or_superset_with_meaning(mini_store):
    result = overlap(mini_store, "fa", "fb")
    # fb:1.2 is fully covered (fa:1.1 ⊇ it, semantic); fb:1.1 and fb:2.1 only partly
    # (fa:1.2 ⊇ fb:2.1 rests on a functional link, so it does not count as full).
    assert result["coverage"]["overall"] == {
        "full": 1, "partial": 2, "untouched": 0, "total": 3, "full_pct": 33.3, "touched_pct": 100.0,
    }
    assert result["unique"] == {"fa": [], "fb": []}


def test_untouched_requirements_are_unique(mini_root):
    path = mini_root / "crosswalks" / "fp-fb.tsv"
    path.write_text("\n".join(line for line in path.read_text().splitlines() if not line.startswith("fp:2.1")) + "\n")
    controls = mini_root / "crosswalks" / "controls-fb.tsv"
    controls.write_text("\n".join(l for l in controls.read_text().splitlines() if "fb:2.1" not in l) + "\n")
    stage, _ = build_stage(DataRoot.at(mini_root), validate=False)
    result = overlap(EmbeddedStore(stage), "fa", "fb")
    assert result["unique"]["fb"] == ["2.1"]


def test_unknown_framework_names_the_choices(mini_store):
    with pytest.raises(UnknownIdentifier) as caught:
        overlap(mini_store, "fa", "soc3")
    assert "unknown framework 'soc3'" in str(caught.value)
    assert "fa, fb, fp" in str(caught.value)


def test_shipped_soc2_and_iso42001_overlap(shipped_store):
    result = overlap(shipped_store, "soc2", "iso42001")
    assert {"a", "b", "pairs", "coverage"} <= set(result)
    assert len(result["pairs"]) > 100
    kinds = {p["kind"] for p in result["pairs"]}
    assert kinds == {"curated", "inferred"}
    for pair in result["pairs"]:
        assert pair["relationship"] in {"equal", "subset-of", "superset-of", "intersects-with"}
        assert 1 <= pair["strength"] <= 10
        assert (pair["via"] is None) == (pair["kind"] == "curated")
    assert result["coverage"]["framework"] == "iso42001"
    assert result["coverage"]["leaves"] == 70
