"""Engagements under the EU AI Act: the targets.eu_ai_act keys, the duties each role and
risk class brings, the findings, and the Act's dates as plan deadlines."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from attestgraph.errors import EngagementError
from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.applicability import Applicability, applicable_units
from attestgraph.queries.analysis.findings import readiness_findings
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import Engagement, parse_engagement
from attestgraph.queries.planning.plan import build_plan

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai-eu.yaml"


@pytest.fixture(scope="module")
def catalog(shipped_store: GraphStore) -> Catalog:
    return Catalog(shipped_store)


@pytest.fixture
def document() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SAMPLE.read_text())
    return data


def with_target(document: dict[str, Any], **target: Any) -> Engagement:
    data = copy.deepcopy(document)
    data["targets"]["eu_ai_act"] = target
    return parse_engagement(data, "eu.yaml")


def eu_units(catalog: Catalog, engagement: Engagement) -> set[str]:
    found: Applicability = applicable_units(catalog, engagement)
    return {u.requirement.notation for u in found.by_slug("eu-ai-act")}


def test_sample_parses(document: dict[str, Any]) -> None:
    engagement = parse_engagement(document, "acme-ai-eu.yaml")
    assert engagement.frameworks == ["iso42001", "eu-ai-act"]
    assert engagement.eu_ai_act is not None
    assert engagement.eu_ai_act.roles == ("provider", "deployer")
    assert engagement.eu_ai_act.annex_iii == ("employment",)


@pytest.mark.parametrize(
    "target, field, message",
    [
        ({"risk_classes": ["high-risk"], "annex_iii": ["employment"]}, "targets.eu_ai_act.roles", "is required"),
        ({"roles": []}, "targets.eu_ai_act.roles", "expected at least one"),
        ({"roles": ["operator"]}, "targets.eu_ai_act.roles[0]", "expected one of provider"),
        ({"roles": ["provider", "provider"]}, "targets.eu_ai_act.roles[1]", "listed twice"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"]}, "targets.eu_ai_act.annex_iii", "Annex III area"),
        ({"roles": ["provider"], "annex_iii": ["employment"]}, "targets.eu_ai_act.risk_classes", "add high-risk"),
        ({"roles": ["provider"], "annex_iii": ["hiring"]}, "targets.eu_ai_act.annex_iii[0]", "expected one of"),
        ({"roles": ["provider"], "risk_classes": ["gpai"]}, "targets.eu_ai_act.roles", "gpai-provider role"),
        ({"roles": ["gpai-provider"]}, "targets.eu_ai_act.risk_classes", "needs gpai"),
        ({"roles": ["provider"], "fundamental_rights_assessment": True},
         "targets.eu_ai_act.fundamental_rights_assessment", "deployers of high-risk"),
        ({"roles": ["provider"], "prohibited_practices": ["mind-reading"]},
         "targets.eu_ai_act.prohibited_practices[0]", "expected one of"),
        ({"roles": ["provider"], "role": "provider"}, "targets.eu_ai_act.role", "did you mean 'roles'"),
        ({"roles": ["provider"], "established_outside_eu": "no"}, "targets.eu_ai_act.established_outside_eu",
         "true or false"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_i": ["spacecraft"]},
         "targets.eu_ai_act.annex_i[0]", "expected one of toys"),
        ({"roles": ["provider"], "annex_i": ["medical-devices"]}, "targets.eu_ai_act.risk_classes",
         "Annex I legislation is listed: add high-risk"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_i": ["toys", "toys"]},
         "targets.eu_ai_act.annex_i[1]", "listed twice"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"]}, "targets.eu_ai_act.annex_iii", "annex_i"),
        ({"roles": ["deployer"], "risk_classes": ["high-risk"], "annex_i": ["medical-devices"],
          "fundamental_rights_assessment": True}, "targets.eu_ai_act.fundamental_rights_assessment",
         "not of Annex I products"),
        ({"roles": ["provider"], "risk_classes": ["transparency"], "open_source_model": True},
         "targets.eu_ai_act.open_source_model", "general-purpose AI models"),
        ({"roles": ["gpai-provider"], "risk_classes": ["gpai"], "open_source_model": "yes"},
         "targets.eu_ai_act.open_source_model", "true or false"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_iii": ["employment"],
          "public_authority": True}, "targets.eu_ai_act.public_authority", "needs the deployer role"),
        ({"roles": ["deployer"], "risk_classes": ["transparency"], "public_authority": True},
         "targets.eu_ai_act.public_authority", "high-risk class"),
        ({"roles": ["deployer"], "risk_classes": ["high-risk"], "annex_iii": ["employment"], "public_authority": 1},
         "targets.eu_ai_act.public_authority", "true or false"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_iii": ["employment"],
          "remote_biometric_identification": True}, "targets.eu_ai_act.remote_biometric_identification",
         "annex_iii [biometrics]"),
        ({"roles": ["provider"], "annex_iii": ["biometrics"], "annex_iii_not_high_risk": True,
          "remote_biometric_identification": True}, "targets.eu_ai_act.remote_biometric_identification",
         "high-risk class"),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_iii": ["biometrics"],
          "remote_biometric_identification": True, "law_enforcement_post_remote_biometric_identification": True},
         "targets.eu_ai_act.law_enforcement_post_remote_biometric_identification", "needs the deployer role"),
        ({"roles": ["deployer"], "risk_classes": ["high-risk"], "annex_iii": ["biometrics"],
          "law_enforcement_post_remote_biometric_identification": True},
         "targets.eu_ai_act.law_enforcement_post_remote_biometric_identification", "remote_biometric_identification"),
        ({"roles": ["provider"], "prohibited_practices": ["nudification"]},
         "targets.eu_ai_act.prohibited_practices[0]", "non-consensual-intimate-imagery"),
    ],
)
def test_bad_targets_are_named(document: dict[str, Any], target: dict[str, Any], field: str, message: str) -> None:
    with pytest.raises(EngagementError) as caught:
        with_target(document, **target)
    assert caught.value.field == field
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_high_risk_provider_and_deployer(catalog: Catalog, document: dict[str, Any]) -> None:
    found = applicable_units(catalog, parse_engagement(document, "acme-ai-eu.yaml"))
    units = {u.requirement.notation: u for u in found.by_slug("eu-ai-act")}
    # 93 at first; +3 from Regulation (EU) 2026/1744 (Art. 5(1)(ba) and (bb), every provider and deployer;
    # Art. 111(4), a provider of a system generating text); +12 paragraphs the provision review added
    # that bind a high-risk provider and deployer (9(4), 9(8), 12(2), 20(2), 21(2), 25(2), 26(9), 26(12),
    # 43(4), 47(2), 47(4), 86(1)) and +16 from splitting Art. 14(4) and 17(1) into their 18 points: 124.
    # -1: Art. 10(5) is deleted by Regulation (EU) 2026/1744, Art. 1(9)(b); Art. 4a, where it moved, is a
    # permission, not a duty. The duties behind the new facts bind only engagements that declare them.
    assert len(units) == 123
    assert {"Art. 4", "Art. 5(1)(c)", "Art. 9(2)(a)", "Art. 26(6)", "Art. 43(2)", "Art. 50(1)", "Art. 73(2)",
            "Annex IV(9)", "Art. 17(1)(m)", "Art. 14(4)(e)", "Art. 86(1)", "Art. 26(12)"} <= set(units)
    # Not this engagement's: other roles, another class, facts it does not have.
    assert not {"Art. 23(1)", "Art. 24(1)", "Art. 22(1)", "Art. 27(1)", "Art. 43(1)", "Art. 6(4)", "Art. 49(2)",
                "Art. 53(1)(a)", "Art. 55(1)(a)", "Annex XII", "Art. 23(2)", "Art. 24(4)", "Art. 22(4)", "Art. 27(2)",
                "Art. 14(4)", "Art. 17(1)"} & set(units)
    assert not any(n.startswith(("Art. 99", "Art. 101", "Annex III")) for n in units)
    assert units["Art. 9(1)"].effective == dt.date(2027, 12, 2)
    assert units["Art. 50(2)"].effective == dt.date(2026, 8, 2)
    assert units["Art. 5(1)(a)"].effective == dt.date(2025, 2, 2)
    assert units["Art. 5(1)(ba)"].effective == units["Art. 111(4)"].effective == dt.date(2026, 12, 2)
    assert "Art. 43(3)" not in units  # the Annex I procedure; this engagement's system is Annex III only
    why = {e["requirement"]: e["why"] for e in found.excluded}
    assert "importer" in why["eu-ai-act:Art. 23(1)"] and "established_outside_eu" in why["eu-ai-act:Art. 22(1)"]


@pytest.mark.parametrize(
    "target, present, absent",
    [
        ({"roles": ["deployer"], "risk_classes": ["high-risk"], "annex_iii": ["employment"]},
         {"Art. 26(1)", "Art. 26(11)", "Art. 4", "Art. 25(1)"},
         {"Art. 9(1)", "Art. 16(a)", "Art. 27(1)", "Art. 50(1)"}),
        ({"roles": ["deployer"], "risk_classes": ["high-risk"], "annex_iii": ["essential-services"],
          "fundamental_rights_assessment": True}, {"Art. 27(1)", "Art. 27(3)"}, {"Art. 9(1)", "Art. 27(4)"}),
        ({"roles": ["provider"], "risk_classes": ["transparency"]},
         {"Art. 50(1)", "Art. 50(2)", "Art. 50(5)", "Art. 5(1)(a)"}, {"Art. 50(3)", "Art. 9(1)", "Annex IV(1)"}),
        ({"roles": ["gpai-provider"], "risk_classes": ["gpai"], "established_outside_eu": True},
         {"Art. 53(1)(c)", "Art. 53(1)(d)", "Annex XI Section 1", "Annex XII", "Art. 54(1)"},
         {"Art. 55(1)(a)", "Annex XI Section 2", "Art. 52(1)", "Art. 5(1)(a)", "Art. 4"}),
        ({"roles": ["gpai-provider"], "risk_classes": ["gpai-systemic-risk"]},
         {"Art. 52(1)", "Art. 55(1)(b)", "Annex XI Section 2", "Art. 53(1)(a)"}, {"Art. 54(1)"}),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_iii": ["biometrics"]},
         {"Art. 43(1)", "Art. 49(1)"}, {"Art. 43(2)"}),
        ({"roles": ["provider"], "risk_classes": ["high-risk"], "annex_iii": ["critical-infrastructure"]},
         {"Art. 43(2)"}, {"Art. 49(1)", "Art. 43(1)"}),
        ({"roles": ["provider"], "annex_iii": ["education"], "annex_iii_not_high_risk": True},
         {"Art. 6(4)", "Art. 49(2)"}, {"Art. 9(1)"}),
        ({"roles": ["importer", "distributor"], "risk_classes": ["high-risk"], "annex_iii": ["education"]},
         {"Art. 23(1)", "Art. 24(1)", "Art. 25(1)"}, {"Art. 16(a)", "Art. 26(1)", "Art. 4"}),
    ],
)
def test_duties_by_role_and_class(catalog: Catalog, document: dict[str, Any], target: dict[str, Any],
                                  present: set[str], absent: set[str]) -> None:
    units = eu_units(catalog, with_target(document, **target))
    assert present <= units
    assert not absent & units


def finding_ids(store: GraphStore, engagement: Engagement) -> dict[str, Any]:
    return {f.id: f for f in readiness_findings(store, engagement)}


def test_findings_fire_on_their_fixture_only(shipped_store: GraphStore, document: dict[str, Any]) -> None:
    sample = parse_engagement(document, "acme-ai-eu.yaml")
    found = finding_ids(shipped_store, sample)
    risk = found["missing-eu-ai-act-risk-management"]
    assert "10 of 10 provisions" in risk.found and "eu-ai-act:Art. 9(2)(d)" in risk.requirements
    assert "EUR 15 000 000 or 3 %" in risk.why and "Art. 99(4)" in risk.why
    assert "eu-ai-act-prohibited-practice" not in found and "missing-eu-ai-act-gpai-documentation" not in found

    declared = with_target(document, roles=["provider"], prohibited_practices=["social-scoring"])
    prohibited = finding_ids(shipped_store, declared)["eu-ai-act-prohibited-practice"]
    assert prohibited.requirements == ["eu-ai-act:Art. 5(1)(c)"]
    assert "EUR 35 000 000 or 7 %" in prohibited.why and "whichever is higher" in prohibited.why

    gpai = with_target(document, roles=["gpai-provider"], risk_classes=["gpai"])
    gpai_found = finding_ids(shipped_store, gpai)
    assert "Art. 101(1)" in gpai_found["missing-eu-ai-act-gpai-documentation"].why
    assert "missing-eu-ai-act-risk-management" not in gpai_found

    # With the Art. 9 controls operating, the risk-management finding is gone. AIR-71 (the
    # interaction review of the high-risk requirements) is the control that meets Art. 9(4);
    # before it was added no control could, so that duty was unmet and the finding passed over it.
    data = copy.deepcopy(document)
    data["implemented"]["controls"] += [{"control": c, "since": "2026-06-01"}
                                        for c in ("AIR-01", "AIR-02", "AIR-03", "AIR-07", "MLC-03", "MLC-04", "MLC-61",
                                                  "MLC-07", "MLC-05", "LOG-01", "RSK-01", "AIR-71")]
    covered = parse_engagement(data, "covered.yaml")
    assert "missing-eu-ai-act-risk-management" not in finding_ids(shipped_store, covered)


def test_plan_takes_the_acts_dates_as_deadlines(shipped_store: GraphStore, document: dict[str, Any]) -> None:
    engagement = parse_engagement(document, "acme-ai-eu.yaml")
    plan = build_plan(shipped_store, engagement)
    deadlines = [m for m in plan["milestones"] if m["kind"] == "eu-ai-act-deadline"]
    assert [m["date"] for m in deadlines] == ["2027-12-02"]  # the later dates were in force before the start
    assert "EU AI Act provisions take effect" in deadlines[0]["label"]
    overdue = {f["id"]: f for f in plan["findings"]}["eu-ai-act-overdue"]
    assert {"HRS-60", "PRM-60", "AIR-60"} <= set(overdue["controls"])
    steps = {s["control"]: s for s in plan["steps"]}
    assert steps["MLC-60"]["deadline"] == "2027-12-02"
    assert "EU AI Act duty in force 2027-12-02" in steps["MLC-60"]["why"]
    assert steps["HRS-60"]["deadline"] == "2025-02-02"
    assert dt.date.fromisoformat(steps["MLC-60"]["end"]) <= dt.date(2027, 12, 2)
    assert not any(f["id"].startswith("dpdp-") for f in plan["findings"])


def test_a_late_plan_is_flagged(shipped_store: GraphStore, document: dict[str, Any]) -> None:
    data = copy.deepcopy(document)
    data["engagement"].update(start_date="2027-10-04", capacity_days_per_week=1)
    plan = build_plan(shipped_store, parse_engagement(data, "late.yaml"))
    late = [f for f in plan["findings"] if f["id"] == "eu-ai-act-deadline-2027-12-02"]
    assert late and "market surveillance authority" in late[0]["why"]



def eu_applicability(catalog: Catalog, engagement: Engagement) -> tuple[dict[str, Any], dict[str, str]]:
    found = applicable_units(catalog, engagement)
    units = {u.requirement.notation: u for u in found.by_slug("eu-ai-act")}
    why = {e["requirement"].removeprefix("eu-ai-act:"): e["why"] for e in found.excluded
           if e["requirement"].startswith("eu-ai-act:")}
    return units, why


def test_an_annex_i_section_a_product_takes_the_annex_i_date(catalog: Catalog, document: dict[str, Any]) -> None:
    """Art. 6(1) and Annex I Section A: the high-risk duties apply from 2 August 2028 (Art. 113(c)(ii)
    as amended), the conformity assessment runs under the product legislation (Art. 43(3)), and the
    Annex III procedures and EU database registration are not this system's."""
    engagement = with_target(document, roles=["provider"], risk_classes=["high-risk"], annex_i=["medical-devices"])
    units, why = eu_applicability(catalog, engagement)
    for notation in ("Art. 9(1)", "Art. 16(a)", "Art. 43(3)", "Art. 72(1)", "Art. 73(2)", "Annex IV(1)"):
        assert units[notation].effective == dt.date(2028, 8, 2), notation
    assert units["Art. 5(1)(a)"].effective == dt.date(2025, 2, 2)  # not a high-risk duty: its own date
    assert not {"Art. 43(1)", "Art. 43(2)", "Art. 49(1)"} & set(units)
    assert "Art. 43(3)" in why["Art. 49(1)"] and "Annex III" in why["Art. 43(2)"]


