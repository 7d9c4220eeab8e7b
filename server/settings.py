"""Server settings, from the environment (documented in the README).

| variable | meaning | default |
|---|---|---|
| ``ATTESTGRAPH_QUERY_TIMEOUT`` | seconds a SPARQL query may run before a 503 | 10 |
| ``ATTESTGRAPH_MAX_ROWS`` | rows (or triples) a SPARQL answer may hold; more are cut and flagged | 10000 |
| ``ATTESTGRAPH_MAX_BODY`` | bytes a request body may have before a 413 | 1048576 |
| ``ATTESTGRAPH_MAX_ANSWER_BYTES`` | bytes of term text a SPARQL answer may hold; more are cut and flagged | 16777216 |
| ``ATTESTGRAPH_WORKERS`` | query worker processes (each evaluates one query at a time) | 4 |
| ``ATTESTGRAPH_WORKER_MEMORY`` | MB of address space each query worker may use (RLIMIT_AS) | 2048 |
| ``ATTESTGRAPH_API_KEY`` | bearer key that enables storing engagements (PUT /api/engagements/{id}) | unset: off |
| ``ATTESTGRAPH_UPDATE_KEY`` | bearer key that enables the SPARQL update route (POST /update) | unset: off |
| ``ATTESTGRAPH_CORS_ORIGINS`` | comma-separated origins a browser page may call the server from (CORS) | unset: off |
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from attestgraph.errors import ConfigurationError


def _origins(raw: str | None) -> tuple[str, ...]:
    """``ATTESTGRAPH_CORS_ORIGINS``: each origin exactly as a browser sends it
    (``https://host[:port]``, no path), or ``*``."""
    origins = tuple(part.strip().rstrip("/") for part in (raw or "").split(",") if part.strip())
    for origin in origins:
        scheme, _, rest = origin.partition("://")
        if origin != "*" and (scheme not in ("http", "https") or not rest or "/" in rest):
            raise ConfigurationError(f"ATTESTGRAPH_CORS_ORIGINS: {origin!r} is not an origin "
                                     "(expected scheme://host[:port], e.g. https://yasgui.example.org)")
    return origins


def _number(name: str, default: float, kind: type = float) -> Any:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return kind(default)
    try:
        value = kind(raw)
    except ValueError:
        raise ConfigurationError(f"{name}={raw!r}: expected a number") from None
    if value <= 0:
        raise ConfigurationError(f"{name}={raw!r}: expected a positive number")
    return value


@dataclass(frozen=True)
class Settings:
    query_timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1_048_576
    max_answer_bytes: int = 16 * 1024 * 1024
    workers: int = 4
    worker_memory_mb: int = 2048
    api_key: str | None = None
    update_key: str | None = None
    cors_origins: tuple[str, ...] = ()  # empty: CORS off, no browser page elsewhere may call the server

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            query_timeout=_number("ATTESTGRAPH_QUERY_TIMEOUT", 10.0),
            max_rows=_number("ATTESTGRAPH_MAX_ROWS", 10_000, int),
            max_body=_number("ATTESTGRAPH_MAX_BODY", 1_048_576, int),
            max_answer_bytes=_number("ATTESTGRAPH_MAX_ANSWER_BYTES", 16 * 1024 * 1024, int),
            workers=_number("ATTESTGRAPH_WORKERS", 4, int),
            worker_memory_mb=_number("ATTESTGRAPH_WORKER_MEMORY", 2048, int),
            api_key=os.environ.get("ATTESTGRAPH_API_KEY") or None,
            update_key=os.environ.get("ATTESTGRAPH_UPDATE_KEY") or None,
            cors_origins=_origins(os.environ.get("ATTESTGRAPH_CORS_ORIGINS")),
        )

    def keys(self) -> list[str]:
        """The keys that let a caller read stored engagements' graphs on /sparql."""
        return [k for k in (self.api_key, self.update_key) if k]

    @property
    def writable(self) -> bool:
        return bool(self.api_key or self.update_key)
