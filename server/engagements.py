"""Stored engagements: each in its own named graph of the served store, with the
document it was read from, so it can be validated and analysed again later."""

from __future__ import annotations

import json

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.graph.store import insert_data_update
from attestgraph.queries.engagement.file import Engagement, is_engagement_id
from attestgraph.queries.engagement.graph import engagement_quads
from attestgraph.server.served_store import ServedStore

DOCUMENT = v.AG + "sourceDocument"


class EngagementStore:
    """Save, read, list and delete engagements; every change is one write of the served store."""

    def __init__(self, served: ServedStore):
        self._served = served

    def save(self, engagement: Engagement, document: object) -> None:
        """Replace the engagement's graph with ``engagement`` (one transaction)."""
        quads = engagement_quads(engagement)
        quads.append(ox.Quad(ox.NamedNode(engagement.iri), ox.NamedNode(DOCUMENT),
                             ox.Literal(json.dumps(document, default=str)), ox.NamedNode(engagement.graph)))
        self._served.write(insert_data_update(engagement.graph, quads))

    def document(self, identifier: str) -> object | None:
        """The stored document of ``identifier``, or None when there is none."""
        if not is_engagement_id(identifier):
            return None
        graph = v.engagement_graph(identifier)
        rows = self._served.store.query(
            f"SELECT ?doc WHERE {{ GRAPH <{graph}> {{ ?e <{DOCUMENT}> ?doc }} }}").column("doc")
        return json.loads(rows[0]) if rows else None

    def ids(self) -> list[str]:
        prefix = v.engagement_graph("")
        return sorted(g[len(prefix):] for g in self._served.store.named_graphs() if g.startswith(prefix))

    def delete(self, identifier: str) -> None:
        self._served.write(f"DROP SILENT GRAPH <{v.engagement_graph(identifier)}>")