def test_an_annex_i_section_b_product_is_left_to_its_sectoral_law(catalog: Catalog, document: dict[str, Any]) -> None:
    """Machinery moved to Section B (Regulation (EU) 2026/1744, Art. 1(41)): only Art. 6(1), 60a and
    102 to 112 apply (Art. 2(2)), so none of the Regulation's own high-risk duties bind."""
    engagement = with_target(document, roles=["provider", "deployer"], risk_classes=["high-risk", "transparency"],
                             annex_i=["machinery"])
    units, why = eu_applicability(catalog, engagement)
    assert not {"Art. 9(1)", "Art. 26(1)", "Art. 43(3)", "Annex IV(1)", "Art. 73(2)"} & set(units)
    assert "Art. 2(2)" in why["Art. 9(1)"] and "Section B" in why["Art. 26(1)"]
    assert {"Art. 4", "Art. 50(1)", "Art. 5(1)(bb)"} <= set(units)  # the duties outside Chapter III stay


def test_a_system_on_both_routes_is_held_to_the_earlier_date(catalog: Catalog, document: dict[str, Any]) -> None:
    engagement = with_target(document, roles=["provider"], risk_classes=["high-risk"],
                             annex_iii=["employment"], annex_i=["medical-devices", "machinery"])
    units, _ = eu_applicability(catalog, engagement)
    assert units["Art. 9(1)"].effective == dt.date(2027, 12, 2)  # the Annex III route comes first
    assert units["Art. 43(2)"].effective == dt.date(2027, 12, 2)
    assert units["Art. 43(3)"].effective == dt.date(2028, 8, 2)  # the Annex I route only
    assert "Art. 49(1)" in units


