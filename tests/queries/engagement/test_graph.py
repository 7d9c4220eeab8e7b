"""Loading an engagement is one explicit step that writes nothing the caller holds."""

from __future__ import annotations

from attestgraph import vocabulary as v
from attestgraph.queries.engagement.graph import engagement_quads, store_with_engagement


def test_store_with_engagement_is_a_copy_holding_the_engagement(shipped_store, sample):
    before = shipped_store.triples_per_graph()
    scratch = store_with_engagement(shipped_store, sample)
    assert scratch is not shipped_store
    assert shipped_store.triples_per_graph() == before  # the caller's store is untouched
    counts = scratch.triples_per_graph()
    assert counts[sample.graph] == len(engagement_quads(sample))
    # Every catalog graph is carried over whole; no other engagement is.
    assert {g: n for g, n in counts.items() if g != sample.graph} == {
        g: n for g, n in before.items() if not g.startswith(v.engagement_graph(""))
    }

