"""The clients analysts use, run against the endpoint served on loopback: SPARQLWrapper,
rdflib's SPARQLStore and pandas, each with its own defaults (what they send in
``Accept`` is theirs, not ours)."""

from __future__ import annotations

import io
import socket
import threading
import time
from collections.abc import Iterator

import pandas as pd
import pytest
import rdflib
import uvicorn
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import ResultRow
from SPARQLWrapper import JSON, SPARQLWrapper

from attestgraph.graph.store import EmbeddedStore
from attestgraph.server.app import create_app
from attestgraph.server.settings import Settings

COUNTS = ("SELECT ?slug (COUNT(?r) AS ?n) WHERE { ?f dct:identifier ?slug . ?r skos:inScheme ?f } "
          "GROUP BY ?slug ORDER BY ?slug")
PREFIXES = ("PREFIX ag: <https://w3id.org/attestgraph/vocab#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX dct: <http://purl.org/dc/terms/> ")
SLUGS = ["dpdp-act", "dpdp-rules", "eu-ai-act", "iso27001", "iso42001", "nist-ai-600-1", "nist-ai-rmf", "soc2"]
CONTROL = "https://w3id.org/attestgraph/id/control/TDG-05"


@pytest.fixture(scope="module")
def endpoint(shipped_store: EmbeddedStore) -> Iterator[str]:
    """The app served by uvicorn on a free loopback port, stopped after the module."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(shipped_store, Settings(query_timeout=10, workers=1))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", ws="none",
                                           lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}/sparql"
    finally:
        server.should_exit = True
        thread.join(30)


def test_sparqlwrapper_select_json(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIXES + COUNTS)
    client.setReturnFormat(JSON)
    answer = client.queryAndConvert()
    assert isinstance(answer, dict)
    assert [b["slug"]["value"] for b in answer["results"]["bindings"]] == SLUGS


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # inside SPARQLWrapper
def test_sparqlwrapper_construct_and_describe_with_its_default_rdf_xml(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?l } WHERE { ?c a ag:Control ; skos:prefLabel ?l } "
                               "ORDER BY ?c LIMIT 5")
    constructed = client.queryAndConvert()  # SPARQLWrapper's default for CONSTRUCT: RDF/XML into an rdflib Graph
    assert isinstance(constructed, rdflib.Graph) and len(constructed) == 5
    client.setQuery(f"DESCRIBE <{CONTROL}>")
    described = client.queryAndConvert()
    assert isinstance(described, rdflib.Graph)
    assert (rdflib.URIRef(CONTROL), rdflib.SKOS.prefLabel, None) in described


def test_rdflib_sparqlstore_construct_and_select(endpoint: str) -> None:
    graph = rdflib.Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    rows = [row for row in graph.query(PREFIXES + COUNTS) if isinstance(row, ResultRow)]
    assert [str(row[0]) for row in rows] == SLUGS and all(int(str(row[1])) > 0 for row in rows)
    constructed = graph.query(PREFIXES + f"CONSTRUCT {{ <{CONTROL}> ag:dependsOn ?d }} WHERE {{ <{CONTROL}> ag:dependsOn ?d }}")
    assert constructed.graph is not None
    triples = list(constructed.graph)
    assert triples and all(str(s) == CONTROL for s, _, _ in triples)


def test_pandas_reads_csv_results(endpoint: str) -> None:
    import httpx

    response = httpx.get(endpoint, params={"query": PREFIXES + COUNTS}, headers={"Accept": "text/csv"})
    frame = pd.read_csv(io.StringIO(response.text))
    assert list(frame.columns) == ["slug", "n"] and list(frame["slug"]) == SLUGS
    assert frame["n"].dtype.kind == "i" and (frame["n"] > 0).all()
    # pandas fetching the URL itself, as a notebook does.
    from urllib.parse import urlencode

    direct = pd.read_csv(f"{endpoint}?{urlencode({'query': PREFIXES + COUNTS})}", storage_options={"Accept": "text/csv"})
    assert list(direct["slug"]) == SLUGS