def test_route_dates_are_read_from_the_graph(shipped_store: GraphStore, document: dict[str, Any]) -> None:
    """Move Art. 6(1)'s date in a copy of the graph and the Annex I duties move with it."""
    store = shipped_store.copy_to_memory()
    store.update(
        "DELETE { ?r ag:effectiveFrom ?d } INSERT { ?r ag:effectiveFrom \"2029-01-15\"^^xsd:date } "
        "WHERE { GRAPH ?g { ?r skos:notation \"Art. 6(1)\" ; ag:effectiveFrom ?d } }"
    )
    engagement = with_target(document, roles=["provider"], risk_classes=["high-risk"], annex_i=["lifts"])
    units, _ = eu_applicability(Catalog(store), engagement)
    assert units["Art. 9(1)"].effective == units["Art. 43(3)"].effective == dt.date(2029, 1, 15)


def test_an_open_source_model_is_exempt_from_documentation_but_not_copyright(
        catalog: Catalog, document: dict[str, Any]) -> None:
    """Art. 53(2) lifts Art. 53(1)(a) and (b) (their Annexes XI Section 1 and XII) and Art. 54(6)
    lifts Art. 54; Art. 53(1)(c) and (d) stay. A model with systemic risk keeps them all."""
    exempt = with_target(document, roles=["gpai-provider"], risk_classes=["gpai"], open_source_model=True,
                         established_outside_eu=True)
    units, why = eu_applicability(catalog, exempt)
    assert {"Art. 53(1)(c)", "Art. 53(1)(d)"} <= set(units)
    assert not {"Art. 53(1)(a)", "Art. 53(1)(b)", "Annex XI Section 1", "Annex XII", "Art. 54(1)"} & set(units)
    assert "Art. 53(2)" in why["Art. 53(1)(a)"] and "Art. 54(6)" in why["Art. 54(1)"]
    systemic = with_target(document, roles=["gpai-provider"], risk_classes=["gpai-systemic-risk"],
                           open_source_model=True, established_outside_eu=True)
    units, _ = eu_applicability(catalog, systemic)
    assert {"Art. 53(1)(a)", "Art. 53(1)(b)", "Annex XI Section 1", "Annex XII", "Art. 54(1)"} <= set(units)


