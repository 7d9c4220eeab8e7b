"""OSCAL import: a mapping collection loaded into its own graph and compared with ours."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from trestle.oscal.mapping import MappingResourceReference

from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore
from attestgraph.interop.oscal import export_oscal
from attestgraph.interop.oscal_import import OscalImportError, Resolver, import_oscal
from attestgraph.queries.analysis.explain import explain

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
ID = "https://w3id.org/attestgraph/id/"
GRAPH = "https://w3id.org/attestgraph/graph/imported/"


@pytest.fixture
def mini_store(mini_root) -> EmbeddedStore:
    stage, _ = build_stage(DataRoot.at(mini_root))
    return EmbeddedStore(stage)


def entry(uuid_tail: str, rel: str, source: str, target: str, **extra) -> dict:
    return {"uuid": f"00000000-0000-4000-8000-{uuid_tail:0>12}", "relationship": rel,
            "sources": [{"type": "control", "id-ref": source}], "targets": [{"type": "control", "id-ref": target}],
            **extra}


def collection(maps: list[dict]) -> dict:
    """A small collection someone else wrote by hand, with their own ids (official notations)."""
    return {"mapping-collection": {
        "uuid": "11111111-1111-4111-8111-111111111111",
        "metadata": {"title": "Their A to P", "published": "2025-06-01T00:00:00+00:00",
                     "last-modified": "2025-06-02T00:00:00+00:00", "version": "3.1", "oscal-version": "1.2.1"},
        "provenance": {"method": "human", "matching-rationale": "semantic", "status": "complete",
                       "mapping-description": "Their mapping of A onto P."},
        "mappings": [{
            "uuid": "22222222-2222-4222-8222-222222222222",
            "source-resource": {"type": "catalog", "href": "https://example.org/catalogs/fa.json"},
            "target-resource": {"type": "catalog", "href": "https://example.org/catalogs/fp.json"},
            "maps": maps,
        }],
    }}


def write(tmp_path: Path, body: dict, name: str = "theirs.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(body))
    return path


def test_round_trip_of_every_exported_set_agrees_fully(mini_store, tmp_path):
    export_oscal(mini_store, tmp_path / "out")
    files = sorted((tmp_path / "out" / "mappings").iterdir())
    assert [p.stem for p in files] == ["controls-fa", "controls-fb", "fa-fp", "fp-fb", "inferred"]
    for path in files[:-1]:
        report = import_oscal(mini_store, path, name=f"ours-{path.stem}", now=NOW)
        c = report["counts"]
        assert c["unresolved"] == 0 and c["only_theirs"] == 0 and c["only_ours"] == 0 and c["different"] == 0, path
        assert c["same"] == report["maps"] == c["resolved"] > 0 and report["agreement_pct"] == 100.0
    # Our inferred mappings are never curated pairs: all "only theirs" against the curated ones.
    report = import_oscal(mini_store, files[-1], name="ours-inferred", now=NOW)
    assert report["counts"]["only_theirs"] == report["maps"] == 2 and report["counts"]["same"] == 0


def test_a_collection_that_disagrees_on_known_rows(mini_store, tmp_path):
    # Ours (fa-fp.tsv): 1.1 equal 1.1; 1.2 subset-of 1.2; 2.1 subset-of 2.1.
    path = write(tmp_path, collection([
        entry("1", "equivalent-to", "1.1", "1.1"),  # same: equivalent-to is our equal
        entry("2", "intersects-with", "1.2", "1.2", remarks="They see overlap only."),  # different
        entry("3", "intersects-with", "fa-2.1", "G1"),  # only theirs (our OSCAL id, their heading)
        entry("4", "subset-of", "9.9", "1.1"),  # unresolved: no 9.9 in A
    ]))
    report = import_oscal(mini_store, path, name="theirs", now=NOW)
    assert report["counts"] == {"same": 1, "different": 1, "only_theirs": 1, "only_ours": 1,
                                "resolved": 3, "unresolved": 1}
    assert report["agreement_pct"] == 50.0
    assert report["different"] == [{"from": f"{ID}fa/1.2", "to": f"{ID}fp/1.2", "theirs": "intersects-with",
                                    "ours": "subset-of"}]
    assert report["only_theirs"][0]["from"] == f"{ID}fa/2.1" and report["only_theirs"][0]["to"] == f"{ID}fp/G1"
    assert report["only_ours"] == [{"from": f"{ID}fa/2.1", "to": f"{ID}fp/2.1", "ours": "subset-of"}]
    assert report["unresolved"] == [{"side": "source", "id_ref": "9.9",
                                     "resource": "https://example.org/catalogs/fa.json"}]
    assert (report["title"], report["version"], report["file"]) == ("Their A to P", "3.1", "theirs.json")


def test_an_inverse_pair_is_compared_through_ir_8477(mini_store, tmp_path):
    body = collection([entry("1", "superset-of", "1.2", "1.2")])
    m = body["mapping-collection"]["mappings"][0]
    m["source-resource"]["href"], m["target-resource"]["href"] = "fp.json", "fa.json"  # P onto A: 1.2 superset-of 1.2
    report = import_oscal(mini_store, write(tmp_path, body), name="reverse", now=NOW)
    assert report["counts"]["same"] == 1 and report["agreement_pct"] == 100.0


def test_imported_graph_holds_provenance_and_nothing_else_reads_it(mini_store, tmp_path):
    touching = "SELECT (COUNT(*) AS ?n) WHERE { ?m ag:fromElement ?x ; ag:toElement ?y }"
    before = mini_store.query(touching).records()[0]["n"]
    explained = explain(mini_store, "fa:1.2", "fp:1.2")
    path = write(tmp_path, collection([entry("1", "intersects-with", "1.2", "1.2", props=[
        {"name": "strength", "ns": "https://w3id.org/attestgraph/ns/oscal", "value": "6"}])]))
    import_oscal(mini_store, path, name="theirs", now=NOW)
    assert mini_store.query(touching).records()[0]["n"] == before  # no ag:Mapping link added
    assert explain(mini_store, "fa:1.2", "fp:1.2") == explained  # they say intersects; ours still reads subset-of
    rows = mini_store.query(f"""
        SELECT ?title ?version ?file ?at ?from ?to ?rel ?strength WHERE {{ GRAPH <{GRAPH}theirs> {{
          ?set a ag:ImportedMappingSet ; dct:title ?title ; owl:versionInfo ?version ; dct:source ?file ;
               prov:generatedAtTime ?at .
          ?m ag:inImportedSet ?set ; ag:importedFrom ?from ; ag:importedTo ?to ; ag:importedRelationship ?rel ;
             ag:importedStrength ?strength . }} }}""").records()
    assert rows == [{"title": "Their A to P", "version": "3.1", "file": "theirs.json", "at": rows[0]["at"],
                     "from": f"{ID}fa/1.2", "to": f"{ID}fp/1.2",
                     "rel": "https://w3id.org/attestgraph/vocab#IntersectsWith", "strength": 6}]
    assert str(rows[0]["at"]).startswith("2026-12-01T12:00:00")
    assert mini_store.query(f"ASK {{ GRAPH <{GRAPH}theirs> {{ ?m a ag:Mapping }} }}").boolean is False
    # Importing again under the same name replaces the graph, never adds to it.
    import_oscal(mini_store, path, name="theirs", now=NOW)
    count = mini_store.query(
        f"SELECT (COUNT(?m) AS ?n) WHERE {{ GRAPH <{GRAPH}theirs> {{ ?m a ag:ImportedMapping }} }}")
    assert count.records()[0]["n"] == 1


@pytest.mark.parametrize("href, scheme", [
    ("https://example.org/catalogs/fa.json", "fa"),
    ("fa-2024-catalog.yaml", "fa"),
    ("../catalogs/controls.json", "controls"),
    ("fa-controls.json", None),  # two of our sets: it says nothing
    ("default.json", None),  # "fa" inside a word is not the slug
    ("#4a2b", None),
])
def test_which_of_our_sets_a_catalog_is(mini_store, href, scheme):
    resource = MappingResourceReference.model_validate({"type": "catalog", "href": href})
    assert Resolver(mini_store).resource_scheme(resource) == scheme


@pytest.mark.parametrize("text, expected", [
    ("{not json", "not a valid OSCAL mapping collection"),
    (json.dumps({"catalog": {}}), "not a valid OSCAL mapping collection"),
    (json.dumps({"mapping-collection": {"uuid": "nope"}}), "not a valid OSCAL mapping collection"),
])
def test_a_bad_file_is_one_error_naming_it(mini_store, tmp_path, text, expected):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(OscalImportError) as caught:
        import_oscal(mini_store, path, now=NOW)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def test_cli_imports_into_the_disk_store_and_reports(cli, home, mini_root, tmp_path):
    path = write(tmp_path, collection([entry("1", "equal-to", "1.1", "1.1"), entry("2", "subset-of", "9.9", "1.1")]))
    code, out, err = cli("import", "oscal", str(path), "--name", "pub", "--data", str(mini_root), "--format", "json")
    assert code == 0, err
    report = json.loads(out)
    assert report["graph"] == f"{GRAPH}pub" and report["counts"]["same"] == 1 and report["counts"]["unresolved"] == 1
    code, out, _ = cli("import", "oscal", str(path), "--name", "pub", "--data", str(mini_root))
    assert code == 0 and "1 same relationship" in out and "Unresolved" in out and "9.9" in out
    # It stays in the store: a later command reads it with SPARQL.
    query = f"SELECT ?title WHERE {{ GRAPH <{GRAPH}pub> {{ ?s a ag:ImportedMappingSet ; dct:title ?title }} }}"
    code, out, _ = cli("query", "--data", str(mini_root), "--format", "csv", query)
    assert code == 0 and out.splitlines()[1:] == ["Their A to P"]


def test_cli_bad_file_exits_2_with_one_line(cli, home, mini_root, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"mapping-collection": {}}')
    code, out, err = cli("import", "oscal", str(path), "--data", str(mini_root))
    assert code == 2 and out == ""
    (line,) = err.strip().splitlines()
    assert line.startswith(f"attestgraph: error: {path}: not a valid OSCAL mapping collection")
    code, _, err = cli("import", "oscal", str(tmp_path / "missing.json"), "--data", str(mini_root))
    assert code == 2 and err.strip() == f"attestgraph: error: {tmp_path / 'missing.json'}: no such file"


@pytest.mark.slow
def test_shipped_round_trip_agrees_fully(shipped_store, tmp_path):
    store = shipped_store.copy_to_memory()  # the session's store stays as built
    export_oscal(store, tmp_path / "out")
    curated = [p for p in sorted((tmp_path / "out" / "mappings").iterdir()) if p.stem != "inferred"]
    sets = store.query("SELECT DISTINCT ?s WHERE { ?s a ag:MappingSet }").column("s")
    assert len(curated) == len(sets) >= 16  # one collection per curated set, the AI RMF and EU AI Act ones too
    for path in curated:
        report = import_oscal(store, path, name=path.stem, now=NOW)
        c = report["counts"]
        assert (c["unresolved"], c["only_theirs"], c["only_ours"], c["different"]) == (0, 0, 0, 0), path
        assert c["same"] == report["maps"] > 0, path
