"""The REST API under /api: the catalog, overlap, shared evidence, explanations, and
engagements analysed (or stored, behind an API key) with the same JSON shapes as the
CLI's ``--format json``."""

from __future__ import annotations

import yaml
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from attestgraph.errors import EngagementError, ForbiddenOperation, Unauthorised, UnknownIdentifier
from attestgraph.queries.engagement.documents import load_json, load_yaml
from attestgraph.queries.engagement.file import parse_engagement
from attestgraph.server.auth import key_matches

router = APIRouter(prefix="/api")

Offset = Query(0, ge=0, description="index of the first item")
Limit = Query(100, ge=1, le=1000, description="how many items at most")


def page(items: list, offset: int, limit: int) -> dict:
    return {"total": len(items), "offset": offset, "limit": limit, "items": items[offset: offset + limit]}


def _state(request: Request):
    """The app's shared State (server/app.py)."""
    return request.app.state.state


def _catalog(request: Request):
    return _state(request).catalog


@router.get("/frameworks", tags=["catalog"], summary="Frameworks with their requirement counts by level")
def frameworks(request: Request):
    return list(_catalog(request).frameworks.values())


@router.get("/frameworks/{slug}", tags=["catalog"], summary="One framework")
def framework(request: Request, slug: str):
    return _catalog(request).framework(slug)


@router.get("/frameworks/{slug}/requirements", tags=["catalog"], summary="Requirements of a framework, paged")
def requirements(request: Request, slug: str, offset: int = Offset, limit: int = Limit,
                 level: str | None = None, leaf: bool | None = None):
    found = _catalog(request).requirements(slug)
    if level is not None:
        found = [r for r in found if r.level == level]
    if leaf is not None:
        found = [r for r in found if r.leaf == leaf]
    return page([_requirement(r) for r in found], offset, limit)


def _requirement(r) -> dict:
    return {"id": r.ref, "framework": r.slug, "notation": r.notation, "title": r.label, "summary": r.definition,
            "level": r.level, "parent": r.parent, "category": r.category, "leaf": r.leaf, "mandatory": r.mandatory,
            "not_applicable": r.not_applicable}


@router.get("/requirements/{slug}/{notation:path}", tags=["catalog"], summary="One requirement by its official id")
def requirement(request: Request, slug: str, notation: str):
    return _requirement(_catalog(request).requirement(f"{slug}:{notation}"))


@router.get("/controls", tags=["catalog"], summary="The control catalog, paged")
def controls(request: Request, offset: int = Offset, limit: int = Limit):
    return page(list(_catalog(request).controls.values()), offset, limit)


@router.get("/controls/{identifier}", tags=["catalog"], summary="One control")
def control(request: Request, identifier: str):
    return _catalog(request).control(identifier)


@router.get("/evidence-types", tags=["catalog"], summary="The evidence catalog, paged")
def evidence_types(request: Request, offset: int = Offset, limit: int = Limit):
    return page(list(_catalog(request).evidence_types.values()), offset, limit)


@router.get("/evidence-types/{identifier}", tags=["catalog"], summary="One evidence type")
def evidence_type(request: Request, identifier: str):
    return _catalog(request).evidence_type(identifier)


@router.get("/overlap", tags=["analysis"], summary="Related requirement pairs of two frameworks and coverage each way")
def overlap(request: Request, a: str = Query(..., description="framework slug"), b: str = Query(..., description="framework slug"),
            offset: int = Offset, limit: int = Query(1000, ge=1, le=10000)):
    from attestgraph.queries.analysis.overlap import overlap as compute

    state = _state(request)
    full = state.cached(("overlap", a, b), lambda: compute(state.store, a, b, state.catalog))
    return dict(full, pairs=full["pairs"][offset: offset + limit], pairs_total=len(full["pairs"]))


@router.get("/evidence", tags=["analysis"], summary="Shared evidence ranked by the requirements it serves")
def evidence(request: Request, frameworks: str | None = Query(None, description="comma-separated slugs")):
    from attestgraph.queries.analysis.evidence import shared_evidence

    chosen = [s.strip() for s in frameworks.split(",") if s.strip()] if frameworks else None
    state = _state(request)
    return state.cached(("evidence", tuple(chosen or ())), lambda: shared_evidence(state.store, chosen, state.catalog))


