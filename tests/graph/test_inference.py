"""Inference through pivot requirements (composition along chains, NIST IR 8477 set
semantics; the table itself is tested in tests/test_relationships.py), and shared
implementation kept apart from it, on cases whose answer is known by hand."""

from __future__ import annotations

import pytest

from attestgraph import vocabulary as v
from attestgraph.graph.build import build_stage
from attestgraph.graph.inference import ControlLink, Edge, compose_chain, infer_chains, shared_implementations
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore
from attestgraph.relationships import EQ, INT, INVERSE, NOT, PARTIAL_MIN_STRENGTH, RATIONALE_RANK, SUB, SUP


def test_longer_chains_compose_cell_by_cell():
    assert compose_chain([EQ, SUB, SUB]) == SUB
    assert compose_chain([SUP, EQ, SUP]) == SUP
    assert compose_chain([SUP, SUB, EQ]) == INT
    assert compose_chain([SUB, SUB, SUP]) is None  # subset then superset: nothing
    assert compose_chain([SUP, SUB, INT]) is None  # intersects then intersects: nothing


SYN = v.AG + "Syntactic"
SEM = v.AG + "Semantic"
FUN = v.AG + "Functional"


def both_ways(source, target, rel, rat, strength, name):
    return [Edge(source, target, rel, rat, strength, name), Edge(target, source, INVERSE[rel], rat, strength, name)]


def test_strength_never_rises_and_rationale_is_the_weakest():
    scheme = {"a:1": "A", "p:1": "P", "b:1": "B"}
    edges = both_ways("a:1", "p:1", EQ, SYN, 10, "m1") + both_ways("p:1", "b:1", SUB, FUN, 6, "m2")
    chain = infer_chains(edges, scheme)[("a:1", "b:1")]
    assert (chain.relationship, chain.strength, chain.rationale, chain.via) == (SUB, 6, FUN, ("p:1",))


def test_nothing_is_inferred_where_set_theory_says_nothing():
    scheme = {"a:1": "A", "p:1": "P", "b:1": "B"}
    for r1, r2 in [(SUB, SUP), (INT, INT), (INT, SUP), (SUB, INT)]:
        edges = both_ways("a:1", "p:1", r1, SEM, 9, "m1") + both_ways("p:1", "b:1", r2, SEM, 9, "m2")
        assert infer_chains(edges, scheme) == {}, (r1, r2)


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
        + both_ways("p:1", "b:1", EQ, SEM, 9, "m2")
        + both_ways("a:1", "q:1", SUB, SEM, 5, "m3")
        + both_ways("q:1", "b:1", SUB, SEM, 5, "m4")
    )
    chain = infer_chains(edges, scheme)[("a:1", "b:1")]
    assert (chain.relationship, chain.via) == (SUB, ("q:1",))


def test_two_pivots_in_frameworks_of_their_own():
    scheme = {"a:1": "A", "p:1": "P", "q:1": "Q", "b:1": "B"}
    edges = (
        both_ways("a:1", "p:1", SUB, SEM, 9, "m1")
        + both_ways("p:1", "q:1", EQ, SYN, 10, "m2")
        + both_ways("q:1", "b:1", SUB, SEM, 7, "m3")
    )
    chain = infer_chains(edges, scheme)[("a:1", "b:1")]
    assert (chain.relationship, chain.strength, chain.via, chain.mappings) == (SUB, 7, ("p:1", "q:1"), ("m1", "m2", "m3"))
    assert ("a:1", "b:1") not in infer_chains(edges, scheme, max_links=2)


def test_no_pairs_inside_one_framework_and_no_control_pivots():
    scheme = {"a:1": "A", "a:2": "A", "p:1": "P", "b:1": "B"}
    edges = both_ways("a:1", "p:1", EQ, SYN, 10, "m1") + both_ways("a:2", "p:1", EQ, SYN, 10, "m2")
    assert infer_chains(edges, scheme) == {}
    # A control (not in ``scheme``) is never a pivot.
    edges = both_ways("ctl", "a:1", SUP, SEM, 9, "m3") + both_ways("ctl", "b:1", SUP, SEM, 9, "m4")
    assert infer_chains(edges, scheme) == {}


