"""Errors as RFC 9457 problem details, with the status the error's class carries.
Nothing a client receives ever holds a stack trace.

Each kind of problem has a ``type`` of its own, a URN in the project's scheme
``urn:attestgraph:problem:<kind>`` (listed in :data:`PROBLEM_TYPES` and in the
README's "Problems" table), so a client can branch on the kind without parsing
the title. A URN, not a web page: it must not change when the documentation moves.

Headers the status calls for are set here, in the one place every problem passes
through: ``WWW-Authenticate`` on 401 (RFC 9110 15.5.2), ``Retry-After`` on 503.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from attestgraph.errors import AttestgraphError

log = logging.getLogger("attestgraph.server")
MEDIA = "application/problem+json"
TYPE_PREFIX = "urn:attestgraph:problem:"
# Seconds a client should wait before asking again after a 503: about one query time
# limit's worth of a busy worker pool or a store being rebuilt, not an invitation to spin.
RETRY_AFTER_SECONDS = 5
AUTHENTICATE = 'Bearer realm="attestgraph"'
PROBLEM_REF = "#/components/schemas/Problem"  # added to the OpenAPI components by server/openapi.py

# kind -> (status, what it means). The kinds of AttestgraphError subclasses are their
# class names in kebab case; the others come from the protocol layer.
PROBLEM_TYPES: dict[str, tuple[int, str]] = {
    "invalid-request": (400, "a query parameter, path parameter or header is malformed"),
    "query-error": (400, "the SPARQL request cannot be answered as sent"),
    "query-syntax-error": (400, "the SPARQL query does not parse"),
    "query-too-complex": (400, "the query is longer or nests deeper than the endpoint accepts"),
    "unauthorised": (401, "the route needs a bearer key and none or a wrong one was sent"),
    "forbidden-operation": (403, "the request asks for something this server never does"),
    "not-found": (404, "no such route"),
    "unknown-identifier": (404, "no framework, requirement, control, evidence type or engagement with that id"),
    "method-not-allowed": (405, "the route does not answer this method"),
    "not-acceptable": (406, "no format the client accepts can carry this answer"),
    "payload-too-large": (413, "the request body is larger than the server accepts"),
    "unsupported-media-type": (415, "the request body's Content-Type is not one the route reads"),
    "engagement-error": (422, "the engagement document is invalid; `field` names where"),
    "internal-error": (500, "the server failed; the error is in its log"),
    "query-timeout": (503, "the query ran past the time limit and was stopped"),
    "query-out-of-memory": (503, "the query needed more memory than a query worker may use"),
    "store-error": (503, "the store could not be reached or holds no catalog"),
    "planning-error": (503, "the planner found no schedule within its safety limit; try again"),
}


class UnsupportedMediaType(AttestgraphError):
    """A request body came with a Content-Type the route does not read."""

    http_status = 415
    exit_code = 2
    title = "unsupported media type"


class Problem(BaseModel):
    """An RFC 9457 problem document, as every error of this server is answered."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description=f"the kind of problem, a URN {TYPE_PREFIX}<kind>", examples=[TYPE_PREFIX + "not-found"])
    title: str
    status: int
    detail: str
    field: str | None = Field(None, description="the engagement field at fault (invalid engagements)")
    choices: list[str] | None = Field(None, description="the ids that do exist (unknown ids)")
    violations: list[str] | None = None
    errors: list[dict[str, str]] | None = Field(None, description="each malformed parameter (invalid requests)")


def kind_of(error: type[AttestgraphError]) -> str:
    """The problem kind of an error class: its name in kebab case, or its nearest
    listed ancestor's (so a new subclass never answers an unlisted type)."""
    for cls in error.__mro__:
        name = re.sub(r"(?<!^)(?=[A-Z])", "-", cls.__name__).lower()
        if name in PROBLEM_TYPES:
            return name
    return "internal-error"


def problem(status: int, title: str, detail: str, kind: str | None = None, **extra: Any) -> JSONResponse:
    """A problem response of ``kind`` (default: the kind listed for ``status``)."""
    if kind is None:
        kind = next((k for k, (code, _) in PROBLEM_TYPES.items() if code == status), "internal-error")
    body: dict[str, Any] = {"type": TYPE_PREFIX + kind, "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    headers: dict[str, str] = {}
    if status == 401:
        headers["WWW-Authenticate"] = AUTHENTICATE
    if status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return JSONResponse(body, status_code=status, media_type=MEDIA, headers=headers)


def problem_body(status: int, title: str, detail: str) -> bytes:
    """The bytes of a plain problem, for ASGI middleware that answers before any route."""
    import json

    kind = next((k for k, (code, _) in PROBLEM_TYPES.items() if code == status), "internal-error")
    return json.dumps({"type": TYPE_PREFIX + kind, "title": title, "status": status, "detail": detail}).encode()


def responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` entry declaring that a route answers these problems."""
    return {status: {"description": "; ".join(
        f"{TYPE_PREFIX}{kind}: {meaning}" for kind, (code, meaning) in PROBLEM_TYPES.items() if code == status),
        "content": {MEDIA: {"schema": {"$ref": PROBLEM_REF}}}} for status in statuses}


def error_response(exc: AttestgraphError) -> JSONResponse:
    """The problem an error is answered with: its class's status, title and kind."""
    extra: dict[str, Any] = {}
    field = getattr(exc, "field", None)  # EngagementError and UnknownReferenceError name one
    if field and getattr(exc, "title", "") == "invalid engagement":
        extra["field"] = field
    for name in ("choices", "violations"):
        if getattr(exc, name, None):
            extra[name] = getattr(exc, name)
    return problem(exc.http_status, exc.title, str(exc), kind_of(type(exc)), **extra)


def install(app: FastAPI) -> None:
    @app.exception_handler(AttestgraphError)
    async def attestgraph_error(request: Request, exc: AttestgraphError) -> JSONResponse:
        return error_response(exc)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        # Every body this API reads is parsed by the route itself (engagements: 422 from
        # EngagementError), so what FastAPI validates is parameters: a 400.
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", []) if p != "body"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return problem(400, "invalid request", detail, "invalid-request", errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return problem(404, "not found", f"no route {request.url.path}", "not-found")
        return problem(exc.status_code, str(exc.detail), str(exc.detail))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "internal error", "the server could not answer; the error is in its log", "internal-error")
