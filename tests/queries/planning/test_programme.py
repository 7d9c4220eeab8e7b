"""The reference programme: the planner's own selection for one framework, which
``overlap`` reads "the work for A" as when no engagement says."""

from attestgraph.queries.analysis import coverage
from attestgraph.queries.analysis.overlap import overlap
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.planning.programme import reference_programme


def test_soc2_programme_is_the_planners_selection_and_leaves_out_ai_governance(shipped_store):
    catalog = Catalog(shipped_store)
    soc2 = reference_programme(catalog, "soc2")
    assert soc2["unmet"] == 0 and 0 < len(soc2["ids"]) < len(catalog.controls)
    # The AI impact assessment is ISO/IEC 42001's own work: a SOC 2 programme does not build it.
    assert "AIR-01" not in soc2["ids"]
    iso = reference_programme(catalog, "iso42001")
    assert "AIR-01" in iso["ids"]
    assert reference_programme(catalog, "iso27001") is None  # the planner does not target it


def test_overlap_reads_the_work_for_a_as_the_reference_programme(shipped_store):
    catalog = Catalog(shipped_store)
    answer = overlap(shipped_store, "soc2", "iso42001", catalog)
    chosen = answer["coverage"]["controls"]
    assert chosen["chosen_by"] == "reference-plan"
    assert chosen["ids"] == reference_programme(catalog, "soc2")["ids"]
    own_work = set(answer["coverage"]["requirements"]["open"])
    assert {"6.1.4", "8.4", "A.5.2", "A.5.4", "A.5.5"} <= own_work
    # ISO/IEC 27001 has no reference programme: the threshold rule stands in.
    assert overlap(shipped_store, "iso27001", "soc2", catalog)["coverage"]["controls"]["chosen_by"] == "threshold"
    assert coverage.PROGRAMME_MIN_STRENGTH >= coverage.PARTIAL_MIN_STRENGTH


def test_eu_ai_act_programme_is_the_planners_selection_for_its_stated_reference(shipped_store):
    from attestgraph.queries.analysis.applicability import applicable_units
    from attestgraph.queries.planning.programme import reference_engagement
    from attestgraph.queries.planning.selection import unit_routes

    catalog = Catalog(shipped_store)
    eu = reference_programme(catalog, "eu-ai-act")
    # The rule names the reference: the Act's duties depend on role and class, so they are stated.
    for words in ("provider and deployer", "Annex III high-risk system", "employment", "Art. 50 transparency",
                  "prerequisites of other selected controls"):
        assert words in eu["rule"]
    engagement = reference_engagement("eu-ai-act")
    assert engagement.frameworks == ["eu-ai-act"]
    applicability = applicable_units(catalog, engagement)
    units = applicability.by_slug("eu-ai-act")
    refs = {u.ref for u in units}
    # The reference makes a high-risk provider's, a deployer's and the transparency duties
    # applicable, and none of a GPAI model provider's.
    assert {"eu-ai-act:Art. 9(1)", "eu-ai-act:Art. 26(1)", "eu-ai-act:Art. 50(1)", "eu-ai-act:Art. 43(2)"} <= refs
    assert not any(r.startswith(("eu-ai-act:Art. 53", "eu-ai-act:Art. 55", "eu-ai-act:Art. 43(1)")) for r in refs)
    # Its selection meets every applicable unit the catalog can meet, by the plan's sufficiency rule.
    rows = catalog.run("control-mappings", slug=["eu-ai-act"]).records()
    routes, _ = unit_routes(catalog, applicability, ["eu-ai-act"], rows)
    chosen = set(eu["ids"])
    unmet = {ref for ref in refs if not routes[catalog.by_ref[ref].iri].met_by(chosen)}
    assert unmet == set(eu["unmet_requirements"]) and len(unmet) == eu["unmet"] < len(refs) // 10
    assert "AIR-01" in chosen and "MLC-60" in chosen  # risk management; the Annex IV technical file


def test_eu_ai_act_work_does_not_claim_iso42001s_management_system(shipped_store):
    catalog = Catalog(shipped_store)
    answer = overlap(shipped_store, "eu-ai-act", "iso42001", catalog)
    assert answer["coverage"]["controls"]["chosen_by"] == "reference-plan"
    states = answer["coverage"]["requirements"]
    # ISO/IEC 42001 is certifiable and the Act asks for no internal audit or management review:
    # those stay ISO's own work, and fewer than half of clauses 4-10 are met in full.
    assert {"9.1", "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3"} <= set(states["open"])
    clauses = [n for state in states.values() for n in state if not n.startswith("A.")]
    assert 2 * sum(1 for n in states["full"] if not n.startswith("A.")) < len(clauses)
    # The other way, ISO/IEC 42001 certification produces none of the Act's own artefacts in full.
    reverse = overlap(shipped_store, "iso42001", "eu-ai-act", catalog)["coverage"]["requirements"]
    assert {"Annex IV(1)", "Art. 47(1)", "Art. 48(3)", "Art. 49(1)"} <= set(reverse["open"])
