"""Bearer keys: one comparison for every route that needs one.

Compared as bytes in constant time. A header that is not ASCII (or not a bearer
token at all) is simply a wrong key: 401, never a server error (``hmac.compare_digest``
raises on non-ASCII ``str``).
"""

from __future__ import annotations

import hmac

from fastapi import Request


def presented_key(request: Request) -> bytes | None:
    """The bearer token of the request as raw bytes, or None."""
    headers: list[tuple[bytes, bytes]] = request.scope.get("headers") or []  # ASGI: raw (name, value) pairs
    for name, value in headers:
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token:
                return token.strip()
            return None
    return None


def key_matches(request: Request, *keys: str | None) -> bool:
    """Whether the request carries one of ``keys`` (unset keys never match)."""
    token = presented_key(request)
    if token is None:
        return False
    matched = False
    for key in keys:
        if key and hmac.compare_digest(token, key.encode("utf-8")):
            matched = True
    return matched
