"""Which units an engagement is held to: SOC 2 criteria of its categories, ISO/IEC 42001
through the SoA, DPDP duties by role, facts and date of effect."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from attestgraph.queries.analysis.applicability import applicable_units
from attestgraph.queries.catalog import Catalog


@pytest.fixture(scope="module")
def catalog(shipped_store):
    return Catalog(shipped_store)


def refs(applicability, slug):
    return {u.requirement.notation for u in applicability.by_slug(slug)}


def test_sample_units(catalog, sample):
    found = applicable_units(catalog, sample)
    soc2 = refs(found, "soc2")
    assert "CC6.1" in soc2 and "C1.1" in soc2 and "P4.3" in soc2
    assert not any(n.startswith(("A1.", "PI1.")) for n in soc2)  # availability and PI not chosen
    assert all("." in n and n.count(".") == 1 for n in soc2)  # criteria, not points of focus
    iso = refs(found, "iso42001")
    assert {"4.1", "6.1.2", "9.2.1", "9.3.1", "A.7.4", "A.10.3"} <= iso  # builds models, has suppliers
    act = refs(found, "dpdp-act")
    assert not any(n.startswith(("9", "10")) for n in act)  # no children's data, not an SDF
    why = {e["requirement"]: e["why"] for e in found.excluded}
    assert any(r.startswith("dpdp-act:10") and "Significant Data Fiduciary" in w for r, w in why.items())
    assert all(u.effective for u in found.by_slug("dpdp-rules"))
    assert all(u.effective == dt.date(2027, 5, 13) for u in found.by_slug("dpdp-act") if u.requirement.notation.startswith("8("))


def test_soa_excludes_development_controls_only_with_a_reason(catalog, sample):
    no_models = dataclasses.replace(
        sample, components=[c for c in sample.components if c.type not in ("fine-tuning-pipeline", "model-registry")
                            and "training" not in c.data],
        third_parties=[])
    found = applicable_units(catalog, no_models)
    iso = refs(found, "iso42001")
    assert not any(n.startswith(("A.7.", "A.6.1.")) for n in iso) and "A.10.3" not in iso
    assert {"A.6.2.6", "A.5.2", "8.1"} <= iso  # operating and impact controls stay
    reasons = {e["requirement"]: e["why"] for e in found.excluded}
    assert "Statement of Applicability" in reasons["iso42001:A.7.4"]


def test_sdf_with_children_takes_on_those_duties(catalog, sample):
    sdf = dataclasses.replace(sample, dpdp_role="significant-data-fiduciary", children_data=True)
    act = refs(applicable_units(catalog, sdf), "dpdp-act")
    assert any(n.startswith("9(") for n in act) and any(n.startswith("10(") for n in act)


def nist_engagement(sample, functions, builds_models=True):
    """The sample adopting the NIST AI RMF (``functions`` as notations) and nothing else."""
    components = sample.components if builds_models else [
        c for c in sample.components if c.type not in {"training-pipeline", "fine-tuning-pipeline", "model-registry",
                                                       "feature-store"} and "training" not in c.data]
    return dataclasses.replace(sample, soc2_reports=[], iso42001=False, dpdp_role="none", nist_ai_rmf=True,
                               nist_ai_rmf_functions=functions, components=components)


def test_nist_ai_rmf_units_are_the_subcategories_of_the_adopted_functions(catalog, sample):
    whole = applicable_units(catalog, nist_engagement(sample, ["GOVERN", "MAP", "MEASURE", "MANAGE"]))
    units = refs(whole, "nist-ai-rmf")
    assert len(units) == 72 and {"GOVERN 1.1", "MAP 2.3", "MEASURE 2.13", "MANAGE 3.2"} <= units
    assert not {"GOVERN", "GOVERN 1", "MEASURE 2"} & units  # functions and categories are not units
    narrowed = applicable_units(catalog, nist_engagement(sample, ["GOVERN", "MAP"]))
    assert len(refs(narrowed, "nist-ai-rmf")) == 19 + 18
    why = {e["requirement"]: e["why"] for e in narrowed.excluded}
    assert len(why) == 22 + 13
    assert "the MEASURE function, which the engagement does not adopt" in why["nist-ai-rmf:MEASURE 2.11"]
    assert "GOVERN, MAP" in why["nist-ai-rmf:MANAGE 4.3"]


def test_nist_ai_rmf_pretrained_model_monitoring_needs_model_building(catalog, sample):
    found = applicable_units(catalog, nist_engagement(sample, ["MANAGE"], builds_models=False))
    assert "MANAGE 3.2" not in refs(found, "nist-ai-rmf") and len(refs(found, "nist-ai-rmf")) == 12
    why = {e["requirement"]: e["why"] for e in found.excluded}
    assert "builds, trains or fine-tunes no model" in why["nist-ai-rmf:MANAGE 3.2"]
    assert "MANAGE 3.2" in refs(applicable_units(catalog, nist_engagement(sample, ["MANAGE"])), "nist-ai-rmf")
