"""Validation rules beyond parsing: coverage of leaves, notation rules, OWL."""

from __future__ import annotations

from attestgraph.graph import validation
from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot


def test_unaddressed_leaves_are_listed(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    assert validation.coverage_violations(stage, ["fa", "fb"]) == [
        "fb:1.2: leaf requirement is neither mapped from a control nor marked not-applicable (crosswalks/not-applicable.tsv)"
    ]
    # fp has no control mappings; 2.1 is marked not-applicable, so only 1.1 and 1.2 are reported.
    found = validation.coverage_violations(stage, ["fp"])
    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in found] == ["fp:1.1", "fp:1.2"]


def test_not_applicable_on_a_parent_covers_its_leaves(mini_root):
    path = mini_root / "crosswalks" / "not-applicable.tsv"
    path.write_text("requirement\treason\nfp:G1\tWhole group binds another party.\n")
    stage, _ = build_stage(DataRoot.at(mini_root))
    assert [line.split(":")[1] for line in validation.coverage_violations(stage, ["fp"])] == ["2.1"]


def test_iri_must_follow_notation(mini_root):
    path = mini_root / "ontologies" / "frameworks" / "fb.ttl"
    path.write_text(path.read_text().replace('skos:notation "G2"', 'skos:notation "G2(a)"'))
    stage, _ = build_stage(DataRoot.at(mini_root), validate=False)
    problems = validation.referential_violations(stage)
    assert any("does not follow its notation 'G2(a)'" in p for p in problems)


def test_owl_consistent_on_mini_data(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    assert validation.owl_violations(validation.to_rdflib(stage), mini_root / "ontologies" / "core.ttl") == []
