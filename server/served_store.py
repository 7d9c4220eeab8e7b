"""The store this server reads, and the one way it is written.

:class:`ServedStore` owns the store handle and, for an embedded store, the copies it
needs: an in-memory store is first copied to disk (the query workers are separate
processes), and when writes are enabled a confined writer process takes the one
writable handle and publishes a new read-only *view* after every write. Every write
(a stored engagement, an update) runs under one lock, in one transaction, then bumps
:attr:`ServedStore.generation` and calls each listener registered with
:meth:`ServedStore.on_write`: that is how everything derived from the store
(server/derived.py) is invalidated. It holds no engagement state of its own: stored
engagements live in the store, so replicas over one remote store agree.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from attestgraph.errors import ForbiddenOperation
from attestgraph.graph.embedded import open_on_disk
from attestgraph.graph.store import GraphStore
from attestgraph.server.executor import remove_snapshot, snapshot_on_disk
from attestgraph.server.settings import Settings
from attestgraph.server.writer import StoreWriter


class ServedStore:
    """The served store handle, its writer, and the write path with its invalidation."""

    def __init__(self, store: GraphStore, settings: Settings):
        self._snapshot: Path | None = None  # an on-disk copy this server made and removes
        self._snapshot_public: Path | None = None
        self.public_location: str | None = None  # a copy without engagement graphs, when one exists
        self.memory_bytes = settings.worker_memory_mb * 2**20
        if store.oxigraph is not None:  # an embedded store, in this process
            if store.location == "memory":
                store, self._snapshot, self.public_location = snapshot_on_disk(store)
                self._snapshot_public = Path(self.public_location) if self.public_location else None
            elif store.writable:
                store.reopen(writable=False)  # the writer process holds the one writable handle
        self.store: GraphStore = store
        self.writer: StoreWriter | None = None
        if store.oxigraph is not None and settings.writable:
            self.writer = StoreWriter(store.location, timeout=settings.query_timeout, memory_bytes=self.memory_bytes)
            self.store = self._view()
        self.generation = 0  # bumped by every write; caches key their entries by it
        self._write_lock = threading.Lock()
        self._listeners: list[Callable[[], None]] = []

    @property
    def embedded(self) -> bool:
        return self.store.oxigraph is not None

    @property
    def location(self) -> str | None:
        """The on-disk path of an embedded store's current view; None for a remote store."""
        return self.store.location if self.embedded else None

    def on_write(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` after every write (successful or not: a failed write may have
        reached a remote store before it failed)."""
        self._listeners.append(listener)

    def write(self, update: str) -> None:
        """Run one SPARQL update, in one transaction, through the store's only writer;
        then move to the newest view and invalidate what was derived from the store."""
        if self.embedded and self.writer is None:
            raise ForbiddenOperation("this server's store is read-only; the operator enables writes with "
                                     "ATTESTGRAPH_API_KEY or ATTESTGRAPH_UPDATE_KEY")
        with self._write_lock:
            try:
                if self.writer is not None:
                    self.writer.write(update)
                else:
                    self.store.update(update)
            finally:
                if self.writer is not None and self._full_view() != self.location:
                    self.store = self._view()
                self.generation += 1
                for listener in self._listeners:
                    listener()

    def _full_view(self) -> str:
        assert self.writer is not None
        return str(Path(self.writer.view) / "full")

    def _view(self) -> GraphStore:
        """The writer's newest full view of the store, opened read-only."""
        assert self.writer is not None
        self.public_location = str(Path(self.writer.view) / "public")
        return open_on_disk(self._full_view())

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self._snapshot_public is not None:
            remove_snapshot(self._snapshot_public)
            self._snapshot_public = None
        if self._snapshot is not None:
            self.store.close()
            remove_snapshot(self._snapshot)
            self._snapshot = None
