"""Closures and inverses the build derives."""

from __future__ import annotations

from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore

FA = "https://w3id.org/attestgraph/id/fa/"


def test_leaves_ancestors_and_categories(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    store = EmbeddedStore(stage)
    leaves = store.query(
        "SELECT ?n WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/fa> ; skos:notation ?n ; ag:isLeaf true } ORDER BY ?n"
    ).column("n")
    assert leaves == ["1.1", "1.2", "2.1"]
    ancestors = store.query(f"SELECT ?a WHERE {{ <{FA}1.2> ag:ancestor ?a }}").column("a")
    assert ancestors == [FA + "G1"]
    category = store.query(f"SELECT ?c WHERE {{ <{FA}2.1> ag:category ?c }}").column("c")
    assert category == [FA + "G2"]
    narrower = store.query(f"SELECT ?n WHERE {{ <{FA}G1> skos:narrower ?n }} ORDER BY ?n").column("n")
    assert narrower == [FA + "1.1", FA + "1.2"]
