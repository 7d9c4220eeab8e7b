"""The NIST AI RMF mapping sets: controls to every subcategory, the crosswalk to ISO/IEC
42001, and its measured agreement with NIST's published crosswalk (all 72 of its rows).

Counts are pinned on purpose: a row added or dropped must be a decision that updates the
file header and crosswalks/README.md with it.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import rdflib
from rdflib.namespace import SKOS

from attestgraph.crosswalks.mapping_set import read_mapping_set
from attestgraph.graph.sources import DataRoot

SHIPPED = DataRoot.shipped()
CHECKOUT = Path(__file__).parents[2]
REFERENCE = CHECKOUT / "crosswalks" / "reference" / "nist-ai-rmf-iso42001.nist.tsv"
README = (SHIPPED.crosswalks / "README.md").read_text(encoding="utf-8")
NIST_SOURCE = "NIST AI RMF–ISO/IEC 42001 crosswalk agrees (NIST AIRC, NIST_AI_RMF_to_ISO_IEC_42001_Crosswalk.pdf)"


@cache
def notations(framework: str) -> frozenset[str]:
    graph = rdflib.Graph().parse(SHIPPED.ontologies / "frameworks" / f"{framework}.ttl")
    return frozenset(str(o) for o in graph.objects(None, SKOS.notation))


def subcategories() -> set[str]:
    return {n for n in notations("nist-ai-rmf") if "." in n}


def pairs(name: str) -> set[tuple[str, str]]:
    rows = read_mapping_set(SHIPPED.crosswalks / f"{name}.tsv").rows
    return {(row.from_ref.split(":", 1)[1], row.to_ref.split(":", 1)[1]) for row in rows}


def reference() -> list[dict[str, str]]:
    lines = [line for line in REFERENCE.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def test_every_subcategory_is_reached_by_a_control() -> None:
    reached = {sub for _, sub in pairs("controls-nist-ai-rmf")}
    assert len(subcategories()) == 72 and reached == subcategories()
    rows = read_mapping_set(SHIPPED.crosswalks / "controls-nist-ai-rmf.tsv").rows
    # 168 rows from the AI RMF reading, plus AIR-70 (the EU AI Act human-oversight design,
    # added 2026-12-02) on MANAGE 2.4 and MAP 3.5.
    assert len(rows) == 170
    assert {r.source for r in rows} == {"attestgraph project judgement"}
    # The controls added for the AI RMF each answer a subcategory nothing else reached.
    added = {row.from_ref.split(":", 1)[1]: row.to_ref for row in rows if row.strength >= 8}
    assert {"GOV-30", "GOV-31", "AIR-30", "MLC-30", "MLC-31", "MLC-32"} <= set(added)


def test_crosswalk_ids_size_and_sources() -> None:
    parsed = read_mapping_set(SHIPPED.crosswalks / "nist-ai-rmf-iso42001.tsv")
    assert len(parsed.rows) == 201 and parsed.header["counts"].startswith("201 pairs")
    assert {r.relationship for r in parsed.rows} == {"intersects-with"}
    for row in parsed.rows:
        assert row.from_ref.split(":", 1)[1] in subcategories(), row.line
        assert row.to_ref.split(":", 1)[1] in notations("iso42001"), row.line
        assert 3 <= row.strength <= 9 and row.reason.endswith("."), row.line
    unmapped = subcategories() - {sub for sub, _ in pairs("nist-ai-rmf-iso42001")}
    assert unmapped == {"MEASURE 2.2", "MEASURE 3.2"}  # human-subject protection; untracked-risk methods


def test_public_source_is_named_exactly_where_nists_crosswalk_links_the_pair() -> None:
    nist = {(r["subcategory"], r["unit"]) for r in reference()}
    rows = read_mapping_set(SHIPPED.crosswalks / "nist-ai-rmf-iso42001.tsv").rows
    for row in rows:
        pair = (row.from_ref.split(":", 1)[1], row.to_ref.split(":", 1)[1])
        if pair in nist:
            assert row.source_kind == "public-crosswalk" and row.source == NIST_SOURCE, row.line
        else:
            assert row.source_kind == "judgement" and row.source == "attestgraph project judgement", row.line


def collapsed(iso: str) -> str:
    """The unit the crosswalk maps at: 7.5.x, 9.2.x and 9.3.x fold onto 7.5, 9.2 and 9.3."""
    return next((iso[:3] for head in ("7.5.", "9.2.", "9.3.") if iso.startswith(head)), iso)


def test_reference_holds_every_row_of_nists_crosswalk_by_id() -> None:
    rows = reference()
    assert {r["subcategory"] for r in rows} == subcategories()  # all 72 rows were read
    assert len({(r["subcategory"], r["iso"]) for r in rows}) == len(rows) == 280
    for row in rows:
        assert row["iso"] in notations("iso42001"), row
        assert row["unit"] == collapsed(row["iso"]) and row["unit"] in notations("iso42001"), row
        mirrored = "B" + row["iso"][1:] if row["iso"].startswith("A.") else row["iso"]
        # The one id printed wrongly ("7..2") says why in its note; every other id is as printed.
        assert row["as_printed"] == mirrored or row["note"].startswith(f'printed "{row["as_printed"]}"'), row
    # The PDF's own totals, which an independent parse of it also reports: 281 references,
    # 202 to Annex B guidance and 79 to clauses (MANAGE 1.1 prints B.6.2.4 twice).
    printed_twice = sum("printed twice" in r["note"] for r in rows)
    annex_b = sum(r["as_printed"].startswith("B.") for r in rows) + printed_twice
    assert (len(rows) + printed_twice, annex_b) == (281, 202)


def test_readme_agreement_figures_match_the_data() -> None:
    rows = reference()
    nist = {(r["subcategory"], r["unit"]) for r in rows}
    ours = pairs("nist-ai-rmf-iso42001")
    section = README.split("## nist-ai-rmf-iso42001\n", 1)[1].split("\n## ", 1)[0]
    figures = {
        "rows read": len({r["subcategory"] for r in rows}), "NIST pairs at our units": len(nist),
        "our pairs": len(ours), "pairs in both": len(nist & ours), "only NIST": len(nist - ours),
        "only ours": len(ours - nist),
    }
    assert figures == {"rows read": 72, "NIST pairs at our units": 278, "our pairs": 201,
                       "pairs in both": 143, "only NIST": 135, "only ours": 58}
    for name, value in figures.items():
        assert f"| {name} | {value} |" in section, name


def test_every_gai_risk_of_ai_600_1_is_reached_by_a_control() -> None:
    parsed = read_mapping_set(SHIPPED.crosswalks / "controls-nist-ai-600-1.tsv")
    risks = notations("nist-ai-600-1")
    assert len(risks) == 12 and {sub for _, sub in pairs("controls-nist-ai-600-1")} == risks
    assert len(parsed.rows) == 48 and parsed.header["counts"].startswith("48 rows, 3 subset-of")
    # subset-of only for controls that serve one risk alone; no control manages a whole risk.
    narrow = {(r.from_ref, r.to_ref) for r in parsed.rows if r.relationship == "subset-of"}
    assert narrow == {("control:MLC-31", "nist-ai-600-1:2.5"), ("control:PRM-01", "nist-ai-600-1:2.9"),
                      ("control:TDG-61", "nist-ai-600-1:2.10")}
    assert {r.relationship for r in parsed.rows} == {"subset-of", "intersects-with"}
    assert {r.source for r in parsed.rows} == {"attestgraph project judgement"}
