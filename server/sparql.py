"""The SPARQL 1.1 Protocol endpoint: read-only, closed, private, time-limited.

GET ``?query=``, POST form ``query=`` and POST ``application/sparql-query`` are
answered in the format ``Accept`` asks for (SPARQL JSON, XML, CSV, TSV for
SELECT/ASK; Turtle, N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE); HEAD is
answered like GET without a body. A GET without a query returns the service
description, in Turtle, RDF/XML, JSON-LD or N-Triples. Every answer carries
``Vary: Accept``. Exactly one query per request: a repeated ``query`` parameter, or
one in the URL and one in the body, is a 400 (SPARQL 1.1 Protocol 2.1). Relative
IRIs resolve against :data:`~attestgraph.server.guard.BASE_IRI`.

Before evaluation (:mod:`attestgraph.server.guard`, on the parse tree): updates,
SERVICE, LOAD and datasets naming graphs the caller may not read are refused (403);
a query the checker cannot parse is a 400 that says where. The dataset is decided
here and handed to Oxigraph explicitly: without a key it is the catalog graphs only
(default graph and named graphs alike), so no pattern, ``GRAPH ?g``, ``FROM NAMED``
or DESCRIBE reaches an engagement graph. Evaluation happens in a confined worker
(:mod:`attestgraph.server.workers`); past the time limit it is stopped (503).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from attestgraph.errors import AttestgraphError, ForbiddenOperation, QueryError, Unauthorised
from attestgraph.server import problems
from attestgraph.server.auth import key_matches
from attestgraph.server.formats import (
    FORMAT_NAMES,
    GRAPH_FORMATS,
    SELECT_FORMATS,
    charset,
    media_type,
    negotiate,
    serialize_graph,
)
from attestgraph.server.guard import CheckedQuery, check_query, check_update
from attestgraph.server.problems import UnsupportedMediaType
from attestgraph.server.workers import Job

router = APIRouter()

SD = "http://www.w3.org/ns/sparql-service-description#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VARY = "Accept"
QUERY_MEDIA = "application/sparql-query"
FORM_MEDIA = "application/x-www-form-urlencoded"

# What /openapi.json says about /sparql: its parameters and the bodies it reads.
PROTOCOL_PARAMETERS: list[dict[str, Any]] = [
    {"name": "query", "in": "query", "required": False, "schema": {"type": "string"},
     "description": "the SPARQL query (GET; without it, GET answers the service description)"},
    {"name": "default-graph-uri", "in": "query", "required": False, "explode": True,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "graphs whose merge is the default graph (overrides the query's FROM)"},
    {"name": "named-graph-uri", "in": "query", "required": False, "explode": True,
     "schema": {"type": "array", "items": {"type": "string"}},
     "description": "graphs the query may name with GRAPH (overrides the query's FROM NAMED)"},
]
QUERY_BODIES: dict[str, Any] = {"requestBody": {"required": True, "content": {
    QUERY_MEDIA: {"schema": {"type": "string"}},
    FORM_MEDIA: {"schema": {"type": "object", "properties": {
        "query": {"type": "string"},
        "default-graph-uri": {"type": "array", "items": {"type": "string"}},
        "named-graph-uri": {"type": "array", "items": {"type": "string"}}}, "required": ["query"]}},
}}}
ANSWERS: dict[int | str, dict[str, Any]] = {
    200: {"description": "the answer, in the format Accept asks for",
          "content": {media: {} for media in (*SELECT_FORMATS, *GRAPH_FORMATS)}},
    **problems.responses(400, 403, 406, 413, 415, 503),
}


@dataclass(frozen=True)
class ProtocolRequest:
    """One query request as the protocol reads it, whichever way it came."""

    query: str | None
    default_graphs: list[str]
    named_graphs: list[str]


def _one(values: list[str], where: str) -> str | None:
    if len(values) > 1:
        raise QueryError(f"{len(values)} 'query' parameters in the {where}; send exactly one query per request")
    return values[0] if values else None


def _text(body: bytes, declared: str | None) -> str:
    """The body as text: UTF-8, the one encoding the protocol allows (SPARQL 1.1 Protocol 2.1.3)."""
    if declared not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"the body is declared charset={declared}; send it as UTF-8")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"the request body is not UTF-8 (byte {exc.start})") from None


async def read_request(request: Request) -> ProtocolRequest:
    """The query and the protocol dataset of a GET or POST; raises on anything else."""
    url = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in url:
        raise ForbiddenOperation("this endpoint is read-only: updates are refused")
    query = _one(url.get("query", []), "URL")
    defaults, named = url.get("default-graph-uri", []), url.get("named-graph-uri", [])
    if request.method != "POST":
        return ProtocolRequest(query, defaults, named)
    content_type = request.headers.get("content-type")
    media = media_type(content_type)
    if media == "application/sparql-update":
        raise ForbiddenOperation("this endpoint is read-only: updates are refused")
    if media not in (QUERY_MEDIA, FORM_MEDIA):
        raise UnsupportedMediaType(f"POST a query as {QUERY_MEDIA} or as a form ({FORM_MEDIA}) field 'query', "
                                   f"not {media or 'a body without a Content-Type'}")
    body = _text(await request.body(), charset(content_type))
    if media == QUERY_MEDIA:
        if query is not None:
            raise QueryError(f"a query in the URL and another in the {QUERY_MEDIA} body; send exactly one")
        return ProtocolRequest(body, defaults, named)
    form = parse_qs(body, keep_blank_values=True)
    if "update" in form:
        raise ForbiddenOperation("this endpoint is read-only: updates are refused")
    in_form = _one(form.get("query", []), "form")
    if query is not None and in_form is not None:
        raise QueryError("a query in the URL and another in the form; send exactly one")
    return ProtocolRequest(in_form if in_form is not None else query, defaults + form.get("default-graph-uri", []),
                           named + form.get("named-graph-uri", []))


def service_description(request: Request, graphs: list[str]) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the format Accept asks
    for. It lists the catalog graphs only, whoever asks (and so may be cached by anyone):
    never an engagement graph."""
    media = negotiate(request.headers.get("accept"), "graph")
    if media is None:
        return _not_acceptable(GRAPH_FORMATS)
    endpoint = ox.NamedNode(str(request.url).split("?")[0])

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    # Fixed blank node labels: the same store gives the same bytes (and the HEAD its GET's length).
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("default")
    triples = [
        ox.Triple(endpoint, ox.NamedNode(RDF_TYPE), sd("Service")),
        ox.Triple(endpoint, sd("endpoint"), endpoint),
        ox.Triple(endpoint, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(endpoint, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(endpoint, sd("feature"), sd("EmptyGraphs")),
        ox.Triple(endpoint, sd("defaultDataset"), dataset),
        ox.Triple(dataset, ox.NamedNode(RDF_TYPE), sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, ox.NamedNode(RDF_TYPE), sd("Graph")),
    ]
    triples += [ox.Triple(endpoint, sd("resultFormat"), ox.NamedNode(f"http://www.w3.org/ns/formats/{name}"))
                for name in FORMAT_NAMES.values()]
    for index, graph in enumerate(sorted(graphs)):
        node = ox.BlankNode(f"graph{index}")
        triples += [ox.Triple(dataset, sd("namedGraph"), node), ox.Triple(node, ox.NamedNode(RDF_TYPE), sd("NamedGraph")),
                    ox.Triple(node, sd("name"), ox.NamedNode(graph))]
    body = serialize_graph(triples, media, {"sd": SD, "formats": "http://www.w3.org/ns/formats/"})
    return Response(body, media_type=media, headers={"Vary": VARY})


def _not_acceptable(table: dict[str, Any]) -> Response:
    response: Response = problems.problem(406, "not acceptable", f"this answer can be sent as {', '.join(table)}",
                                "not-acceptable")
    response.headers["Vary"] = VARY
    return response


def dataset(services: Any, checked: CheckedQuery, asked: ProtocolRequest,
            everything: bool) -> tuple[str | None, tuple[str, ...] | None, tuple[str, ...] | None]:
    """(store path, default graphs, named graphs) a query is evaluated over, ``None``
    graphs meaning the union / all of that store.

    The protocol's ``default-graph-uri`` / ``named-graph-uri`` win over the query's
    ``FROM`` / ``FROM NAMED`` (SPARQL 1.1 Protocol 2.1.4), and both may only name
    graphs the caller may read. With neither, a caller with a key reads everything;
    one without reads a store holding no engagement graph (the store itself when it
    has none, else the writer's public view), so the fast union default graph stays
    private. Only a read-only server over a store that already holds engagements has
    no such copy: there the catalog graphs are passed explicitly (private, and slower).
    """
    catalog = services.catalog
    readable = catalog.graphs() if everything else catalog.catalog_graphs()
    for iri in asked.default_graphs + asked.named_graphs:
        if iri not in readable:
            raise ForbiddenOperation(f"graph <{iri}> is not a graph this endpoint serves")
    location = services.store.location
    if asked.default_graphs or asked.named_graphs:
        return location, tuple(asked.default_graphs), tuple(asked.named_graphs)
    if checked.names_dataset:
        return location, checked.from_graphs, checked.from_named
    if everything or len(readable) == len(catalog.graphs()):
        return location, None, None
    if services.store.public_location is not None:
        return services.store.public_location, None, None
    return location, tuple(readable), tuple(readable)


async def answer(request: Request) -> Response:
    """Answer one query request whichever way it came."""
    services = request.app.state.services
    asked = await read_request(request)
    if asked.query is None:
        if request.method == "POST":
            raise QueryError("no query given: send ?query=, a form field 'query', or an application/sparql-query body")
        return service_description(request, await run_in_threadpool(services.catalog.catalog_graphs))
    everything = key_matches(request, *services.settings.keys())
    readable = await run_in_threadpool(services.catalog.graphs if everything else services.catalog.catalog_graphs)
    # A remote engine may read a graph a query names outside the stated dataset (Virtuoso does).
    remote = services.store.store.oxigraph is None
    checked = await run_in_threadpool(partial(check_query, name_only_readable=remote), asked.query, readable)
    path, default_graphs, named_graphs = dataset(services, checked, asked, everything)
    table = GRAPH_FORMATS if checked.form == "graph" else SELECT_FORMATS
    media = negotiate(request.headers.get("accept"), "graph" if checked.form == "graph" else "table")
    if media is None:
        return _not_acceptable(table)
    job = Job(sparql=asked.query, media=media, path=path, form=checked.form, default_graphs=default_graphs,
              named_graphs=named_graphs, max_rows=services.settings.max_rows,
              max_bytes=services.settings.max_answer_bytes)
    result = await run_in_threadpool(services.executor.run, job)
    headers = {"Vary": VARY}
    if result.truncated:
        headers["X-Attestgraph-Truncated"] = "true"
    return Response(result.body, media_type=result.media, headers=headers)


@router.get("/sparql", tags=["sparql"], operation_id="sparql_get", responses=ANSWERS,
            openapi_extra={"parameters": PROTOCOL_PARAMETERS},
            summary="SPARQL 1.1 Protocol query by GET ?query= (no query: the service description)")
async def sparql_get(request: Request) -> Response:
    return await answer(request)


@router.head("/sparql", tags=["sparql"], operation_id="sparql_head", responses=ANSWERS,
             openapi_extra={"parameters": PROTOCOL_PARAMETERS},
             summary="The headers GET /sparql would answer, without the body")
async def sparql_head(request: Request) -> Response:
    try:
        full = await answer(request)
    except AttestgraphError as exc:
        full = problems.error_response(exc)
    # Same status and headers (Content-Length included) as the GET, no body (RFC 9110 9.3.2).
    return Response(b"", status_code=full.status_code, headers=dict(full.headers))


@router.post("/sparql", tags=["sparql"], operation_id="sparql_post", responses=ANSWERS,
             openapi_extra={"parameters": PROTOCOL_PARAMETERS, **QUERY_BODIES},
             summary="SPARQL 1.1 Protocol query by POST (application/sparql-query or a form field 'query')")
async def sparql_post(request: Request) -> Response:
    return await answer(request)


@router.post("/update", tags=["sparql"], status_code=204,
             responses={204: {"description": "the update ran, in one transaction"},
                        **problems.responses(400, 401, 403, 415, 503)},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/sparql-update": {"schema": {"type": "string"}},
                 FORM_MEDIA: {"schema": {"type": "object", "properties": {"update": {"type": "string"}},
                                         "required": ["update"]}}}}},
             summary="SPARQL 1.1 Update (off unless ATTESTGRAPH_UPDATE_KEY is set)")
async def update(request: Request) -> Response:
    services = request.app.state.services
    key = services.settings.update_key
    if not key:
        raise ForbiddenOperation("the update route is off; the operator enables it with ATTESTGRAPH_UPDATE_KEY")
    if not key_matches(request, key):
        raise Unauthorised("send the update key as 'Authorization: Bearer KEY'")
    content_type = request.headers.get("content-type")
    media = media_type(content_type)
    if media not in ("application/sparql-update", FORM_MEDIA):
        raise UnsupportedMediaType(f"POST the update as application/sparql-update or as a form ({FORM_MEDIA}) "
                                   "field 'update'")
    body = _text(await request.body(), charset(content_type))
    if media == FORM_MEDIA:
        updates = parse_qs(body).get("update", [])
        if len(updates) != 1:
            raise QueryError(f"{len(updates)} 'update' fields in the form; send exactly one")
        body = updates[0]
    await run_in_threadpool(check_update, body)
    await run_in_threadpool(services.store.write, body)
    return Response(status_code=204)
