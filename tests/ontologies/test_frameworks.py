"""The framework corpora pinned against their published structure."""

from __future__ import annotations

from collections import Counter

import pytest

from attestgraph.queries.catalog import Catalog


@pytest.fixture(scope="module")
def catalog(shipped_store):
    return Catalog(shipped_store)


def levels(catalog, slug):
    return Counter(r.level for r in catalog.requirements(slug))


def notations(catalog, slug, level=None):
    return {r.notation for r in catalog.requirements(slug) if level is None or r.level == level}


def test_frameworks_and_their_headers(catalog):
    assert set(catalog.frameworks) == {"soc2", "iso42001", "iso27001", "dpdp-act", "dpdp-rules", "nist-ai-rmf",
                                     "nist-ai-600-1", "eu-ai-act"}


def test_soc2_structure(catalog):
    counts = levels(catalog, "soc2")
    assert counts["category"] == 5 and counts["series"] == 20 and counts["criterion"] == 61
    assert counts["point of focus"] == 330
    criteria = notations(catalog, "soc2", "criterion")
    expected = (
        [f"CC1.{i}" for i in range(1, 6)] + [f"CC2.{i}" for i in range(1, 4)] + [f"CC3.{i}" for i in range(1, 5)]
        + [f"CC4.{i}" for i in range(1, 3)] + [f"CC5.{i}" for i in range(1, 4)] + [f"CC6.{i}" for i in range(1, 9)]
        + [f"CC7.{i}" for i in range(1, 6)] + ["CC8.1", "CC9.1", "CC9.2"] + [f"A1.{i}" for i in range(1, 4)]
        + ["C1.1", "C1.2"] + [f"PI1.{i}" for i in range(1, 6)]
        + ["P1.1", "P2.1", "P3.1", "P3.2", "P4.1", "P4.2", "P4.3", "P5.1", "P5.2"] + [f"P6.{i}" for i in range(1, 8)]
        + ["P7.1", "P8.1"]
    )
    assert criteria == set(expected)
    by_ref = catalog.by_ref
    assert by_ref["soc2:CC6.1"].category == "Security" and by_ref["soc2:CC6.1"].mandatory is True
    assert by_ref["soc2:PI1.3"].category == "Processing Integrity" and by_ref["soc2:PI1.3"].mandatory is False
    assert by_ref["soc2:CC6.1-POF1"].parent == "CC6.1"


def test_soc2_coso_principles(shipped_store):
    rows = shipped_store.query(
        "SELECT ?n ?p WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/soc2> ; skos:notation ?n ; ag:cosoPrinciple ?p }"
    ).records()
    principles = {r["n"]: r["p"] for r in rows}
    assert len(principles) == 17
    assert principles["CC1.1"] == 1 and principles["CC2.1"] == 13 and principles["CC3.1"] == 6
    assert principles["CC4.2"] == 17 and principles["CC5.3"] == 12


def test_iso42001_structure(catalog):
    counts = levels(catalog, "iso42001")
    assert counts["clause"] == 7 and counts["subclause"] == 36 and counts["Annex A control"] == 38
    # Ten control objectives: A.6 is a heading over the objectives A.6.1 and A.6.2.
    assert counts["control objective"] == 10 and counts["Annex A heading"] == 1
    assert "A.6" not in notations(catalog, "iso42001", "control objective")
    assert {"A.6.1", "A.6.2", "A.10"} <= notations(catalog, "iso42001", "control objective")
    subclauses = notations(catalog, "iso42001", "subclause")
    assert {"6.1.1", "6.1.2", "6.1.3", "6.1.4", "7.5.1", "7.5.2", "7.5.3", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "8.4"} <= subclauses
    annex = notations(catalog, "iso42001", "Annex A control")
    assert {"A.2.2", "A.6.2.6", "A.7.5", "A.10.4"} <= annex and "A.2.1" not in annex


def test_iso27001_structure(catalog):
    annex = [r for r in catalog.requirements("iso27001") if r.level == "Annex A control"]
    assert Counter(r.parent for r in annex) == {"A.5": 37, "A.6": 8, "A.7": 14, "A.8": 34}
    assert {"6.3", "9.2.1", "9.3.3", "10.2"} <= notations(catalog, "iso27001", "subclause")