def test_shared_implementation_needs_two_frameworks_and_the_threshold():
    links = [
        ControlLink("c1", "a:1", "A", SUP, 8, "m1"),
        ControlLink("c1", "b:1", "B", INT, PARTIAL_MIN_STRENGTH, "m2"),
        ControlLink("c1", "b:2", "B", INT, PARTIAL_MIN_STRENGTH - 1, "m3"),  # too weak
        ControlLink("c1", "a:2", "A", SUB, 9, "m4"),
        ControlLink("c2", "b:1", "B", NOT, 9, "m5"),  # not related: no work shared
        ControlLink("c2", "a:1", "A", EQ, 10, "m6"),
    ]
    found = {(s.first.control, s.first.requirement, s.second.requirement) for s in shared_implementations(links)}
    assert found == {("c1", "a:1", "b:1"), ("c1", "a:2", "b:1")}


@pytest.fixture
def mini_store(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    return EmbeddedStore(stage)


def test_mini_graph_inferences(mini_store):
    """By hand: fa:1.1 = fp:1.1 ⊇ fb:1.2 gives fa:1.1 ⊇ fb:1.2 (strength 8);
    fa:1.2 ⊆ fp:1.2 ⊆ fb:1.2 gives fa:1.2 ⊆ fb:1.2 (6); fa:2.1 ⊆ fp:2.1 ⊇ fb:2.1 says
    nothing; GOV-01 serving fa:1.1 and fb:1.1 is shared implementation, no mapping."""
    rows = mini_store.query(
        """SELECT ?a ?b ?rel ?s ?via WHERE { GRAPH <https://w3id.org/attestgraph/graph/inferred> {
             ?m ag:fromElement ?fa ; ag:toElement ?fb ; ag:relationship ?r ; ag:strength ?s ; ag:via ?v }
             ?fa skos:notation ?na ; skos:inScheme/dct:identifier ?sa .
             ?fb skos:notation ?nb ; skos:inScheme/dct:identifier ?sb .
             BIND(CONCAT(?sa, ":", ?na) AS ?a) BIND(CONCAT(?sb, ":", ?nb) AS ?b)
             ?v skos:notation ?nv ; skos:inScheme/dct:identifier ?sv .
             BIND(STRAFTER(STR(?r), "#") AS ?rel) BIND(CONCAT(?sv, ":", ?nv) AS ?via)
           } ORDER BY ?a ?b"""
    ).records()
    found = {(r["a"], r["b"]): (r["rel"], r["s"], r["via"]) for r in rows}
    assert found == {
        ("fa:1.1", "fb:1.2"): ("SupersetOf", 8, "fp:1.1"),
        ("fa:1.2", "fb:1.2"): ("SubsetOf", 6, "fp:1.2"),
    }
    shared = mini_store.query(
        """SELECT ?control ?x ?y WHERE { GRAPH <https://w3id.org/attestgraph/graph/shared> {
             ?s a ag:SharedImplementation ; ag:sharedControl ?c ; ag:servesRequirement ?rx, ?ry }
             ?c dct:identifier ?control .
             ?rx skos:notation ?nx ; skos:inScheme/dct:identifier "fa" . ?ry skos:notation ?ny ; skos:inScheme/dct:identifier "fb" .
             BIND(CONCAT("fa:", ?nx) AS ?x) BIND(CONCAT("fb:", ?ny) AS ?y) } ORDER BY ?control"""
    ).records()
    assert [(r["control"], r["x"], r["y"]) for r in shared] == [("GOV-01", "fa:1.1", "fb:1.1"), ("GOV-02", "fa:1.2", "fb:2.1")]
    kinds = mini_store.query(
        "SELECT ?t WHERE { ?s a ag:SharedImplementation ; a ?t }").column("t")
    assert set(kinds) == {v.AG + "SharedImplementation"}  # never an ag:Mapping
    assert not mini_store.query("ASK { ?s a ag:SharedImplementation ; ag:relationship ?r }").boolean


def _read(mapping: dict, start: str) -> tuple[str, str]:
    """(relationship read from ``start``, the other end) of a curated mapping."""
    if mapping["from"] == start:
        return mapping["rel"], mapping["to"]
    assert mapping["to"] == start
    return INVERSE[mapping["rel"]], mapping["from"]


def test_every_inferred_mapping_is_what_its_chain_allows(shipped_store):
    """Recompute every materialised inferred mapping from the curated links it names."""
    inferred = shipped_store.query(
        """SELECT ?m ?a ?b ?rel ?rat ?strength ?len WHERE {
             ?m a ag:InferredMapping ; ag:fromElement ?a ; ag:toElement ?b ; ag:relationship ?rel ;
                ag:rationale ?rat ; ag:strength ?strength ; ag:chainLength ?len }"""
    ).records()
    assert inferred
    links = shipped_store.query(
        """SELECT ?m ?d ?from ?to ?rel ?rat ?strength WHERE {
             ?m a ag:InferredMapping ; ag:derivedFrom ?d .
             ?d ag:fromElement ?from ; ag:toElement ?to ; ag:relationship ?rel ; ag:rationale ?rat ; ag:strength ?strength .
             ?from skos:inScheme ?fs . ?to skos:inScheme ?ts .
             MINUS { ?d a ag:InferredMapping } }"""
    ).records()
    vias = shipped_store.query("SELECT ?m ?via WHERE { ?m a ag:InferredMapping ; ag:via ?via }").records()
    curated_pairs = {
        frozenset((r["from"], r["to"]))
        for r in shipped_store.query(
            "SELECT ?from ?to WHERE { ?m a ag:Mapping ; ag:fromElement ?from ; ag:toElement ?to . MINUS { ?m a ag:InferredMapping } }"
        ).records()
    }
    by_mapping: dict[str, list[dict]] = {}
    for link in links:
        by_mapping.setdefault(link["m"], []).append(link)
    via_of: dict[str, set[str]] = {}
    for row in vias:
        via_of.setdefault(row["m"], set()).add(row["via"])
    for m in inferred:
        chain = by_mapping[m["m"]]
        assert len(chain) == m["len"] >= 2, m  # every link is a curated requirement mapping
        node, relationships, pivots, remaining = m["a"], [], [], list(chain)
        while remaining:
            step = next(link for link in remaining if node in (link["from"], link["to"]))
            remaining.remove(step)
            relationship, node = _read(step, node)
            relationships.append(relationship)
            pivots.append(node)
        assert node == m["b"], m
        assert set(pivots[:-1]) == via_of[m["m"]]
        assert compose_chain(relationships) == m["rel"], (m, relationships)
        assert m["strength"] == (0 if m["rel"] == NOT else min(link["strength"] for link in chain))
        assert m["rat"] == min((link["rat"] for link in chain), key=RATIONALE_RANK.__getitem__)
        assert frozenset((m["a"], m["b"])) not in curated_pairs


def test_shipped_shared_implementations_rest_on_two_control_links(shipped_store):
    rows = shipped_store.query(
        """SELECT ?s ?c ?m ?strength ?scheme ?from WHERE { ?s a ag:SharedImplementation ; ag:sharedControl ?c ;
             ag:controlMapping ?m . ?m ag:fromElement ?from ; ag:strength ?strength ; ag:toScheme ?scheme }"""
    ).records()
    assert rows
    grouped: dict[str, list[dict]] = {}
    for row in rows:
        grouped.setdefault(row["s"], []).append(row)
    for items in grouped.values():
        assert len(items) == 2
        assert all(i["from"] == i["c"] and i["strength"] >= PARTIAL_MIN_STRENGTH for i in items)
        assert items[0]["scheme"] != items[1]["scheme"]
    assert not shipped_store.query("ASK { ?s a ag:SharedImplementation . ?s a ag:Mapping }").boolean
