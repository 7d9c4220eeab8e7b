"""Errors as RFC 9457 problem details, with the status the error's class carries.
Nothing a client receives ever holds a stack trace."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from attestgraph.errors import AttestgraphError

log = logging.getLogger("attestgraph.server")
MEDIA = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, media_type=MEDIA)


def install(app: FastAPI) -> None:
    @app.exception_handler(AttestgraphError)
    async def attestgraph_error(request: Request, exc: AttestgraphError):
        extra = {}
        if getattr(exc, "field", None) and getattr(exc, "title", "") == "invalid engagement":
            extra["field"] = exc.field
        if getattr(exc, "choices", None):
            extra["choices"] = exc.choices
        if getattr(exc, "violations", None):
            extra["violations"] = exc.violations
        return problem(exc.http_status, exc.title, str(exc), **extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", []) if p != "body"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        status = 400 if any(str(e.get("loc", [""])[0]) in ("query", "header", "path") for e in exc.errors()) else 422
        return problem(status, "invalid request", detail, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        return problem(exc.status_code, str(exc.detail) if exc.status_code != 404 else "not found",
                       str(exc.detail) if exc.status_code != 404 else f"no route {request.url.path}")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s", request.url.path)
        return problem(500, "internal error", "the server could not answer; the error is in its log")
