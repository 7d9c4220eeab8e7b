"""A store behind any SPARQL 1.1 endpoint (Oxigraph server, Fuseki, GraphDB).

Queries go out through the SPARQL 1.1 Protocol and come back as SPARQL JSON (or
N-Triples for graph results), which pyoxigraph parses into the same objects the
embedded store returns. Graph replacement is one SPARQL Update request, which the
endpoint runs as one transaction. The setting is ``sparql:QUERY_URL`` or
``sparql:QUERY_URL|UPDATE_URL``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable

import httpx
import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.errors import ConfigurationError, QuerySyntaxError, QueryTimeout, StoreError
from attestgraph.graph.results import Result
from attestgraph.graph.store import GraphStore, insert_data_update

_PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in v.PREFIXES.items())


class RemoteStore(GraphStore):
    """A SPARQL 1.1 endpoint; stateless, so many API replicas can share it."""

    def __init__(self, query_url: str, update_url: str | None = None, timeout: float = 30.0):
        self.query_url = query_url
        self.update_url = update_url
        self.location = query_url
        self.writable = update_url is not None  # answers queries only without an update URL
        self.client = httpx.Client(timeout=timeout)

    @classmethod
    def from_setting(cls, setting: str) -> RemoteStore:
        urls = setting.removeprefix("sparql:").split("|")
        if not urls[0].startswith(("http://", "https://")) or len(urls) > 2:
            raise ConfigurationError(f"store setting {setting!r}: expected sparql:QUERY_URL or sparql:QUERY_URL|UPDATE_URL")
        return cls(urls[0], urls[1] if len(urls) == 2 else None)

    def query(self, sparql, *, default_graphs=None, named_graphs=None, max_rows=None) -> Result:
        text = _PROLOGUE + sparql  # the embedded store knows these prefixes; the endpoint is told
        params: list[tuple[str, str]] = [("default-graph-uri", g) for g in default_graphs or []]
        params += [("named-graph-uri", g) for g in named_graphs or []]
        if default_graphs is None:
            # Oxigraph's server reads the union of all graphs as the default graph on request.
            params.append(("union-default-graph", ""))
        try:
            response = self.client.post(
                self.query_url,
                params=params,
                content=text.encode("utf-8"),
                headers={
                    "Content-Type": "application/sparql-query",
                    "Accept": "application/sparql-results+json, application/n-triples;q=0.9",
                },
            )
        except httpx.TimeoutException:
            raise QueryTimeout(f"the SPARQL endpoint {self.query_url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL endpoint {self.query_url}: {exc}") from None
        if response.status_code == 400:
            raise QuerySyntaxError(f"the endpoint refused the query: {response.text.strip()[:300]}")
        if response.status_code >= 300:
            raise StoreError(f"the SPARQL endpoint answered {response.status_code}: {response.text.strip()[:300]}")
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media == "application/n-triples":
            triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
            return Result(kind="graph", triples=triples[:max_rows] if max_rows else triples,
                          truncated=bool(max_rows and len(triples) > max_rows))
        parsed = ox.parse_query_results(io.BytesIO(response.content), format=ox.QueryResultsFormat.JSON)
        return Result.from_oxigraph(parsed, max_rows=max_rows)

    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise StoreError(f"no update URL is configured for {self.query_url}; use sparql:QUERY_URL|UPDATE_URL")
        try:
            response = self.client.post(
                self.update_url, content=sparql.encode("utf-8"), headers={"Content-Type": "application/sparql-update"}
            )
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the SPARQL update endpoint {self.update_url}: {exc}") from None
        if response.status_code >= 300:
            raise StoreError(f"the update endpoint answered {response.status_code}: {response.text.strip()[:300]}")

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        self.update(insert_data_update(graph, quads))

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def put_graph(self, graph: str, triples: Iterable[ox.Triple], store_url: str | None = None) -> None:
        """Replace one named graph through the Graph Store Protocol (HTTP PUT): the
        endpoint swaps the graph's content only once the request has arrived whole, so
        a push that fails half-way leaves every graph either old or new, never empty."""
        target = store_url or self.query_url.rsplit("/", 1)[0] + "/store"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        try:
            response = self.client.put(target, params={"graph": graph}, content=body,
                                       headers={"Content-Type": "application/n-triples"})
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach the graph store endpoint {target}: {exc}") from None
        if response.status_code >= 300:
            raise StoreError(f"the graph store endpoint {target} answered {response.status_code} for <{graph}>: "
                             f"{response.text.strip()[:300]}")

    def load_quads(self, quads: Iterable[ox.Quad], store_url: str | None = None) -> None:
        """Bulk-load N-Quads through the Graph Store Protocol endpoint (``/store`` on Oxigraph)."""
        target = store_url or self.query_url.rsplit("/", 1)[0] + "/store"
        body = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
        response = self.client.post(target, content=body, headers={"Content-Type": "application/n-quads"})
        if response.status_code >= 300:
            raise StoreError(f"the graph store endpoint {target} answered {response.status_code}: {response.text.strip()[:300]}")

    def close(self) -> None:
        self.client.close()
