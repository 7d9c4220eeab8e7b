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
