"""The app in process over the shipped graph (in memory), with small limits so every
refusal can be provoked quickly."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings


@pytest.fixture(scope="session")
def client(shipped_store):
    # A copy of its own: other tests load engagements into the shared store.
    app = create_app(shipped_store.copy_to_memory(), Settings(query_timeout=5, max_rows=50, max_body=200_000, api_key="k3y"))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def assert_problem():
    """Check a problem-details answer: status, media type, no stack trace, words in the detail."""
    return check_problem


def check_problem(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    assert "Traceback" not in response.text
    for word in words:
        assert word in body["detail"], body["detail"]
    return body
