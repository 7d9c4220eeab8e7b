"""The store's one writer: a confined process that runs every write as one update.

Stored engagements and ``/update`` change the embedded store only here. The writer
is a separate process for the same reasons the query workers are
(:mod:`attestgraph.server.workers`): it runs under the no-network seccomp filter, so
an update's ``LOAD`` or ``SERVICE`` the guard missed cannot fetch anything; its
memory is capped; and an update past the time limit is stopped by killing it, which
aborts its transaction (RocksDB commits a SPARQL update all at once or not at all),
after which a new writer starts.

Readers never open the store being written: a RocksDB read-only handle beside a live
writer can find its files compacted away under it. Instead, after each write the
writer makes a *view*, a checkpoint of the store (``Store.backup``: hard links to
RocksDB's immutable files, so it costs milliseconds), in a folder beside the store;
the server process and the query workers read the newest view and move to the next
one before their next query. Old views are removed once two newer ones exist.

Each write makes two views: ``full`` (every graph) and ``public`` (the same without
any engagement graph), which is what a caller without a key reads, with the union
of its graphs as the default graph. Handing Oxigraph the list of catalog graphs
instead would be as private but 15-27x slower (measured: 40 ms against 612 ms for
``frameworks``, 2.7 s against 75 s for ``mappings-between``).

A write that fails on the disk (a full disk) gets a fresh writer, so later writes
succeed once there is space again, without a restart.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from attestgraph.errors import QueryOutOfMemory, QueryTimeout, StoreError
from attestgraph.server.workers import _watch_lifeline, _Worker, await_ready, raise_reply, spawn

if TYPE_CHECKING:
    import pyoxigraph as ox

    from attestgraph.server.workers import Link


def _make_views(store: ox.Store, folder: str) -> None:
    """``folder/full``: a checkpoint of the store; ``folder/public``: the same without
    the engagement graphs."""
    import pyoxigraph as ox

    from attestgraph import vocabulary as v

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    store.backup(str(root / "full"))
    store.backup(str(root / "public"))
    public = ox.Store(str(root / "public"))
    prefix = v.engagement_graph("")
    for graph in list(public.named_graphs()):
        if isinstance(graph, ox.NamedNode) and graph.value.startswith(prefix):
            public.remove_graph(graph)
    public.flush()
    del public


def writer_main(conn: Link, lifeline: Link, path: str, memory_bytes: int, first_view: str) -> None:
    threading.Thread(target=_watch_lifeline, args=(lifeline,), daemon=True).start()
    try:
        from attestgraph.server.sandbox import confine

        confine(memory_bytes)
        import pyoxigraph as ox

        from attestgraph import vocabulary as v

        store = ox.Store(path)
        _make_views(store, first_view)
    except BaseException as exc:  # noqa: BLE001  # reported to the server, which refuses to start without a writer
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            update, view = conn.recv()
        except (EOFError, OSError):
            return
        try:
            store.update(update, prefixes=v.PREFIXES)
            _make_views(store, view)
            reply: tuple[str, ...] = ("ok",)
        except SyntaxError as exc:
            reply = ("error", "QuerySyntaxError", f"SPARQL syntax error {str(exc).removeprefix('error ')}")
        except MemoryError:
            reply = ("error", "QueryOutOfMemory", "the update needed more memory than the writer may use")
        except OSError:
            # The detail names internal paths; the server logs nothing of it to the client.
            conn.send(("failed-store", "StoreError", "the store could not complete the write; nothing was changed"))
            return  # a store that failed a write is not reused: the server starts a new writer
        except Exception as exc:  # noqa: BLE001  # any other failure is the update's, answered as such
            reply = ("error", "QueryError", f"the update could not be run: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


class StoreWriter:
    """Runs SPARQL updates on the on-disk store at ``path``, one at a time, and keeps
    :attr:`view`, the folder of the newest views (``full`` and ``public``)."""

    KEEP_VIEWS = 3

    def __init__(self, path: str, *, timeout: float, memory_bytes: int):
        self.path, self.timeout, self.memory_bytes = path, timeout, memory_bytes
        parent = Path(path).parent
        from attestgraph.server.executor import owned_folder

        self.views = owned_folder(parent, f".views-{Path(path).name}-")
        self._generation = 0
        self._lock = threading.Lock()
        self._closed = False
        self._process: _Worker | None = None
        self.view = str(self.views / "0")
        self._process = self._start(self.view)

    def _start(self, first_view: str) -> _Worker:
        shutil.rmtree(first_view, ignore_errors=True)
        process = spawn(writer_main, "attestgraph-store-writer", self.path, self.memory_bytes, first_view)
        failure = await_ready(process)
        if failure is not None:
            process.kill()
            raise StoreError(f"the store writer could not start: {failure}")
        return process

    def _restart(self) -> None:
        """A new writer, and a new view of the store as it now is (a killed write left
        nothing behind)."""
        if self._process is not None:
            self._process.kill()
            self._process = None
        if not self._closed:
            self._generation += 1
            view = str(self.views / str(self._generation))
            self._process = self._start(view)
            self._advance(view)

    def _advance(self, view: str) -> None:
        self.view = view
        for old in sorted(self.views.iterdir(), key=lambda p: int(p.name))[:-self.KEEP_VIEWS]:
            shutil.rmtree(old, ignore_errors=True)

    def write(self, update: str) -> None:
        """Run one update as one transaction; raise what went wrong in the writer."""
        with self._lock:
            if self._process is None:
                self._restart()
            process = self._process
            if process is None:  # _restart starts none once the writer is closed
                raise StoreError("the store writer is closed: no write can be made")
            self._generation += 1
            view = str(self.views / str(self._generation))
            try:
                process.conn.send((update, view))
                if not process.conn.poll(self.timeout):
                    self._restart()
                    raise QueryTimeout(f"the write ran past the {self.timeout:g} s limit and was stopped; "
                                       "nothing was changed")
                reply = process.conn.recv()
            except (EOFError, OSError):
                self._restart()
                raise QueryOutOfMemory("the write stopped the writer (memory limit or a crash); nothing was changed") from None
            if reply[0] == "ok":
                self._advance(view)
                return
            if reply[0] == "failed-store":
                self._restart()
            raise_reply(reply[1], reply[2])

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._process is not None:
                self._process.kill()
                self._process = None
            shutil.rmtree(self.views, ignore_errors=True)