@router.get("/explain", tags=["analysis"], summary="Why two requirements relate: the chains of mappings")
def explain(request: Request, x: str = Query(..., description="slug:notation"), y: str = Query(..., description="slug:notation")):
    from attestgraph.queries.analysis.explain import explain as compute

    return compute(_state(request).store, x, y, _catalog(request))


async def _engagement_document(request: Request) -> tuple[object, str]:
    """The body as a document, read within the bounds of :mod:`attestgraph.queries.engagement.documents`."""
    media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EngagementError("body", f"byte {exc.start}", "not UTF-8 text") from None
    if media in ("application/json", ""):
        return await run_in_threadpool(load_json, text, "body"), "body"
    if media in ("application/yaml", "application/x-yaml", "text/yaml"):
        try:
            return await run_in_threadpool(load_yaml, text, "body"), "body"
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
            raise EngagementError("body", where, f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    raise EngagementError("body", "(content-type)", f"send application/json or application/yaml, not {media}")


def _validated(request: Request, document, source: str):
    catalog = _catalog(request)
    return parse_engagement(document, source, known_controls=set(catalog.controls),
                            known_evidence=set(catalog.evidence_types),
                            known_components=set(_state(request).components))


@router.post("/engagements/analyse", tags=["engagements"],
             summary="Findings, gaps and plan for an engagement posted as JSON or YAML (nothing is stored)")
async def analyse(request: Request):
    document, source = await _engagement_document(request)
    engagement = _validated(request, document, source)
    return await run_in_threadpool(_state(request).analyse, engagement)


def _require_key(request: Request) -> None:
    """Stored engagements describe a client's systems, vendors and weaknesses: reading
    them needs the key as much as writing them does."""
    key = _state(request).settings.api_key
    if not key:
        raise ForbiddenOperation("stored engagements are off; the operator enables them with ATTESTGRAPH_API_KEY")
    if not key_matches(request, key):
        raise Unauthorised("send the API key as 'Authorization: Bearer KEY'")


def _unknown_engagement(identifier: str) -> UnknownIdentifier:
    # Never the list of stored ids: their names alone say who the clients are.
    return UnknownIdentifier("engagement", identifier)


@router.get("/engagements", tags=["engagements"], summary="Ids of the stored engagements (needs the API key)")
async def stored_engagements(request: Request):
    _require_key(request)
    return {"items": await run_in_threadpool(_state(request).stored_ids)}


@router.put("/engagements/{identifier}", tags=["engagements"], status_code=201,
            summary="Store an engagement in its own named graph, in one transaction (needs the API key)")
async def store_engagement(request: Request, identifier: str):
    _require_key(request)
    document, source = await _engagement_document(request)
    engagement = _validated(request, document, source)
    if engagement.id != identifier:
        raise EngagementError(source, "engagement.id", f"must equal the id in the URL ({identifier!r}), got {engagement.id!r}")
    await run_in_threadpool(_state(request).save_engagement, engagement, document)
    return {"id": engagement.id, "graph": engagement.graph}


@router.get("/engagements/{identifier}", tags=["engagements"], summary="Findings, gaps and plan of a stored engagement (needs the API key)")
async def stored_engagement(request: Request, identifier: str):
    _require_key(request)
    document = await run_in_threadpool(_state(request).stored_document, identifier)
    if document is None:
        raise _unknown_engagement(identifier)
    engagement = _validated(request, document, f"stored engagement {identifier}")
    return await run_in_threadpool(_state(request).analyse, engagement)


@router.delete("/engagements/{identifier}", tags=["engagements"], status_code=204, summary="Remove a stored engagement (needs the API key)")
async def delete_engagement(request: Request, identifier: str):
    _require_key(request)
    if await run_in_threadpool(_state(request).stored_document, identifier) is None:
        raise _unknown_engagement(identifier)
    await run_in_threadpool(_state(request).delete_engagement, identifier)
    return Response(status_code=204)
