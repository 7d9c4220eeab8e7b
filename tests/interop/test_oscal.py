"""OSCAL export: every file read back with compliance-trestle, counts equal to the graph's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from trestle.oscal.catalog import Catalog, Control
from trestle.oscal.mapping import MappingCollection

from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore, GraphStore
from attestgraph.interop.oscal import export_oscal, requirement_id


@pytest.fixture
def mini_store(mini_root) -> EmbeddedStore:
    stage, _ = build_stage(DataRoot.at(mini_root))
    return EmbeddedStore(stage)


def walk(items) -> list:
    """Every group and control of a catalog (or group, or control), depth first."""
    found = []
    for item in items or []:
        found.append(item)
        found += walk(getattr(item, "groups", None)) + walk(getattr(item, "controls", None))
    return found


def graph_counts(store: GraphStore) -> tuple[dict[str, int], dict[str, int], int]:
    requirements = {str(r["slug"]): int(r["n"]) for r in store.query(
        "SELECT ?slug (COUNT(?r) AS ?n) WHERE { ?f a ag:Framework ; dct:identifier ?slug . ?r skos:inScheme ?f } "
        "GROUP BY ?slug").records()}
    mappings = {str(r["id"]): int(r["n"]) for r in store.query(
        "SELECT ?id (COUNT(?m) AS ?n) WHERE { ?s a ag:MappingSet ; dct:identifier ?id . ?m ag:inMappingSet ?s } "
        "GROUP BY ?id").records()}
    mappings["inferred"] = int(store.query(
        "SELECT (COUNT(?m) AS ?n) WHERE { ?m a ag:InferredMapping }").records()[0]["n"])
    controls = int(store.query("SELECT (COUNT(?c) AS ?n) WHERE { ?c a ag:Control }").records()[0]["n"])
    return requirements, mappings, controls


def check_export(store: GraphStore, out: Path) -> dict[str, Catalog]:
    written = export_oscal(store, out)
    requirements, mappings, controls = graph_counts(store)
    assert sorted(p.name for p, _, _ in written) == sorted(
        [f"{s}.json" for s in requirements] + ["controls.json"] + [f"{s}.json" for s in mappings])
    catalogs: dict[str, Catalog] = {}
    for path in sorted((out / "catalogs").iterdir()):
        catalog = Catalog.oscal_read(path)
        assert isinstance(catalog, Catalog), path
        catalogs[path.stem] = catalog
        items = walk(catalog.groups) + walk(catalog.controls)
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids)), path  # ids unique within a catalog
        if path.stem == "controls":
            assert sum(isinstance(i, Control) for i in items) == controls
        else:
            assert len(items) == requirements[path.stem], path
    control_ids = {c.id for cat in catalogs.values() for c in walk(cat.groups) + walk(cat.controls)
                   if isinstance(c, Control)}
    for path in sorted((out / "mappings").iterdir()):
        collection = MappingCollection.oscal_read(path)
        assert isinstance(collection, MappingCollection), path
        assert sum(len(m.maps) for m in collection.mappings) == mappings[path.stem], path
        if path.stem != "inferred":
            assert len(collection.mappings) == 1  # a curated set links one element set to another
        for mapping in collection.mappings:
            for resource in (mapping.source_resource, mapping.target_resource):
                assert (out / "mappings" / resource.href).resolve().is_file()  # points at an exported catalog
            for entry in mapping.maps:
                assert entry.relationship in {"equal-to", "subset-of", "superset-of", "intersects-with",
                                              "no-relationship"}
                assert {i.id_ref for i in entry.sources + entry.targets} <= control_ids
    return catalogs


def test_mini_export_reads_back_with_trestle(mini_store, tmp_path):
    catalogs = check_export(mini_store, tmp_path)
    fa = catalogs["fa"]
    assert [g.id for g in fa.groups] == ["fa-G1", "fa-G2"]  # clauses are groups
    assert [c.id for c in fa.groups[0].controls] == ["fa-1.1", "fa-1.2"]
    first = fa.groups[0].controls[0]
    assert first.title == "A one-one" and [(p.name, p.value) for p in first.props] == [("label", "1.1")]
    assert first.parts[0].name == "overview" and first.parts[0].prose == "Leaf."
    collection = MappingCollection.oscal_read(tmp_path / "mappings" / "controls-fa.json")
    by_source = {m.sources[0].id_ref: m for m in collection.mappings[0].maps}
    gov2 = by_source["GOV-02"]
    assert gov2.relationship == "subset-of" and gov2.matching_rationale == "functional"
    assert gov2.targets[0].id_ref == "fa-1.2" and gov2.remarks == "Review helps."
    props = {p.name: (p.value, str(p.ns)) for p in gov2.props}
    assert props["strength"] == ("5", "https://w3id.org/attestgraph/ns/oscal") and props["rationale"][0] == "functional"
    assert collection.provenance.mapping_description.root == "by hand"
    assert collection.metadata.version == "2024-01-01"
    inferred = MappingCollection.oscal_read(tmp_path / "mappings" / "inferred.json")
    assert inferred.provenance.method == "automation"
    (fa_fb,) = inferred.mappings
    assert fa_fb.source_resource.href == "../catalogs/fa.json" and fa_fb.target_resource.href == "../catalogs/fb.json"
    chained = {m.sources[0].id_ref: m for m in fa_fb.maps}["fa-1.1"]  # fa:1.1 = fp:1.1 > fb:1.2
    assert chained.relationship == "superset-of" and chained.targets[0].id_ref == "fb-1.2"
    assert {p.name: p.value for p in chained.props}["via"] == "fp-1.1"


def test_export_is_byte_stable(mini_store, tmp_path):
    export_oscal(mini_store, tmp_path / "one")
    export_oscal(mini_store, tmp_path / "two")
    for path in sorted((tmp_path / "one").rglob("*.json")):
        assert path.read_bytes() == (tmp_path / "two" / path.relative_to(tmp_path / "one")).read_bytes()


def test_requirement_ids_are_tokens():
    assert requirement_id("dpdp-act", "10(2)(b)") == "dpdp-act-10-2-b"
    assert requirement_id("dpdp-rules", "R7(2)") == "dpdp-rules-R7-2"


@pytest.mark.slow
def test_shipped_export_reads_back_with_trestle(shipped_store, tmp_path):
    catalogs = check_export(shipped_store, tmp_path)
    soc2 = catalogs["soc2"]
    assert [g.title for g in soc2.groups][:1] and len(soc2.groups) == 5  # the five categories
    iso = catalogs["iso27001"]
    annex = {c.id: c for c in walk(iso.groups) if isinstance(c, Control)}
    assert "iso27001-A.5.26" in annex
    assert [p.value for p in annex["iso27001-A.5.26"].props if p.name == "label"] == ["A.5.26"]
    act = {c.id: c for c in walk(catalogs["dpdp-act"].groups) + walk(catalogs["dpdp-act"].controls)}
    assert [p.value for p in act["dpdp-act-8-6"].props if p.name == "label"] == ["8(6)"]
    body = json.loads((tmp_path / "mappings" / "soc2-iso27001.json").read_text())
    assert body["mapping-collection"]["metadata"]["oscal-version"].startswith("1.2")


def test_cli_export_oscal(cli, home, mini_root, tmp_path):
    code, _, err = cli("export", "oscal", "--out", str(tmp_path / "o"), "--data", str(mini_root), "--store", "memory")
    assert code == 0, err
    assert f"{tmp_path / 'o' / 'catalogs' / 'fa.json'}: 5 groups and controls" in err
    assert f"{tmp_path / 'o' / 'mappings' / 'fa-fp.json'}: 3 maps" in err
    assert isinstance(MappingCollection.oscal_read(tmp_path / "o" / "mappings" / "fa-fp.json"), MappingCollection)
