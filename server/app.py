"""The FastAPI application: one store, one catalog view, the routes, and the
operations the routes share (analysing, storing and reading engagements)."""

from __future__ import annotations

import json
import threading
from importlib import resources

import pyoxigraph as ox
from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from attestgraph import __version__
from attestgraph import vocabulary as v
from attestgraph.errors import ForbiddenOperation, StoreError
from attestgraph.graph.store import EmbeddedStore, GraphStore
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement import Engagement, engagement_quads
from attestgraph.server import api, problems, sparql
from attestgraph.server.executor import QueryExecutor
from attestgraph.server.limits import BodyLimit
from attestgraph.server.settings import Settings

DOCUMENT = v.AG + "sourceDocument"


class State:
    """What the routes share. Holds no engagement state of its own: stored engagements
    live in the store, so replicas over one remote store agree."""

    def __init__(self, store: GraphStore, settings: Settings):
        self.store = store
        self.settings = settings
        self.catalog = Catalog(store)
        self.executor = QueryExecutor(store, settings.query_timeout, settings.max_rows)
        self.components = store.query("SELECT ?id WHERE { ?c a ag:SystemComponent ; dct:identifier ?id }").column("id")
        self._scratch: EmbeddedStore | None = None
        self._scratch_lock = threading.Lock()
        # Overlap and shared evidence depend on the catalog alone, which does not change
        # while the server runs (an update through /update clears them), so each answer
        # is computed once: 0.3-0.5 s of work per request otherwise.
        self._answers: dict[tuple, dict] = {}
        self._answers_lock = threading.Lock()

    def cached(self, key: tuple, compute) -> dict:
        with self._answers_lock:
            if key in self._answers:
                return self._answers[key]
        answer = compute()
        with self._answers_lock:
            self._answers[key] = answer
        return answer

    def graphs(self) -> list[str]:
        return self.store.named_graphs()

    # -- engagements -----------------------------------------------------------

    def _scratch_store(self) -> GraphStore:
        """Where engagements are analysed: an in-memory copy of the catalog made once
        (it is small and does not change while the server runs), so analysis never
        writes to the served store and never disturbs a stored engagement."""
        if self._scratch is None:
            self._scratch = self.store.copy_to_memory()
        return self._scratch

    def analyse(self, engagement: Engagement) -> dict:
        from attestgraph.queries.findings import readiness_findings
        from attestgraph.queries.gaps import gaps
        from attestgraph.queries.plan import build_plan

        with self._scratch_lock:
            store = self._scratch_store()
            catalog = Catalog(store)
            try:
                gap = gaps(store, engagement, catalog)
                findings = [f.as_dict() for f in readiness_findings(store, engagement, catalog)]
                plan = build_plan(store, engagement, catalog)
            finally:
                store.remove_graph(engagement.graph)
        return {"engagement": engagement.id, "findings": findings + plan.pop("findings"), "gaps": gap, "plan": plan}

    def save_engagement(self, engagement: Engagement, document) -> None:
        if isinstance(self.store, EmbeddedStore) and not self.store.writable:
            raise StoreError("this server's store is read-only; start it with ATTESTGRAPH_API_KEY set to store engagements")
        quads = engagement_quads(engagement)
        quads.append(ox.Quad(ox.NamedNode(engagement.iri), ox.NamedNode(DOCUMENT),
                             ox.Literal(json.dumps(document, default=str)), ox.NamedNode(engagement.graph)))
        self.store.replace_graph(engagement.graph, quads)

    def stored_document(self, identifier: str):
        graph = v.engagement_graph(identifier)
        rows = self.store.query(
            f"SELECT ?doc WHERE {{ GRAPH <{graph}> {{ ?e <{DOCUMENT}> ?doc }} }}"
        ).column("doc") if _safe_id(identifier) else []
        return json.loads(rows[0]) if rows else None

    def stored_ids(self) -> list[str]:
        prefix = v.engagement_graph("")
        return sorted(g[len(prefix):] for g in self.store.named_graphs() if g.startswith(prefix))

    def delete_engagement(self, identifier: str) -> None:
        self.store.remove_graph(v.engagement_graph(identifier))

    def apply_update(self, update: str) -> None:
        if isinstance(self.store, EmbeddedStore):
            if not self.store.writable:
                raise ForbiddenOperation("this server's store is read-only")
            self.store.oxigraph.update(update)
        else:
            self.store.update(update)
        with self._answers_lock:
            self._answers.clear()
        self.catalog = Catalog(self.store)
        self._scratch = None


def _safe_id(identifier: str) -> bool:
    import re

    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]{1,62}", identifier))


def create_app(store: GraphStore, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="attestgraph",
        version=__version__,
        description="Crosswalk engine for SOC 2, ISO/IEC 42001, ISO/IEC 27001 and the DPDP Act: the catalog, overlap, "
                    "shared evidence, explanations, engagement analysis, and a read-only SPARQL 1.1 endpoint at /sparql.",
    )
    app.state.state = State(store, settings)  # routes reach it as request.app.state.state
    problems.install(app)
    app.include_router(sparql.router)
    app.include_router(api.router)

    @app.get("/healthz", tags=["meta"], summary="Liveness: the server answers and its store holds the catalog")
    def healthz():
        # A cheap probe, not a count: load balancers call this often.
        ready = store.query("ASK { ?f a ag:Framework }").boolean
        if not ready:
            raise StoreError("the store holds no framework; build or push the graph first")
        return {"status": "ok", "version": __version__, "store": getattr(store, "location", "store")}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page():
        from attestgraph.queries import named

        html = (resources.files("attestgraph.server") / "static" / "index.html").read_text(encoding="utf-8")
        examples = {name: q.text for name, q in named.library().items()}
        return html.replace("/*EXAMPLES*/{}", json.dumps(examples).replace("</", "<\\/"))

    app.add_middleware(BodyLimit, max_body=settings.max_body)
    return app
