"""Each readiness finding is raised on a fixture built to trigger it and not on one built to pass."""

from __future__ import annotations

import copy

import pytest

from attestgraph.queries.analysis.findings import readiness_findings
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
        (lambda d: d["targets"]["dpdp"].update(role="none"), "personal-data-without-dpdp"),
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