def test_findings_follow_the_route_and_the_exemption(shipped_store: GraphStore, document: dict[str, Any]) -> None:
    section_b = with_target(document, roles=["provider"], risk_classes=["high-risk"], annex_i=["machinery"])
    assert "missing-eu-ai-act-risk-management" not in finding_ids(shipped_store, section_b)
    section_a = with_target(document, roles=["provider"], risk_classes=["high-risk"], annex_i=["toys"])
    risk = finding_ids(shipped_store, section_a)["missing-eu-ai-act-risk-management"]
    assert "from 2028-08-02" in risk.why

    open_source = with_target(document, roles=["gpai-provider"], risk_classes=["gpai"], open_source_model=True)
    gpai = finding_ids(shipped_store, open_source)["missing-eu-ai-act-gpai-documentation"]
    assert set(gpai.requirements) == {"eu-ai-act:Art. 53(1)(c)", "eu-ai-act:Art. 53(1)(d)"}
    assert "Art. 53(2)" in gpai.why

    declared = with_target(document, roles=["provider"], prohibited_practices=["non-consensual-intimate-imagery",
                                                                               "social-scoring"])
    prohibited = finding_ids(shipped_store, declared)["eu-ai-act-prohibited-practice"]
    assert prohibited.requirements == ["eu-ai-act:Art. 5(1)(ba)", "eu-ai-act:Art. 5(1)(c)"]
    assert "banned from 2 February 2025 for Art. 5(1)(c)" in prohibited.why
    assert "banned from 2 December 2026 for Art. 5(1)(ba)" in prohibited.why