def test_dpdp_act_structure_and_penalties(catalog, shipped_store):
    counts = levels(catalog, "dpdp-act")
    assert counts["chapter"] == 9 and counts["section"] == 44 and counts["schedule entry"] == 7
    assert {"8(5)", "8(6)", "10(2)(b)", "7(a)", "6(9)"} <= notations(catalog, "dpdp-act")
    rows = shipped_store.query(
        "SELECT ?n ?p WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/dpdp-act> ; skos:notation ?n ; ag:maxPenaltyINR ?p }"
    ).records()
    penalty = {r["n"]: r["p"] for r in rows}
    assert penalty["8(5)"] == 2_500_000_000 and penalty["8(6)"] == 2_000_000_000
    assert penalty["Schedule(4)"] == 1_500_000_000 and penalty["Schedule(5)"] == 10_000
    assert penalty["Schedule(7)"] == 500_000_000


def test_dpdp_rules_structure_and_parameters(catalog, shipped_store):
    rules = notations(catalog, "dpdp-rules", "rule")
    assert rules == {f"R{i}" for i in range(1, 24)}
    rows = shipped_store.query(
        "SELECT ?n ?t WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/dpdp-rules> ; skos:notation ?n ; ag:timeLimit ?t }"
    ).records()
    limits = {(r["n"], r["t"]) for r in rows}
    # Oxigraph stores xsd:duration in canonical form: 72 hours reads back as P3D.
    assert ("R7", "P3D") in limits and ("R8(2)", "P2D") in limits and ("R14(3)", "P90D") in limits
    implements = shipped_store.query(
        "SELECT ?target WHERE { <https://w3id.org/attestgraph/id/dpdp-rules/R7> ag:implements ?t . ?t skos:notation ?target }"
    ).column("target")
    assert "8(6)" in implements
    dates = shipped_store.query(
        "SELECT ?n ?d WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/dpdp-rules> ; skos:notation ?n ; ag:effectiveFrom ?d }"
    ).records()
    effective = {r["n"]: r["d"] for r in dates}
    assert effective["R1"] == "2025-11-13" and effective["R4"] == "2026-11-13" and effective["R7"] == "2027-05-13"


def test_soc2_points_of_focus_follow_the_2022_revision(catalog):
    """Points of focus as the AICPA's 2022 revision orders them (checked against the
    library CISO Assistant ships for TSC 2017 rev. 2022)."""
    pofs = {r.notation: r for r in catalog.requirements("soc2") if r.level == "point of focus"}
    assert [n for n in pofs if n.startswith("CC6.5-")] == ["CC6.5-POF1"]
    assert "removed" in pofs["CC6.5-POF1"].label
    assert {"PI1.1-POF1", "PI1.1-POF2", "PI1.1-POF3"} <= set(pofs) and "PI1.1-POF4" not in pofs
    assert "Retention" in pofs["C1.1-POF2"].label and "destruction" in pofs["C1.1-POF3"].label
    for criterion in ("P5.1", "P5.2", "P6.7"):
        assert pofs[f"{criterion}-POF1"].label.startswith("Controller")
    assert catalog.requirement("soc2:CC2").label == "Information and communication"


# NIST AI 100-1 (AI RMF 1.0) Core: subcategories per category, as the file header states them.
NIST_AI_RMF_SUBCATEGORIES = {
    "GOVERN 1": 7, "GOVERN 2": 3, "GOVERN 3": 2, "GOVERN 4": 3, "GOVERN 5": 2, "GOVERN 6": 2,
    "MAP 1": 6, "MAP 2": 3, "MAP 3": 5, "MAP 4": 2, "MAP 5": 2,
    "MEASURE 1": 3, "MEASURE 2": 13, "MEASURE 3": 3, "MEASURE 4": 3,
    "MANAGE 1": 4, "MANAGE 2": 4, "MANAGE 3": 2, "MANAGE 4": 3,
}


