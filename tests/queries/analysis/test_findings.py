"""Each readiness finding is raised on a fixture built to trigger it and not on one built to pass."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from attestgraph.queries.analysis.findings import TargetedRequirements, readiness_findings
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import parse_engagement


def finding_ids(store, engagement) -> set[str]:
    return {f.id for f in readiness_findings(store, engagement)}


def test_clean_engagement_raises_nothing(shipped_store, clean):
    assert finding_ids(shipped_store, clean) == set()


def test_sample_raises_the_classic_mistakes(shipped_store, sample):
    found = finding_ids(shipped_store, sample)
    assert {
        "scope-excludes-data-components",
        "no-evidenced-training-answer",
        "subservice-model-provider",
        "missing-dpdp-breach-intimation",
    } <= found
    # The Type II window check has one home, the plan (type2-window-before-plan).
    assert not any(f.startswith("type2-window") for f in found)


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d["components"][3].update(in_scope=False), "scope-excludes-data-components"),
        (lambda d: d["implemented"]["controls"].__setitem__(
            slice(None), [c for c in d["implemented"]["controls"] if c["control"] != "TDG-05"]), "no-evidenced-training-answer"),
        (lambda d: d["third_parties"][0].update(documented_as_subservice=False, treatment="undocumented"), "subservice-model-provider"),
        (lambda d: d["third_parties"][1].update(cuecs=[]), "subservice-vector-db"),
        (lambda d: d["targets"].pop("dpdp"), "dpdp-reach-unstated"),
        (lambda d: d["implemented"]["controls"].__setitem__(
            slice(None), [c for c in d["implemented"]["controls"] if c["control"] != "INC-04"]), "missing-dpdp-breach-intimation"),
        (lambda d: d["implemented"]["controls"].__setitem__(
            slice(None), [c for c in d["implemented"]["controls"] if c["control"] != "PRV-02"]), "missing-dpdp-notice"),
    ],
)
def test_each_finding_is_triggered_by_its_mistake(shipped_store, clean_document, change, expected):
    document = copy.deepcopy(clean_document)
    change(document)
    engagement = parse_engagement(document, "mutated.yaml")
    found = finding_ids(shipped_store, engagement)
    assert expected in found


def test_findings_carry_what_an_auditor_needs(shipped_store, sample):
    findings = readiness_findings(shipped_store, sample)
    assert findings  # the sample makes the classic mistakes
    for finding in findings:
        data = finding.as_dict()
        assert data["severity"] in ("high", "medium", "low")
        assert data["title"] and data["found"] and data["why"] and data["action"]


def _with_third_party(document, **fields):
    party = {"id": "crm", "name": "Hosted CRM", "kind": "saas", "attestation": "soc2-type2", "treatment": "undocumented",
             "documented_as_subservice": False, "personal_data": False, "cuecs": []}
    party.update(fields)
    document["third_parties"].append(party)
    return document


def test_any_third_party_holding_customer_data_gets_the_subservice_check(shipped_store, clean_document):
    holding = parse_engagement(_with_third_party(copy.deepcopy(clean_document), component="web-app"), "saas.yaml")
    assert "subservice-crm" in finding_ids(shipped_store, holding)
    personal = parse_engagement(_with_third_party(copy.deepcopy(clean_document), personal_data=True), "saas.yaml")
    assert "subservice-crm" in finding_ids(shipped_store, personal)
    # A SaaS tool that holds no customer data is no subservice organisation of the system.
    document = _with_third_party(copy.deepcopy(clean_document), component="ci")
    assert "subservice-crm" not in finding_ids(shipped_store, parse_engagement(document, "saas.yaml"))


def _implement(document, controls):
    have = {c["control"] for c in document["implemented"]["controls"]}
    document["implemented"]["controls"] += [{"control": c, "since": "2026-06-01"} for c in sorted(set(controls) - have)]
    return document


def test_children_data_without_s9_and_r10_duties(shipped_store, clean_document):
    document = copy.deepcopy(clean_document)
    document["targets"]["dpdp"]["children_data"] = True
    engagement = parse_engagement(document, "children.yaml")
    found = {f.id: f for f in readiness_findings(shipped_store, engagement)}
    finding = found["missing-dpdp-children"]
    # Verifiable parental consent (s.9(1), R10) is met in full by PRV-11 (superset-of); the
    # finding names it and the provisions, and never the s.9(4) exemption, which is no duty.
    assert "PRV-11" in finding.controls and "dpdp-act:9(1)" in finding.requirements
    assert "dpdp-rules:R10(1)(a)" in finding.requirements
    assert "dpdp-act:9(4)" not in finding.requirements
    assert all(r.startswith(("dpdp-act:9(", "dpdp-rules:R10(")) for r in finding.requirements)
    # With every control the finding asks for in operation, it is no longer raised.
    _implement(document, finding.controls)
    cured = parse_engagement(document, "children.yaml")
    assert "missing-dpdp-children" not in finding_ids(shipped_store, cured)
    # Without children's data, the duties do not apply.
    assert "missing-dpdp-children" not in finding_ids(shipped_store, parse_engagement(clean_document, "clean.yaml"))


def test_significant_data_fiduciary_without_s10_and_r13_duties(shipped_store, clean_document):
    document = copy.deepcopy(clean_document)
    document["targets"]["dpdp"]["role"] = "significant-data-fiduciary"
    engagement = parse_engagement(document, "sdf.yaml")
    found = {f.id: f for f in readiness_findings(shipped_store, engagement)}
    finding = found["missing-dpdp-sdf"]
    # The DPIA and periodic audit (s.10(2)(c), R13(1)) and algorithmic due diligence (R13(3)).
    assert {"dpdp-act:10(2)(c)(i)", "dpdp-act:10(2)(c)(ii)", "dpdp-rules:R13(1)", "dpdp-rules:R13(3)"} <= set(finding.requirements)
    assert {"PRV-15", "PRV-16"} <= set(finding.controls)
    # The Government's power to designate (s.10(1)) is not the company's duty.
    assert not any(r.startswith("dpdp-act:10(1)") for r in finding.requirements)
    _implement(document, finding.controls)
    assert "missing-dpdp-sdf" not in finding_ids(shipped_store, parse_engagement(document, "sdf.yaml"))
    assert "missing-dpdp-sdf" not in finding_ids(shipped_store, parse_engagement(clean_document, "clean.yaml"))


# -- framework-aware findings (issue 15) ---------------------------------------------------

ENGAGEMENTS = Path(__file__).parents[2] / "data" / "engagements"
EU_SAMPLE = Path(__file__).parents[3] / "examples" / "acme-ai-eu.yaml"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def _findings(store, document, name="engagement.yaml"):
    engagement = parse_engagement(document, name)
    return {f.id: f for f in readiness_findings(store, engagement.operating_on(engagement.as_of))}, engagement


def _assert_cites_only_what_it_targets(store, findings, engagement):
    targeted = TargetedRequirements(Catalog(store), engagement)
    for finding in findings.values():
        assert all(targeted.holds(ref) for ref in finding.requirements), (finding.id, finding.requirements)


# Words that belong to a SOC 2 report or to the DPDP Act's duties, never to an engagement without them.
SOC2_WORDS = ("SOC 2", "CUEC", "complementary user-entity", "system description", "subservice", "carve-out", "Type II")


def _text(finding) -> str:
    return f"{finding.title} {finding.found} {finding.why} {finding.action}"


def test_eu_only_engagement_gets_findings_in_its_own_frameworks(shipped_store):
    found, engagement = _findings(shipped_store, _load(EU_SAMPLE), "acme-ai-eu.yaml")
    assert set(found) == {"no-evidenced-training-answer", "missing-eu-ai-act-risk-management", "dpdp-reach-unstated"}
    _assert_cites_only_what_it_targets(shipped_store, found, engagement)
    # The training answer cites ISO/IEC 42001 only (soc2:C1.1 was cited before, with no SOC 2 target).
    assert found["no-evidenced-training-answer"].requirements == ["iso42001:A.7.2", "iso42001:A.7.3"]
    assert found["no-evidenced-training-answer"].severity == "high"  # a certification auditor tests it
    assert "ISO/IEC 42001 certification auditor" in found["no-evidenced-training-answer"].why
    for finding in found.values():
        assert not any(word in _text(finding) for word in SOC2_WORDS), finding.id
    assert "personal-data-without-dpdp" not in found


def test_eu_scope_finding_cites_the_technical_documentation_and_data_governance(shipped_store):
    document = _load(EU_SAMPLE)
    next(c for c in document["components"] if c["id"] == "finetune")["in_scope"] = False
    found, engagement = _findings(shipped_store, document)
    _assert_cites_only_what_it_targets(shipped_store, found, engagement)
    scope = found["scope-excludes-data-components"]
    assert scope.requirements == ["iso42001:4.3", "eu-ai-act:Annex IV(2)", "eu-ai-act:Art. 10(2)"]
    assert "Annex IV(2)" in scope.action and "Art. 10(2)" in scope.action and "Fine-tuning pipeline" in scope.why
    assert not any(word in _text(scope) for word in SOC2_WORDS)
    # The EU duties are a high-risk provider's: for a deployer of a transparency-only system,
    # leaving the pipeline out breaks no scope a target sets, so nothing fires.
    document["targets"] = {"eu_ai_act": {"roles": ["deployer"], "risk_classes": ["transparency"]}}
    found, _ = _findings(shipped_store, document)
    assert "scope-excludes-data-components" not in found


MODEL_VENDOR = {"id": "model-vendor", "name": "Hosted model provider", "kind": "model-api", "component": "llm",
                "attestation": "none", "treatment": "undocumented", "documented_as_subservice": False,
                "personal_data": True, "cuecs": []}


def test_eu_high_risk_provider_manages_model_vendors_as_suppliers_under_art_25_4(shipped_store):
    document = _load(EU_SAMPLE)
    document["targets"].pop("iso42001")
    document["components"].append({"id": "llm", "type": "third-party-model-api", "name": "Hosted model API",
                                   "data": ["customer", "personal"], "in_scope": True})
    document["third_parties"] = [dict(MODEL_VENDOR)]
    found, engagement = _findings(shipped_store, document)
    assert "subservice-model-vendor" not in found
    supplier = found["supplier-model-vendor"]
    assert supplier.severity == "high" and supplier.requirements == ["eu-ai-act:Art. 25(4)"]
    # The catalog's control for the written value-chain agreement, read from the graph's links.
    assert supplier.controls == ["TPM-60"] and "written agreement" in supplier.why
    assert not any(word in _text(supplier) for word in SOC2_WORDS)
    _assert_cites_only_what_it_targets(shipped_store, found, engagement)
    # A deployer bears no Art. 25(4) duty: no target sets a supplier duty, no finding.
    document["targets"]["eu_ai_act"] = {"roles": ["deployer"], "risk_classes": ["transparency"]}
    found, _ = _findings(shipped_store, document)
    assert not any(f.startswith(("supplier-", "subservice-")) for f in found)


def test_nist_only_engagement_speaks_nist_and_asks_the_dpdp_question(shipped_store):
    found, engagement = _findings(shipped_store, _load(ENGAGEMENTS / "nist-only-us.yaml"), "nist-only-us.yaml")
    assert set(found) == {"no-evidenced-training-answer", "supplier-model-vendor", "dpdp-reach-unstated"}
    _assert_cites_only_what_it_targets(shipped_store, found, engagement)
    # The fine-tuning pipeline is out of scope, but the NIST AI RMF sets no scope a third party
    # relies on: the scope finding's premise does not hold.
    assert "scope-excludes-data-components" not in found
    supplier = found["supplier-model-vendor"]
    assert supplier.requirements == ["nist-ai-rmf:GOVERN 6.1", "nist-ai-rmf:MANAGE 3.1"]
    assert supplier.severity == "medium"  # a voluntary framework: a gap to close, not a failed audit
    assert {"TPM-01", "TPM-02"} <= set(supplier.controls) and not {"TPM-03"} & set(supplier.controls)
    training = found["no-evidenced-training-answer"]
    assert training.requirements == [] and training.severity == "medium" and "auditor" not in training.why
    for finding in found.values():
        assert not any(word in _text(finding) for word in SOC2_WORDS), finding.id
    # Narrowed to MAP, the engagement adopts neither subcategory: no supplier duty, no finding.
    document = _load(ENGAGEMENTS / "nist-only-us.yaml")
    document["targets"]["nist_ai_rmf"] = {"functions": ["map"]}
    found, _ = _findings(shipped_store, document)
    assert "supplier-model-vendor" not in found


def test_sample_loses_nothing_true(shipped_store, sample):
    found = {f.id: f for f in readiness_findings(shipped_store, sample)}
    _assert_cites_only_what_it_targets(shipped_store, found, sample)
    assert found["scope-excludes-data-components"].requirements == ["soc2:CC2.3", "iso42001:4.3"]
    assert "system description" in found["scope-excludes-data-components"].action
    assert found["no-evidenced-training-answer"].requirements == ["iso42001:A.7.2", "iso42001:A.7.3", "soc2:C1.1"]
    provider = found["subservice-model-provider"]
    assert provider.severity == "high" and "carve-out" in provider.found
    assert {"soc2:CC9.2", "iso42001:A.10.3"} <= set(provider.requirements)
    assert {"TPM-03", "TPM-04", "TPM-05", "TPM-08", "PRM-01"} <= set(provider.controls)
    # A vendor that processes personal data for a Data Fiduciary also needs its s.8(2) contract.
    assert "dpdp-act:8(2)" in provider.requirements and "TPM-06" in provider.controls
    assert "dpdp-act:8(2)" not in found["subservice-vector-db"].requirements  # it holds no personal data
    assert {"missing-dpdp-breach-intimation", "missing-dpdp-notice", "missing-dpdp-consent"} <= set(found)
    assert "dpdp-reach-unstated" not in found  # the role is declared


def test_dpdp_reach_question_distinguishes_silence_from_a_stated_none(shipped_store, clean_document):
    silent = copy.deepcopy(clean_document)
    silent["targets"].pop("dpdp")
    found, engagement = _findings(shipped_store, silent)
    assert not engagement.dpdp_declared and "dpdp-act" not in engagement.frameworks
    question = found["dpdp-reach-unstated"]
    # It asks the s.3 territorial question; it asserts no duty and cites no requirement of a
    # framework the engagement does not target.
    assert question.severity == "low" and question.requirements == [] and question.controls == []
    assert "s.3(a) and (b)" in question.why and "targets.dpdp.role: none" in question.action
    assert not any(f.startswith("missing-dpdp") for f in found)
    # A company that states it is outside the Act has answered the question.
    stated = copy.deepcopy(clean_document)
    stated["targets"]["dpdp"] = {"role": "none"}
    found, engagement = _findings(shipped_store, stated)
    assert engagement.dpdp_declared and not any("dpdp" in f for f in found)
    # Silent, but no personal data anywhere: nothing to ask.
    none = copy.deepcopy(silent)
    for component in none["components"]:
        component["data"] = [d for d in component["data"] if d not in ("personal", "children")]
    for party in none["third_parties"]:
        party["personal_data"] = False
    found, _ = _findings(shipped_store, none)
    assert "dpdp-reach-unstated" not in found


def test_targeted_requirements_is_the_engagements_frameworks_and_what_applies(shipped_store):
    catalog = Catalog(shipped_store)
    eu = parse_engagement(_load(EU_SAMPLE), "acme-ai-eu.yaml")
    targeted = TargetedRequirements(catalog, eu)
    assert targeted.holds("eu-ai-act:Art. 9(1)") and targeted.holds("eu-ai-act:Art. 10(2)")  # a unit; above units
    assert not targeted.holds("soc2:CC9.2") and not targeted.holds("dpdp-act:8(2)")  # not targets
    assert not targeted.holds("eu-ai-act:Art. 53(1)(a)")  # a GPAI provider's duty
    assert not targeted.holds("iso42001:A.10.3")  # excluded in the SoA: no third parties
    assert not targeted.holds("iso42001:no-such-clause")
    assert targeted.select(["iso42001:4.3", "soc2:CC2.3", "iso42001:4.3"]) == ["iso42001:4.3"]
