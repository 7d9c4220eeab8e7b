"""Engagement files: validated field by field, with the field named in every error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attestgraph.errors import EngagementError
from attestgraph.queries.engagement import engagement_quads, load_engagement, parse_engagement

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai.yaml"


def sample() -> dict:
    return yaml.safe_load(SAMPLE.read_text())


def test_sample_loads():
    engagement = load_engagement(SAMPLE)
    assert engagement.frameworks == ["soc2", "iso42001", "dpdp-act", "dpdp-rules"]
    assert engagement.window_months == 6 and "type2" in engagement.soc2_reports
    assert any(c.type == "fine-tuning-pipeline" and not c.in_scope for c in engagement.components)


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda d: d["engagement"].pop("start_date"), "engagement.start_date", "is required"),
        (lambda d: d["engagement"].update(start_date="next monday"), "engagement.start_date", "expected a date"),
        (lambda d: d["targets"]["soc2"].update(window_months=24), "targets.soc2.window_months", "3 to 12 months"),
        (lambda d: d["targets"]["soc2"].update(categories=["availability"]), "targets.soc2.categories", "must include security"),
        (lambda d: d["targets"]["dpdp"].update(role="controller"), "targets.dpdp.role", "expected one of"),
        (lambda d: d["components"][1].update(data=["customer", "secrets"]), "components[1].data[1]", "expected one of"),
        (lambda d: d["components"][0].pop("in_scope"), "components[0].in_scope", "is required"),
        (lambda d: d["third_parties"][0].update(component="nowhere"), "third_parties[0].component", "components"),
        (lambda d: d["implemented"]["controls"].append({"control": "IAM-01", "since": "2026-01-01"}),
         "implemented.controls[16]", "listed twice"),
        (lambda d: d["engagement"].update(capacity_days_per_week=0), "engagement.capacity_days_per_week", "between"),
    ],
)
def test_bad_fields_are_named(change, field, message):
    data = sample()
    change(data)
    with pytest.raises(EngagementError) as caught:
        parse_engagement(data, "acme.yaml")
    assert caught.value.field == field
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"acme.yaml: {field}: ")


def test_ids_are_checked_against_the_catalog():
    data = sample()
    data["implemented"]["controls"][0]["control"] = "IAM-99"
    with pytest.raises(EngagementError, match=r"implemented.controls\[0\].control: expected a control id"):
        parse_engagement(data, "x", known_controls={"IAM-01", "TPM-05", "TPM-08", "PRM-01", "CRY-01", "AVL-01"})
    data = sample()
    data["implemented"]["evidence"].append("EV-999")
    with pytest.raises(EngagementError, match=r"implemented.evidence\[7\]"):
        parse_engagement(data, "x", known_evidence={"EV-001", "EV-003", "EV-040", "EV-041", "EV-045", "EV-046", "EV-047"})


def test_invalid_yaml_names_the_line(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("engagement:\n  id: x\n  organisation: [unclosed\n")
    with pytest.raises(EngagementError, match="line 4"):
        load_engagement(path)


def test_quads_use_engagement_predicates_not_mapping_ones():
    engagement = load_engagement(SAMPLE)
    quads = engagement_quads(engagement)
    predicates = {q.predicate.value for q in quads}
    assert "https://w3id.org/attestgraph/vocab#implementsControl" in predicates
    assert not predicates & {"https://w3id.org/attestgraph/vocab#fromElement", "https://w3id.org/attestgraph/vocab#toElement"}
    assert {q.graph_name.value for q in quads} == {engagement.graph}
