"""A bounded fuzz of the OpenAPI schema: whatever schemathesis generates for each
operation, the API answers with a problem document or a success, never a server error,
and what it answers is what /openapi.json declares: a declared status, a declared
media type, and a body that validates against the declared schema (the response
models of server/schemas.py, the Problem of server/problems.py)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 8  # bounded: about a minute for the whole API on this machine
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def test_api_never_fails_with_a_server_error(shipped_store):
    app = create_app(shipped_store, Settings(query_timeout=5, max_rows=100, max_body=100_000))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck))
        def answers_cleanly(case):
            response = case.call()
            assert response.status_code < 500 or response.status_code == 503, (case.method, case.formatted_path, response.text[:300])
            if response.status_code >= 400:
                media = response.headers["content-type"]
                media = media[0] if isinstance(media, list) else media  # schemathesis keeps header lists
                assert media.startswith("application/problem+json"), response.text[:200]
                assert "Traceback" not in response.text
            case.validate_response(response, checks=CONFORMANCE)

        answers_cleanly()
        checked.append(f"{operation.method.upper()} {operation.path}")
    assert len(checked) >= 12
