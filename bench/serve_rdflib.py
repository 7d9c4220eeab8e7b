"""Serve the app over the rdflib baseline store (for bench/run.py http only)."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import uvicorn
from rdflib_store import RdflibStore

from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings

if __name__ == "__main__":
    stage, _ = build_stage(DataRoot.shipped(), validate=False)
    store = RdflibStore(stage.quads_for_pattern(None, None, None, None))
    app = create_app(store, Settings(query_timeout=120, max_rows=10_000))
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
