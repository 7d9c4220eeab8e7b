"""The FastAPI application: the named pieces the routes share, the routes, and the
middleware (CORS, gzip, body limit, catalog caching).

The pieces (:class:`Services`) are small and each owns one thing: the served store
and its write path (server/served_store.py), what is derived from it (server/derived.py:
catalog view, cached answers, cached analyses), stored engagements
(server/engagements.py) and the query executor. Every write goes through
:meth:`ServedStore.write`, which calls the invalidation each derived piece registered.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from pydantic import BaseModel

from attestgraph import __version__
from attestgraph.errors import StoreError
from attestgraph.graph.store import GraphStore
from attestgraph.server import api, openapi, problems, sparql, workbench
from attestgraph.server.caching import CatalogCaching
from attestgraph.server.derived import AnalysisCache, AnswerCache, CatalogView
from attestgraph.server.engagements import EngagementStore
from attestgraph.server.executor import QueryExecutor
from attestgraph.server.limits import BodyLimit
from attestgraph.server.served_store import ServedStore
from attestgraph.server.settings import Settings

GZIP_MIN_BYTES = 1024  # below about a kilobyte compression saves less than it costs


@dataclass
class Services:
    """What the routes share (``request.app.state.services``), each piece on its own."""

    settings: Settings
    store: ServedStore
    catalog: CatalogView
    answers: AnswerCache
    analyses: AnalysisCache
    engagements: EngagementStore
    executor: QueryExecutor

    @classmethod
    def open(cls, store: GraphStore, settings: Settings) -> Services:
        served = ServedStore(store, settings)
        try:
            executor = QueryExecutor(served.store, timeout=settings.query_timeout, workers=settings.workers,
                                     memory_bytes=served.memory_bytes)
        except BaseException:
            served.close()  # the writer and the snapshot it made end with the failed start
            raise
        served.on_write(lambda: executor.changed(served.location))  # the workers move to the new view
        services = cls(settings=settings, store=served, catalog=CatalogView(served), answers=AnswerCache(served),
                       analyses=AnalysisCache(served), engagements=EngagementStore(served), executor=executor)
        _ = services.catalog.catalog  # read once now: a store without a catalog fails at start, not on a request
        return services

    def close(self) -> None:
        self.executor.close()
        self.store.close()


class Health(BaseModel):
    """The liveness answer: no path, no counts, nothing about the deployment."""

    status: str
    version: str


def create_app(store: GraphStore, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    services = Services.open(store, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            services.close()  # the query workers and the writer end with the server

    app = FastAPI(
        lifespan=lifespan,
        title="attestgraph",
        version=__version__,
        description="Crosswalk engine for SOC 2, ISO/IEC 42001, ISO/IEC 27001 and the DPDP Act: the catalog, overlap, "
                    "shared evidence, explanations, engagement analysis, and a read-only SPARQL 1.1 endpoint at /sparql. "
                    "Errors are RFC 9457 problem documents whose `type` is a URN urn:attestgraph:problem:<kind>.",
    )
    app.state.services = services  # routes reach it as request.app.state.services
    problems.install(app)
    app.include_router(sparql.router)
    app.include_router(api.router)

    @app.get("/healthz", tags=["meta"], response_model=Health, responses=problems.responses(503),
             summary="Liveness: the server answers and its store holds the catalog")
    def healthz() -> Health:
        # A cheap probe, not a count: load balancers call this often.
        if not services.store.store.query("ASK { ?f a ag:Framework }").boolean:
            raise StoreError("the store holds no framework; build or push the graph first")
        return Health(status="ok", version=__version__)

    workbench.install(app)  # the analyst page at /, its configuration and static files

    openapi.install(app)
    # Added innermost first: CORS outermost, so a preflight and every answer (errors too)
    # carry its headers; gzip around everything else.
    app.add_middleware(CatalogCaching)
    app.add_middleware(BodyLimit, max_body=settings.max_body)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MIN_BYTES)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(settings.cors_origins),
                           allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE"],
                           allow_headers=["Accept", "Authorization", "Content-Type", "If-None-Match"],
                           expose_headers=["ETag", "Location", "Retry-After", "X-Attestgraph-Truncated"],
                           max_age=600)
    return app

