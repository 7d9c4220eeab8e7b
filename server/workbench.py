"""The analyst workbench at ``/``: the YASGUI page, its static files, and the one JSON
document it is configured from (this server's prefixes and named queries).

The page is served with its own Content-Security-Policy: every script, style and
request stays on this origin (the YASGUI bundle is vendored under
``static/vendor/yasgui``), so a shared ``?endpoint=`` link cannot make the page send
a query, or the engagement key typed into it, anywhere else.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from attestgraph import vocabulary as v

STATIC = Path(str(resources.files("attestgraph.server") / "static"))

#: The one ``<style>`` element the bundle writes: the table's column resizer
#: (column-resizer, inside YASR) injects these fixed rules when a table is drawn and
#: while a column is dragged. Allowed by hash rather than by 'unsafe-inline'; after
#: ``vendor/update.sh`` the browser test fails with the new hash in the CSP error if
#: they changed.
COLUMN_RESIZER_STYLES = (
    "'sha256-zCK2EVMoPc04mRF/g5CotUvxbJPWS+8V0b+s9ptqQIk='",  # " .grip-resizable{table-layout:fixed;} ..."
    "'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='",  # "*{cursor:col-resize!important}" (dragging)
)

#: The page's policy. Scripts, style sheets and requests stay on this origin ('self'):
#: no inline script, no eval, no inline style but the resizer's two rules above.
#: ``data:`` images are CodeMirror's and DataTables' sort arrows and the empty favicon.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-elem 'self' " + " ".join(COLUMN_RESIZER_STYLES),
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

router = APIRouter()


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def page() -> HTMLResponse:
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    return HTMLResponse(html, headers={
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    })


@router.get("/workbench.json", tags=["meta"],
            summary="What the workbench at / is configured from: the SPARQL prefixes and the named queries")
def workbench_config() -> dict[str, Any]:
    from attestgraph.queries import named

    return {
        "endpoint": "/sparql",
        "prefixes": dict(v.PREFIXES),
        "queries": [
            {"name": q.name, "summary": q.summary, "params": q.params, "query": q.text}
            for q in named.library().values()
        ],
    }


def install(app: FastAPI) -> None:
    """Add the page, its configuration and its static files to ``app``."""
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
