"""The NIST AI RMF mapping sets: controls to every subcategory, the crosswalk to ISO/IEC
42001, and its measured agreement with NIST's published crosswalk (as far as it was read).

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
    assert len(parsed.rows) == 131 and parsed.header["counts"].startswith("131 pairs")
    assert {r.relationship for r in parsed.rows} == {"intersects-with"}
    for row in parsed.rows:
        assert row.from_ref.split(":", 1)[1] in subcategories(), row.line
        assert row.to_ref.split(":", 1)[1] in notations("iso42001"), row.line
        assert 3 <= row.strength <= 9 and row.reason.endswith("."), row.line
    unmapped = subcategories() - {sub for sub, _ in pairs("nist-ai-rmf-iso42001")}
    assert unmapped == {"MEASURE 2.2", "MEASURE 3.2"}  # human-subject protection; untracked-risk methods


def test_public_source_is_named_exactly_where_nists_crosswalk_links_the_pair() -> None:
    nist = {(r["subcategory"], r["iso"]) for r in reference()}
    rows = read_mapping_set(SHIPPED.crosswalks / "nist-ai-rmf-iso42001.tsv").rows
    for row in rows:
        pair = (row.from_ref.split(":", 1)[1], row.to_ref.split(":", 1)[1])
        if pair in nist:
            assert row.source_kind == "public-crosswalk" and row.source == NIST_SOURCE, row.line
        else:
            assert row.source_kind == "judgement" and row.source == "attestgraph project judgement", row.line


def test_reference_ids_exist_and_mirror_annex_b() -> None:
    rows = reference()
    assert len(rows) == 25
    for row in rows:
        assert row["subcategory"] in subcategories()
        assert row["iso"] in notations("iso42001")
        assert row["as_printed"] == ("B" + row["iso"][1:] if row["iso"].startswith("A.") else row["iso"])
        assert row["row_complete"] in {"yes", "no"}


def test_readme_agreement_figures_match_the_data() -> None:
    rows = reference()
    nist = {(r["subcategory"], r["iso"]) for r in rows}
    complete = {r["subcategory"] for r in rows if r["row_complete"] == "yes"}
    seen = {r["subcategory"] for r in rows}
    ours = {p for p in pairs("nist-ai-rmf-iso42001") if p[0] in seen}
    section = README.split("## nist-ai-rmf-iso42001\n", 1)[1].split("\n## ", 1)[0]
    figures = {
        "rows read": len(seen), "complete rows": len(complete),
        "pairs in both": len(nist & ours), "only NIST": len(nist - ours), "only ours": len(ours - nist),
    }
    for name, value in figures.items():
        assert f"| {name} | {value} |" in section, name
    in_complete = {p for p in nist if p[0] in complete}
    ours_complete = {p for p in ours if p[0] in complete}
    assert f"| complete rows: both / only NIST / only ours | {len(in_complete & ours_complete)} / " \
           f"{len(in_complete - ours_complete)} / {len(ours_complete - in_complete)} |" in section
