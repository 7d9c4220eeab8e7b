"""Engagement files: validated field by field, with the field named in every error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from attestgraph.errors import EngagementError
from attestgraph.queries.engagement.file import load_engagement, parse_engagement
from attestgraph.queries.engagement.graph import engagement_quads

SAMPLE = Path(__file__).parents[3] / "examples" / "acme-ai.yaml"


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


@pytest.mark.parametrize(
    "change, field, message",
    [
        (lambda d: d["targets"]["iso42001"].update(certifcation=True), "targets.iso42001.certifcation",
         "unknown key 'certifcation'; did you mean 'certification'?"),
        (lambda d: d["engagement"].update(start_dat="2027-01-04"), "engagement.start_dat", "did you mean 'start_date'?"),
        (lambda d: d.update(extras={}), "extras", "unknown key 'extras'"),
        (lambda d: d["components"][0].update(in_scop=True), "components[0].in_scop", "did you mean 'in_scope'?"),
        (lambda d: d["third_parties"][0].update(cuec=[]), "third_parties[0].cuec", "did you mean 'cuecs'?"),
        (lambda d: d["engagement"].update(start_date="2027-02-30"), "engagement.start_date",
         "expected a real date YYYY-MM-DD, got '2027-02-30'"),
        (lambda d: d["engagement"].update(start_date="9999-12-31"), "engagement.start_date", "years 2000-2100"),
        (lambda d: d["engagement"].update(start_date="20270104"), "engagement.start_date", "expected a date YYYY-MM-DD"),
        (lambda d: d["implemented"]["controls"][0].update(since="1999-12-31"), "implemented.controls[0].since", "years 2000-2100"),
        (lambda d: d["targets"]["soc2"].update(window_start="2026-12-31"), "targets.soc2.window_start",
         "before the engagement starts (2027-01-04"),
        (lambda d: d["engagement"].update(id="acme-ai\n"), "engagement.id", "lowercase letters"),
        (lambda d: d["components"][0].update(id="web app"), "components[0].id", "usable in an IRI"),
        (lambda d: d["components"][0].update(id="web/app"), "components[0].id", "usable in an IRI"),
        (lambda d: d["third_parties"][0].update(id="model provider>"), "third_parties[0].id", "usable in an IRI"),
        (lambda d: d["engagement"]["cost"].update(currency="RUPEES"), "engagement.cost.currency", "expected one of"),
        (lambda d: d["engagement"]["cost"].update(day_rate=-5), "engagement.cost.day_rate", "positive day rate"),
        (lambda d: d["engagement"]["cost"].update(rate=5), "engagement.cost.rate", "did you mean 'day_rate'?"),
        (lambda d: d.update(plan={"exclude": ["IAM-01"]}), "plan.exclude[0]", "already in operation"),
        (lambda d: d.update(plan={"include": ["PRV-11"], "exclude": ["PRV-11"]}), "plan.exclude", "both included and excluded"),
        (lambda d: d.update(plan={"include": [3]}), "plan.include[0]", "expected a control id"),
        (lambda d: d.update(plan={"includes": []}), "plan.includes", "did you mean 'include'?"),
        (lambda d: d["engagement"].update(report_date="2027-13-01"), "engagement.report_date", "expected a real date"),
    ],
)
def test_format_faults_are_one_line_naming_the_field(change, field, message):
    data = sample()
    change(data)
    with pytest.raises(EngagementError) as caught:
        parse_engagement(data, "acme.yaml")
    assert caught.value.field == field
    assert message in str(caught.value)
    assert "\n" not in str(caught.value).replace(repr("acme-ai\n"), "")


def test_impossible_date_in_yaml_text_names_the_field_not_a_traceback(tmp_path):
    path = tmp_path / "feb30.yaml"
    path.write_text(SAMPLE.read_text().replace("start_date: 2027-01-04", "start_date: 2027-02-30"))
    with pytest.raises(EngagementError) as caught:
        load_engagement(path)
    assert caught.value.field == "engagement.start_date"
    assert str(caught.value) == f"{path}: engagement.start_date: expected a real date YYYY-MM-DD, got '2027-02-30' " \
                                "(day is out of range for month)"


def test_engagement_id_has_one_pattern_matched_whole():
    from attestgraph.queries.engagement.file import is_engagement_id

    assert is_engagement_id("acme-ai") and is_engagement_id("a1")
    assert not is_engagement_id("acme-ai\n") and not is_engagement_id("Acme") and not is_engagement_id("-x")
    assert not is_engagement_id("a" * 64) and not is_engagement_id(None)


def test_new_optional_settings_are_read():
    from datetime import date

    data = sample()
    data["engagement"]["report_date"] = "2027-05-02"
    data["plan"] = {"include": ["PRV-11"], "exclude": ["PRV-12"]}
    data["components"][0]["reason"] = "The product itself."
    engagement = parse_engagement(data, "acme.yaml", known_controls={"PRV-11", "PRV-12", "IAM-01", "TPM-05", "TPM-08",
                                                                       "PRM-01", "CRY-01", "AVL-01"} | {
        c["control"] for c in data["implemented"]["controls"]})
    assert engagement.cost.day_rate == 45000 and engagement.cost.currency == "INR"
    assert engagement.include == ["PRV-11"] and engagement.exclude == ["PRV-12"]
    assert engagement.components[0].reason == "The product itself."
    assert engagement.as_of == date(2027, 5, 2)
    # INC-01 operates from 2027-05-01: on 2027-04-30 it is promised, not operating.
    assert "INC-01" not in engagement.operating_on(date(2027, 4, 30)).implemented_ids
    assert "INC-01" in engagement.operating_on(date(2027, 5, 1)).implemented_ids
    # Without the optional settings, the defaults hold.
    plain = sample()
    del plain["engagement"]["cost"]
    bare = parse_engagement(plain, "acme.yaml")
    assert bare.cost is None and bare.include == [] and bare.report_date is None and bare.as_of == date.today()


def test_every_key_of_the_format_is_documented_in_the_readme():
    from attestgraph.queries.engagement.file import KEYS

    readme = (Path(__file__).parents[3] / "README.md").read_text()
    table = readme.split("## Engagement files", 1)[1].split("###", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| `")}
    for shape, keys in KEYS.items():
        for key in keys:
            if shape == "(document)":
                assert any(f"`{key}" in name for name in rows), key
            elif shape.endswith("[]"):
                assert f"`{key}`" in rows[f"`{shape}`"], f"{shape}.{key}"
            else:
                assert f"`{shape}.{key}" in table, f"{shape}.{key}"


def test_nist_ai_rmf_target_adopts_the_whole_core_or_the_functions_named():
    data = sample()
    data["targets"]["nist_ai_rmf"] = {}
    whole = parse_engagement(data, "acme.yaml")
    assert whole.nist_ai_rmf and whole.nist_ai_rmf_functions == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    assert whole.frameworks[-1] == "nist-ai-rmf"
    data["targets"]["nist_ai_rmf"] = None  # `nist_ai_rmf:` with no value adopts it too
    assert parse_engagement(data, "acme.yaml").nist_ai_rmf_functions == ["GOVERN", "MAP", "MEASURE", "MANAGE"]
    data["targets"]["nist_ai_rmf"] = {"functions": ["manage", "govern"]}
    narrowed = parse_engagement(data, "acme.yaml")
    assert narrowed.nist_ai_rmf_functions == ["GOVERN", "MANAGE"]  # the Core's order, not the file's
    iri = "https://w3id.org/attestgraph/id/nist-ai-rmf"
    quads = engagement_quads(narrowed)
    assert any(q.predicate.value.endswith("#targetsFramework") and q.object.value == iri for q in quads)
    absent = parse_engagement(sample(), "acme.yaml")
    assert not absent.nist_ai_rmf and absent.nist_ai_rmf_functions == [] and "nist-ai-rmf" not in absent.frameworks


@pytest.mark.parametrize(
    "value, field, message",
    [
        ({"functions": ["govern", "monitor"]}, "targets.nist_ai_rmf.functions[1]",
         "expected one of govern, map, measure, manage"),
        ({"functions": []}, "targets.nist_ai_rmf.functions", "at least one of govern"),
        ({"functions": ["map", "map"]}, "targets.nist_ai_rmf.functions[1]", "listed twice"),
        ({"functions": "govern"}, "targets.nist_ai_rmf.functions", "expected a list"),
        ({"function": ["govern"]}, "targets.nist_ai_rmf.function", "did you mean 'functions'?"),
        (["govern"], "targets.nist_ai_rmf", "expected a mapping of fields"),
    ],
)
def test_nist_ai_rmf_target_faults_name_the_field(value, field, message):
    data = sample()
    data["targets"]["nist_ai_rmf"] = value
    with pytest.raises(EngagementError) as caught:
        parse_engagement(data, "acme.yaml")
    assert caught.value.field == field
    assert message in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize("dpdp, declared, role", [
    (None, False, "none"),                         # silent: the s.3 reach question is still open
    ({"role": "none"}, True, "none"),              # the company states it is outside the Act
    ({"children_data": False}, False, "none"),     # a dpdp block without a role states none
    ({"role": "processor"}, True, "processor"),
])
def test_dpdp_role_stated_is_told_apart_from_silence(dpdp, declared, role):
    document = sample()
    document["targets"].pop("dpdp")
    if dpdp is not None:
        document["targets"]["dpdp"] = dpdp
    engagement = parse_engagement(document, "dpdp.yaml")
    assert (engagement.dpdp_declared, engagement.dpdp_role) == (declared, role)
    assert ("dpdp-act" in engagement.frameworks) == (role != "none")
