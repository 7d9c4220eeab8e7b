"""Start the server: open the store, build the app, hand it to uvicorn."""

from __future__ import annotations

import uvicorn

from attestgraph.graph.connect import connect
from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings


def open_for_serving(store: str | None, data: str | None, settings: Settings):
    """The store for the server: on-disk read-only unless storing is enabled, when it
    is opened writable (one process; use a remote store for replicas)."""
    opened = connect(store, data=data)
    if settings.writable and getattr(opened, "writable", True) is False:
        import pyoxigraph as ox

        from attestgraph.graph.store import EmbeddedStore

        location = opened.location
        opened.close()
        del opened
        return EmbeddedStore(ox.Store(location), location=location, writable=True)
    return opened


def serve(host: str, port: int, *, store: str | None = None, data: str | None = None) -> None:
    """One process; for more, run replicas over a remote store (the API keeps no state)."""
    settings = Settings.from_env()
    app = create_app(open_for_serving(store, data, settings), settings)
    uvicorn.run(app, host=host, port=port, log_level="info")
