"""The FastAPI application: one store, one catalog view, the routes, and the
operations the routes share (analysing, storing and reading engagements)."""

from __future__ import annotations

import json
import threading
from contextlib import asynccontextmanager
from pathlib import Path

import pyoxigraph as ox
from fastapi import FastAPI

from attestgraph import __version__
from attestgraph import vocabulary as v
from attestgraph.errors import ForbiddenOperation, StoreError
from attestgraph.graph.store import EmbeddedStore, GraphStore, insert_data_update
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement import Engagement, engagement_quads, is_engagement_id
from attestgraph.server import api, problems, sparql, workbench
from attestgraph.server.executor import QueryExecutor, remove_snapshot, snapshot_on_disk
from attestgraph.server.limits import BodyLimit
from attestgraph.server.settings import Settings
from attestgraph.server.writer import StoreWriter

DOCUMENT = v.AG + "sourceDocument"


class State:
    """What the routes share. Holds no engagement state of its own: stored engagements
    live in the store, so replicas over one remote store agree.

    The server process is the store's one writer: every write (a stored engagement,
    an update) runs under one lock, in one transaction, and then invalidates what was
    derived from the store (catalog, components, cached answers, the workers' views).
    """

    def __init__(self, store: GraphStore, settings: Settings):
        self._snapshot: Path | None = None
        self._public: str | None = None  # a copy without engagement graphs, when one exists
        self._snapshot_public: str | None = None
        memory_bytes = settings.worker_memory_mb * 2**20
        if isinstance(store, EmbeddedStore):
            if store.location == "memory":
                # The query workers and the writer are separate processes; they share an
                # on-disk copy, which becomes the store this server reads.
                store, self._snapshot, self._public = snapshot_on_disk(store)
                self._snapshot_public = self._public
            elif store.writable:
                store.reopen(writable=False)  # the writer process holds the one writable handle
        self.store = store
        self.settings = settings
        self.writer: StoreWriter | None = None
        if isinstance(store, EmbeddedStore) and settings.writable:
            self.writer = StoreWriter(store.location, timeout=settings.query_timeout, memory_bytes=memory_bytes)
            self.store = store = self._view()
        self.executor = QueryExecutor(store, timeout=settings.query_timeout, workers=settings.workers,
                                      memory_bytes=memory_bytes)
        self._write_lock = threading.Lock()
        self._scratch: EmbeddedStore | None = None
        self._scratch_lock = threading.Lock()
        # Overlap and shared evidence depend on the catalog alone, which changes only
        # through a write here (which clears them), so each answer is computed once:
        # 0.3-0.5 s of work per request otherwise.
        self._answers: dict[tuple, dict] = {}
        self._answers_lock = threading.Lock()
        self._derive()

    def _derive(self) -> None:
        """Everything read once from the store; recomputed after every write."""
        self.catalog = Catalog(self.store)
        # This process is the embedded store's only writer, so its graph list changes
        # only here; a remote store may be written by others and is asked each time.
        self._graphs = self.store.named_graphs() if isinstance(self.store, EmbeddedStore) else None
        self.components = self.store.query(
            "SELECT ?id WHERE { ?c a ag:SystemComponent ; dct:identifier ?id }"
        ).column("id")

    def cached(self, key: tuple, compute) -> dict:
        with self._answers_lock:
            if key in self._answers:
                return self._answers[key]
        answer = compute()
        with self._answers_lock:
            self._answers[key] = answer
        return answer

    def graphs(self) -> list[str]:
        return list(self._graphs) if self._graphs is not None else self.store.named_graphs()

    def catalog_graphs(self) -> list[str]:
        """Every graph but the engagements': what a caller without a key may read."""
        prefix = v.engagement_graph("")
        return [g for g in self.graphs() if not g.startswith(prefix)]

    def close(self) -> None:
        self.executor.close()
        if self.writer is not None:
            self.writer.close()
        if self._snapshot_public is not None:
            remove_snapshot(Path(self._snapshot_public))
            self._snapshot_public = None
        if self._snapshot is not None:
            self.store.close()
            remove_snapshot(self._snapshot)
            self._snapshot = None

    # -- engagements -----------------------------------------------------------

    def _scratch_store(self) -> GraphStore:
        """Where engagements are analysed: an in-memory copy of the catalog made once
        (and again after a write), so analysis never writes to the served store and
        never disturbs a stored engagement."""
        if self._scratch is None:
            self._scratch = self.store.copy_to_memory()
        return self._scratch

    def analyse(self, engagement: Engagement) -> dict:
        """The engagement's analysis, built by the one function the CLI and the report use."""
        from attestgraph.queries.analysis import analyse, public

        with self._scratch_lock:
            store = self._scratch_store()
            try:
                return public(analyse(store, engagement, Catalog(store)))
            finally:
                store.remove_graph(engagement.graph)

    def _write(self, update: str) -> None:
        """Run one write (one SPARQL update, one transaction) through the store's only
        writer, then invalidate everything derived from the store."""
        if isinstance(self.store, EmbeddedStore) and self.writer is None:
            raise ForbiddenOperation("this server's store is read-only; the operator enables writes with "
                                     "ATTESTGRAPH_API_KEY or ATTESTGRAPH_UPDATE_KEY")
        with self._write_lock:
            try:
                if self.writer is not None:
                    self.writer.write(update)
                else:
                    self.store.update(update)
            finally:
                if self.writer is not None and self._full_view() != self.store.location:
                    self.store = self._view()
                    self.executor.changed(self.store.location)
                with self._answers_lock:
                    self._answers.clear()
                with self._scratch_lock:
                    self._scratch = None
                self._derive()

    def _full_view(self) -> str:
        return str(Path(self.writer.view) / "full")

    def _view(self) -> EmbeddedStore:
        """The writer's newest full view of the store, opened read-only."""
        self._public = str(Path(self.writer.view) / "public")
        return EmbeddedStore(ox.Store.read_only(self._full_view()), location=self._full_view(), writable=False)

    def reading(self, everything: bool) -> tuple[str | None, tuple[str, ...] | None, tuple[str, ...] | None]:
        """Where and over what a query of ``/sparql`` is evaluated when it names no
        dataset: (store path, default graphs, named graphs), ``None`` graphs meaning the
        union / all of that store. A caller with a key reads everything; one without
        reads a store holding no engagement graph (the store itself when it has none,
        else the writer's public view), so the fast union default graph stays private.
        Only a read-only server over a store that already holds engagements has no such
        copy: there the catalog graphs are passed explicitly (private, and slower)."""
        location = getattr(self.store, "location", None)
        if everything or len(self.catalog_graphs()) == len(self.graphs()):
            return location, None, None
        if self._public is not None:
            return self._public, None, None
        readable = tuple(self.catalog_graphs())
        return location, readable, readable

    def save_engagement(self, engagement: Engagement, document) -> None:
        quads = engagement_quads(engagement)
        quads.append(ox.Quad(ox.NamedNode(engagement.iri), ox.NamedNode(DOCUMENT),
                             ox.Literal(json.dumps(document, default=str)), ox.NamedNode(engagement.graph)))
        self._write(insert_data_update(engagement.graph, quads))

    def stored_document(self, identifier: str):
        graph = v.engagement_graph(identifier)
        rows = self.store.query(
            f"SELECT ?doc WHERE {{ GRAPH <{graph}> {{ ?e <{DOCUMENT}> ?doc }} }}"
        ).column("doc") if is_engagement_id(identifier) else []
        return json.loads(rows[0]) if rows else None

    def stored_ids(self) -> list[str]:
        prefix = v.engagement_graph("")
        return sorted(g[len(prefix):] for g in self.store.named_graphs() if g.startswith(prefix))

    def delete_engagement(self, identifier: str) -> None:
        self._write(f"DROP SILENT GRAPH <{v.engagement_graph(identifier)}>")

    def apply_update(self, update: str) -> None:
        self._write(update)


def create_app(store: GraphStore, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    state = State(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        try:
            yield
        finally:
            state.close()  # the query workers end with the server

    app = FastAPI(
        lifespan=lifespan,
        title="attestgraph",
        version=__version__,
        description="Crosswalk engine for SOC 2, ISO/IEC 42001, ISO/IEC 27001 and the DPDP Act: the catalog, overlap, "
                    "shared evidence, explanations, engagement analysis, and a read-only SPARQL 1.1 endpoint at /sparql.",
    )
    app.state.state = state  # routes reach it as request.app.state.state
    problems.install(app)
    app.include_router(sparql.router)
    app.include_router(api.router)

    @app.get("/healthz", tags=["meta"], summary="Liveness: the server answers and its store holds the catalog")
    def healthz():
        # A cheap probe, not a count: load balancers call this often.
        ready = state.store.query("ASK { ?f a ag:Framework }").boolean
        if not ready:
            raise StoreError("the store holds no framework; build or push the graph first")
        return {"status": "ok", "version": __version__}

    workbench.install(app)  # the analyst page at /, its configuration and static files

    app.add_middleware(BodyLimit, max_body=settings.max_body)
    return app
