"""Where a user's query is evaluated, for every kind of store.

- **Embedded store on disk** (``serve``'s default): the confined worker processes of
  :mod:`attestgraph.server.workers` open it read-only; the server process keeps the
  one writable handle when writes are enabled.
- **Embedded store in memory** (tests, ``--store memory``): it is first copied into a
  temporary on-disk store (:func:`snapshot_on_disk`), which then *is* the served
  store: the workers read it, the server writes it, it is deleted on close. So the
  in-memory store has the same execution model, and a runaway query is killed the
  same way.
- **Remote store** (``sparql:URL``): the endpoint evaluates; the request waits at
  most the time limit (the HTTP client's timeout) in a server thread. The query
  guard's refusals apply; a remote endpoint's own network access is its operator's
  to configure (see the README's security section).
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from pathlib import Path

from attestgraph.errors import QueryTimeout, StoreError
from attestgraph.graph.embedded import open_on_disk
from attestgraph.graph.store import GraphStore
from attestgraph.server.workers import Answer, Job, WorkerPool


def owned_folder(parent: Path | str, prefix: str) -> Path:
    """A new temporary folder ``parent/prefix<pid>-*``, after removing those a server
    that no longer runs left behind (killed before it could clean up)."""
    import os

    parent = Path(parent)
    for entry in parent.glob(f"{prefix}*"):
        owner = entry.name[len(prefix):].split("-", 1)[0]
        if owner.isdigit() and not Path(f"/proc/{owner}").exists():
            shutil.rmtree(entry, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}-", dir=parent))


def snapshot_on_disk(store: GraphStore) -> tuple[GraphStore, Path, str | None]:
    """An on-disk copy of an in-memory store in a new temporary folder, opened read-only
    (the writer process, if any, takes the one writable handle), and the path of a
    second copy without engagement graphs when the store holds any (else None)."""
    import pyoxigraph as ox

    from attestgraph import vocabulary as v

    prefix = v.engagement_graph("")

    embedded = store.oxigraph
    if embedded is None:
        raise StoreError("only an embedded store can be copied to disk")

    def private(quad: ox.Quad) -> bool:
        return isinstance(quad.graph_name, ox.NamedNode) and quad.graph_name.value.startswith(prefix)

    folder = owned_folder(tempfile.gettempdir(), "attestgraph-snapshot-")
    disk = ox.Store(str(folder))
    disk.bulk_extend(embedded.quads_for_pattern(None, None, None, None))
    disk.flush()
    del disk  # closes it, releasing the lock
    public = None
    if any(private(q) for q in embedded.quads_for_pattern(None, None, None, None)):
        public = str(owned_folder(tempfile.gettempdir(), "attestgraph-public-"))
        copy = ox.Store(public)
        copy.bulk_extend(q for q in embedded.quads_for_pattern(None, None, None, None) if not private(q))
        copy.flush()
        del copy
    return open_on_disk(folder), folder, public


class QueryExecutor:
    """Evaluates the endpoint's queries under the time, memory, row and byte limits."""

    def __init__(self, store: GraphStore, *, timeout: float, workers: int, memory_bytes: int):
        self.store = store
        self.timeout = timeout
        self.pool: WorkerPool | None = None
        if store.oxigraph is not None:
            self.pool = WorkerPool(store.location, size=workers, timeout=timeout, memory_bytes=memory_bytes)

    def run(self, job: Job) -> Answer:
        if self.pool is not None:
            return self.pool.run(job)
        return self._run_remote(job)

    def changed(self, path: str | None) -> None:
        """The store was written and is now read at ``path`` (an embedded store's view)."""
        if self.pool is not None and path is not None:
            self.pool.changed(path)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def _run_remote(self, job: Job) -> Answer:
        from attestgraph.server.formats import serialize
        from attestgraph.server.guard import BASE_IRI

        answers: list[Answer] = []  # what the thread answered, or
        failures: list[BaseException] = []  # what it raised

        def work() -> None:
            try:
                result = self.store.query(
                    f"BASE <{BASE_IRI}>\n{job.sparql}",  # a later BASE in the query itself still wins
                    default_graphs=list(job.default_graphs) if job.default_graphs is not None else None,
                    named_graphs=list(job.named_graphs) if job.named_graphs is not None else None,
                    max_rows=job.max_rows,
                )
                answers.append(Answer(serialize(result, job.media), job.media, result.truncated))
            except BaseException as exc:  # noqa: BLE001  # any failure is handed to the caller below
                failures.append(exc)

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            raise QueryTimeout(f"the SPARQL endpoint did not answer within the {self.timeout:g} s limit")
        if failures:
            raise failures[0]
        return answers[0]


def remove_snapshot(folder: Path | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)
