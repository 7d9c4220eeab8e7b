"""The SPARQL 1.1 Protocol endpoint: read-only, closed, time-limited.

GET ``?query=``, POST form ``query=`` and POST ``application/sparql-query`` are
answered in the format ``Accept`` asks for (SPARQL JSON, XML, CSV, TSV for
SELECT/ASK; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE). A GET without a
query returns the service description. Updates, SERVICE, LOAD and datasets that
name graphs outside the store are refused with 403 before evaluation; a syntax
error is a 400 that says where; a query past the time limit is a 503.
"""

from __future__ import annotations

import hmac
from urllib.parse import parse_qs

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response

from attestgraph import render
from attestgraph import vocabulary as v
from attestgraph.errors import ForbiddenOperation, QueryError, Unauthorised
from attestgraph.graph.results import Result
from attestgraph.queries.guard import check_read_only, keywords
from attestgraph.server.problems import problem

router = APIRouter()

SELECT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}


def _accepted(header: str | None) -> list[str]:
    """Media types from an Accept header, best first (q-values honoured, order kept on ties)."""
    if not header:
        return []
    ranked = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    quality = float(f[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, fields[0].lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, kind: str) -> str | None:
    table = GRAPH_FORMATS if kind == "graph" else SELECT_FORMATS
    default = "text/turtle" if kind == "graph" else "application/sparql-results+json"
    wanted = _accepted(accept)
    if not wanted:
        return default
    for media in wanted:
        if media in table:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


def serialize(result: Result, media: str) -> bytes:
    if result.kind == "graph":
        if media == "text/turtle":
            return ox.serialize(result.triples, format=ox.RdfFormat.TURTLE, prefixes=v.PREFIXES)
        return ox.serialize(result.triples, format=GRAPH_FORMATS[media])
    form = SELECT_FORMATS[media]
    if form == "json":
        return render.sparql_json(result).encode()
    if form == "csv":
        return render.sparql_csv(result).encode()
    if form == "tsv":
        return render.sparql_tsv(result).encode()
    return sparql_xml(result).encode()


def sparql_xml(result: Result) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean></sparql>")
        return "".join(out)
    out.append("<results>")
    for row in result.rows:
        out.append("<result>")
        for name, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                value = f"<uri>{escape(term.value)}</uri>"
            elif isinstance(term, ox.BlankNode):
                value = f"<bnode>{escape(term.value)}</bnode>"
            else:
                attrs = ""
                if term.language:
                    attrs = f" xml:lang={quoteattr(term.language)}"
                elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                    attrs = f" datatype={quoteattr(term.datatype.value)}"
                value = f"<literal{attrs}>{escape(term.value)}</literal>"
            out.append(f"<binding name={quoteattr(name)}>{value}</binding>")
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out)


def service_description(request: Request) -> Response:
    endpoint = str(request.url).split("?")[0]
    formats = "".join(f"  sd:resultFormat <http://www.w3.org/ns/formats/{name}> ;\n" for name in
                      ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "JSON-LD"))
    body = (
        "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
        f"<{endpoint}> a sd:Service ;\n"
        f"  sd:endpoint <{endpoint}> ;\n"
        "  sd:supportedLanguage sd:SPARQL11Query ;\n"
        f"{formats}"
        "  sd:feature sd:UnionDefaultGraph ;\n"
        "  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .\n"
    )
    return Response(body, media_type="text/turtle")


async def _params(request: Request) -> tuple[str | None, list[str], list[str]]:
    query_params = parse_qs(request.url.query, keep_blank_values=True)
    query = query_params.get("query", [None])[0]
    defaults = query_params.get("default-graph-uri", [])
    named = query_params.get("named-graph-uri", [])
    if request.method == "POST":
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        body = await request.body()
        if media == "application/sparql-query":
            query = body.decode("utf-8", errors="replace")
        elif media == "application/x-www-form-urlencoded":
            form = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
            if "update" in form:
                raise ForbiddenOperation("this endpoint is read-only: updates are refused")
            query = form.get("query", [query])[0]
            defaults += form.get("default-graph-uri", [])
            named += form.get("named-graph-uri", [])
        elif media == "application/sparql-update":
            raise ForbiddenOperation("this endpoint is read-only: updates are refused")
        else:
            raise QueryError(
                "POST a query as application/sparql-query or as a form (application/x-www-form-urlencoded) field 'query'"
            )
    return query, defaults, named


@router.get("/sparql", tags=["sparql"], operation_id="sparql_get",
            summary="SPARQL 1.1 Protocol query by GET ?query= (no query: the service description)")
async def sparql_get(request: Request):
    return await sparql(request)


@router.post("/sparql", tags=["sparql"], operation_id="sparql_post",
             summary="SPARQL 1.1 Protocol query by POST (application/sparql-query or a form field 'query')")
async def sparql_post(request: Request):
    return await sparql(request)


async def sparql(request: Request):
    """Answer one query whichever way it came."""
    query, defaults, named = await _params(request)
    if query is None:
        if request.method == "GET":
            return service_description(request)
        raise QueryError("no query given: send ?query=, a form field 'query', or an application/sparql-query body")
    state = request.app.state.state
    graphs = state.graphs()
    check_read_only(query, known_graphs=graphs)
    for iri in defaults + named:
        if iri not in graphs:
            raise ForbiddenOperation(f"graph <{iri}> is not a graph of this store")
    from starlette.concurrency import run_in_threadpool

    result = await run_in_threadpool(state.executor.run, query, defaults or None, named or None)
    media = negotiate(request.headers.get("accept"), "graph" if result.kind == "graph" else "table")
    if media is None:
        wanted = ", ".join(GRAPH_FORMATS if result.kind == "graph" else SELECT_FORMATS)
        return problem(406, "not acceptable", f"this result can be sent as {wanted}")
    headers = {"X-Attestgraph-Truncated": "true"} if result.truncated else {}
    return Response(serialize(result, media), media_type=media, headers=headers)


@router.post("/update", tags=["sparql"], summary="SPARQL 1.1 Update (off unless ATTESTGRAPH_UPDATE_KEY is set)")
async def update(request: Request):
    state = request.app.state.state
    key = state.settings.update_key
    if not key:
        raise ForbiddenOperation("the update route is off; the operator enables it with ATTESTGRAPH_UPDATE_KEY")
    if not hmac.compare_digest(request.headers.get("authorization", ""), f"Bearer {key}"):
        raise Unauthorised("send the update key as 'Authorization: Bearer KEY'")
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = (await request.body()).decode("utf-8", errors="replace")
    if media == "application/x-www-form-urlencoded":
        body = parse_qs(body).get("update", [""])[0]
    elif media != "application/sparql-update":
        raise QueryError("POST the update as application/sparql-update or as a form field 'update'")
    if {"SERVICE", "LOAD"} & keywords(body):
        raise ForbiddenOperation("LOAD and SERVICE are refused: the server never fetches data from elsewhere")
    state.apply_update(body)
    return Response(status_code=204)
