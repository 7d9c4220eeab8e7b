"""Composition of relationships along chains, on cases whose answer is known by hand."""

from __future__ import annotations

import pytest

from attestgraph.graph.build import build_stage
from attestgraph.graph.inference import EQ, INT, NOT, SUB, SUP, Edge, compose, infer_chains
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore


@pytest.mark.parametrize(
    "first, second, expected",
    [
        (EQ, EQ, EQ),
        (EQ, SUB, SUB),
        (SUP, EQ, SUP),
        (SUB, SUB, SUB),
        (SUP, SUP, SUP),
        (SUB, SUP, INT),
        (SUP, SUB, INT),
        (INT, EQ, INT),
        (SUB, INT, INT),
        (INT, SUP, INT),
        (NOT, EQ, None),
        (SUB, NOT, None),
    ],
)
def test_compose(first, second, expected):
    assert compose(first, second) == expected


SYN = "https://w3id.org/attestgraph/vocab#Syntactic"
SEM = "https://w3id.org/attestgraph/vocab#Semantic"
FUN = "https://w3id.org/attestgraph/vocab#Functional"


def both_ways(source, target, rel, rat, strength, name):
    inverse = {EQ: EQ, SUB: SUP, SUP: SUB, INT: INT, NOT: NOT}[rel]
    return [Edge(source, target, rel, rat, strength, name), Edge(target, source, inverse, rat, strength, name)]


def test_strength_never_rises_and_rationale_is_the_weakest():
    scheme = {"a:1": "A", "p:1": "P", "b:1": "B"}
    edges = both_ways("a:1", "p:1", EQ, SYN, 10, "m1") + both_ways("p:1", "b:1", SUB, FUN, 6, "m2")
    chains = infer_chains(edges, scheme)
    chain = chains[("a:1", "b:1")]
    assert (chain.relationship, chain.strength, chain.rationale, chain.via) == (SUB, 6, FUN, "p:1")


def test_a_curated_pair_is_never_overruled():
    scheme = {"a:1": "A", "p:1": "P", "b:1": "B"}
    edges = (
        both_ways("a:1", "p:1", EQ, SYN, 10, "m1")
        + both_ways("p:1", "b:1", EQ, SYN, 10, "m2")
        + both_ways("b:1", "a:1", INT, SEM, 3, "m3")
    )
    assert ("a:1", "b:1") not in infer_chains(edges, scheme)


def test_strongest_chain_wins():
    scheme = {"a:1": "A", "p:1": "P", "q:1": "Q", "b:1": "B"}
    edges = (
        both_ways("a:1", "p:1", INT, SEM, 9, "m1")
        + both_ways("p:1", "b:1", INT, SEM, 9, "m2")
        + both_ways("a:1", "q:1", SUB, SEM, 5, "m3")
        + both_ways("q:1", "b:1", SUB, SEM, 5, "m4")
    )
    chain = infer_chains(edges, scheme)[("a:1", "b:1")]
    assert (chain.relationship, chain.via) == (SUB, "q:1")


def test_no_pairs_inside_one_framework():
    scheme = {"a:1": "A", "a:2": "A", "p:1": "P"}
    edges = both_ways("a:1", "p:1", EQ, SYN, 10, "m1") + both_ways("a:2", "p:1", EQ, SYN, 10, "m2")
    assert infer_chains(edges, scheme) == {}


def test_mini_graph_inferences(mini_root):
    """By hand: fa:1.1 = fp:1.1 ⊇ fb:1.2 gives fa:1.1 ⊇ fb:1.2 (strength 8);
    fa:2.1 ⊆ fp:2.1 ⊇ fb:2.1 gives intersects (6); through control GOV-01,
    fa:1.1 ⊆ GOV-01 = fb:1.1 gives fa:1.1 ⊆ fb:1.1 (strength 8)."""
    stage, _ = build_stage(DataRoot.at(mini_root))
    store = EmbeddedStore(stage)
    rows = store.query(
        """SELECT ?a ?b ?rel ?s ?via WHERE { GRAPH <https://w3id.org/attestgraph/graph/inferred> {
             ?m ag:fromElement ?fa ; ag:toElement ?fb ; ag:relationship ?r ; ag:strength ?s ; ag:via ?v } 
             ?fa skos:notation ?na ; skos:inScheme/dct:identifier ?sa .
             ?fb skos:notation ?nb ; skos:inScheme/dct:identifier ?sb .
             BIND(CONCAT(?sa, ":", ?na) AS ?a) BIND(CONCAT(?sb, ":", ?nb) AS ?b)
             BIND(STRAFTER(STR(?r), "#") AS ?rel) BIND(REPLACE(STR(?v), "^.*/", "") AS ?via)
           } ORDER BY ?a ?b"""
    ).records()
    found = {(r["a"], r["b"]): (r["rel"], r["s"], r["via"]) for r in rows}
    assert found[("fa:1.1", "fb:1.2")] == ("SupersetOf", 8, "1.1")
    assert found[("fa:2.1", "fb:2.1")] == ("IntersectsWith", 6, "2.1")
    assert found[("fa:1.1", "fb:1.1")] == ("SubsetOf", 8, "GOV-01")
