"""Shared evidence: collect once, satisfy many."""

from __future__ import annotations

from attestgraph.graph.build import build_stage
from attestgraph.graph.embedded import in_memory
from attestgraph.graph.sources import DataRoot
from attestgraph.queries.analysis.evidence import shared_evidence


def test_mini_ranking_by_frameworks_then_requirements(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    result = shared_evidence(in_memory(stage), ["fa", "fb"])
    assert [(e["id"], e["frameworks"], e["requirements"]) for e in result["evidence"]] == [
        ("EV-001", 2, 4),  # policy: GOV-01 (fa 1.1, fb 1.1) and GOV-02 (fa 1.2, fb 2.1)
        ("EV-002", 2, 3),  # minutes: GOV-02 (fa 1.2, fb 2.1) and GOV-03 (fa 2.1)
    ]
    assert result["evidence"][0]["serves"] == {"fa": ["1.1", "1.2"], "fb": ["1.1", "2.1"]}


def test_shipped_top_evidence_serves_every_chosen_framework(shipped_store):
    result = shared_evidence(shipped_store, ["soc2", "iso42001", "dpdp-act"])
    top = result["evidence"][0]
    assert top["frameworks"] == 3
    counts = [(e["frameworks"], e["requirements"]) for e in result["evidence"]]
    assert counts == sorted(counts, reverse=True)
