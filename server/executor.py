"""Running a user's SPARQL query with a time limit that really stops it.

Oxigraph cannot cancel a query from Python, so for an on-disk store each query runs
in a worker process that opens the store read-only; a query past its limit gets a
503 and its worker is killed and replaced. In-memory and remote stores run in a
thread: the remote endpoint has its own HTTP timeout, and an in-memory store (tests,
``--store memory``) stops at the next row after the limit; a single blocking step
(one huge aggregate) finishes in the background, which is why the on-disk store is
the default for ``serve``.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import threading

from attestgraph.errors import AttestgraphError, QueryTimeout, StoreError
from attestgraph.graph.results import Result
from attestgraph.graph.store import EmbeddedStore, GraphStore

_worker_store = None


def _open_worker(path: str) -> None:
    global _worker_store
    import pyoxigraph as ox

    _worker_store = EmbeddedStore(ox.Store.read_only(path), location=path, writable=False)


def _run_in_worker(sparql: str, default_graphs, named_graphs, max_rows: int):
    # Errors travel back as (class name, message) so nothing unpicklable crosses.
    try:
        return "ok", _worker_store.query(sparql, default_graphs=default_graphs, named_graphs=named_graphs, max_rows=max_rows)
    except AttestgraphError as exc:
        return "error", (type(exc).__name__, str(exc))


class QueryExecutor:
    """Evaluates read-only queries for the endpoint under a deadline."""

    def __init__(self, store: GraphStore, timeout: float, max_rows: int, workers: int = 2):
        self.store = store
        self.timeout = timeout
        self.max_rows = max_rows
        self.workers = workers
        self._lock = threading.Lock()
        self._pool = None
        disk = isinstance(store, EmbeddedStore) and not store.writable and store.location != "memory"
        self._path = store.location if disk else None
        if self._path:
            self._pool = self._new_pool()

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_worker,
            initargs=(self._path,),
        )

    def run(self, sparql: str, default_graphs=None, named_graphs=None) -> Result:
        if self._pool is not None:
            return self._run_in_process(sparql, default_graphs, named_graphs)
        return self._run_in_thread(sparql, default_graphs, named_graphs)

    def _timeout_error(self) -> QueryTimeout:
        return QueryTimeout(
            f"the query ran past the {self.timeout:g} s limit and was stopped; narrow it (a LIMIT, a VALUES "
            "clause, a named graph) or ask the operator to raise ATTESTGRAPH_QUERY_TIMEOUT"
        )

    def _run_in_process(self, sparql, default_graphs, named_graphs) -> Result:
        with self._lock:
            pool = self._pool
        try:
            future = pool.submit(_run_in_worker, sparql, default_graphs, named_graphs, self.max_rows)
            status, payload = future.result(timeout=self.timeout)
        except cf.TimeoutError:
            self._replace_pool(pool)
            raise self._timeout_error() from None
        except cf.process.BrokenProcessPool:
            self._replace_pool(pool)
            raise StoreError("a query worker stopped while answering; try again") from None
        if status == "error":
            name, message = payload
            from attestgraph import errors

            cls = getattr(errors, name, AttestgraphError)
            error = cls.__new__(cls)
            Exception.__init__(error, message)
            raise error
        return payload

    def _replace_pool(self, pool: cf.ProcessPoolExecutor) -> None:
        with self._lock:
            if self._pool is not pool:
                return  # another request already replaced it
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()

    def _run_in_thread(self, sparql, default_graphs, named_graphs) -> Result:
        outcome: dict = {}

        def work():
            try:
                outcome["result"] = self.store.query(
                    sparql, default_graphs=default_graphs, named_graphs=named_graphs, max_rows=self.max_rows
                )
            except BaseException as exc:  # handed to the caller below
                outcome["error"] = exc

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        thread.join(self.timeout)
        if thread.is_alive():
            raise self._timeout_error()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["result"]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
