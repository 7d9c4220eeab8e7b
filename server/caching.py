"""HTTP caching of catalog answers: an ETag on each, revalidated with If-None-Match.

The catalog and what is computed from it alone (overlap, shared evidence,
explanations) change only when the store is written, which no client can predict,
so answers are sent ``Cache-Control: public, no-cache``: any cache may keep them but
must ask again each time, and the answer to that question is a body-less 304 while
nothing changed. The ETag is a digest of the body itself, so it changes exactly when
the answer does, on every replica alike. It is weak (``W/``) because gzip, applied
outside this middleware, changes the bytes but not the answer.

Engagement routes are never cached here: they are private (``no-store``, server/api.py).
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHEABLE = ("/api/frameworks", "/api/requirements", "/api/controls", "/api/evidence-types", "/api/overlap",
             "/api/evidence", "/api/explain")
CACHE_CONTROL = b"public, no-cache"


def cacheable(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in CACHEABLE)


def entity_tag(body: bytes) -> bytes:
    return b'W/"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'


def matches(if_none_match: bytes, tag: bytes) -> bool:
    """RFC 9110 13.1.2: weak comparison against each listed tag, or ``*``."""
    listed = [part.strip() for part in if_none_match.split(b",")]
    opaque = tag.removeprefix(b"W/")
    return b"*" in listed or any(part.removeprefix(b"W/") == opaque for part in listed)


class CatalogCaching:
    """ASGI middleware: ETag and Cache-Control on successful catalog GETs; 304 when the
    client already holds the answer."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD") or not cacheable(scope["path"]):
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def buffered(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    await self._finish(scope, start, b"".join(chunks), send)
                return
            await send(message)

        await self.app(scope, receive, buffered)

    async def _finish(self, scope: Scope, start: dict[str, Any], body: bytes, send: Send) -> None:
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in (b"etag", b"cache-control")]
        if start.get("status") != 200:
            await send(dict(start, headers=headers))
            await send({"type": "http.response.body", "body": body})
            return
        tag = entity_tag(body)
        headers += [(b"etag", tag), (b"cache-control", CACHE_CONTROL)]
        asked = dict(scope.get("headers") or []).get(b"if-none-match")
        if asked is not None and matches(asked, tag):
            kept = [(k, v) for k, v in headers if k.lower() not in (b"content-length", b"content-type")]
            await send({"type": "http.response.start", "status": 304, "headers": kept})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(dict(start, headers=headers))
        await send({"type": "http.response.body", "body": body})
