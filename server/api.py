"""The REST API under /api: the catalog, overlap, shared evidence, explanations, and
engagements analysed (or stored, behind an API key) with the same JSON shapes as the
CLI's ``--format json``, lists paged by one rule (:func:`page`).

Response bodies are declared in :mod:`attestgraph.server.schemas`; the problems each
route answers are declared with :func:`attestgraph.server.problems.responses`.
Catalog answers carry an ETag and are revalidated (server/caching.py).
"""

from __future__ import annotations

from typing import Any, TypeVar

import yaml
from fastapi import APIRouter, Query, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from attestgraph.errors import EngagementError, ForbiddenOperation, Unauthorised, UnknownIdentifier
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.documents import load_json, load_yaml
from attestgraph.queries.engagement.file import Engagement, parse_engagement
from attestgraph.server import schemas
from attestgraph.server.auth import key_matches
from attestgraph.server.problems import UnsupportedMediaType, responses

router = APIRouter(prefix="/api")
T = TypeVar("T")

# The engagement key, declared so OpenAPI shows which routes need it. The check itself
# is server/auth.py's (constant time, on the raw bytes); this only documents the scheme.
engagement_key = HTTPBearer(scheme_name="engagementKey", auto_error=False,
                            description="ATTESTGRAPH_API_KEY, sent as 'Authorization: Bearer KEY'")
KeyHeader = Security(engagement_key)

Offset = Query(0, ge=0, description="index of the first item")
Limit = Query(100, ge=1, le=1000, description="how many items at most")
ENGAGEMENT_MEDIA = ("application/json", "application/yaml", "application/x-yaml", "text/yaml")
ENGAGEMENT_BODY: dict[str, Any] = {"requestBody": {"required": True, "description": "an engagement document "
                                   "(see examples/acme-ai.yaml)", "content": {
                                       "application/json": {"schema": {"type": "object"}},
                                       "application/yaml": {"schema": {"type": "string"}}}}}


def page(items: list[T], offset: int, limit: int) -> dict[str, Any]:
    """The one paging rule: ``items[offset:offset + limit]`` with the list's total."""
    return {"total": len(items), "offset": offset, "limit": limit, "items": items[offset: offset + limit]}


def _services(request: Request) -> Any:
    """The app's shared pieces (server/app.py: Services)."""
    return request.app.state.services


def _catalog(request: Request) -> Catalog:
    catalog: Catalog = _services(request).catalog.catalog
    return catalog


@router.get("/frameworks", tags=["catalog"], response_model=list[schemas.Framework],
            summary="Frameworks with their requirement counts by level")
def frameworks(request: Request) -> list[dict[str, Any]]:
    return list(_catalog(request).frameworks.values())


@router.get("/frameworks/{slug}", tags=["catalog"], response_model=schemas.Framework,
            responses=responses(404), summary="One framework")
def framework(request: Request, slug: str) -> dict[str, Any]:
    found: dict[str, Any] = _catalog(request).framework(slug)
    return found


@router.get("/frameworks/{slug}/requirements", tags=["catalog"], response_model=schemas.Page[schemas.Requirement],
            responses=responses(400, 404), summary="Requirements of a framework, paged")
def requirements(request: Request, slug: str, offset: int = Offset, limit: int = Limit,
                 level: str | None = None, leaf: bool | None = None) -> dict[str, Any]:
    found = _catalog(request).requirements(slug)
    if level is not None:
        found = [r for r in found if r.level == level]
    if leaf is not None:
        found = [r for r in found if r.leaf == leaf]
    return page([_requirement(r) for r in found], offset, limit)


def _requirement(r: Any) -> dict[str, Any]:
    return {"id": r.ref, "framework": r.slug, "notation": r.notation, "title": r.label, "summary": r.definition,
            "level": r.level, "parent": r.parent, "category": r.category, "leaf": r.leaf, "mandatory": r.mandatory,
            "not_applicable": r.not_applicable}


@router.get("/requirements/{slug}/{notation:path}", tags=["catalog"], response_model=schemas.Requirement,
            responses=responses(404), summary="One requirement by its official id")
def requirement(request: Request, slug: str, notation: str) -> dict[str, Any]:
    return _requirement(_catalog(request).requirement(f"{slug}:{notation}"))


