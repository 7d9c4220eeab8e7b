"""Explanations: the chains of mappings behind a relation."""

from __future__ import annotations

import pytest

from attestgraph.errors import UnknownIdentifier
from attestgraph.queries.explain import explain


def test_breach_intimation_relates_to_incident_response_through_breach_controls(shipped_store):
    result = explain(shipped_store, "dpdp-act:8(6)", "iso27001:A.5.26")
    assert result["x"] == "dpdp-act:8(6)" and result["y"] == "iso27001:A.5.26"
    vias = {chain["via"] for chain in result["chains"]}
    assert any(via.startswith("INC-") for via in vias), vias
    for chain in result["chains"]:
        first, second = chain["links"]
        assert chain["via"] in (first["from"], first["to"]) and chain["via"] in (second["from"], second["to"])
        for link in chain["links"]:
            assert link["reason"] and link["source"] and link["relationship"]


def test_inferred_mapping_names_its_chain(shipped_store):
    result = explain(shipped_store, "dpdp-act:8(6)", "soc2:CC7.3")
    if result["inferred"] is not None:
        assert result["inferred"]["source_kind"] == "inference"
        assert "Inferred through" in result["inferred"]["reason"]


def test_unknown_requirement_is_one_clear_error(shipped_store):
    with pytest.raises(UnknownIdentifier, match="unknown requirement in soc2 'CC6.99'"):
        explain(shipped_store, "soc2:CC6.99", "iso27001:A.5.26")
    with pytest.raises(UnknownIdentifier, match="unknown framework 'soc9'"):
        explain(shipped_store, "soc9:CC6.1", "iso27001:A.5.26")