def test_an_annex_i_plan_takes_the_annex_i_date_as_its_deadline(shipped_store: GraphStore,
                                                                document: dict[str, Any]) -> None:
    data = copy.deepcopy(document)
    data["targets"]["eu_ai_act"] = {"roles": ["provider"], "risk_classes": ["high-risk"],
                                    "annex_i": ["medical-devices"]}
    plan = build_plan(shipped_store, parse_engagement(data, "annex-i.yaml"))
    deadlines = [m["date"] for m in plan["milestones"] if m["kind"] == "eu-ai-act-deadline"]
    assert deadlines == ["2028-08-02"]
    steps = {s["control"]: s for s in plan["steps"]}
    assert steps["MLC-60"]["deadline"] == steps["GOV-61"]["deadline"] == "2028-08-02"
    assert "EU AI Act duty in force 2028-08-02" in steps["MLC-60"]["why"]


@pytest.mark.parametrize(
    "facts, present, absent",
    [
        ({}, set(), {"Art. 12(3)", "Art. 14(5)", "Art. 22(2)", "Art. 26(8)", "Art. 26(10)", "Art. 49(3)"}),
        ({"remote_biometric_identification": True}, {"Art. 12(3)", "Art. 14(5)"},
         {"Art. 26(8)", "Art. 26(10)", "Art. 49(3)"}),
        ({"remote_biometric_identification": True, "law_enforcement_post_remote_biometric_identification": True},
         {"Art. 12(3)", "Art. 14(5)", "Art. 26(10)"}, {"Art. 26(8)"}),
        ({"public_authority": True}, {"Art. 26(8)", "Art. 49(3)"}, {"Art. 12(3)", "Art. 14(5)"}),
        ({"established_outside_eu": True}, {"Art. 22(1)", "Art. 22(2)"}, {"Art. 54(2)"}),
    ],
)
def test_duties_that_bind_only_in_their_facts(catalog: Catalog, document: dict[str, Any], facts: dict[str, Any],
                                              present: set[str], absent: set[str]) -> None:
    units = eu_units(catalog, with_target(document, roles=["provider", "deployer"], risk_classes=["high-risk"],
                                          annex_iii=["biometrics"], **facts))
    assert present <= units and not absent & units
    assert not {"Art. 10(5)", "Art. 4a(1)", "Art. 4a(2)"} & units  # deleted, and a permission