@router.get("/controls", tags=["catalog"], response_model=schemas.Page[schemas.Control],
            responses=responses(400), summary="The control catalog, paged")
def controls(request: Request, offset: int = Offset, limit: int = Limit) -> dict[str, Any]:
    return page(list(_catalog(request).controls.values()), offset, limit)


@router.get("/controls/{identifier}", tags=["catalog"], response_model=schemas.Control,
            responses=responses(404), summary="One control")
def control(request: Request, identifier: str) -> dict[str, Any]:
    found: dict[str, Any] = _catalog(request).control(identifier)
    return found


@router.get("/evidence-types", tags=["catalog"], response_model=schemas.Page[schemas.EvidenceType],
            responses=responses(400), summary="The evidence catalog, paged")
def evidence_types(request: Request, offset: int = Offset, limit: int = Limit) -> dict[str, Any]:
    return page(list(_catalog(request).evidence_types.values()), offset, limit)


@router.get("/evidence-types/{identifier}", tags=["catalog"], response_model=schemas.EvidenceType,
            responses=responses(404), summary="One evidence type")
def evidence_type(request: Request, identifier: str) -> dict[str, Any]:
    found: dict[str, Any] = _catalog(request).evidence_type(identifier)
    return found


@router.get("/overlap", tags=["analysis"], response_model=schemas.Overlap, responses=responses(400, 404),
            summary="Related requirement pairs of two frameworks (paged) and coverage each way")
def overlap(request: Request, a: str = Query(..., description="framework slug"),
            b: str = Query(..., description="framework slug"),
            offset: int = Offset, limit: int = Limit) -> dict[str, Any]:
    from attestgraph.queries.analysis.overlap import overlap as compute

    services = _services(request)
    catalog = services.catalog.catalog
    full = services.answers.get(("overlap", a, b), lambda: compute(services.store.store, a, b, catalog))
    # "crosswalk" is the same list as "pairs": the API sends it once, paged.
    answer = {key: value for key, value in full.items() if key != "crosswalk"}
    answer["pairs"] = page(full["pairs"], offset, limit)
    return answer


@router.get("/evidence", tags=["analysis"], response_model=schemas.SharedEvidence, responses=responses(400, 404),
            summary="Shared evidence ranked by the requirements it serves")
def evidence(request: Request,
             frameworks: str | None = Query(None, description="comma-separated slugs")) -> dict[str, Any]:
    from attestgraph.queries.analysis.evidence import shared_evidence

    chosen = [s.strip() for s in frameworks.split(",") if s.strip()] if frameworks else None
    services = _services(request)
    catalog = services.catalog.catalog
    answer: dict[str, Any] = services.answers.get(("evidence", tuple(chosen or ())),
                                                  lambda: shared_evidence(services.store.store, chosen, catalog))
    return answer


@router.get("/explain", tags=["analysis"], response_model=schemas.Explanation, responses=responses(400, 404),
            summary="Why two requirements relate: the chains of mappings")
def explain(request: Request, x: str = Query(..., description="slug:notation"),
            y: str = Query(..., description="slug:notation")) -> dict[str, Any]:
    from attestgraph.queries.analysis.explain import explain as compute

    answer: dict[str, Any] = compute(_services(request).store.store, x, y, _catalog(request))
    return answer


