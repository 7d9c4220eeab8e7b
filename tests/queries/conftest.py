"""Engagements for the query tests: the sample, and one built to pass every check."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from attestgraph.queries.engagement.file import parse_engagement

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai.yaml"


@pytest.fixture
def sample_document() -> dict:
    return yaml.safe_load(SAMPLE.read_text())


@pytest.fixture
def sample(sample_document):
    return parse_engagement(sample_document, "acme-ai.yaml")


@pytest.fixture
def clean_document(sample_document, shipped_store) -> dict:
    """The sample with every classic mistake fixed: all components in scope, the
    training answer and DPDP duties implemented and evidenced, third parties documented
    with their CUECs operating, no Type II window promised early."""
    from attestgraph.queries.analysis.findings import control_sets
    from attestgraph.queries.catalog import Catalog

    catalog = Catalog(shipped_store)
    doc = copy.deepcopy(sample_document)
    for component in doc["components"]:
        component["in_scope"] = True
    doc["targets"]["soc2"].pop("window_start")
    needed = set()
    for group in control_sets(catalog).values():
        needed |= group["members"]
    for party in doc["third_parties"]:
        party["treatment"] = "carve-out"
        party["documented_as_subservice"] = True
        party["cuecs"] = party["cuecs"] or ["TPM-04"]
        needed |= set(party["cuecs"])
    have = {c["control"] for c in doc["implemented"]["controls"]}
    for item in doc["implemented"]["controls"]:
        item["since"] = "2026-06-01"
    for control in sorted(needed - have):
        doc["implemented"]["controls"].append({"control": control, "since": "2026-06-01"})
    evidence = set(doc["implemented"]["evidence"])
    for item in doc["implemented"]["controls"]:
        evidence.add(catalog.control(item["control"])["evidence"][0])
    doc["implemented"]["evidence"] = sorted(evidence)
    return doc


@pytest.fixture
def clean(clean_document):
    return parse_engagement(clean_document, "clean.yaml")
