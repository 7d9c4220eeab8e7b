"""The HTTP API as a client reads it: documented bodies, the key's security scheme,
problem types and statuses, 415, ETag/304, gzip, 201 + Location, paging."""

from __future__ import annotations

import gzip
import inspect
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from attestgraph import errors
from attestgraph.server.problems import PROBLEM_TYPES, TYPE_PREFIX, kind_of

from .test_api import SAMPLE, sample_json, services_of

KEY = {"Authorization": "Bearer k3y"}
ProblemCheck = Callable[..., dict[str, Any]]  # the assert_problem fixture (conftest.py)
JSON_ROUTES = ["/api/frameworks", "/api/frameworks/{slug}", "/api/frameworks/{slug}/requirements",
               "/api/requirements/{slug}/{notation}", "/api/controls", "/api/controls/{identifier}",
               "/api/evidence-types", "/api/evidence-types/{identifier}", "/api/overlap", "/api/evidence",
               "/api/explain", "/api/engagements", "/api/engagements/analyse", "/healthz"]


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict[str, Any]:
    answer: dict[str, Any] = client.get("/openapi.json").json()
    return answer


def test_every_json_route_documents_its_body(spec: dict[str, Any]) -> None:
    for path in JSON_ROUTES:
        for method, operation in spec["paths"][path].items():
            ok = operation["responses"].get("200") or operation["responses"].get("201")
            schema = ok["content"]["application/json"]["schema"]
            assert schema.get("$ref") or schema.get("items") or schema.get("type") == "array", (path, method, schema)
    stored = spec["paths"]["/api/engagements/{identifier}"]
    assert stored["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Analysis")
    assert stored["put"]["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/StoredEngagement")
    overlap = spec["components"]["schemas"]["Overlap"]
    assert overlap["properties"]["pairs"]["$ref"].endswith("Page_OverlapPair_")


