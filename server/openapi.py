"""The OpenAPI document says what the server answers, not what FastAPI assumes.

FastAPI declares a 422 ``HTTPValidationError`` on every route with parameters; this
server answers a malformed parameter with a 400 problem (server/problems.py), so that
declaration is replaced by the 400 it really is, and the unused validation schemas
are dropped.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from attestgraph.server.problems import Problem, responses

VALIDATION_REF = "#/components/schemas/HTTPValidationError"


def _is_fastapi_422(answer: dict[str, Any]) -> bool:
    content = answer.get("content", {}).get("application/json", {})
    return bool(content.get("schema", {}).get("$ref") == VALIDATION_REF)




def install(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                answers = operation.get("responses", {})
                if "422" in answers and _is_fastapi_422(answers["422"]):
                    del answers["422"]
                    answers.setdefault("400", responses(400)[400])
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        components["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
