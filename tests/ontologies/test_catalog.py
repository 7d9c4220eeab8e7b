"""The control and evidence catalog, and every data file checked as CI checks it."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from attestgraph.graph.check import run_checks
from attestgraph.queries.catalog import Catalog


def test_catalog_size_and_shape(shipped_store):
    catalog = Catalog(shipped_store)
    assert len(catalog.controls) >= 120
    assert len(catalog.evidence_types) >= 60
    natures = Counter(c["nature"] for c in catalog.controls.values())
    assert set(natures) == {"technical", "organisational"}
    produced = {e for c in catalog.controls.values() for e in c["evidence"]}
    assert produced == set(catalog.evidence_types)


def test_control_dependencies_are_acyclic(shipped_store):
    catalog = Catalog(shipped_store)
    graph = nx.DiGraph((c, d) for c, info in catalog.controls.items() for d in info["dependsOn"])
    assert nx.is_directed_acyclic_graph(graph)


def test_every_mapping_set_states_its_provenance(shipped_store):
    rows = shipped_store.query(
        "SELECT ?id ?kind (COUNT(?m) AS ?n) WHERE { ?s a ag:MappingSet ; dct:identifier ?id . "
        "?m ag:inMappingSet ?s ; ag:sourceKind ?kind } GROUP BY ?id ?kind"
    ).records()
    sets = {r["id"] for r in rows}
    assert {"controls-soc2", "controls-iso42001", "controls-dpdp-act", "controls-dpdp-rules", "iso42001-iso27001",
            "soc2-iso27001", "iso42001-soc2", "dpdp-act-soc2", "dpdp-act-iso27001"} <= sets
    structural = {r["id"] for r in rows if r["kind"].endswith("StructuralFact")}
    assert "iso42001-iso27001" in structural


def test_shipped_data_passes_every_check():
    """SHACL, references, leaf coverage, acyclicity and HermiT consistency, as `attestgraph check` runs them."""
    assert run_checks() == []