def test_nist_ai_rmf_structure(catalog):
    counts = levels(catalog, "nist-ai-rmf")
    assert counts == {"function": 4, "function category": 19, "subcategory": 72}
    assert notations(catalog, "nist-ai-rmf", "function") == {"GOVERN", "MAP", "MEASURE", "MANAGE"}
    assert notations(catalog, "nist-ai-rmf", "function category") == set(NIST_AI_RMF_SUBCATEGORIES)
    subcategories = [r for r in catalog.requirements("nist-ai-rmf") if r.level == "subcategory"]
    assert Counter(r.parent for r in subcategories) == NIST_AI_RMF_SUBCATEGORIES
    # Every id is "<category>.<n>", numbered 1..count with no gap.
    for category, count in NIST_AI_RMF_SUBCATEGORIES.items():
        numbered = {r.notation for r in subcategories if r.parent == category}
        assert numbered == {f"{category}.{i}" for i in range(1, count + 1)}
    by_ref = catalog.by_ref
    assert by_ref["nist-ai-rmf:MEASURE 2.13"].parent == "MEASURE 2"
    assert by_ref["nist-ai-rmf:MEASURE 2"].parent == "MEASURE"
    assert by_ref["nist-ai-rmf:GOVERN 1.1"].category == by_ref["nist-ai-rmf:GOVERN 6.2"].category
    assert by_ref["nist-ai-rmf:MAP 2.3"].iri == "https://w3id.org/attestgraph/id/nist-ai-rmf/MAP-2.3"
    # Subcategories are the leaves (the assessable units); the framework is voluntary.
    assert {r.notation for r in catalog.requirements("nist-ai-rmf") if r.leaf} == {r.notation for r in subcategories}
    assert all(r.mandatory is False for r in catalog.requirements("nist-ai-rmf"))


def test_nist_ai_rmf_header_states_the_counts_it_holds():
    from attestgraph.graph.sources import DataRoot

    header = (DataRoot.shipped().ontologies / "frameworks" / "nist-ai-rmf.ttl").read_text(encoding="utf-8")
    assert "functions 4, categories 19, subcategories 72" in header
    for function in ("GOVERN", "MAP", "MEASURE", "MANAGE"):
        cats = {c: n for c, n in NIST_AI_RMF_SUBCATEGORIES.items() if c.split()[0] == function}
        line = f"{len(cats)} categories, {sum(cats.values()):>2} subcategories: " + ", ".join(
            f"{c.split()[1]}: {n}" for c, n in cats.items())
        assert line in header, function


def test_nist_ai_rmf_framework_record(catalog, shipped_store):
    entry = catalog.framework("nist-ai-rmf")
    assert entry["version"].startswith("1.0") and entry["requirements"] == 95
    rows = shipped_store.query(
        "SELECT ?issued ?source WHERE { <https://w3id.org/attestgraph/id/nist-ai-rmf> "
        "dct:issued ?issued ; dct:source ?source }"
    ).records()
    assert rows == [{"issued": "2023-01-26", "source": "https://doi.org/10.6028/NIST.AI.100-1"}]


def test_nist_ai_600_1_holds_the_twelve_gai_risks(catalog, shipped_store):
    # NIST AI 600-1 section 2: twelve risks, cited by section number, named as the headings print them.
    risks = {r.notation: r for r in catalog.requirements("nist-ai-600-1")}
    assert set(risks) == {f"2.{i}" for i in range(1, 13)}
    assert all(r.level == "GAI risk" and r.leaf and r.mandatory is False and r.parent is None for r in risks.values())
    assert catalog.by_ref["nist-ai-600-1:2.2"].label == "Confabulation"
    assert catalog.by_ref["nist-ai-600-1:2.12"].label == "Value Chain and Component Integration"
    rows = shipped_store.query(
        "SELECT ?issued ?source WHERE { <https://w3id.org/attestgraph/id/nist-ai-600-1> "
        "dct:issued ?issued ; dct:source ?source }"
    ).records()
    assert rows == [{"issued": "2024-07", "source": "https://doi.org/10.6028/NIST.AI.600-1"}]
