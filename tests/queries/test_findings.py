"""Each readiness finding is raised on a fixture built to trigger it and not on one built to pass."""

from __future__ import annotations

import copy

import pytest

from attestgraph.queries.engagement import parse_engagement
from attestgraph.queries.findings import readiness_findings
from attestgraph.queries.gaps import load_into


def finding_ids(store, engagement) -> set[str]:
    return {f.id for f in readiness_findings(load_into(store, engagement), engagement)}


def test_clean_engagement_raises_nothing(shipped_store, clean):
    assert finding_ids(shipped_store, clean) == set()


def test_sample_raises_the_classic_mistakes(shipped_store, sample):
    found = finding_ids(shipped_store, sample)
    assert {
        "scope-excludes-data-components",
        "no-evidenced-training-answer",
        "subservice-model-provider",
        "type2-window-before-controls-operate",
        "missing-dpdp-breach-intimation",
    } <= found


@pytest.mark.parametrize(
    "change, expected",
    [
        (lambda d: d["components"][3].update(in_scope=False), "scope-excludes-data-components"),
        (lambda d: d["implemented"]["controls"].__setitem__(
            slice(None), [c for c in d["implemented"]["controls"] if c["control"] != "TDG-05"]), "no-evidenced-training-answer"),
        (lambda d: d["third_parties"][0].update(documented_as_subservice=False, treatment="undocumented"), "subservice-model-provider"),
        (lambda d: d["third_parties"][1].update(cuecs=[]), "subservice-vector-db"),
        (lambda d: d["targets"]["soc2"].update(window_start="2026-05-01"), "type2-window-before-controls-operate"),
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
    for finding in readiness_findings(load_into(shipped_store, sample), sample):
        data = finding.as_dict()
        assert data["severity"] in ("high", "medium", "low")
        assert data["title"] and data["found"] and data["why"] and data["action"]
