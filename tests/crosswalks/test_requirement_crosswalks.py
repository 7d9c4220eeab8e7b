"""The three curated requirement crosswalks: their size, their coverage, their ids, their
sources, and the figures crosswalks/README.md reports for them.

The counts are pinned on purpose: a row added or dropped must be a decision that updates
the header's counts line and the README's figures with it.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
import rdflib
from rdflib.namespace import SKOS

from attestgraph.crosswalks.mapping_set import read_mapping_set
from attestgraph.graph.sources import DataRoot

SHIPPED = DataRoot.shipped()
README = (SHIPPED.crosswalks / "README.md").read_text(encoding="utf-8")

PINNED_ROWS = {"soc2-iso27001": 203, "iso42001-iso27001": 81, "iso42001-soc2": 77}
PUBLIC_SOURCES = {"Adobe CCF via CISO Assistant", "Cisco CCF via CISO Assistant", "SCF STRM via CISO Assistant"}
JUDGEMENT = "attestgraph project judgement"
HARMONIZED = "ISO harmonized structure"
# Subclauses the crosswalks cite through their parent clause.
COLLAPSED_PARENTS = ("7.5", "9.2", "9.3")
SOC2_CRITERION = re.compile(r"^(CC|A|C|PI|P)\d+\.\d+$")


@cache
def notations(framework: str) -> frozenset[str]:
    graph = rdflib.Graph().parse(SHIPPED.ontologies / "frameworks" / f"{framework}.ttl")
    return frozenset(str(o) for o in graph.objects(None, SKOS.notation))


@cache
def units(framework: str) -> tuple[str, ...]:
    """The units a crosswalk is measured against: SOC 2 criteria; ISO leaves, with the
    subclauses of 7.5, 9.2 and 9.3 counted as their clause."""
    ids = notations(framework)
    if framework == "soc2":
        return tuple(sorted(i for i in ids if SOC2_CRITERION.match(i)))
    leaves = {i for i in ids if "." in i and not any(o.startswith(i + ".") for o in ids)}
    found = set()
    for leaf in leaves:
        parent = next((p for p in COLLAPSED_PARENTS if leaf.startswith(p + ".")), None)
        found.add(parent or leaf)
    return tuple(sorted(found))


def annex_a(framework: str) -> set[str]:
    return {u for u in units(framework) if u.startswith("A.")}


@cache
def mapping_set(name: str):
    return read_mapping_set(SHIPPED.crosswalks / f"{name}.tsv")


def pairs(name: str) -> set[tuple[str, str]]:
    return {(row.from_ref.split(":", 1)[1], row.to_ref.split(":", 1)[1]) for row in mapping_set(name).rows}


@pytest.mark.parametrize("name, expected", PINNED_ROWS.items())
def test_row_count_is_pinned_and_stated_in_the_header(name, expected):
    parsed = mapping_set(name)
    assert len(parsed.rows) == expected
    assert parsed.header["counts"].startswith(f"{expected} pairs")
    assert parsed.header["date"] == "2026-12-01"


@pytest.mark.parametrize("name", PINNED_ROWS)
def test_every_id_exists_in_its_framework_and_side(name):
    parsed = mapping_set(name)
    for row in parsed.rows:
        for ref, side in ((row.from_ref, parsed.header["from_set"]), (row.to_ref, parsed.header["to_set"])):
            prefix, _, notation = ref.partition(":")
            assert prefix == side, (row.line, ref)
            assert notation in notations(side), (row.line, ref)
            if row.source_kind != "structural":  # the harmonized structure also pairs parent clauses (6.1)
                assert notation in units(side), (row.line, ref, "not a unit the crosswalk is measured at")


@pytest.mark.parametrize("name", ["soc2-iso27001", "iso42001-soc2"])
def test_soc2_is_mapped_at_criterion_level(name):
    side = 0 if name.startswith("soc2") else 1
    assert all(SOC2_CRITERION.match(pair[side]) for pair in pairs(name))


def test_every_annex_a_control_appears_in_soc2_iso27001_but_intellectual_property():
    present = {to for _, to in pairs("soc2-iso27001")}
    assert len(annex_a("iso27001")) == 93
    assert annex_a("iso27001") - present == {"A.5.32"}


def test_every_security_availability_and_confidentiality_criterion_appears():
    present = {frm for frm, _ in pairs("soc2-iso27001")}
    wanted = {u for u in units("soc2") if re.match(r"^(CC|A|C)\d", u)}
    assert len(wanted) == 38
    assert wanted <= present


@pytest.mark.parametrize(
    "name, leaves",
    [
        # AI impact assessment, responsible use, responsible-development objectives and AI data
        # management are ISO/IEC 42001's own work: no SOC 2 criterion asks for them.
        ("iso42001-soc2", {"A.5.2", "A.5.3", "A.5.4", "A.5.5", "A.6.1.2", "A.7.2", "A.9.2", "A.9.3", "A.9.4"}),
        ("iso42001-iso27001", {"A.5.2", "A.5.3", "A.5.5", "A.6.1.2", "A.7.4", "A.9.3"}),
    ],
)
def test_ai_only_work_stays_unmapped(name, leaves):
    assert not leaves & {frm for frm, _ in pairs(name)}


@pytest.mark.parametrize("name", PINNED_ROWS)
def test_every_row_names_its_source(name):
    assert mapping_set(name).rows
    for row in mapping_set(name).rows:
        named = row.source.split("; ")
        if row.source_kind == "public-crosswalk":
            assert set(named) <= PUBLIC_SOURCES, (row.line, row.source)
        elif row.source_kind == "judgement":
            assert row.source == JUDGEMENT, (row.line, row.source)
        else:
            assert row.source_kind == "structural" and named[0].startswith(HARMONIZED), (row.line, row.source)
            assert set(named[1:]) <= PUBLIC_SOURCES, (row.line, row.source)


@pytest.mark.parametrize("name", PINNED_ROWS)
def test_strengths_sit_in_the_bands_of_the_rubric(name):
    assert mapping_set(name).rows
    for row in mapping_set(name).rows:
        if row.relationship != "equal":
            assert 3 <= row.strength <= 9, (row.line, row.strength)
        assert row.reason.endswith(".") and len(row.reason) > 40, row.line


@pytest.mark.parametrize(
    "name, from_side, to_side",
    [("soc2-iso27001", "soc2", "iso27001"), ("iso42001-iso27001", "iso42001", "iso27001"), ("iso42001-soc2", "iso42001", "soc2")],
)
def test_readme_figures_match_the_data(name, from_side, to_side):
    section = README.split(f"## {name}\n", 1)[1].split("\n## ", 1)[0]
    count = len(mapping_set(name).rows)
    a, b = len(units(from_side)), len(units(to_side))
    assert f"| pairs | {count}" in section
    assert f"{count} / ({a} × {b}) = {count / (a * b):.3f}" in section


def test_readme_agreement_counts_add_up_for_soc2_iso27001():
    """Each source's kept count is the number of our rows that name it."""
    section = README.split("## soc2-iso27001\n", 1)[1].split("\n## ", 1)[0]
    rows = mapping_set("soc2-iso27001").rows
    for source in PUBLIC_SOURCES:
        kept = sum(1 for row in rows if source in row.source.split("; "))
        line = next(line for line in section.splitlines() if line.startswith(f"| {source} |"))
        cells = [cell.strip().replace(",", "") for cell in line.strip("|").split("|")]
        total, kept_stated, rejected, lacking = (int(c) for c in cells[1:5])
        assert kept_stated == kept and total == kept + rejected and lacking == len(rows) - kept, source


@pytest.mark.parametrize(
    "name, side, marker, scope",
    [
        ("soc2-iso27001", 0, "unmapped Processing Integrity and Privacy criteria (", r"^(PI|P)\d"),
        ("iso42001-iso27001", 0, "42001 controls with no 27001 counterpart (", r"^A\."),
    ],
)
def test_header_lists_exactly_the_units_left_unmapped(name, side, marker, scope):
    method = mapping_set(name).header["method"]
    listed = set(method.split(marker, 1)[1].split(")", 1)[0].split(", "))
    framework = mapping_set(name).header["from_set"]
    present = {pair[side] for pair in pairs(name)}
    unmapped = {u for u in units(framework) if re.match(scope, u) and u not in present}
    assert listed == unmapped
