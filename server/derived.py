"""What the server derives from the store and keeps between requests, each piece with
its own invalidation.

- :class:`CatalogView`: the catalog, the graph list and the component ids, read once
  and read again after a write.
- :class:`AnswerCache`: overlap and shared-evidence answers (0.3-0.5 s of work each),
  keyed by the store generation they were computed on and their parameters.
- :class:`AnalysisCache`: engagement analyses, keyed by the store generation and the
  digest of the engagement document, computed on a scratch copy of the store so that
  analysing never writes to the served store.

Each has an ``invalidate`` that :class:`~attestgraph.server.served_store.ServedStore`
calls after every write; keying by generation as well means an answer computed while
a write happened is never served after it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from attestgraph import vocabulary as v
from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import Engagement
from attestgraph.server.served_store import ServedStore


@dataclass(frozen=True)
class _Derived:
    catalog: Catalog
    graphs: tuple[str, ...] | None  # None: a remote store, asked each time (others may write it)
    components: tuple[str, ...]


class CatalogView:
    """The catalog, graphs and components of the served store's current generation."""

    def __init__(self, served: ServedStore):
        self._served = served
        self._lock = threading.Lock()
        self._derived: _Derived | None = None
        served.on_write(self.invalidate)

    def invalidate(self) -> None:
        with self._lock:
            self._derived = None

    def _current(self) -> _Derived:
        with self._lock:
            if self._derived is None:
                store = self._served.store
                # This process is the embedded store's only writer, so its graph list
                # changes only through a write here; a remote store may be written by others.
                graphs = tuple(store.named_graphs()) if self._served.embedded else None
                components = tuple(store.query(
                    "SELECT ?id WHERE { ?c a ag:SystemComponent ; dct:identifier ?id }").column("id"))
                self._derived = _Derived(Catalog(store), graphs, components)
            return self._derived

    @property
    def catalog(self) -> Catalog:
        return self._current().catalog

    @property
    def components(self) -> list[str]:
        return list(self._current().components)

    def graphs(self) -> list[str]:
        graphs = self._current().graphs
        return list(graphs) if graphs is not None else self._served.store.named_graphs()

    def catalog_graphs(self) -> list[str]:
        """Every graph but the engagements': what a caller without a key may read."""
        prefix = v.engagement_graph("")
        return [g for g in self.graphs() if not g.startswith(prefix)]


class AnswerCache:
    """Answers that depend on the catalog alone, computed once per store generation."""

    def __init__(self, served: ServedStore):
        self._served = served
        self._lock = threading.Lock()
        self._answers: dict[tuple[Any, ...], Any] = {}
        served.on_write(self.invalidate)

    def invalidate(self) -> None:
        with self._lock:
            self._answers.clear()

    def get(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        keyed = (self._served.generation, *key)
        with self._lock:
            if keyed in self._answers:
                return self._answers[keyed]
        answer = compute()
        with self._lock:
            if keyed[0] == self._served.generation:  # not computed across a write
                self._answers[keyed] = answer
        return answer


def document_digest(document: object) -> str:
    """A digest of an engagement document that does not depend on key order."""
    text = json.dumps(document, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class AnalysisCache:
    """Engagement analyses by (store generation, document digest), at most ``size`` kept."""

    def __init__(self, served: ServedStore, size: int = 32):
        self._served = served
        self._size = size
        self._lock = threading.Lock()  # one analysis at a time: they share the scratch store
        self._scratch: GraphStore | None = None
        self._analyses: OrderedDict[tuple[int, str], dict[str, Any]] = OrderedDict()
        served.on_write(self.invalidate)

    def invalidate(self) -> None:
        with self._lock:
            self._scratch = None
            self._analyses.clear()

    def analyse(self, engagement: Engagement, document: object) -> dict[str, Any]:
        """The engagement's analysis, built by the one function the CLI and the report use."""
        from attestgraph.queries.analysis.engagement import analyse, public

        key = (self._served.generation, document_digest(document))
        with self._lock:
            if key in self._analyses:
                self._analyses.move_to_end(key)
                return self._analyses[key]
            if self._scratch is None:
                # An in-memory copy of the store made once per generation: analysis loads
                # the engagement into it, never into the served store.
                self._scratch = self._served.store.copy_to_memory()
            store = self._scratch
            try:
                answer: dict[str, Any] = public(analyse(store, engagement, Catalog(store)))
            finally:
                store.remove_graph(engagement.graph)
            if key[0] == self._served.generation:
                self._analyses[key] = answer
                while len(self._analyses) > self._size:
                    self._analyses.popitem(last=False)
            return answer