def test_fact_duties_follow_role_and_route(catalog: Catalog, document: dict[str, Any]) -> None:
    # A provider-only public body has no deployer duty; the biometric duties bind its design.
    provider = eu_units(catalog, with_target(document, roles=["provider"], risk_classes=["high-risk"],
                                             annex_iii=["biometrics"], remote_biometric_identification=True))
    assert {"Art. 12(3)", "Art. 14(5)"} <= provider and "Art. 26(8)" not in provider
    # Art. 49(3) and 86(1) leave out Annex III point 2; Art. 26(8) covers every high-risk system.
    grid = eu_units(catalog, with_target(document, roles=["deployer"], risk_classes=["high-risk"],
                                         annex_iii=["critical-infrastructure"], public_authority=True))
    assert "Art. 26(8)" in grid and not {"Art. 49(3)", "Art. 86(1)"} & grid
    # A GPAI provider outside the Union enables its representative (Art. 54(2)).
    gpai = eu_units(catalog, with_target(document, roles=["gpai-provider"], risk_classes=["gpai"],
                                         established_outside_eu=True))
    assert {"Art. 54(1)", "Art. 54(2)"} <= gpai
    found = applicable_units(catalog, with_target(document, roles=["deployer"], risk_classes=["high-risk"],
                                                  annex_iii=["employment"]))
    why = {e["requirement"]: e["why"] for e in found.excluded}
    assert "public_authority" in why["eu-ai-act:Art. 49(3)"]
    # Permissions (Art. 4a, Art. 27(4) as amended) are marked not applicable in the data: never units.
    assert not {"Art. 4a(1)", "Art. 4a(2)", "Art. 27(4)"} & {u.requirement.notation for u in found.by_slug("eu-ai-act")}


def test_public_authority_duties_are_dated_by_the_annex_iii_route(catalog: Catalog, document: dict[str, Any]) -> None:
    engagement = with_target(document, roles=["deployer"], risk_classes=["high-risk"], annex_iii=["employment"],
                             public_authority=True)
    units = {u.requirement.notation: u for u in applicable_units(catalog, engagement).by_slug("eu-ai-act")}
    assert units["Art. 26(8)"].effective == units["Art. 49(3)"].effective == dt.date(2027, 12, 2)
    assert units["Art. 86(1)"].effective == dt.date(2027, 12, 2)

