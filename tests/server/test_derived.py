"""What the server keeps between requests follows every write: the catalog view, the
cached answers and the cached analyses are invalidated by the write path itself."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from attestgraph.graph.store import EmbeddedStore
from attestgraph.server.app import create_app
from attestgraph.server.derived import document_digest
from attestgraph.server.settings import Settings

from .test_api import sample_json, services_of

KEY = {"Authorization": "Bearer k3y"}
UPDATE = {"Authorization": "Bearer u9", "Content-Type": "application/sparql-update"}


@pytest.fixture(scope="module")
def writer(shipped_store: EmbeddedStore) -> Iterator[TestClient]:
    app = create_app(shipped_store, Settings(api_key="k3y", update_key="u9", workers=1))
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_stored_engagement_written_again_is_analysed_anew(writer: TestClient) -> None:
    services = services_of(writer)
    document = sample_json()
    assert writer.put("/api/engagements/acme-ai", json=document, headers=KEY).status_code == 201
    try:
        before = writer.get("/api/engagements/acme-ai", headers=KEY).json()
        assert writer.get("/api/engagements/acme-ai", headers=KEY).json() == before  # the cached analysis
        generation = services.store.generation
        fewer = copy.deepcopy(document)
        dropped = fewer["implemented"]["controls"].pop(0)["control"]
        assert writer.put("/api/engagements/acme-ai", json=fewer, headers=KEY).status_code == 200
        assert services.store.generation == generation + 1
        after = writer.get("/api/engagements/acme-ai", headers=KEY).json()
        assert after != before
        assert dropped in before["plan"]["already_operating"] and dropped not in after["plan"]["already_operating"]
    finally:
        writer.delete("/api/engagements/acme-ai", headers=KEY)
    assert writer.get("/api/engagements/acme-ai", headers=KEY).status_code == 404


def test_the_same_document_is_one_analysis_until_a_write(writer: TestClient) -> None:
    services = services_of(writer)
    document = sample_json()
    first = writer.post("/api/engagements/analyse", json=document).json()
    shuffled = dict(reversed(list(document.items())))  # key order does not change the digest
    assert document_digest(shuffled) == document_digest(document)
    assert writer.post("/api/engagements/analyse", json=shuffled).json() == first
    assert len(services.analyses._analyses) >= 1
    insert = "INSERT DATA { GRAPH <https://w3id.org/attestgraph/graph/notes> { <urn:n> rdfs:comment \"note\" } }"
    assert writer.post("/update", content=insert, headers=UPDATE).status_code == 204
    assert len(services.analyses._analyses) == 0  # invalidated by the write itself
    again = writer.post("/api/engagements/analyse", json=document).json()
    assert len(services.analyses._analyses) == 1  # computed anew, on the new generation
    # The gaps depend on the data alone. (The plan need not be equal: the scheduler stops
    # at a time limit with a feasible, not always the same, schedule.)
    assert again["gaps"] == first["gaps"]


def test_a_catalog_write_changes_the_catalog_answers_and_their_etags(writer: TestClient) -> None:
    services = services_of(writer)
    before = writer.get("/api/controls/TDG-05")
    label = before.json()["label"]
    control = "https://w3id.org/attestgraph/id/control/TDG-05"
    graphs_of = writer.get("/sparql", params={"query": f"SELECT ?g WHERE {{ GRAPH ?g {{ <{control}> skos:prefLabel ?l }} }}"},
                           headers={"Authorization": "Bearer u9"}).json()["results"]["bindings"]
    assert len(graphs_of) == 1
    graph = graphs_of[0]["g"]["value"]
    relabel = (f"DELETE {{ GRAPH <{graph}> {{ <{control}> skos:prefLabel ?l }} }} "
               f"INSERT {{ GRAPH <{graph}> {{ <{control}> skos:prefLabel \"Relabelled\" }} }} "
               f"WHERE {{ GRAPH <{graph}> {{ <{control}> skos:prefLabel ?l }} }}")
    overlap_before = writer.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "limit": 1}).json()
    assert writer.post("/update", content=relabel, headers=UPDATE).status_code == 204
    after = writer.get("/api/controls/TDG-05", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200 and after.json()["label"] == "Relabelled" != label
    assert after.headers["etag"] != before.headers["etag"]
    assert services.catalog.catalog.control("TDG-05")["label"] == "Relabelled"
    assert writer.get("/api/overlap", params={"a": "soc2", "b": "iso42001", "limit": 1}).json()["pairs"]["total"] == \
        overlap_before["pairs"]["total"]