def test_the_engagement_key_is_a_declared_security_scheme(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["engagementKey"]
    assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
    for method in ("get", "put", "delete"):
        assert {"engagementKey": []} in spec["paths"]["/api/engagements/{identifier}"][method]["security"]
    assert "security" not in spec["paths"]["/api/frameworks"]["get"]


def test_401_says_how_to_authenticate(client: TestClient, assert_problem: ProblemCheck) -> None:
    response = client.get("/api/engagements")
    body = assert_problem(response, 401)
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert body["type"] == TYPE_PREFIX + "unauthorised"


def test_declared_statuses_are_the_ones_answered(client: TestClient, spec: dict[str, Any], assert_problem: ProblemCheck) -> None:
    """400 for a malformed parameter, as declared; no route declares FastAPI's 422."""
    body = assert_problem(client.get("/api/frameworks/soc2/requirements", params={"limit": 0}), 400)
    assert body["type"] == TYPE_PREFIX + "invalid-request"
    assert "400" in spec["paths"]["/api/frameworks/{slug}/requirements"]["get"]["responses"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if "422" in operation["responses"]:
                assert path.startswith("/api/engagements"), (path, method)
                assert operation["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith(
                    "/Problem")
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    body = assert_problem(client.post("/api/engagements/analyse", content="{not json",
                                      headers={"Content-Type": "application/json"}), 422)
    assert body["type"] == TYPE_PREFIX + "engagement-error"


def test_each_error_class_has_a_type_whose_status_it_answers() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if issubclass(c, errors.AttestgraphError)]
    assert len(classes) > 10
    for cls in classes:
        kind = kind_of(cls)
        status = PROBLEM_TYPES[kind][0]
        assert status == cls.http_status or (kind == "internal-error" and cls.http_status == 500), (cls, kind)
    assert kind_of(errors.QueryTimeout) == "query-timeout" and kind_of(errors.UnknownIdentifier) == "unknown-identifier"


def test_problem_types_differ_by_kind(client: TestClient, assert_problem: ProblemCheck) -> None:
    kinds = {
        assert_problem(client.get("/api/controls/NOPE-01"), 404)["type"],
        assert_problem(client.get("/nope"), 404)["type"],
        assert_problem(client.get("/sparql", params={"query": "SELECT ?s WHERE {"}), 400)["type"],
        assert_problem(client.get("/sparql", params={"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}), 403)["type"],
    }
    assert kinds == {TYPE_PREFIX + k for k in ("unknown-identifier", "not-found", "query-syntax-error",
                                               "forbidden-operation")}


@pytest.mark.parametrize("route", ["analyse", "put"])
def test_a_wrong_content_type_is_415(client: TestClient, assert_problem: ProblemCheck, route: str) -> None:
    body = SAMPLE.read_text()
    headers = {"Content-Type": "text/plain", **KEY}
    if route == "analyse":
        response = client.post("/api/engagements/analyse", content=body, headers=headers)
    else:
        response = client.put("/api/engagements/acme-ai", content=body, headers=headers)
    assert assert_problem(response, 415, "application/json")["type"] == TYPE_PREFIX + "unsupported-media-type"


def test_catalog_answers_carry_an_etag_and_revalidate_with_304(client: TestClient) -> None:
    first = client.get("/api/frameworks")
    tag = first.headers["etag"]
    assert tag.startswith('W/"') and first.headers["cache-control"] == "public, no-cache"
    again = client.get("/api/frameworks", headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    changed = client.get("/api/frameworks/soc2", headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.headers["etag"] != tag
    # Private answers are never cacheable.
    stored = client.get("/api/engagements", headers=KEY)
    assert "etag" not in stored.headers and stored.headers["cache-control"] == "private, no-store"


def test_large_bodies_are_gzipped(client: TestClient) -> None:
    params: dict[str, str | int] = {"a": "soc2", "b": "iso42001", "limit": 1000}
    plain = client.get("/api/overlap", params=params, headers={"Accept-Encoding": "identity"})
    packed = client.get("/api/overlap", params=params, headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == "gzip"
    assert packed.json() == plain.json()  # httpx decodes it
    assert int(packed.headers["content-length"]) < len(plain.content) / 4
    small = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    assert gzip.compress(plain.content)  # the comparison above is against real bytes


def test_put_that_creates_is_201_with_location_and_one_that_replaces_is_200(client: TestClient) -> None:
    try:
        created = client.put("/api/engagements/acme-ai", json=sample_json(), headers=KEY)
        assert created.status_code == 201 and created.headers["location"] == "/api/engagements/acme-ai"
        assert client.get(created.headers["location"], headers=KEY).json()["engagement"] == "acme-ai"
        replaced = client.put("/api/engagements/acme-ai", json=sample_json(), headers=KEY)
        assert replaced.status_code == 200 and "location" not in replaced.headers
        assert replaced.json() == created.json()
    finally:
        client.delete("/api/engagements/acme-ai", headers=KEY)


def test_healthz_shows_no_path(client: TestClient) -> None:
    response = client.get("/healthz")
    assert set(response.json()) == {"status", "version"}
    location = services_of(client).store.location
    assert location and location not in response.text and "/tmp" not in response.text


def test_overlap_pages_like_every_other_list(client: TestClient, assert_problem: ProblemCheck) -> None:
    controls = client.get("/api/controls", params={"offset": 5, "limit": 7}).json()
    pairs = client.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "offset": 5, "limit": 7}).json()["pairs"]
    assert set(pairs) == set(controls) == {"total", "offset", "limit", "items"}
    assert (pairs["offset"], pairs["limit"], len(pairs["items"])) == (5, 7, 7)
    everything = client.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "limit": 1000}).json()["pairs"]
    assert pairs["items"] == everything["items"][5:12] and pairs["total"] == everything["total"]
    assert_problem(client.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "limit": 1001}), 400)
    assert_problem(client.get("/api/controls", params={"limit": 1001}), 400)
