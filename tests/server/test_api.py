"""The REST API: catalog, analysis, engagements, and its errors as problem details."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import yaml
from fastapi import FastAPI
from fastapi.testclient import TestClient

from attestgraph.server.app import Services

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai.yaml"


def services_of(client: TestClient) -> Services:
    """The app's shared pieces (server/app.py), typed."""
    app = client.app
    assert isinstance(app, FastAPI)
    services: Services = app.state.services
    return services


def sample_json() -> dict:
    """The sample as a JSON document would carry it (dates as strings)."""
    return json.loads(json.dumps(yaml.safe_load(SAMPLE.read_text()), default=str))


def test_healthz(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["version"]


def test_frameworks_and_requirements_paged(client, assert_problem):
    frameworks = {f["slug"]: f for f in client.get("/api/frameworks").json()}
    assert frameworks["soc2"]["levels"]["criterion"] == 61
    page = client.get("/api/frameworks/soc2/requirements", params={"level": "criterion", "limit": 10, "offset": 10}).json()
    assert page["total"] == 61 and len(page["items"]) == 10 and page["offset"] == 10
    assert page["items"][0]["id"].startswith("soc2:")
    body = assert_problem(client.get("/api/frameworks/soc3"), 404, "unknown framework 'soc3'")
    assert "soc2" in body["choices"]
    assert_problem(client.get("/api/frameworks/soc2/requirements", params={"limit": 0}), 400)


def test_requirement_by_official_id(client, assert_problem):
    body = client.get("/api/requirements/dpdp-act/8(6)").json()
    assert body["id"] == "dpdp-act:8(6)" and body["parent"] == "8"
    assert client.get("/api/requirements/iso42001/A.6.2.6").json()["level"] == "Annex A control"
    assert_problem(client.get("/api/requirements/iso42001/A.99"), 404)


def test_controls_and_evidence(client, assert_problem):
    page = client.get("/api/controls", params={"limit": 5}).json()
    assert page["total"] >= 120 and len(page["items"]) == 5
    control = client.get("/api/controls/TDG-05").json()
    assert control["evidence"] and control["dependsOn"]
    assert client.get("/api/evidence-types/EV-001").json()["id"] == "EV-001"
    assert_problem(client.get("/api/controls/NOPE-01"), 404, "unknown control")


def test_overlap_evidence_explain(client):
    overlap = client.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "limit": 20}).json()
    pairs = overlap["pairs"]
    assert pairs["total"] > 50 and len(pairs["items"]) == 20 and (pairs["offset"], pairs["limit"]) == (0, 20)
    assert overlap["headline"]["own_work"] and overlap["shared_implementation"]
    assert {"a", "b", "relationship", "strength", "via"} <= set(pairs["items"][0])
    evidence = client.get("/api/evidence", params={"frameworks": "soc2,iso42001"}).json()
    assert evidence["frameworks"] == ["soc2", "iso42001"] and evidence["evidence"][0]["frameworks"] == 2
    explained = client.get("/api/explain", params={"x": "dpdp-act:8(6)", "y": "iso27001:A.5.26"}).json()
    assert explained["direct"] or explained["chains"]


def test_engagement_analysed_from_json_and_yaml(client):
    text = SAMPLE.read_text()
    from_yaml = client.post("/api/engagements/analyse", content=text, headers={"Content-Type": "application/yaml"})
    assert from_yaml.status_code == 200, from_yaml.text
    body = from_yaml.json()
    assert {"findings", "gaps", "plan"} <= set(body)
    assert body["plan"]["steps"] and body["plan"]["milestones"]
    ids = {f["id"] for f in body["findings"]}
    assert "scope-excludes-data-components" in ids
    from_json = client.post("/api/engagements/analyse", json=sample_json())
    assert json.loads(json.dumps(from_json.json()["gaps"]["coverage"])) == body["gaps"]["coverage"]
    # Analysing stores nothing.
    assert "https://w3id.org/attestgraph/graph/engagement/acme-ai" not in client.app.state.services.catalog.graphs()


def test_invalid_engagement_is_422_naming_the_field(client, assert_problem):
    document = sample_json()
    document["targets"]["soc2"]["window_months"] = 30
    body = assert_problem(client.post("/api/engagements/analyse", json=document), 422, "3 to 12 months")
    assert body["field"] == "targets.soc2.window_months"
    document = sample_json()
    document["implemented"]["controls"][0]["control"] = "XYZ-01"
    body = assert_problem(client.post("/api/engagements/analyse", json=document), 422)
    assert body["field"] == "implemented.controls[0].control"
    assert_problem(client.post("/api/engagements/analyse", content="{not json", headers={"Content-Type": "application/json"}), 422)


