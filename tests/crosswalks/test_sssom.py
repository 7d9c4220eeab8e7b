"""SSSOM export of the mapping sets."""

from __future__ import annotations

import csv

from attestgraph.crosswalks.sssom import export_sssom
from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore


def test_export_writes_one_valid_file_per_set(mini_root, tmp_path):
    stage, _ = build_stage(DataRoot.at(mini_root))
    written = {p.name: n for p, n in export_sssom(EmbeddedStore(stage), tmp_path)}
    assert written == {"controls-fa.sssom.tsv": 3, "controls-fb.sssom.tsv": 2, "fa-fp.sssom.tsv": 3, "fp-fb.sssom.tsv": 3}
    text = (tmp_path / "controls-fa.sssom.tsv").read_text()
    header = [line[1:] for line in text.splitlines() if line.startswith("#")]
    assert "curie_map:" in header and "  ctl: https://w3id.org/attestgraph/id/control/" in header
    assert "mapping_set_id: https://w3id.org/attestgraph/id/mapping/controls-fa" in header
    rows = list(csv.DictReader((l for l in text.splitlines() if not l.startswith("#")), delimiter="\t"))
    first = {r["subject_id"]: r for r in rows}["ctl:GOV-01"]
    assert first["predicate_id"] == "skos:narrowMatch"  # control superset-of requirement
    assert first["object_id"] == "fa:1.1" and first["confidence"] == "0.8"
    assert "nist_relationship=superset-of" in first["other"]
    assert {r["mapping_justification"] for r in rows} == {"semapv:ManualMappingCuration"}


def test_export_of_one_set(mini_root, tmp_path):
    stage, _ = build_stage(DataRoot.at(mini_root))
    written = export_sssom(EmbeddedStore(stage), tmp_path, "fa-fp")
    assert [p.name for p, _ in written] == ["fa-fp.sssom.tsv"]
    rows = [l for l in (tmp_path / "fa-fp.sssom.tsv").read_text().splitlines() if l and not l.startswith("#")]
    predicates = [r.split("\t")[2] for r in rows[1:]]
    assert predicates == ["skos:exactMatch", "skos:broadMatch", "skos:broadMatch"]
