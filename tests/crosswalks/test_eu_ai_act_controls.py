"""The EU AI Act duties no combination of catalog controls met, and the controls added for them.

A provider and deployer of an Annex III high-risk system owed 13 duties the catalog could
not meet under the plan's sufficiency rule. Each now has exactly one control that meets it
in full (superset-of or equal, semantic or syntactic): one of the seven controls written
for it, or LOG-02, whose one-year retention meets the six-month floor of Art. 19(1).
"""

from __future__ import annotations

from collections import defaultdict

from attestgraph.queries.analysis import coverage
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.planning.programme import reference_programme

# duty -> the one control full on it
FULL_ON = {
    "Art. 9(4)": "AIR-71",
    "Art. 14(1)": "AIR-70",
    "Art. 14(4)(b)": "AIR-70",
    "Art. 14(4)(d)": "AIR-70",
    "Art. 14(4)(e)": "AIR-70",
    "Art. 16(l)": "SDL-70",
    "Art. 19(1)": "LOG-02",
    "Art. 25(1)": "TPM-70",
    "Art. 25(2)": "TPM-70",
    "Art. 26(9)": "PRV-70",
    "Art. 47(2)": "GOV-70",
    "Art. 47(4)": "GOV-70",
    "Art. 86(1)": "AIR-72",
}
ADDED = {"AIR-70", "AIR-71", "AIR-72", "GOV-70", "PRV-70", "SDL-70", "TPM-70"}


def _full_links(catalog: Catalog) -> dict[str, set[str]]:
    full: dict[str, set[str]] = defaultdict(set)
    for row in catalog.run("control-mappings", slug=["eu-ai-act"]).records():
        if coverage.link_state(row["rel"], row["rat"], int(row["strength"])) == coverage.FULL:
            full[catalog.by_iri[row["r"]].notation].add(row["controlId"])
    return full


def test_each_duty_is_met_in_full_by_the_one_control_for_it(shipped_store):
    catalog = Catalog(shipped_store)
    full = _full_links(catalog)
    assert {duty: full[duty] for duty in FULL_ON} == {duty: {control} for duty, control in FULL_ON.items()}
    # The added controls are full on these duties and nowhere else in the Act: they were
    # read against them, not spread over neighbouring provisions.
    elsewhere = {duty for duty, controls in full.items() if controls & ADDED} - set(FULL_ON)
    assert elsewhere == set()


def test_added_controls_carry_evidence_and_prerequisites_in_the_catalog(shipped_store):
    catalog = Catalog(shipped_store)
    for control in ADDED:
        info = catalog.controls[control]
        assert info["evidence"] and set(info["evidence"]) <= set(catalog.evidence_types)
        assert info["dependsOn"] and set(info["dependsOn"]) <= set(catalog.controls)


def test_eu_reference_programme_now_meets_every_applicable_duty(shipped_store):
    eu = reference_programme(Catalog(shipped_store), "eu-ai-act")
    assert eu["unmet"] == 0 and eu["unmet_requirements"] == []
    assert ADDED <= set(eu["ids"]) and "LOG-02" in eu["ids"]
