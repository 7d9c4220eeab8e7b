"""Pre-started query worker processes: the one way a user's query is evaluated.

Each worker is a separate process, confined before it opens anything
(:mod:`attestgraph.server.sandbox`: no network, capped memory), that opens the
store read-only and then answers one job at a time: evaluate, cut the answer at the
row and byte limits, serialise it in the format asked for, send back the bytes.

Oxigraph cannot cancel a query from Python, so a query is stopped by killing the
process running it. Only that worker is killed and replaced (in the background, so
the 503 is sent at once); the other workers and the queries they run are never
touched. A worker that dies while answering (memory limit, a crash inside
pyoxigraph) costs the same: one worker, replaced.

Writes never happen here: the writer process (:mod:`attestgraph.server.writer`) is
the one writer; after a write it makes new views (checkpoints) of the store, and each
job names the view it is to be evaluated on (:attr:`Job.path`), which the worker
opens read-only (keeping the last two it opened).

No worker outlives the server: each holds the read end of a "lifeline" pipe whose
only write end is in the server process; when the server exits, however it exits,
the pipe closes and the worker ends itself. :meth:`WorkerPool.close` also kills them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.process import BaseProcess
from typing import TYPE_CHECKING, Any, NoReturn

from attestgraph.errors import AttestgraphError, ForbiddenOperation, QueryOutOfMemory, QueryTimeout, StoreError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    import pyoxigraph as ox

    # One end of a pipe between the server and a worker or the writer: it sends any
    # picklable object, and what it receives is unpickled, so unchecked (Any).
    Link = Connection[object, Any]

READY_SECONDS = 60.0  # how long a new worker may take to start


@dataclass(frozen=True)
class Job:
    """One query for a worker. ``default_graphs=None`` is the union of every graph;
    ``named_graphs=None`` leaves every graph nameable."""

    sparql: str
    media: str
    path: str | None = None  # the store (view) to read; None: the pool's own
    form: str | None = None  # what the guard read: "select", "ask" or "graph"
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None
    max_rows: int = 10_000
    max_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class Answer:
    body: bytes
    media: str
    truncated: bool


# -- inside the worker --------------------------------------------------------------


def _watch_lifeline(lifeline: Link) -> None:
    try:
        lifeline.recv()
    except (EOFError, OSError):
        pass
    os._exit(0)  # the server is gone: stop, whatever query is running


def _evaluate(store: ox.Store, job: Job) -> tuple[bytes, bool]:
    import pyoxigraph as ox

    from attestgraph import vocabulary as v
    from attestgraph.graph.results import Result
    from attestgraph.server.formats import serialize
    from attestgraph.server.guard import BASE_IRI

    options: dict[str, Any] = {"prefixes": v.PREFIXES, "base_iri": BASE_IRI}
    if job.default_graphs is None:
        options["use_default_graph_as_union"] = True
    else:
        options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
    if job.named_graphs is not None:
        options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
    result = Result.from_oxigraph(store.query(job.sparql, **options), max_rows=job.max_rows, max_bytes=job.max_bytes)
    if job.form is not None and result.kind != job.form:
        # The checking parser and the engine read the text as different queries: the
        # checks were made on something else than what ran, so nothing is answered.
        raise ForbiddenOperation(f"the query checker and the engine read this query differently ({job.form} against "
                                 f"{result.kind}); refused")
    return serialize(result, job.media), result.truncated


def worker_main(conn: Link, lifeline: Link, path: str, memory_bytes: int) -> None:
    """A worker's whole life: confine, open, then answer jobs until the pipe closes."""
    threading.Thread(target=_watch_lifeline, args=(lifeline,), daemon=True).start()
    try:
        from attestgraph.server.sandbox import confine

        confine(memory_bytes)
        import pyoxigraph as ox

        opened = {path: ox.Store.read_only(path)}  # path -> store, oldest first
    except BaseException as exc:  # noqa: BLE001  # reported to the pool, which refuses to serve without workers
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            wanted = job.path or path
            if wanted not in opened:
                while len(opened) >= 2:
                    del opened[next(iter(opened))]
                opened[wanted] = ox.Store.read_only(wanted)
            body, truncated = _evaluate(opened[wanted], job)
            reply: tuple[str, bytes, bool] | tuple[str, str, str] = ("ok", body, truncated)
        except SyntaxError as exc:
            reply = ("error", "QuerySyntaxError", f"SPARQL syntax error {str(exc).removeprefix('error ')}")
        except MemoryError:
            reply = ("error", "QueryOutOfMemory", "the query needed more memory than a query worker may use")
        except OSError:
            reply = ("error", "StoreError", "the store could not answer this query; try again")  # no internal paths
        except AttestgraphError as exc:
            reply = ("error", type(exc).__name__, str(exc))
        except Exception as exc:  # noqa: BLE001  # anything else is the query's failure, not the server's
            reply = ("error", "QueryError", f"the query could not be evaluated: {exc}")
        try:
            conn.send(reply)
        except (EOFError, OSError):
            return


