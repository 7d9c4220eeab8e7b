"""The SPARQL 1.1 Protocol endpoint: read-only, closed, private, time-limited.

GET ``?query=``, POST form ``query=`` and POST ``application/sparql-query`` are
answered in the format ``Accept`` asks for (SPARQL JSON, XML, CSV, TSV for
SELECT/ASK; Turtle, N-Triples, JSON-LD for CONSTRUCT/DESCRIBE). A GET without a
query returns the service description.

Before evaluation (:mod:`attestgraph.server.guard`, on the parse tree): updates,
SERVICE, LOAD and datasets naming graphs the caller may not read are refused (403);
a query the checker cannot parse is a 400 that says where. The dataset is decided
here and handed to Oxigraph explicitly: without a key it is the catalog graphs only
(default graph and named graphs alike), so no pattern, ``GRAPH ?g``, ``FROM NAMED``
or DESCRIBE reaches an engagement graph. Evaluation happens in a confined worker
(:mod:`attestgraph.server.workers`); past the time limit it is stopped (503).
"""

from __future__ import annotations

from functools import partial
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from attestgraph.errors import ForbiddenOperation, QueryError, Unauthorised
from attestgraph.graph.store import EmbeddedStore
from attestgraph.server.auth import key_matches
from attestgraph.server.formats import GRAPH_FORMATS, SELECT_FORMATS, negotiate
from attestgraph.server.guard import CheckedQuery, check_query, check_update
from attestgraph.server.problems import problem
from attestgraph.server.workers import Job

router = APIRouter()

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
            query = _text(body)
        elif media == "application/x-www-form-urlencoded":
            form = parse_qs(_text(body), keep_blank_values=True)
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


def _text(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise QueryError(f"the request body is not UTF-8 (byte {exc.start})") from None


def dataset(state, checked: CheckedQuery, defaults: list[str], named: list[str], everything: bool):
    """(store path, default graphs, named graphs) a query is evaluated over.

    The protocol's ``default-graph-uri`` / ``named-graph-uri`` win over the query's
    ``FROM`` / ``FROM NAMED`` (SPARQL 1.1 Protocol 2.1.4), and both may only name
    graphs the caller may read; with neither, :meth:`State.reading` decides (the
    union of what the caller may read).
    """
    readable = set(state.graphs() if everything else state.catalog_graphs())
    for iri in defaults + named:
        if iri not in readable:
            raise ForbiddenOperation(f"graph <{iri}> is not a graph this endpoint serves")
    location = getattr(state.store, "location", None)
    if defaults or named:
        return location, tuple(defaults), tuple(named)
    if checked.names_dataset:
        return location, checked.from_graphs, checked.from_named
    return state.reading(everything)


async def sparql(request: Request):
    """Answer one query whichever way it came."""
    query, defaults, named = await _params(request)
    if query is None:
        if request.method == "GET":
            return service_description(request)
        raise QueryError("no query given: send ?query=, a form field 'query', or an application/sparql-query body")
    state = request.app.state.state
    everything = key_matches(request, *state.settings.keys())
    readable = await run_in_threadpool(state.graphs if everything else state.catalog_graphs)
    # A remote engine may read a graph a query names outside the stated dataset (Virtuoso does).
    remote = not isinstance(state.store, EmbeddedStore)
    checked = await run_in_threadpool(partial(check_query, name_only_readable=remote), query, readable)
    path, default_graphs, named_graphs = dataset(state, checked, defaults, named, everything)
    media = negotiate(request.headers.get("accept"), "graph" if checked.form == "graph" else "table")
    if media is None:
        wanted = ", ".join(GRAPH_FORMATS if checked.form == "graph" else SELECT_FORMATS)
        return problem(406, "not acceptable", f"this result can be sent as {wanted}")
    job = Job(sparql=query, media=media, path=path, form=checked.form, default_graphs=default_graphs, named_graphs=named_graphs,
              max_rows=state.settings.max_rows, max_bytes=state.settings.max_answer_bytes)
    answer = await run_in_threadpool(state.executor.run, job)
    headers = {"X-Attestgraph-Truncated": "true"} if answer.truncated else {}
    return Response(answer.body, media_type=answer.media, headers=headers)


@router.post("/update", tags=["sparql"], summary="SPARQL 1.1 Update (off unless ATTESTGRAPH_UPDATE_KEY is set)")
async def update(request: Request):
    state = request.app.state.state
    key = state.settings.update_key
    if not key:
        raise ForbiddenOperation("the update route is off; the operator enables it with ATTESTGRAPH_UPDATE_KEY")
    if not key_matches(request, key):
        raise Unauthorised("send the update key as 'Authorization: Bearer KEY'")
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = _text(await request.body())
    if media == "application/x-www-form-urlencoded":
        body = parse_qs(body).get("update", [""])[0]
    elif media != "application/sparql-update":
        raise QueryError("POST the update as application/sparql-update or as a form field 'update'")
    await run_in_threadpool(check_update, body)
    await run_in_threadpool(state.apply_update, body)
    return Response(status_code=204)
