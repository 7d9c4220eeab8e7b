"""Start the server: open the store, build the app, hand it to uvicorn."""

from __future__ import annotations

import uvicorn

from attestgraph.graph.connect import connect
from attestgraph.graph.store import GraphStore
from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings


def open_for_serving(store: str | None, data: str | None, settings: Settings) -> GraphStore:
    """The store for the server, opened read-only: when writes are enabled, a confined
    writer process takes the one writable handle (server/writer.py). One server per
    on-disk store; for replicas, use a remote store."""
    return connect(store, data=data)


def serve(host: str, port: int, *, store: str | None = None, data: str | None = None) -> None:
    """One process; for more, run replicas over a remote store (the API keeps no state)."""
    settings = Settings.from_env()
    app = create_app(open_for_serving(store, data, settings), settings)
    uvicorn.run(app, host=host, port=port, log_level="info")