async def _engagement_document(request: Request) -> tuple[object, str]:
    """The body as a document, read within the bounds of :mod:`attestgraph.queries.engagement.documents`."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    if media not in ENGAGEMENT_MEDIA and media != "":
        raise UnsupportedMediaType(f"send the engagement as application/json or application/yaml, not {media}")
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EngagementError("body", f"byte {exc.start}", "not UTF-8 text") from None
    if media in ("application/json", ""):
        return await run_in_threadpool(load_json, text, "body"), "body"
    try:
        return await run_in_threadpool(load_yaml, text, "body"), "body"
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        raise EngagementError("body", where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _validated(request: Request, document: object, source: str) -> Engagement:
    catalog = _catalog(request)
    return parse_engagement(document, source, known_controls=set(catalog.controls),
                            known_evidence=set(catalog.evidence_types),
                            known_components=set(_services(request).catalog.components))


@router.post("/engagements/analyse", tags=["engagements"], response_model=schemas.Analysis,
             responses=responses(413, 415, 422), openapi_extra=ENGAGEMENT_BODY,
             summary="Findings, gaps and plan for an engagement posted as JSON or YAML (nothing is stored)")
async def analyse(request: Request) -> dict[str, Any]:
    document, source = await _engagement_document(request)
    engagement = _validated(request, document, source)
    answer: dict[str, Any] = await run_in_threadpool(_services(request).analyses.analyse, engagement, document)
    return answer


def _require_key(request: Request) -> None:
    """Stored engagements describe a client's systems, vendors and weaknesses: reading
    them needs the key as much as writing them does."""
    key = _services(request).settings.api_key
    if not key:
        raise ForbiddenOperation("stored engagements are off; the operator enables them with ATTESTGRAPH_API_KEY")
    if not key_matches(request, key):
        raise Unauthorised("send the API key as 'Authorization: Bearer KEY'")


def _unknown_engagement(identifier: str) -> UnknownIdentifier:
    # Never the list of stored ids: their names alone say who the clients are.
    return UnknownIdentifier("engagement", identifier)


PRIVATE = {"Cache-Control": "private, no-store"}  # a client's engagement never sits in a shared cache


@router.get("/engagements", tags=["engagements"], response_model=schemas.EngagementIds,
            responses=responses(401, 403), summary="Ids of the stored engagements (needs the API key)")
async def stored_engagements(request: Request, response: Response,
                             _key: HTTPAuthorizationCredentials | None = KeyHeader) -> dict[str, Any]:
    _require_key(request)
    response.headers.update(PRIVATE)
    return {"items": await run_in_threadpool(_services(request).engagements.ids)}


@router.put("/engagements/{identifier}", tags=["engagements"], status_code=201, response_model=schemas.StoredEngagement,
            responses={200: {"model": schemas.StoredEngagement, "description": "an engagement stored before was replaced"},
                       201: {"description": "the engagement was stored; Location names where to read it"},
                       **responses(401, 403, 413, 415, 422)},
            openapi_extra=ENGAGEMENT_BODY,
            summary="Store an engagement in its own named graph, in one transaction (needs the API key)")
async def store_engagement(request: Request, identifier: str,
                           _key: HTTPAuthorizationCredentials | None = KeyHeader) -> JSONResponse:
    _require_key(request)
    document, source = await _engagement_document(request)
    engagement = _validated(request, document, source)
    if engagement.id != identifier:
        raise EngagementError(source, "engagement.id", f"must equal the id in the URL ({identifier!r}), got {engagement.id!r}")
    engagements = _services(request).engagements
    existed = await run_in_threadpool(engagements.document, identifier) is not None
    await run_in_threadpool(engagements.save, engagement, document)
    body = schemas.StoredEngagement(id=engagement.id, graph=engagement.graph).model_dump()
    if existed:
        return JSONResponse(body, status_code=200, headers=PRIVATE)
    location = str(request.url_for("stored_engagement", identifier=engagement.id).path)
    return JSONResponse(body, status_code=201, headers={"Location": location, **PRIVATE})


@router.get("/engagements/{identifier}", tags=["engagements"], response_model=schemas.Analysis,
            responses=responses(401, 403, 404, 422),
            summary="Findings, gaps and plan of a stored engagement (needs the API key)")
async def stored_engagement(request: Request, response: Response, identifier: str,
                            _key: HTTPAuthorizationCredentials | None = KeyHeader) -> dict[str, Any]:
    _require_key(request)
    services = _services(request)
    document = await run_in_threadpool(services.engagements.document, identifier)
    if document is None:
        raise _unknown_engagement(identifier)
    engagement = _validated(request, document, f"stored engagement {identifier}")
    response.headers.update(PRIVATE)
    answer: dict[str, Any] = await run_in_threadpool(services.analyses.analyse, engagement, document)
    return answer


@router.delete("/engagements/{identifier}", tags=["engagements"], status_code=204,
               responses=responses(401, 403, 404), summary="Remove a stored engagement (needs the API key)")
async def delete_engagement(request: Request, identifier: str,
                            _key: HTTPAuthorizationCredentials | None = KeyHeader) -> Response:
    _require_key(request)
    engagements = _services(request).engagements
    if await run_in_threadpool(engagements.document, identifier) is None:
        raise _unknown_engagement(identifier)
    await run_in_threadpool(engagements.delete, identifier)
    return Response(status_code=204)
