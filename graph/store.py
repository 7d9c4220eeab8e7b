"""The stores a query can run against, behind one small interface.

:class:`EmbeddedStore` wraps pyoxigraph, on disk or in memory. The remote store
(any SPARQL 1.1 endpoint) lives in :mod:`attestgraph.graph.remote` and answers
the same calls. Everything outside ``graph/`` sees only :class:`GraphStore`: what a
caller needs to tell the stores apart (``location``, ``writable``, the raw
``oxigraph`` handle when the store lives in this process) is part of the interface,
so no caller names a concrete store or tests its type.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable
from typing import Any

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.errors import QuerySyntaxError, StoreError
from attestgraph.graph.results import Result


class GraphStore(ABC):
    """What every store answers: SPARQL queries, graph listing, and whole-graph replacement.

    Attributes
    ----------
    location
        Where the store is: ``"memory"``, the folder of an on-disk store, or the query
        URL of a remote one. Shown in messages; a folder can be opened by another process.
    writable
        Whether :meth:`update` and :meth:`replace_graph` may be called.
    """

    location: str
    writable: bool

    @property
    def oxigraph(self) -> ox.Store | None:
        """The pyoxigraph store when this store lives in this process, else ``None``
        (a remote endpoint evaluates for itself): what decides whether queries can run
        in local worker processes over the same data."""
        return None

    @abstractmethod
    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_rows: int | None = None,
    ) -> Result:
        """Evaluate a read-only query; the default graph is the union of all graphs unless named."""

    @abstractmethod
    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        """Replace one named graph in a single transaction (all or nothing)."""

    @abstractmethod
    def remove_graph(self, graph: str) -> None:
        """Drop one named graph if it exists."""

    @abstractmethod
    def update(self, sparql: str) -> None:
        """Run one SPARQL Update as one transaction."""

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        """Every triple of one named graph (one query, so it works for any store)."""
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        return result.triples

    def named_graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(str(g) for g in result.column("g"))

    def triples_per_graph(self) -> dict[str, int]:
        result = self.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
        return {str(row["g"]): int(row["n"]) for row in result.records()}

    def put_graph(self, graph: str, triples: Iterable[ox.Triple], store_url: str | None = None) -> None:
        """Replace one named graph with ``triples`` as one write. A remote store uses the
        Graph Store Protocol (at ``store_url``, by default beside its query URL), so the
        endpoint swaps the graph whole; the others ignore ``store_url``."""
        node = ox.NamedNode(graph)
        self.replace_graph(graph, (ox.Quad(t.subject, t.predicate, t.object, node) for t in triples))

    def count_in(self, graph: str) -> int:
        """How many triples one named graph holds, read from the store."""
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        count = result.column("n")[0]
        return int(count) if isinstance(count, (int, float, str)) else 0

    def push(self, source: GraphStore, store_url: str | None = None,
             progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
        """Copy every named graph of ``source`` here, one PUT each, and check each by
        reading its triple count back: raise :class:`StoreError` naming the first graph
        that holds other than what was sent. Each graph is read whole from the source
        before it is replaced, so a source that is this store itself is never emptied."""
        counts: dict[str, int] = dict(source.triples_per_graph())
        for graph, expected in counts.items():
            self.put_graph(graph, source.graph_triples(graph), store_url)
            held = self.count_in(graph)
            if held != expected:
                raise StoreError(f"push incomplete: graph <{graph}> holds {held} triples after the push, "
                                 f"{expected} were sent")
            if progress is not None:
                progress(graph, expected)
        return counts

    def reopen(self, writable: bool | None = None) -> None:
        """Open the store afresh so it sees what another process wrote (an on-disk store;
        the others always see the current data); ``writable`` switches the mode."""

    def close(self) -> None:
        """Release what the store holds open."""

    def copy_to_memory(self) -> GraphStore:
        """A writable in-memory copy of every graph but the engagements', for work that
        adds an engagement graph without writing to this store (one SPARQL query, so it
        works for any store; the embedded store reads its quads directly instead)."""
        prefix = v.engagement_graph("")
        result = self.query(
            "SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } "
            f"FILTER(!STRSTARTS(STR(?g), {ox.Literal(prefix)})) }}"
        )
        scratch = ox.Store()
        scratch.extend(ox.Quad(s, p, o, g) for s, p, o, g in result.rows)  # type: ignore[arg-type]  # bound by the pattern
        return EmbeddedStore(scratch, location="memory", writable=True)

    def scratch_copy(self) -> GraphStore:
        """A writable, throwaway copy of every graph but the engagements', to add one
        engagement's graph to without writing this store: the in-memory copy, unless a
        store has a cheaper way to make one."""
        return self.copy_to_memory()


def insert_data_update(graph: str, quads: Iterable[ox.Quad]) -> str:
    """One SPARQL Update that replaces ``graph`` with ``quads``, so it runs as one transaction."""
    body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
    return f"DROP SILENT GRAPH <{graph}> ;\nINSERT DATA {{ GRAPH <{graph}> {{\n{body}\n}} }}"


class EmbeddedStore(GraphStore):
    """An Oxigraph store in this process, on disk or in memory."""

    def __init__(self, store: ox.Store, location: str = "memory", writable: bool = True):
        self._store: ox.Store | None = store
        self.location = location
        self.writable = writable
        self._discard: weakref.finalize[..., Any] | None = None  # removes a scratch copy's folder

    @property
    def oxigraph(self) -> ox.Store:
        return self._open()

    def _open(self) -> ox.Store:
        if self._store is None:
            raise StoreError(f"store {self.location} is closed")
        return self._store

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_rows: int | None = None,
    ) -> Result:
        options: dict[str, Any] = {"prefixes": v.PREFIXES}
        if default_graphs is not None:  # an empty list is an empty default graph
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs is not None:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            answer = self._open().query(sparql, **options)
            return Result.from_oxigraph(answer, max_rows=max_rows)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error {exc.msg.removeprefix('error ')}") from None
        except OSError as exc:
            raise StoreError(f"store {self.location}: {exc}") from None

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        self._require_writable()
        try:
            self._open().update(insert_data_update(graph, quads))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"could not write graph <{graph}>: {exc}") from None

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def update(self, sparql: str) -> None:
        self._require_writable()
        try:
            self._open().update(sparql, prefixes=v.PREFIXES)
        except SyntaxError as exc:
            raise QuerySyntaxError(f"SPARQL syntax error {exc.msg.removeprefix('error ')}") from None
        except OSError as exc:
            raise StoreError(f"store {self.location}: could not write: {exc}") from None

    def reopen(self, writable: bool | None = None) -> None:
        """Open an on-disk store afresh: a read-only handle sees the store as it was when
        it was opened, so a reader reopens after another process wrote; ``writable``
        switches the mode (a writable handle holds the store's lock)."""
        if self.location == "memory" or self._store is None:
            return
        if writable is not None:
            self.writable = writable
        self._store = None  # the last reference: pyoxigraph closes it (and releases its lock)
        try:
            self._store = ox.Store(self.location) if self.writable else ox.Store.read_only(self.location)
        except OSError as exc:
            raise StoreError(f"cannot reopen store {self.location}: {exc}") from None

    def close(self) -> None:
        # pyoxigraph closes a store when its last reference goes.
        self._store = None
        if self._discard is not None:
            self._discard()

    def copy_to_memory(self) -> GraphStore:
        prefix = v.engagement_graph("")
        scratch = ox.Store()
        scratch.extend(
            q for q in self._open().quads_for_pattern(None, None, None, None)
            if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value.startswith(prefix))
        )
        return EmbeddedStore(scratch, location="memory", writable=True)

    def scratch_copy(self) -> GraphStore:
        """An on-disk store's throwaway copy is a RocksDB checkpoint in a temporary folder
        (hard links where the file system allows, else a file copy): about 0.1 s against
        0.7-4 s for copying its 86,000 quads through Python, and queries on it run as fast.
        The folder goes when the copy is closed or collected. A store in memory, or one
        whose checkpoint cannot be written, is copied into memory instead."""
        if self.location == "memory":
            return self.copy_to_memory()
        folder = tempfile.mkdtemp(prefix="attestgraph-scratch-")
        target = f"{folder}/store"
        try:
            self._open().backup(target)
            handle = ox.Store(target)
        except OSError:
            shutil.rmtree(folder, ignore_errors=True)
            return self.copy_to_memory()
        scratch = EmbeddedStore(handle, location=target, writable=True)
        scratch._discard = weakref.finalize(scratch, shutil.rmtree, folder, ignore_errors=True)
        prefix = v.engagement_graph("")
        for graph in scratch.named_graphs():
            if graph.startswith(prefix):
                scratch.remove_graph(graph)
        return scratch

    def _require_writable(self) -> None:
        if not self.writable:
            raise StoreError(f"store {self.location} is open read-only")
