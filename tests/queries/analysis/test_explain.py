"""Explanations: the chains of mappings behind a relation."""

from __future__ import annotations

import pytest

from attestgraph.errors import UnknownIdentifier
from attestgraph.queries.analysis.explain import explain


def test_breach_intimation_shares_incident_controls_with_incident_response(shipped_store):
    result = explain(shipped_store, "dpdp-act:8(6)", "iso27001:A.5.26")
    assert result["x"] == "dpdp-act:8(6)" and result["y"] == "iso27001:A.5.26"
    # Controls serving both are shared implementation, never a crosswalk chain.
    controls = {item["control"] for item in result["shared_implementation"]}
    assert any(c.startswith("INC-") for c in controls), controls
    for item in result["shared_implementation"]:
        first, second = item["links"]
        assert first["from"] == second["from"] == item["control"]
        assert item["counted"] == (min(first["strength"], second["strength"]) >= 5)
        assert "composed" not in item and "relationship" not in item
    assert result["chains"]  # 8(6) and A.5.26 meet through SOC 2 pivots (CC7.4 ...)
    for chain in result["chains"]:
        assert ":" in chain["via"]  # pivots are requirements
        first, second = chain["links"]
        assert chain["via"] in (first["from"], first["to"]) and chain["via"] in (second["from"], second["to"])
        assert chain["why"]
        for link in chain["links"]:
            assert link["reason"] and link["source"] and link["relationship"]


def test_a_chain_says_when_nothing_follows(shipped_store):
    result = explain(shipped_store, "dpdp-act:8(6)", "iso27001:A.5.26")
    # 8(6) intersects CC7.4 and CC7.4 intersects A.5.26: set theory says nothing.
    via = {c["via"]: c for c in result["chains"]}
    assert via["soc2:CC7.4"]["composed"] is None
    assert "nothing follows" in via["soc2:CC7.4"]["why"]


def test_inferred_mapping_names_its_pivot(shipped_store):
    from attestgraph.queries.catalog import Catalog

    catalog = Catalog(shipped_store)
    rows = shipped_store.query(
        "SELECT ?a ?b ?via ?rel WHERE { ?m a ag:InferredMapping ; ag:fromElement ?a ; ag:toElement ?b ; "
        "ag:via ?via ; ag:relationship ?rel ; ag:chainLength 2 } ORDER BY ?m LIMIT 1"
    ).records()
    assert rows, "the shipped data composes at least one two-link chain"
    row = rows[0]
    a, b, via = (catalog.label_of(row[k]) for k in ("a", "b", "via"))
    result = explain(shipped_store, a, b)
    assert result["inferred"] is not None and result["inferred"]["source_kind"] == "inference"
    assert f"Inferred through pivot requirement {via}" in result["inferred"]["reason"]
    [chain] = [c for c in result["chains"] if c["via"] == via]
    assert chain["composed"] == result["inferred"]["relationship"]


def test_unknown_requirement_is_one_clear_error(shipped_store):
    with pytest.raises(UnknownIdentifier, match="unknown requirement in soc2 'CC6.99'"):
        explain(shipped_store, "soc2:CC6.99", "iso27001:A.5.26")
    with pytest.raises(UnknownIdentifier, match="unknown framework 'soc9'"):
        explain(shipped_store, "soc9:CC6.1", "iso27001:A.5.26")