# -- in the server ------------------------------------------------------------------


class _Worker:
    def __init__(self, process: BaseProcess, conn: Link, lifeline: Link) -> None:
        self.process, self.conn, self.lifeline = process, conn, lifeline

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        for end in (self.conn, self.lifeline):
            try:
                end.close()
            except OSError:
                pass


def spawn(target: Callable[..., None], name: str, *args: object) -> _Worker:
    """Start ``target(conn, lifeline, *args)`` in a fresh interpreter (spawn: nothing of
    the server's state, threads or open files is inherited)."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    lifeline_read, lifeline_write = context.Pipe(duplex=False)
    process = context.Process(target=target, args=(theirs, lifeline_read, *args), name=name, daemon=True)
    process.start()
    theirs.close()
    lifeline_read.close()  # the child holds the only read end; ours is the only write end
    return _Worker(process, ours, lifeline_write)


def await_ready(worker: _Worker) -> str | None:
    """Wait for a new process's first message; None when it is ready, else why not."""
    try:
        if not worker.conn.poll(READY_SECONDS):
            return "did not start in time"
        status, detail = worker.conn.recv()
    except (EOFError, OSError):
        worker.process.join(2)
        return f"exited with code {worker.process.exitcode}"
    return None if status == "ready" else str(detail)


def raise_reply(name: str, message: str) -> NoReturn:
    """Raise, in the server, the error a child process reported by class name."""
    from attestgraph import errors

    cls = getattr(errors, name, None)
    if not (isinstance(cls, type) and issubclass(cls, AttestgraphError)):
        cls = errors.QueryError
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    raise error


class WorkerPool:
    """``size`` confined worker processes over the read-only store at ``path``."""

    def __init__(self, path: str, *, size: int, timeout: float, memory_bytes: int):
        self.path = path
        self.size = size
        self.timeout = timeout
        self.memory_bytes = memory_bytes
        self.failure: str | None = None
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        starters = [threading.Thread(target=self._add_worker, daemon=True) for _ in range(size)]
        for thread in starters:
            thread.start()
        for thread in starters:
            thread.join()
        if self._idle.qsize() == 0:
            self.close()
            raise StoreError(f"no query worker could start: {self.failure}")

    # -- lifecycle

    def _start(self) -> _Worker:
        return spawn(worker_main, "attestgraph-query-worker", self.path, self.memory_bytes)

    def _add_worker(self) -> None:
        """Start one worker and, once it reports ready, make it available."""
        worker = self._start()
        with self._lock:
            self._all.add(worker)
        failure = await_ready(worker)
        if failure is not None:
            self.failure = failure
            self._discard(worker)
            return
        with self._lock:
            if self._closed:
                closed = True
            else:
                closed = False
                self._idle.put(worker)
        if closed:
            self._discard(worker)

    def _discard(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        """Kill one worker and start its successor in the background."""
        self._discard(worker)
        if not self._closed:
            threading.Thread(target=self._add_worker, daemon=True).start()

    def changed(self, path: str) -> None:
        """The store was written and is now read at ``path``: a worker started from now
        on opens it at once (jobs name their view themselves)."""
        with self._lock:
            self.path = path

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()

    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._all if w.process.pid]

    # -- answering

    def run(self, job: Job) -> Answer:
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            detail = f" ({self.failure})" if self.failure else ""
            raise QueryTimeout(
                f"every query worker stayed busy for the {self.timeout:g} s limit{detail}; try again shortly"
            ) from None
        try:
            worker.conn.send(job)
            # The limit counts from when the query starts running, not from the wait for a worker.
            if not worker.conn.poll(self.timeout):
                raise _TimedOut()
            reply = worker.conn.recv()
        except _TimedOut:
            self._replace(worker)
            raise QueryTimeout(
                f"the query ran past the {self.timeout:g} s limit and was stopped; narrow it (a LIMIT, a VALUES "
                "clause, a named graph) or ask the operator to raise ATTESTGRAPH_QUERY_TIMEOUT"
            ) from None
        except (EOFError, OSError, BrokenPipeError):
            worker.process.join(2)
            code = worker.process.exitcode
            self._replace(worker)
            raise QueryOutOfMemory(
                f"the query stopped its worker (exit {code}): it needed more than the "
                f"{self.memory_bytes // 2**20} MB a query may use, or crashed the engine; narrow it"
            ) from None
        self._idle.put(worker)
        if reply[0] == "ok":
            return Answer(body=reply[1], media=job.media, truncated=reply[2])
        raise_reply(reply[1], reply[2])


class _TimedOut(Exception):
    pass