def test_stored_engagements_need_the_key_and_are_written_whole(client, assert_problem):
    document = sample_json()
    assert_problem(client.put("/api/engagements/acme-ai", json=document), 401)
    assert_problem(client.put("/api/engagements/acme-ai", json=document, headers={"Authorization": "Bearer wrong"}), 401)
    broken = copy.deepcopy(document)
    broken["components"][0]["data"] = ["plutonium"]
    assert_problem(client.put("/api/engagements/acme-ai", json=broken, headers={"Authorization": "Bearer k3y"}), 422)
    graph = "https://w3id.org/attestgraph/graph/engagement/acme-ai"
    assert graph not in client.app.state.services.catalog.graphs()  # nothing half-written
    stored = client.put("/api/engagements/acme-ai", json=document, headers={"Authorization": "Bearer k3y"})
    assert stored.status_code == 201 and stored.json()["graph"] == graph
    key = {"Authorization": "Bearer k3y"}
    analysis = client.get("/api/engagements/acme-ai", headers=key).json()
    assert analysis["engagement"] == "acme-ai" and analysis["plan"]["steps"]
    assert graph in client.app.state.services.catalog.graphs()  # reading it back leaves it stored
    assert client.delete("/api/engagements/acme-ai", headers=key).status_code == 204
    assert_problem(client.get("/api/engagements/acme-ai", headers=key), 404)


def test_stored_engagements_are_private(client, assert_problem):
    """Issue 12.2: without the key nothing of a stored engagement is readable, and a
    404 never lists the stored ids."""
    key = {"Authorization": "Bearer k3y"}
    assert client.put("/api/engagements/acme-ai", json=sample_json(), headers=key).status_code == 201
    try:
        assert_problem(client.get("/api/engagements/acme-ai"), 401)
        assert_problem(client.get("/api/engagements"), 401)
        assert client.get("/api/engagements", headers=key).json() == {"items": ["acme-ai"]}
        missing = assert_problem(client.get("/api/engagements/other-co", headers=key), 404)
        assert "acme-ai" not in json.dumps(missing)
        # A non-ASCII key is a wrong key, not a server error.
        assert_problem(client.get("/api/engagements/acme-ai", headers={"Authorization": "Bearer kéy".encode()}), 401)
    finally:
        client.delete("/api/engagements/acme-ai", headers=key)


def test_openapi_documents_every_route(client):
    spec = client.get("/openapi.json").json()
    paths = set(spec["paths"])
    assert {"/api/frameworks", "/api/overlap", "/api/evidence", "/api/explain", "/api/engagements/analyse",
            "/api/engagements/{identifier}", "/sparql", "/healthz"} <= paths


def test_unknown_route_is_a_problem(client, assert_problem):
    assert_problem(client.get("/nope"), 404)


def test_hostile_bodies_are_422_before_they_are_built(client, assert_problem):
    """Issue 12.5/12.6: nesting, alias expansion and bad bytes are refused as problems."""
    deep = "[" * 5000 + "]" * 5000
    assert_problem(client.post("/api/engagements/analyse", content=deep, headers={"Content-Type": "application/json"}), 422, "levels")
    assert_problem(client.post("/api/engagements/analyse", content=deep, headers={"Content-Type": "application/yaml"}), 422, "levels")
    laughs = "\n".join(['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
                       + [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)])
    assert_problem(client.post("/api/engagements/analyse", content=laughs, headers={"Content-Type": "application/yaml"}), 422)
    assert_problem(client.post("/api/engagements/analyse", content=b"\xff\xfe", headers={"Content-Type": "application/json"}), 422, "UTF-8")
    assert client.get("/healthz").status_code == 200


def test_components_are_read_again_after_an_update(shipped_store):
    """Issue 12.7: what the server derived from the store follows a write."""
    from fastapi.testclient import TestClient

    from attestgraph.server.app import create_app
    from attestgraph.server.settings import Settings

    app = create_app(shipped_store, Settings(update_key="u9", workers=1))
    with TestClient(app, raise_server_exceptions=False) as writer:
        services = writer.app.state.services
        assert "quantum-annealer" not in services.catalog.components
        insert = ("INSERT DATA { GRAPH <https://w3id.org/attestgraph/graph/notes> { <urn:qa> a ag:SystemComponent ; "
                  "dct:identifier \"quantum-annealer\" } }")
        headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer u9"}
        assert writer.post("/update", content=insert, headers=headers).status_code == 204
        assert "quantum-annealer" in services.catalog.components
        assert "https://w3id.org/attestgraph/graph/notes" in services.catalog.graphs()
