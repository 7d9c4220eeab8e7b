"""The CISO Assistant export, checked against the id lists of CISO Assistant's own
libraries (tests/data/ciso-assistant/, copied from their files) and against the rules
their loader applies (CISO Assistant's loader needs Django and a database, so its rules
are checked here as code: backend/core/models.py StoredLibrary.store_library_content and
URN_REGEX, backend/library/utils.py LibraryImporter and the *Importer classes,
backend/library/builder.py check_document_shape)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from attestgraph.graph.store import GraphStore
from attestgraph.interop import ciso_assistant as ca
from attestgraph.queries.catalog import Catalog

Exported = tuple[ca.Export, dict[str, Any]]
Cli = Callable[..., tuple[int, str, str]]

DATA = Path(__file__).parent.parent / "data" / "ciso-assistant"
REQUIREMENT_SETS = {
    "dpdp-act-iso27001", "dpdp-act-soc2", "dpdp-rules-iso27001", "dpdp-rules-soc2", "eu-ai-act-iso42001",
    "iso42001-iso27001", "iso42001-soc2", "nist-ai-rmf-iso42001", "soc2-iso27001",
}
#: Their nodes no requirement of ours corresponds to, by framework: the two headings
#: their ISO/IEC 27001 library adds, section 3's clauses of the Act, which our graph
#: models as one section, and NIST AI RMF's "Preamble" nodes (no ref_id: the functions'
#: introductions). Their EU AI Act library holds the whole Regulation, recitals and
#: definitions included, where ours models the duties: it is checked the other way
#: (test_every_eu_provision_finds_the_node_their_id_list_gives).
THEIRS_ONLY: dict[str, set[str] | None] = {
    "soc2": set(),
    "iso42001": set(),
    "iso27001": {"core", "annex-a"},
    "dpdp-act": {"3(a)", "3(a)(i)", "3(a)(ii)", "3(b)", "3(c)", "3(c)(i)", "3(c)(ii)", "3(c)(ii)(A)", "3(c)(ii)(B)"},
    "nist-ai-rmf": {f"node{n}" for n in (3, 4, 5, 6, 7, 34, 35, 36, 37, 38, 63, 64, 65, 66, 67, 95, 96, 97)},
    "eu-ai-act": None,
}


#: Our requirements that roll up onto a coarser node of theirs (documented in the module).
ROLLED_UP = {
    "soc2": set(), "iso27001": set(), "dpdp-act": set(), "nist-ai-rmf": set(),
    "iso42001": {"6.1.1", "6.1.2", "6.1.3", "6.1.4"},
    # Art. 5(1) and 25(4) were split too, but Regulation (EU) 2026/1744 rewrote them: no node of theirs.
    "eu-ai-act": {"Art. 9(5)", "Art. 14(5)", "Art. 15(4)", "Art. 15(5)", "Art. 22(3)", "Art. 26(5)",
                  "Art. 26(6)", "Art. 26(10)", "Art. 43(1)", "Art. 43(4)", "Art. 50(4)", "Art. 73(6)", "Annex III(1)", "Annex IV(1)",
                  "Annex I Section A", *(f"Annex I({n})" for n in range(2, 21))},
}

#: Our EU AI Act provisions whose node of theirs was read text by text against ours and the
#: Regulation when this export was written (their nodes carry the Regulation's text, in a
#: pre-publication version in places: "user" for "deployer" in 14(4), Art. 3 point (44)
#: for (49) in 73(3)); Art. 73 checked against the OJ text as reproduced at
#: lexelerate.ai/article/article-73-reporting-of-serious-incidents.
EU_READ_TEXT_BY_TEXT = frozenset({
    "Chapter I", "Art. 4", "Chapter II", "Art. 5", "Art. 5(1)", "Art. 5(1)(a)", "Art. 5(1)(b)", "Art. 5(1)(c)",
    "Art. 5(1)(d)", "Art. 5(1)(e)", "Art. 5(1)(f)", "Art. 5(1)(g)", "Art. 5(1)(h)", "Chapter III", "Art. 6",
    "Art. 6(4)", "Art. 9", "Art. 9(1)", "Art. 9(2)", "Art. 9(2)(a)", "Art. 9(2)(b)", "Art. 9(2)(c)", "Art. 9(2)(d)",
    "Art. 9(5)", "Art. 9(6)", "Art. 9(9)", "Art. 10", "Art. 10(2)", "Art. 10(2)(a)", "Art. 10(2)(b)",
    "Art. 10(2)(c)", "Art. 10(2)(d)", "Art. 10(2)(e)", "Art. 10(2)(f)", "Art. 10(2)(g)", "Art. 10(2)(h)",
    "Art. 10(3)", "Art. 10(4)", "Art. 11", "Art. 11(1)", "Art. 12", "Art. 12(1)", "Art. 13",
    "Art. 13(1)", "Art. 13(2)", "Art. 13(3)", "Art. 14", "Art. 14(1)", "Art. 14(3)", "Art. 14(4)", "Art. 15",
    "Art. 15(1)", "Art. 15(3)", "Art. 15(4)", "Art. 15(5)", "Art. 16", "Art. 16(a)", "Art. 16(b)", "Art. 16(c)",
    "Art. 16(d)", "Art. 16(e)", "Art. 16(f)", "Art. 16(g)", "Art. 16(h)", "Art. 16(i)", "Art. 16(j)", "Art. 16(k)",
    "Art. 16(l)", "Art. 17", "Art. 17(1)", "Art. 18", "Art. 18(1)", "Art. 19", "Art. 19(1)", "Art. 20", "Art. 20(1)",
    "Art. 21", "Art. 21(1)", "Art. 22", "Art. 22(1)", "Art. 22(3)", "Art. 23", "Art. 23(1)", "Art. 24", "Art. 24(1)",
    "Art. 25", "Art. 25(1)", "Art. 25(4)", "Art. 26", "Art. 26(1)", "Art. 26(2)", "Art. 26(4)", "Art. 26(5)",
    "Art. 26(6)", "Art. 26(7)", "Art. 26(11)", "Art. 27", "Art. 27(1)", "Art. 27(3)", "Art. 43", "Art. 43(1)",
    "Art. 43(2)", "Art. 47", "Art. 47(1)", "Art. 48", "Art. 48(2)", "Art. 48(3)", "Art. 49", "Art. 49(1)",
    "Art. 49(2)", "Chapter IV", "Art. 50", "Art. 50(1)", "Art. 50(2)", "Art. 50(3)", "Art. 50(4)", "Art. 50(5)",
    "Chapter V", "Art. 52", "Art. 52(1)", "Art. 53", "Art. 53(1)", "Art. 53(1)(a)", "Art. 53(1)(b)", "Art. 53(1)(c)",
    "Art. 53(1)(d)", "Art. 54", "Art. 54(1)", "Art. 55", "Art. 55(1)", "Art. 55(1)(a)", "Art. 55(1)(b)",
    "Art. 55(1)(c)", "Art. 55(1)(d)", "Chapter IX", "Art. 72", "Art. 72(1)", "Art. 72(2)", "Art. 72(3)", "Art. 73",
    "Art. 73(1)", "Art. 73(2)", "Art. 73(3)", "Art. 73(4)", "Art. 73(6)", "Chapter XII", "Art. 99", "Art. 99(3)",
    "Art. 99(4)", "Art. 99(5)", "Art. 99(6)", "Art. 101", "Art. 101(1)", "Annex III", "Annex III(1)", "Annex III(2)",
    "Annex III(3)", "Annex III(4)", "Annex III(5)", "Annex III(6)", "Annex III(7)", "Annex III(8)", "Annex IV",
    "Annex IV(1)", "Annex IV(2)", "Annex IV(3)", "Annex IV(4)", "Annex IV(5)", "Annex IV(6)", "Annex IV(7)",
    "Annex IV(8)", "Annex IV(9)", "Annex XI", "Annex XI Section 1", "Annex XI Section 2", "Annex XII",
    # Added by the provision review and the amendment section (Regulation (EU) 2026/1744), read
    # against their node's text (ai-act.yaml, snapshot f990d7b) the same way; where their node is
    # absent or holds the text as published and ours is amended, EU_NOT_IN_THEIRS says so.
    "Art. 9(4)", "Art. 9(8)", "Art. 12(2)", "Art. 14(4)(a)", "Art. 14(4)(b)", "Art. 14(4)(c)", "Art. 14(4)(d)",
    "Art. 14(4)(e)", *(f"Art. 17(1)({x})" for x in "abcdefghijklm"), "Art. 20(2)", "Art. 21(2)", "Art. 22(4)",
    *(f"Art. 23({n})" for n in range(2, 8)), *(f"Art. 24({n})" for n in range(2, 7)), "Art. 25(2)", "Art. 26(9)",
    "Art. 26(12)", "Art. 27(2)", "Art. 27(4)", "Art. 43(4)", "Art. 47(2)", "Art. 47(4)", "Art. 53(3)", "Art. 54(3)",
    "Art. 54(5)", "Art. 86", "Art. 86(1)", "Art. 91", "Art. 91(5)", "Art. 92", "Art. 92(5)",
    "Art. 5(1)(ba)", "Art. 5(1)(bb)", "Art. 6(1)", "Art. 6(2)", "Art. 43(3)", "Art. 53(2)", "Art. 54(6)",
    "Art. 99(4)(da)", "Art. 99(6a)", "Chapter XIII", "Art. 111", "Art. 111(4)", "Annex I", "Annex I Section A",
    "Annex I Section B", *(f"Annex I({n})" for n in range(2, 22)),
    # Added with the engagement facts (their 12.3, 22.2, 26.8, 49.3 and 54.2 are the same paragraphs;
    # their 14.5 and 26.10 are split over an unnumbered second node) and Art. 4a (no node of theirs).
    "Art. 12(3)", "Art. 14(5)", "Art. 22(2)", "Art. 26(8)", "Art. 26(10)", "Art. 49(3)", "Art. 54(2)",
    "Art. 4a", "Art. 4a(1)", "Art. 4a(2)",
})
#: Of those, the ones with no node of theirs, and why (read in their file: no 5.1.ba, 5.1.bb,
#: 99.4.da, 99.6a or 111.4 node, their 99.4 and 111.1 hold the text as published; their one
#: Annex I node lists Directive 2006/42/EC as Section A point 1 and stops at point 20; their
#: 43.3 and its two continuations are the 2024 paragraph; their 6.1 has no 6(1a) to (1c)).
EU_NOT_IN_THEIRS = {
    **dict.fromkeys(("Art. 5(1)(ba)", "Art. 5(1)(bb)", "Art. 99(4)(da)", "Art. 99(6a)", "Art. 111(4)", "Annex I(21)"),
                    "not in their library: inserted by Regulation (EU) 2026/1744"),
    **dict.fromkeys(("Art. 4a", "Art. 4a(1)", "Art. 4a(2)"), "not in their library: inserted by Regulation (EU) 2026/1744"),
    "Art. 6(1)": "Art. 6(1a) to (1c)", "Art. 43(3)": "Art. 1(19)", "Annex I Section B": "added point 21",
    "Art. 4": "Art. 1(5)", "Art. 5(1)": "Art. 1(7)", "Art. 11(1)": "Art. 1(10)", "Art. 25(2)": "Art. 1(12)",
    "Art. 25(4)": "Art. 1(12)", "Art. 27(4)": "Art. 1(13)(a)", "Art. 72(3)": "Art. 1(30)",
}


def their_rows(slug: str) -> tuple[dict[str, str], list[dict[str, str]]]:
    """The header and the rows (by column name) of one of their id lists."""
    header: dict[str, str] = {}
    columns: list[str] = []
    rows: list[dict[str, str]] = []
    for line in (DATA / f"{slug}.tsv").read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            key, _, value = line[2:].partition(": ")
            header[key] = value
        elif not columns:
            columns = line.split("\t")
        else:
            rows.append(dict(zip(columns, line.split("\t"), strict=True)))
    return header, rows


def their_ids(slug: str) -> dict[str, Any]:
    """urn -> ref_id of one of their frameworks, with the library and framework URN from the header."""
    header, rows = their_rows(slug)
    return {"library": header["library"].split()[0], "framework": header["framework"],
            "nodes": {row["urn"]: row["ref_id"] for row in rows}}


def leaf(urn: str) -> str:
    return urn.rsplit(":", 1)[1]


@pytest.fixture(scope="module")
def exported(shipped_store: GraphStore, tmp_path_factory: pytest.TempPathFactory) -> Exported:
    out = tmp_path_factory.mktemp("ciso")
    result = ca.export_ciso_assistant(shipped_store, out)
    libraries = {Path(f["path"]).name: yaml.safe_load(Path(f["path"]).read_text(encoding="utf-8"))
                 for f in result.files}
    return result, libraries


@pytest.fixture(scope="module")
def catalog(shipped_store: GraphStore) -> Catalog:
    return Catalog(shipped_store)


def one_error_line(err: str) -> bool:
    """One error line and no traceback (progress lines of a first build may come before it)."""
    return "Traceback" not in err and len([line for line in err.splitlines() if "error:" in line]) == 1


def newest_data_date() -> int:
    """The newest date the shipped crosswalk headers and catalog files carry, as YYYYMMDD."""
    root = Path(__file__).parents[2]
    dates = re.findall(r"^# date: (\d{4}-\d{2}-\d{2})", "".join(
        p.read_text(encoding="utf-8") for p in (root / "crosswalks").glob("*.tsv")), re.MULTILINE)
    dates += re.findall(r'dct:date "(\d{4}-\d{2}-\d{2})"', "".join(
        p.read_text(encoding="utf-8") for p in (root / "ontologies").rglob("*.ttl")))
    return int(max(dates).replace("-", ""))


def objects_of(library: dict[str, Any]) -> list[dict[str, Any]]:
    """The library itself and every object with an identity in it: frameworks and their
    nodes, reference controls, mapping sets."""
    found = [library]
    for kind in library["objects"].values():
        for obj in kind if isinstance(kind, list) else [kind]:
            found.append(obj)
            found += obj.get("requirement_nodes", [])
    return found


def urns_in(value: Any) -> list[str]:
    """Every URN a library document holds, in any field."""
    if isinstance(value, dict):
        return [u for key, item in value.items() for u in (
            [item] if isinstance(item, str) and (key.endswith("urn") or key == "dependencies") else urns_in(item))]
    if isinstance(value, list):
        return [u for item in value
                for u in ([item] if isinstance(item, str) and item.startswith("urn:") else urns_in(item))]
    return []


def test_one_library_per_part_and_every_file_is_a_library_their_loader_accepts(exported: Exported) -> None:
    _, libraries = exported
    assert set(libraries) == {"dpdp-rules-2025.yaml", "attestgraph-controls.yaml"} | {
        f"mapping-{s}.yaml" for s in REQUIREMENT_SETS}
    for name, library in libraries.items():
        assert isinstance(library, dict), name
        # StoredLibrary.REQUIRED_FIELDS and LibraryImporter.REQUIRED_FIELDS, each non-empty.
        for key in ("urn", "locale", "ref_id", "name", "version", "objects"):
            assert library.get(key), (name, key)
        assert library["version"] == newest_data_date()
        assert library["packager"] == "attestgraph" and library["copyright"]
        assert isinstance(library.get("publication_date", dt.date.today()), dt.date)
        every = urns_in(library)
        assert every and all(ca.URN_REGEX.match(u) for u in every), name
        # builder.check_document_shape: every identity URN is unique (references may repeat).
        identities = [obj["urn"] for obj in objects_of(library)]
        assert len(identities) == len(set(identities)), name
        assert all(u == u.lower() for u in identities), "their loader lowercases URNs; ours are written lowercase"
        # Their column sizes (ReferentialObjectMixin, builder._MAX_LENGTHS, LoadedLibrary.copyright).
        assert len(library["copyright"]) <= 4096 and len(library["provider"]) <= 200
        for obj in objects_of(library):
            assert len(obj.get("name") or "") <= 200 and len(obj.get("ref_id") or "") <= 100, obj.get("urn")
            assert len(obj["urn"]) <= 255


def test_rules_framework_tree_holds_their_structural_rules(exported: Exported, catalog: Catalog) -> None:
    _, libraries = exported
    library = libraries["dpdp-rules-2025.yaml"]
    assert library["urn"] == "urn:attestgraph:risk:library:dpdp-rules-2025"
    assert "Public law of India" in library["copyright"]
    assert library["publication_date"] == dt.date(2025, 11, 13)
    framework = library["objects"]["framework"]
    assert framework["urn"] == "urn:attestgraph:risk:framework:dpdp-rules-2025"
    nodes = framework["requirement_nodes"]
    ours = catalog.requirements("dpdp-rules")
    assert sorted(n["ref_id"] for n in nodes) == sorted(r.notation for r in ours)
    seen: dict[str, dict[str, Any]] = {}
    for node in nodes:
        assert set(node) <= {"urn", "assessable", "depth", "parent_urn", "ref_id", "name", "description", "annotation"}
        assert node["urn"].startswith("urn:attestgraph:risk:req_node:dpdp-rules-2025:")
        if "parent_urn" in node:
            parent = seen[node["parent_urn"]]  # a parent comes before its children
            assert node["depth"] == parent["depth"] + 1
        else:
            assert node["depth"] == 1
        seen[node["urn"]] = node
    by_ref = {n["ref_id"]: n for n in nodes}
    assert by_ref["R7(2)(b)(i)"]["urn"].endswith(":r7(2)(b)(i)") and by_ref["R7(2)(b)(i)"]["depth"] == 4
    assert by_ref["R7(2)(b)(i)"]["parent_urn"] == by_ref["R7(2)(b)"]["urn"]
    assessable = {ref for ref, n in by_ref.items() if n["assessable"]}
    # Headings: rules with sub-rules, Schedules and Schedule parts with entries.
    assert {"R7(2)(b)(i)", "R7(2)(b)", "R7(1)", "R3", "R3(b)", "R9", "Sch1(A)(1)", "Sch5"} <= assessable
    assert not {"R1", "R7", "R14", "Sch1", "Sch1(A)", "Sch4(B)"} & assessable
    headings = {n["ref_id"] for n in nodes if not n["assessable"]}
    assert all(any(m.get("parent_urn") == by_ref[h]["urn"] for m in nodes) for h in headings)  # only over children
    assert by_ref["R7(1)"]["annotation"].startswith("Implements section 8(6) of the DPDP Act, 2023.")
    r7_2 = by_ref["R7(2)"]["annotation"]
    assert "Time limit: 72 hours (P3D)." in r7_2 and "Applies from 2027-05-13." in r7_2
    order = [n["ref_id"] for n in nodes if n["depth"] == 1]
    assert order[:3] == ["R1", "R2", "R3"] and order.index("R10") == 9 and order[-7:][0] == "Sch1"


def test_reference_controls_use_their_vocabularies(exported: Exported, catalog: Catalog) -> None:
    _, libraries = exported
    controls = libraries["attestgraph-controls.yaml"]["objects"]["reference_controls"]
    assert len(controls) == len(catalog.controls)
    for item in controls:
        assert item["urn"] == f"urn:attestgraph:risk:reference_control:attestgraph-controls:{item['ref_id'].lower()}"
        assert item["category"] in ca.CATEGORIES and item["name"] and item["description"]
        assert item.get("csf_function", "govern") in ca.CSF_FUNCTIONS
    by_id = {c["ref_id"]: c for c in controls}
    assert by_id["IAM-02"]["category"] == "technical" and by_id["IAM-02"]["csf_function"] == "protect"
    assert by_id["GOV-09"]["category"] == "process" and by_id["GOV-09"]["csf_function"] == "govern"
    assert by_id["PHY-01"]["category"] == "physical"
    assert by_id["TPM-08"]["csf_function"] == "protect" and "csf_function" not in by_id["INC-09"]
    assert "csf_function" not in by_id["LOG-01"]  # a domain of more than one CSF job carries none


@pytest.mark.parametrize("slug", sorted(ca.THEIRS))
def test_our_requirements_find_exactly_their_nodes(catalog: Catalog, slug: str) -> None:
    """Every URN we give a requirement is in their list, no two of ours share one, and
    every node of theirs has one of ours except the documented few: so no requirement
    that has a counterpart goes unmatched, and none is invented."""
    theirs = their_ids(slug)
    assert (theirs["library"], theirs["framework"]) == ca.framework_urns(slug)
    given = {r.notation: ca.counterpart(r) for r in catalog.requirements(slug)}
    matched = [c.urn for c in given.values() if c is not None]
    assert set(matched) <= set(theirs["nodes"]), sorted(set(matched) - set(theirs["nodes"]))
    exact = [c.urn for c in given.values() if c is not None and c.rolled_up is None]
    assert len(exact) == len(set(exact))  # only a roll-up shares a node of theirs
    assert {n for n, c in given.items() if c is not None and c.rolled_up} == ROLLED_UP[slug]
    expected = THEIRS_ONLY[slug]
    if expected is not None:
        unmatched_theirs = {theirs["nodes"][u] or leaf(u) for u in set(theirs["nodes"]) - set(matched)}
        assert unmatched_theirs == expected


def test_periods_read_as_the_law_states_them() -> None:
    assert ca._period("P3D") == "72 hours (P3D)" and ca._period("PT48H") == "48 hours (PT48H)"
    assert ca._period("P7D") == "7 days (P7D)" and ca._period("P1Y") == "1 year (P1Y)"
    assert ca._period("P6M") == "6 months (P6M)" and ca._period("nonsense") == "nonsense"


def test_their_numbering_is_mapped_where_it_differs(catalog: Catalog) -> None:
    urn = {r.ref: ca.requirement_urn(r) for r in catalog.requirements()}
    soc2 = "urn:intuitem:risk:req_node:soc2-2017-rev-2022:"
    assert urn["soc2:CC6.1-POF13"] == soc2 + "cc6.1.13"
    assert urn["soc2:PI1.3"] == soc2 + "pp1.3"  # their file spells the PI criteria PP1.x
    assert urn["soc2:P1"] == soc2 + "p1.0" and urn["soc2:Privacy"] == soc2 + "p"
    assert urn["soc2:CC3.2-POF6"] is None and urn["soc2:CC3.2-POF7"] == soc2 + "cc3.2.6"
    assert urn["soc2:P1.1-POF1"] is None and urn["soc2:Security"] is None
    assert urn["iso42001:6.1"] == "urn:intuitem:risk:req_node:iso42001-2023:6.1" == urn["iso42001:6.1.2"]
    rolled = ca.counterpart(catalog.requirement("iso42001:6.1.2"))
    assert rolled is not None and rolled.rolled_up and "their 6.1 is one node" in rolled.rolled_up
    assert urn["iso42001:A.6.2.6"] == "urn:intuitem:risk:req_node:iso42001-2023:a.6.2.6"
    assert urn["dpdp-act:Chapter II"] == "urn:intuitem:risk:req_node:india-dpdpa-2023:chapter-2"
    assert urn["dpdp-act:8(7)(a)"] == "urn:intuitem:risk:req_node:india-dpdpa-2023:8(7)(a)"
    assert urn["dpdp-act:33(2)(a)"] is None and urn["dpdp-act:Chapter V"] is None


def test_every_curated_row_is_written_or_reported(
    exported: Exported, catalog: Catalog, shipped_store: GraphStore
) -> None:
    result, libraries = exported
    rows = [r for r in shipped_store.query(
        "SELECT ?id ?from ?to WHERE { ?m ag:inMappingSet ?s ; ag:fromElement ?from ; ag:toElement ?to . "
        "?s dct:identifier ?id }").records() if r["id"] in REQUIREMENT_SETS]
    written = {s: len(libraries[f"mapping-{s}.yaml"]["objects"]["requirement_mapping_sets"][0]["requirement_mappings"])
               for s in REQUIREMENT_SETS}
    merged = [item for item in result.rolled_up if item["merged"]]
    assert sum(written.values()) + len(result.left_out) + len(merged) == len(rows) == 935
    for item in result.left_out:
        assert set(item["why"]) == set(item["no_counterpart"])
        assert item["no_counterpart"] and all(
            ca.requirement_urn(catalog.requirement(ref)) is None for ref in item["no_counterpart"])
    # Every end has a node of theirs, exactly or rolled up, except the provisions Regulation (EU)
    # 2026/1744 rewrote, whose node of theirs holds the text as published: their rows are left out.
    assert sorted({ref for item in result.left_out for ref in item["no_counterpart"]}) == [
        "eu-ai-act:Art. 11(1)", "eu-ai-act:Art. 25(4)", "eu-ai-act:Art. 4", "eu-ai-act:Art. 72(3)"]
    assert all(item["set"] == "eu-ai-act-iso42001" for item in result.left_out) and len(result.left_out) == 7
    assert len(result.rolled_up) == 49 and len(merged) == 14
    assert written["soc2-iso27001"] == 203 and written["dpdp-rules-soc2"] == 79
    assert written["eu-ai-act-iso42001"] == 71 and written["nist-ai-rmf-iso42001"] == 195
    assert written["iso42001-iso27001"] == 79 and written["iso42001-soc2"] == 73
    by_set: dict[str, int] = {}
    for item in result.rolled_up:
        by_set[item["set"]] = by_set.get(item["set"], 0) + 1
    assert by_set == {"eu-ai-act-iso42001": 13, "iso42001-iso27001": 5, "iso42001-soc2": 8, "nist-ai-rmf-iso42001": 23}


def test_rolled_up_rows_keep_only_what_set_theory_guarantees(exported: Exported, catalog: Catalog) -> None:
    """A rolled-up end is a node of theirs that holds ours and more: each written row is our
    relationship composed with that containment, and says so in its annotation."""
    result, libraries = exported
    # superset-of then REL (a rolled-up source) and REL then subset-of (a rolled-up target), by set theory.
    source_rolled = {"equal": "superset-of", "superset-of": "superset-of", "subset-of": "intersects-with",
                     "intersects-with": "intersects-with"}
    target_rolled = {"equal": "subset-of", "subset-of": "subset-of", "superset-of": "intersects-with",
                     "intersects-with": "intersects-with"}
    for item in result.rolled_up:
        a, b = ca.counterpart(catalog.requirement(item["from"])), ca.counterpart(catalog.requirement(item["to"]))
        assert a is not None and b is not None and (a.urn, b.urn) == (item["source_urn"], item["target_urn"])
        expected = item["relationship"]
        if a.rolled_up:
            expected = source_rolled[expected]
        if b.rolled_up:
            expected = target_rolled[expected]
        assert item["written"] == expected, item
    mappings = {s: libraries[f"mapping-{s}.yaml"]["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
                for s in REQUIREMENT_SETS}
    ai_act, iso42, iso27 = ("urn:intuitem:risk:req_node:ai-act:", "urn:intuitem:risk:req_node:iso42001-2023:",
                            "urn:intuitem:risk:req_node:iso27001-2022:")
    # Art. 15(4) is split over three nodes of theirs: the row is on their Article 15 (node410).
    (row,) = [m for m in mappings["eu-ai-act-iso42001"]
              if (m["source_requirement_urn"], m["target_requirement_urn"]) == (ai_act + "node410", iso42 + "a.6.2.6")]
    assert row["relationship"] == "intersect" and "(their file splits Art. 15(4) over several nodes, so it is on their Article 15)" in row["annotation"]
    # 42001 6.1.1 superset-of 27001 6.1.1: their 6.1 holds 6.1.1, so it is a superset still.
    (row,) = [m for m in mappings["iso42001-iso27001"]
              if (m["source_requirement_urn"], m["target_requirement_urn"]) == (iso42 + "6.1", iso27 + "6.1.1")]
    assert row["relationship"] == "superset" and row["annotation"].count("Source: ") == 1
    # Three of our rows land on (6.1, 27001 6.1.2): one row, the strongest, naming the others.
    (row,) = [m for m in mappings["iso42001-iso27001"]
              if (m["source_requirement_urn"], m["target_requirement_urn"]) == (iso42 + "6.1", iso27 + "6.1.2")]
    assert row["annotation"].count("Also rolled up onto this pair") == 1
    assert "iso42001:6.1.1 intersects-with iso27001:6.1.2" in row["annotation"]
    assert "iso42001:6.1.4 intersects-with iso27001:6.1.2" in row["annotation"]
    # Art. 4 (one unnumbered paragraph) is their assessable node under the heading, but as published:
    # Regulation (EU) 2026/1744 replaced it, so no row of ours is written onto it.
    assert not [m for m in mappings["eu-ai-act-iso42001"] if m["source_requirement_urn"] == ai_act + "node271"]


def _row(catalog: Catalog, a: str, b: str, relationship: str, strength: int = 5) -> dict[str, Any]:
    """A crosswalk row in the shape the mapping-set query returns."""
    return {"from": catalog.requirement(a).iri, "to": catalog.requirement(b).iri, "rel": relationship,
            "rat": "https://w3id.org/attestgraph/vocab#Semantic", "strength": strength, "reason": f"{a} to {b}.",
            "source": "test", "title": "A test set", "method": "by hand", "creator": "tests", "license": "CC0",
            "date": "2026-12-01"}


@pytest.mark.parametrize(("ours", "rolled_source", "rolled_target"), [
    ("Equal", "superset", "subset"), ("SubsetOf", "intersect", "subset"), ("SupersetOf", "superset", "intersect"),
    ("IntersectsWith", "intersect", "intersect"), ("NotRelated", None, None),
])
def test_a_roll_up_composes_each_relationship(
    catalog: Catalog, ours: str, rolled_source: str | None, rolled_target: str | None
) -> None:
    """Each relationship through a rolled-up source (Art. 15(4) onto their Article 15) and a
    rolled-up target (42001 6.1.2 onto their 6.1); where nothing follows, the row is left out."""
    relationship = "https://w3id.org/attestgraph/vocab#" + ours
    for rows, expected in (([_row(catalog, "eu-ai-act:Art. 15(4)", "iso42001:A.6.2.4", relationship)], rolled_source),
                           ([_row(catalog, "nist-ai-rmf:MAP 1.1", "iso42001:6.1.2", relationship)], rolled_target)):
        library, left_out, rolled_up = ca.mapping_library("test", rows, catalog, 1)
        written = library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
        if expected is None:
            assert written == [] and len(left_out) == 1 and "nothing follows" in left_out[0]["rolled_up"]
            assert left_out[0]["no_counterpart"] == [] and rolled_up == []
        else:
            assert [m["relationship"] for m in written] == [expected] and left_out == []
            assert [r["merged"] for r in rolled_up] == [False]


def test_rows_on_one_pair_after_a_roll_up_are_written_once(catalog: Catalog) -> None:
    sup, inter = "https://w3id.org/attestgraph/vocab#SupersetOf", "https://w3id.org/attestgraph/vocab#IntersectsWith"
    rows = [_row(catalog, "eu-ai-act:Art. 15(4)", "iso42001:A.6.2.4", inter, 7),
            _row(catalog, "eu-ai-act:Art. 15(5)", "iso42001:A.6.2.4", sup, 3)]
    library, left_out, rolled_up = ca.mapping_library("test", rows, catalog, 1)
    (written,) = library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    assert written["relationship"] == "superset" and written["strength_of_relationship"] == 3  # the stronger claim
    assert written["annotation"].endswith(
        "Also rolled up onto this pair: eu-ai-act:Art. 15(4) intersects-with iso42001:A.6.2.4 (strength 7).")
    assert [(r["from"], r["merged"]) for r in rolled_up] == [("eu-ai-act:Art. 15(4)", True),
                                                             ("eu-ai-act:Art. 15(5)", False)]
    assert left_out == []
    # A third, stronger row wins the pair: both earlier rows are named, and marked merged.
    rows.append(_row(catalog, "eu-ai-act:Art. 15", "iso42001:A.6.2.4", sup, 8))
    library, _, rolled_up = ca.mapping_library("test", rows, catalog, 1)
    (written,) = library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    assert written["strength_of_relationship"] == 8 and "Rolled up" not in written["annotation"].split(" Also")[0]
    assert written["annotation"].endswith("Also rolled up onto this pair: eu-ai-act:Art. 15(4) intersects-with "
                                          "iso42001:A.6.2.4 (strength 7); eu-ai-act:Art. 15(5) superset-of "
                                          "iso42001:A.6.2.4 (strength 3).")
    assert [r["merged"] for r in rolled_up] == [True, True]


def test_eu_articles_their_file_numbers_otherwise_map_only_what_was_read(catalog: Catalog) -> None:
    """In their Art. 3 and Art. 73 a ref_id is not the Regulation's paragraph: only the
    provisions read text by text get a node; any other is left out, never guessed."""
    paragraph = catalog.requirement("eu-ai-act:Art. 73(4)")
    urn = {n: ca.requirement_urn(dataclasses.replace(paragraph, notation=n))
           for n in ("Art. 73(4)", "Art. 73(5)", "Art. 73(7)", "Art. 73(8)", "Art. 3(1)", "Art. 9(3)")}
    node = "urn:intuitem:risk:req_node:ai-act:"
    assert urn == {"Art. 73(4)": node + "73.5", "Art. 73(5)": node + "73.6", "Art. 73(7)": None, "Art. 73(8)": None,
                   "Art. 3(1)": None, "Art. 9(3)": node + "9.3"}


def test_nist_ai_rmf_ids_and_nesting_are_theirs_one_to_one(catalog: Catalog) -> None:
    """All 95 functions, categories and subcategories: their ref_id is our notation, and
    their parent is the counterpart of our parent."""
    _, rows = their_rows("nist-ai-rmf")
    by_urn = {row["urn"]: row for row in rows}
    ours = catalog.requirements("nist-ai-rmf")
    assert len(ours) == 95
    for r in ours:
        found = ca.counterpart(r)
        assert found is not None and found.rolled_up is None
        theirs = by_urn[found.urn]
        assert theirs["ref_id"] == r.notation
        parent = catalog.requirement(f"nist-ai-rmf:{r.parent}") if r.parent else None
        assert theirs["parent_urn"] == (ca.requirement_urn(parent) if parent else "")
        assert (theirs["assessable"] == "true") == (r.notation.count(".") == 1)  # subcategories are assessed


def test_every_eu_provision_finds_the_node_their_id_list_gives(catalog: Catalog) -> None:
    """The module's EU AI Act rule, re-derived from the id list: ref_ids for paragraphs and
    points, headings by citation, annex points by position, a split paragraph (a numbered
    node followed by unnumbered siblings) rolled up onto its article; and the exceptions
    found by reading the text each of their nodes holds."""
    _, rows = their_rows("eu-ai-act")
    by_ref = {row["ref_id"]: row["urn"] for row in rows if row["ref_id"]}
    headings = {row["heading"]: row["urn"] for row in rows if row["heading"]}
    children: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        children.setdefault(row["parent_urn"], []).append(row)
    # Read text by text: their Art. 73 skips "73.4", so 73(4) is their "73.5" and 73(6) their "73.7".
    renumbered = {"Art. 73(4)": "73.5", "Art. 73(6)": "73.7"}

    def expected(notation: str) -> tuple[str, bool]:
        if m := re.fullmatch(r"Art\. (\d+)", notation):
            node = headings[f"Article {m.group(1)}"]
            below = children[node]
            if notation == "Art. 4":  # one unnumbered paragraph: the assessable node under the heading
                assert len(below) == 1 and below[0]["ref_id"] == "" and below[0]["assessable"] == "true"
                return below[0]["urn"], False
            return node, False
        if m := re.fullmatch(r"Art\. (\d+)((?:\([0-9a-z]+\))+)", notation):
            article = headings[f"Article {m.group(1)}"]
            if notation in ("Art. 19(1)", "Art. 86(1)"):  # their Art. 19 and 86 number no paragraph
                return children[article][0]["urn"], False
            ref = renumbered.get(notation, ".".join([m.group(1), *re.findall(r"\(([0-9a-z]+)\)", m.group(2))]))
            node = by_ref[ref]
            siblings = children[next(row["parent_urn"] for row in rows if row["urn"] == node)]
            at = [row["urn"] for row in siblings].index(node)
            split = at + 1 < len(siblings) and siblings[at + 1]["ref_id"] == "" and len(ref.split(".")) == 2
            return (article, True) if split else (node, False)
        if m := re.fullmatch(r"(Chapter|Annex) ([IVX]+)", notation):
            return headings[f"{m.group(1).upper()} {m.group(2)}"], False
        m = re.fullmatch(r"Annex ([IVX]+)(?:\((\d+)\)| (Section \w+))", notation)
        assert m, notation
        parts = children[headings[f"ANNEX {m.group(1)}"]]
        if len(parts) == 1:  # the whole annex in one node (their Annex I): every part of ours is on it
            return parts[0]["urn"], True
        if m.group(2):
            return parts[int(m.group(2)) - 1]["urn"], m.group(2) == "1"
        (node,) = [row["urn"] for row in parts if row["heading"] == m.group(3)]
        return node, False

    ours = catalog.requirements("eu-ai-act")
    # A provision added since was not read against their node's text: a ref_id of theirs may
    # hold another paragraph (as in their Art. 3 and 73) or not exist. Read it, then add it.
    assert {r.notation for r in ours} - EU_READ_TEXT_BY_TEXT == set()
    for r in ours:
        found = ca.counterpart(r)
        if r.notation in EU_NOT_IN_THEIRS:
            assert found is None and EU_NOT_IN_THEIRS[r.notation] in ca.no_counterpart_reason(r), r.notation
            continue
        assert found is not None, r.notation
        assert (found.urn, found.rolled_up is not None) == expected(r.notation), r.notation
    # 273 provisions, 19 with no node of theirs, 254 on 223 nodes: each split paragraph
    # is on its article's node, Annex I Section A and points 2-20 all on their one Annex I node.
    urns = [ca.requirement_urn(r) for r in ours]
    assert len(ours) == 273 and urns.count(None) == len(EU_NOT_IN_THEIRS) == 19
    assert len(set(urns) - {None}) == 223


def test_what_the_2026_amendment_inserted_is_listed_as_the_graph_describes_it(shipped_store: GraphStore) -> None:
    """The graph records an insertion by Regulation (EU) 2026/1744 only in prose, so the
    module lists them; the list and the prose must agree both ways, or a provision the
    amendment section adds (and describes so) would be given a URN of theirs."""
    rows = shipped_store.query(
        "SELECT ?n ?c ?d WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/eu-ai-act> ; skos:notation ?n . "
        "OPTIONAL { ?r rdfs:comment ?c } OPTIONAL { ?r skos:definition ?d } }").records()
    said = re.compile(r"\b(?:Inserted|Added|added to Section [AB]) by Regulation \(EU\) 2026/1744")
    inserted = {str(r["n"]) for r in rows if said.search(f"{r.get('c') or ''} {r.get('d') or ''}")}
    assert inserted == ca.AI_ACT_INSERTED_2026
    assert not inserted & set(ca.AI_ACT_CHANGED_2026)


def test_a_row_on_a_provision_the_amendment_inserted_is_left_out_with_the_reason(catalog: Catalog) -> None:
    rows = [_row(catalog, "eu-ai-act:Art. 5(1)(ba)", "iso42001:A.9.4", "https://w3id.org/attestgraph/vocab#SubsetOf"),
            _row(catalog, "eu-ai-act:Art. 43(3)", "iso42001:8.1", "https://w3id.org/attestgraph/vocab#IntersectsWith"),
            _row(catalog, "eu-ai-act:Art. 5(1)(a)", "iso42001:A.9.4", "https://w3id.org/attestgraph/vocab#SubsetOf")]
    library, left_out, _ = ca.mapping_library("test", rows, catalog, 1)
    (written,) = library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    assert written["source_requirement_urn"] == "urn:intuitem:risk:req_node:ai-act:5.1.a"
    assert [(item["no_counterpart"], item["why"]) for item in left_out] == [
        (["eu-ai-act:Art. 5(1)(ba)"],
         {"eu-ai-act:Art. 5(1)(ba)": "not in their library: inserted by Regulation (EU) 2026/1744"}),
        (["eu-ai-act:Art. 43(3)"], {"eu-ai-act:Art. 43(3)": "not in their library as amended: "
                                    + ca.AI_ACT_CHANGED_2026["Art. 43(3)"]})]


@pytest.mark.parametrize("set_id", sorted(REQUIREMENT_SETS))
def test_mapping_libraries_point_only_at_nodes_that_exist(exported: Exported, set_id: str) -> None:
    _, libraries = exported
    library = libraries[f"mapping-{set_id}.yaml"]
    rules = {n["urn"] for n in libraries["dpdp-rules-2025.yaml"]["objects"]["framework"]["requirement_nodes"]}
    nodes = {ca.framework_urns(s)[1]: set(their_ids(s)["nodes"]) for s in ca.THEIRS}
    nodes[ca.RULES_FRAMEWORK_URN] = rules
    forward, reverse = library["objects"]["requirement_mapping_sets"]
    assert forward["urn"] == f"urn:attestgraph:risk:req_mapping_set:mapping-{set_id}"
    assert reverse["urn"] == forward["urn"] + "-revert"
    source, target = forward["source_framework_urn"], forward["target_framework_urn"]
    assert source != target  # RequirementMappingSet.save refuses a set within one framework
    assert (reverse["source_framework_urn"], reverse["target_framework_urn"]) == (target, source)
    libraries_of = {ca.framework_urns(s)[1]: ca.framework_urns(s)[0] for s in [*ca.THEIRS, "dpdp-rules"]}
    assert library["dependencies"] == [libraries_of[source], libraries_of[target]]
    assert forward["requirement_mappings"]
    for mapping_set in (forward, reverse):
        src, dst = mapping_set["source_framework_urn"], mapping_set["target_framework_urn"]
        for m in mapping_set["requirement_mappings"]:
            assert m["source_requirement_urn"] in nodes[src] and m["target_requirement_urn"] in nodes[dst]
            assert m["relationship"] in {"equal", "subset", "superset", "intersect", "not_related"}
            assert m["rationale"] in {"syntactic", "semantic", "functional"}
            assert isinstance(m["strength_of_relationship"], int) and 0 <= m["strength_of_relationship"] <= 10
            assert m["annotation"].count("Source: ") == 1
    # The reverse set is the forward one read the other way, row by row.
    swap = {"subset": "superset", "superset": "subset"}
    assert [(m["target_requirement_urn"], m["source_requirement_urn"], swap.get(m["relationship"], m["relationship"]),
             m["strength_of_relationship"]) for m in forward["requirement_mappings"]] == [
        (m["source_requirement_urn"], m["target_requirement_urn"], m["relationship"], m["strength_of_relationship"])
        for m in reverse["requirement_mappings"]]


def test_only_the_documented_pair_meets_one_of_their_mapping_sets(exported: Exported) -> None:
    """Their mapping engine keeps one set per (source, target) framework pair, so a pair
    they already ship would shadow theirs or be shadowed: the README names the one."""
    _, libraries = exported
    theirs = {tuple(line.split("\t")[1:]) for line in (DATA / "mapping-sets.tsv").read_text().splitlines()
              if not line.startswith(("#", "file\t"))}
    ours = [(s["source_framework_urn"], s["target_framework_urn"]) for name, library in libraries.items()
            if name.startswith("mapping-") for s in library["objects"]["requirement_mapping_sets"]]
    assert len(ours) == len(set(ours)) == 18  # each crosswalk and its "-revert"
    soc2, iso = "urn:intuitem:risk:framework:soc2-2017-rev-2022", "urn:intuitem:risk:framework:iso27001-2022"
    assert [pair for pair in ours if pair in theirs] == [(soc2, iso), (iso, soc2)]  # their file holds both ways


def test_a_row_keeps_its_relationship_rationale_strength_reason_and_source(exported: Exported) -> None:
    _, libraries = exported
    mappings = libraries["mapping-soc2-iso27001.yaml"]["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    soc2, iso = "urn:intuitem:risk:req_node:soc2-2017-rev-2022:", "urn:intuitem:risk:req_node:iso27001-2022:"
    (row,) = [m for m in mappings if m["source_requirement_urn"] == soc2 + "cc1.1"
              and m["target_requirement_urn"] == iso + "a.5.4"]
    assert row["relationship"] == "intersect" and row["rationale"] == "semantic"
    assert row["strength_of_relationship"] == 4
    assert row["annotation"].startswith("Management requiring personnel to follow the security policy")
    assert row["annotation"].endswith("Source: Cisco CCF via CISO Assistant; SCF STRM via CISO Assistant.")
    relationships = {m["relationship"] for m in mappings}
    assert relationships == {"intersect", "superset", "equal"}
    pi = libraries["mapping-iso42001-soc2.yaml"]["objects"]["requirement_mapping_sets"][0]["requirement_mappings"]
    assert any(m["target_requirement_urn"] == soc2 + "pp1.1" for m in pi)
    # dpdp-act:4(1) subset-of iso27001:A.5.34, and read back: A.5.34 superset of 4(1).
    act = "urn:intuitem:risk:req_node:india-dpdpa-2023:"
    forward, reverse = libraries["mapping-dpdp-act-iso27001.yaml"]["objects"]["requirement_mapping_sets"]
    pair = (act + "4(1)", iso + "a.5.34")
    assert [m["relationship"] for m in forward["requirement_mappings"]
            if (m["source_requirement_urn"], m["target_requirement_urn"]) == pair] == ["subset"]
    assert [m["relationship"] for m in reverse["requirement_mappings"]
            if (m["target_requirement_urn"], m["source_requirement_urn"]) == pair] == ["superset"]


def test_cli_writes_the_libraries_and_reports_what_it_left_out(cli: Cli, disk_home: Path, tmp_path: Path) -> None:
    code, out, err = cli("export", "ciso-assistant", "--out", str(tmp_path), "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["left_out_count"] == 7 == len(result["left_out"])
    assert result["rolled_up_count"] == 49 == len(result["rolled_up"])
    assert {"set", "from", "to", "relationship", "written", "source_urn", "target_urn", "merged"} == set(
        result["rolled_up"][0])
    # Every shipped crosswalk has CISO Assistant ids for both ends: none is skipped.
    assert len(list(tmp_path.glob("*.yaml"))) == 11 and result["skipped_sets"] == []
    code, out, err = cli("export", "ciso-assistant", "--out", str(tmp_path / "table"))
    assert code == 0 and "left out 7 mapping rows" in err
    assert "mapping-eu-ai-act-iso42001.yaml: 71 requirement mappings, 7 left out, 13 rolled up" in err


def test_cli_unknown_set_is_one_line(cli: Cli, disk_home: Path, tmp_path: Path) -> None:
    code, _, err = cli("export", "ciso-assistant", "--out", str(tmp_path), "--set", "no-such-set")
    assert code != 0 and "unknown requirement mapping set 'no-such-set'" in err and one_error_line(err)


def test_cli_out_that_is_a_file_is_one_line(cli: Cli, disk_home: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    code, _, err = cli("export", "ciso-assistant", "--out", str(blocker))
    assert code == 2 and "--out" in err and "cannot create the folder" in err and one_error_line(err)


def test_sets_of_frameworks_without_their_ids_are_skipped_not_guessed(mini_root: Path, tmp_path: Path) -> None:
    """The mini data root's frameworks (fa, fb, fp) have no CISO Assistant library: its
    two requirement crosswalks are reported as skipped and no mapping file is written."""
    from attestgraph.graph.embedded import open_embedded
    from attestgraph.graph.sources import DataRoot

    store, _ = open_embedded(DataRoot.at(mini_root), memory=True)
    result = ca.export_ciso_assistant(store, tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["attestgraph-controls.yaml"]
    assert [(s["set"], s["no_library_for"]) for s in result.skipped_sets] == [
        ("fa-fp", ["fa", "fp"]), ("fp-fb", ["fb", "fp"])]
    assert result.left_out == []
