"""OSCAL 1.2 views of the graph: a catalog per framework, the control catalog, and a
mapping collection per curated mapping set, built with compliance-trestle's pydantic
models so every document is valid by construction.

What goes where:

- ``catalogs/{slug}.json``: one OSCAL catalog per framework. Requirements at a heading
  level (SOC 2 categories and series, ISO clauses, Annex A themes, headings and control
  objectives, an Act's chapters, schedules) become ``group``s; every other requirement
  a ``control``, nested under its parent as the framework nests it. The OSCAL id is
  :func:`requirement_id` (OSCAL ids are tokens, so ``dpdp-act`` ``8(6)`` becomes
  ``dpdp-act-8-6``); the official id, exactly as cited, is the ``label`` prop, the
  project's title the ``title``, the project's summary an ``overview`` part (a summary in
  the project's words, never the standard's text, so never a ``statement``).
- ``catalogs/controls.json``: the control catalog, a group per domain.
- ``mappings/inferred.json``: the mappings inferred through pivot requirements, a
  ``mapping`` per pair of frameworks, ``method: automation``, the pivots in a ``via`` prop.
- ``mappings/{set}.json``: one OSCAL mapping collection per curated set, pointing at
  those catalogs by relative href. ``relationship`` is OSCAL's word for the IR 8477
  relationship (:data:`RELATIONSHIPS`), ``matching-rationale`` the IR 8477 rationale,
  and strength, rationale, source kind and source are props in the project's
  namespace (:data:`NS`); the reason is the map's ``remarks``.

UUIDs are uuid5 of the element's IRI, and dates are the data's own (a framework's
issue date, a set's curation date), so exporting the same data twice writes the same
bytes.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from trestle.core.base_model import OscalBaseModel
from trestle.oscal import OSCAL_VERSION
from trestle.oscal import catalog as oc
from trestle.oscal import common as cm
from trestle.oscal import mapping as om

from attestgraph import vocabulary as v
from attestgraph.errors import AttestgraphError
from attestgraph.graph.store import GraphStore
from attestgraph.interop.sssom import INFERRED_QUERY, INFERRED_SET, scheme_slug
from attestgraph.queries import named

M = TypeVar("M", bound=OscalBaseModel)

#: The project's namespace for OSCAL props and the relationship vocabulary it reads.
NS = "https://w3id.org/attestgraph/ns/oscal"
#: OSCAL's own namespace: a relationship without ``ns`` is in it.
OSCAL_NS = "http://csrc.nist.gov/ns/oscal"
#: IR 8477 relationship (read "source REL target") -> OSCAL 1.2 mapping relationship.
RELATIONSHIPS = {
    "equal": "equal-to",
    "subset-of": "subset-of",
    "superset-of": "superset-of",
    "intersects-with": "intersects-with",
    "not-related": "no-relationship",
}
#: Requirement levels that are headings: an OSCAL group, not a control.
GROUP_LEVELS = frozenset(v.AG + name for name in (
    "Category", "Series", "Clause", "AnnexTheme", "AnnexHeading", "ControlObjective", "Chapter", "Schedule",
))
CONTROL_CATALOG = "controls"
CATALOGS_DIR = "catalogs"
MAPPINGS_DIR = "mappings"

FRAMEWORKS_QUERY = """
SELECT ?f ?slug ?title ?version (SAMPLE(?issued_) AS ?issued) (SAMPLE(?source_) AS ?source)
       (SAMPLE(?licence_) AS ?licence) (SAMPLE(?publisher_) AS ?publisher) WHERE {
  ?f a ag:Framework ; dct:identifier ?slug ; dct:title ?title ; owl:versionInfo ?version .
  OPTIONAL { ?f dct:issued ?issued_ } OPTIONAL { ?f dct:source ?source_ }
  OPTIONAL { ?f dct:license ?licence_ } OPTIONAL { ?f dct:publisher ?publisher_ }
}
GROUP BY ?f ?slug ?title ?version
ORDER BY ?slug
"""
REQUIREMENTS_QUERY = """
SELECT ?f ?r ?notation ?label ?definition ?level ?levelLabel ?parent WHERE {
  ?f a ag:Framework .
  ?r skos:inScheme ?f ; skos:notation ?notation ; skos:prefLabel ?label ; ag:level ?level .
  ?level rdfs:label ?levelLabel .
  OPTIONAL { ?r skos:definition ?definition }
  OPTIONAL { ?r skos:broader ?parent }
}
"""
CONTROLS_QUERY = """
SELECT ?c ?id ?label ?definition ?domain ?domainLabel ?nature ?effort ?cadence WHERE {
  ?c a ag:Control ; dct:identifier ?id ; skos:prefLabel ?label ; ag:domain ?domain .
  ?domain skos:prefLabel ?domainLabel .
  OPTIONAL { ?c skos:definition ?definition }
  OPTIONAL { ?c ag:nature/rdfs:label ?nature }
  OPTIONAL { ?c ag:effortDays ?effort }
  OPTIONAL { ?c ag:cadence/rdfs:label ?cadence }
}
ORDER BY ?id
"""


CONTROL_CATALOG_QUERY = """
SELECT ?title ?version ?date ?licence WHERE {
  ?catalog dct:title ?title .
  OPTIONAL { ?catalog owl:versionInfo ?version } OPTIONAL { ?catalog dct:date ?date }
  OPTIONAL { ?catalog dct:license ?licence }
} LIMIT 1
"""


class OscalExportError(AttestgraphError):
    """The graph holds a structure OSCAL's catalog model cannot express (a heading under a
    control, a group holding both groups and controls, a mapping onto a heading)."""

    exit_code = 1
    title = "cannot export as OSCAL"


# -- identifiers -------------------------------------------------------------------


def requirement_id(slug: str, notation: str) -> str:
    """The OSCAL id of a requirement: a token, unique across every catalog exported.

    >>> requirement_id("dpdp-act", "10(2)(b)")
    'dpdp-act-10-2-b'
    >>> requirement_id("iso27001", "A.5.26")
    'iso27001-A.5.26'
    """
    return f"{slug}-{v.notation_local(notation)}"


def stable_uuid(name: str) -> str:
    """uuid5 of an IRI (or any name): the same element gets the same UUID on every export."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, name))


def _make(model: type[M], **fields: Any) -> M:
    """Build and validate one trestle model from its Python field names. (Through
    ``model_validate``: trestle's generated models declare OSCAL's hyphenated aliases, which
    a type checker reads as the only keyword names.)"""
    return model.model_validate(fields)


def token(text: str) -> str:
    """A free label as an OSCAL token (``point of focus`` -> ``point-of-focus``)."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "_"


def _natural(text: str) -> list[Any]:
    """Sort key that puts CC1.10 after CC1.9 and R10 after R9."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part]


def _moment(day: str | None) -> dt.datetime:
    """A date as an OSCAL timestamp (midnight UTC), from the data, never the clock."""
    text = str(day)[:10] if day else "1970-01-01"
    year, month, date = (text.split("-") + ["01", "01"])[:3]  # an xsd:gYear (2022) is its first day
    return dt.datetime(int(year), int(month), int(date), tzinfo=dt.UTC)


def _prop(name: str, value: object) -> cm.Property:
    return _make(cm.Property, name=name, value=str(value), ns=NS)


def _metadata(title: str, version: str, day: str | None, iri: str, props: list[cm.Property],
              remarks: str | None = None) -> cm.Metadata:
    when = _moment(day)
    return _make(cm.Metadata,
        title=title, version=version, oscal_version=OSCAL_VERSION, published=when, last_modified=when,
        props=props or None, links=[_make(cm.Link, href=iri, rel="canonical")], remarks=remarks,
    )


# -- catalogs ----------------------------------------------------------------------


@dataclass
class Node:
    """One requirement and its children, as the catalog will nest them."""

    iri: str
    oscal_id: str
    notation: str
    label: str
    definition: str | None
    level: str
    level_label: str
    children: list[Node] = field(default_factory=list)

    @property
    def is_group(self) -> bool:
        return self.level in GROUP_LEVELS


@dataclass
class CatalogView:
    """A built catalog, with the OSCAL ids it holds (which mappings may point at)."""

    name: str
    controls: dict[str, str] = field(default_factory=dict)  # IRI -> OSCAL control id
    groups: dict[str, str] = field(default_factory=dict)  # IRI -> OSCAL group id
    catalog: oc.Catalog | None = None

    @property
    def size(self) -> int:
        return len(self.controls) + len(self.groups)


def framework_catalogs(store: GraphStore) -> list[CatalogView]:
    """One OSCAL catalog per framework in the graph."""
    nodes: dict[str, Node] = {}
    parent_of: dict[str, str] = {}
    scheme_of: dict[str, str] = {}
    frameworks = store.query(FRAMEWORKS_QUERY).records()
    slugs = {str(f["f"]): str(f["slug"]) for f in frameworks}
    for row in store.query(REQUIREMENTS_QUERY).records():
        iri, scheme = str(row["r"]), str(row["f"])
        nodes[iri] = Node(iri, requirement_id(slugs[scheme], str(row["notation"])), str(row["notation"]),
                          str(row["label"]), _text(row.get("definition")), str(row["level"]), str(row["levelLabel"]))
        scheme_of[iri] = scheme
        if row.get("parent"):
            parent_of[iri] = str(row["parent"])
    roots: dict[str, list[Node]] = defaultdict(list)
    for iri, node in nodes.items():
        parent = parent_of.get(iri)
        (nodes[parent].children if parent in nodes else roots[scheme_of[iri]]).append(node)
    views = []
    for f in frameworks:
        scheme = str(f["f"])
        view = CatalogView(str(f["slug"]))
        groups, controls = _split(sorted(roots[scheme], key=lambda n: _natural(n.notation)), view)
        props = [_prop("framework", f["slug"])]
        if f.get("publisher"):
            props.append(_prop("publisher", f["publisher"]))
        remarks = "Titles and summaries are attestgraph's own words; ids are official."
        if f.get("licence"):
            remarks += f" Licence: {str(f['licence']).rstrip('.')}."
        if f.get("source"):
            remarks += f" Source: {str(f['source']).rstrip('.')}."
        view.catalog = _make(oc.Catalog,
            uuid=stable_uuid(scheme),
            metadata=_metadata(str(f["title"]), str(f["version"]), _text(f.get("issued")), scheme, props, remarks),
            groups=groups or None, controls=controls or None,
        )
        views.append(view)
    return views


def _split(children: list[Node], view: CatalogView) -> tuple[list[Any], list[oc.Control]]:
    groups = [_group(n, view) for n in children if n.is_group]
    controls = [_control(n, view) for n in children if not n.is_group]
    return groups, controls


def _group(node: Node, view: CatalogView) -> oc.Group1 | oc.Group2:
    view.groups[node.iri] = node.oscal_id
    kids = sorted(node.children, key=lambda n: _natural(n.notation))
    groups, controls = _split(kids, view)
    common: dict[str, Any] = {
        "id": node.oscal_id, "class_": token(node.level_label), "title": node.label,
        "props": [_make(cm.Property, name="label", value=node.notation)],
        "parts": _overview(node),
        "links": [_make(cm.Link, href=node.iri, rel="canonical")],
    }
    if groups and controls:
        raise OscalExportError(
            f"{view.name}: {node.notation} holds both headings and requirements; an OSCAL group holds one or the other"
        )
    if groups:
        return _make(oc.Group1, groups=groups, **common)
    return _make(oc.Group2, controls=controls or None, **common)


def _control(node: Node, view: CatalogView) -> oc.Control:
    view.controls[node.iri] = node.oscal_id
    kids = sorted(node.children, key=lambda n: _natural(n.notation))
    if any(k.is_group for k in kids):
        raise OscalExportError(f"{view.name}: {node.notation} is a requirement with a heading beneath it")
    return _make(oc.Control,
        id=node.oscal_id, class_=token(node.level_label), title=node.label,
        props=[_make(cm.Property, name="label", value=node.notation)],
        links=[_make(cm.Link, href=node.iri, rel="canonical")],
        parts=_overview(node),
        controls=[_control(k, view) for k in kids] or None,
    )


def _overview(node: Node) -> list[cm.Part] | None:
    if not node.definition:
        return None
    return [_make(cm.Part, id=f"{node.oscal_id}_ovw", name="overview", prose=node.definition)]


def control_catalog(store: GraphStore, day: str | None) -> CatalogView:
    """The control catalog: a group per domain, a control per catalog control."""
    view = CatalogView(CONTROL_CATALOG)
    by_domain: dict[tuple[str, str], list[oc.Control]] = defaultdict(list)
    for row in store.query(CONTROLS_QUERY).records():
        iri, identifier = str(row["c"]), str(row["id"])
        view.controls[iri] = identifier
        props = [_make(cm.Property, name="label", value=identifier)]
        props += [_prop(key, row[col]) for key, col in (("nature", "nature"), ("effort-days", "effort"),
                                                         ("cadence", "cadence")) if row.get(col) is not None]
        parts = [_make(cm.Part, id=f"{identifier}_ovw", name="overview", prose=str(row["definition"]))] \
            if row.get("definition") else None
        by_domain[(str(row["domain"]), str(row["domainLabel"]))].append(_make(oc.Control,
            id=identifier, title=str(row["label"]), props=props, parts=parts,
            links=[_make(cm.Link, href=iri, rel="canonical")],
        ))
    groups = []
    for (domain, label), controls in sorted(by_domain.items()):
        gid = token("domain-" + domain.rsplit("/", 1)[-1])
        view.groups[domain] = gid
        links = [_make(cm.Link, href=domain, rel="canonical")]
        groups.append(_make(oc.Group2, id=gid, title=label, controls=controls, links=links))
    # The catalog file's own header (ontologies/catalog/controls.ttl) when it has one.
    catalog_iri = v.ID + "catalog/" + CONTROL_CATALOG
    header = store.query(CONTROL_CATALOG_QUERY.replace("?catalog", f"<{catalog_iri}>")).records()
    about = header[0] if header else {}
    licence = f" Licence: {str(about['licence']).rstrip('.')}." if about.get("licence") else ""
    view.catalog = _make(
        oc.Catalog,
        uuid=stable_uuid(catalog_iri),
        metadata=_metadata(str(about.get("title") or "attestgraph control catalog"),
                           str(about.get("version") or day or "1970-01-01"), _text(about.get("date")) or day,
                           catalog_iri, [_prop("framework", CONTROL_CATALOG)],
                           f"Concrete controls an AI company implements, in attestgraph's own words.{licence}"),
        groups=groups or None,
    )
    return view


# -- mapping collections -------------------------------------------------------------


def mapping_collections(
    store: GraphStore, catalogs: dict[str, CatalogView]
) -> list[tuple[str, om.MappingCollection, int]]:
    """One mapping collection per curated mapping set: (set id, collection, maps)."""
    rows = store.query(named.get("mapping-set").text).records()
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_set[str(row["setId"])].append(row)
    return [(identifier, _collection(identifier, members, catalogs), len(members))
            for identifier, members in sorted(by_set.items())]


def _collection(
    identifier: str, members: list[dict[str, Any]], catalogs: dict[str, CatalogView]
) -> om.MappingCollection:
    first = members[0]
    set_iri = f"{v.MAPPING}{identifier}"
    source, target = catalogs[str(first["fromSet"])], catalogs[str(first["toSet"])]
    maps = [_map(m, source, target, identifier) for m in members]
    creator = str(first["creator"])
    return _make(om.MappingCollection,
        uuid=stable_uuid(set_iri + "#collection"),
        metadata=_metadata(str(first["title"]), str(first["date"]), str(first["date"]), set_iri,
                           [_prop("mapping-set-id", identifier), _prop("creator", creator),
                            _prop("license", first["license"])]),
        provenance=_make(om.MappingProvenance,
            # Curated by people; the set's most common IR 8477 rationale (each map states its own).
            method="human",
            matching_rationale=Counter(v.keyword(str(m["rat"])) for m in members).most_common(1)[0][0],
            status="complete",
            mapping_description=str(first["method"]),
            props=[_prop("creator", creator), _prop("license", first["license"]),
                   _prop("method", "NIST IR 8477 set-theory relationship mapping")],
        ),
        mappings=[_make(om.Mapping,
            uuid=stable_uuid(set_iri),
            source_resource=_resource(source), target_resource=_resource(target),
            maps=maps,
        )],
    )


def inferred_collection(
    store: GraphStore, catalogs: dict[str, CatalogView], day: str | None
) -> tuple[om.MappingCollection, int] | None:
    """The mappings composed through pivot requirements (``graph/inferred``) as one
    collection, a ``mapping`` per pair of frameworks; ``None`` when nothing was inferred."""
    rows = store.query(INFERRED_QUERY).records()
    if not rows:
        return None
    by_pair: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_pair[(scheme_slug(str(row["fromScheme"])), scheme_slug(str(row["toScheme"])))].append(row)
    mappings = []
    for (a, b), members in sorted(by_pair.items()):
        source, target = catalogs[a], catalogs[b]
        maps = []
        for m in members:
            via = " ".join(_any_id(catalogs, p) for p in sorted(str(m["pivots"]).split()))
            maps.append(_map(m, source, target, INFERRED_SET, kind="inference", extra=[_prop("via", via)]))
        mappings.append(_make(om.Mapping, uuid=stable_uuid(f"{v.INFERRED_GRAPH}|{a}|{b}"),
                              source_resource=_resource(source), target_resource=_resource(target), maps=maps))
    rationales = Counter(v.keyword(str(m["rat"])) for m in rows)
    iri = f"{v.MAPPING}{INFERRED_SET}"
    collection = _make(
        om.MappingCollection,
        uuid=stable_uuid(iri + "#collection"),
        metadata=_metadata("Crosswalk mappings inferred through pivot requirements (NIST IR 8477 composition)",
                           day or "1970-01-01", day, iri, [_prop("mapping-set-id", INFERRED_SET)]),
        provenance=_make(
            om.MappingProvenance, method="automation", matching_rationale=rationales.most_common(1)[0][0],
            status="complete",
            mapping_description=(
                "Each map composes curated requirement-to-requirement mappings through pivot requirements under "
                "the NIST IR 8477 composition table; only what set theory guarantees is kept, a curated pair is "
                "never overridden, and the strength is the weakest link's. The via prop lists the pivots; the "
                "remarks state the chain in order."
            ),
        ),
        mappings=mappings,
    )
    return collection, len(rows)


def _any_id(catalogs: dict[str, CatalogView], iri: str) -> str:
    for view in catalogs.values():
        if iri in view.controls:
            return view.controls[iri]
    raise OscalExportError(f"inferred mapping: pivot <{iri}> is in no exported catalog")


def _resource(view: CatalogView) -> om.MappingResourceReference:
    return _make(om.MappingResourceReference,
        type="catalog", href=f"../{CATALOGS_DIR}/{view.name}.json",
        props=[_prop("framework", view.name)],
    )


def _map(m: dict[str, Any], source: CatalogView, target: CatalogView, set_id: str,
         kind: str | None = None, extra: list[cm.Property] | None = None) -> om.Map:
    relationship = v.keyword(str(m["rel"]))
    rationale = v.keyword(str(m["rat"]))
    kind = kind or v.keyword(str(m["kind"]))
    return _make(om.Map,
        uuid=stable_uuid(f"{v.MAPPING}{set_id}|{m['from']}|{m['to']}"),
        relationship=RELATIONSHIPS[relationship],
        matching_rationale=rationale,
        sources=[_item(str(m["from"]), source, set_id)],
        targets=[_item(str(m["to"]), target, set_id)],
        props=[_prop("strength", m["strength"]), _prop("rationale", rationale),
               _prop("source-kind", kind), _prop("source", m["source"]), *(extra or [])],
        remarks=str(m["reason"]),
    )


def _item(iri: str, view: CatalogView, set_id: str) -> om.MappingItem:
    if iri not in view.controls:
        raise OscalExportError(f"mapping set {set_id}: <{iri}> is not a control of catalog {view.name} "
                               "(a mapping onto a heading cannot be expressed)")
    return _make(om.MappingItem, type="control", id_ref=view.controls[iri])


# -- writing --------------------------------------------------------------------------


def export_oscal(store: GraphStore, out_dir: str | Path) -> list[tuple[Path, int, str]]:
    """Write the catalogs and mapping collections under ``out_dir``; return (path, count, what)."""
    out = Path(out_dir)
    (out / CATALOGS_DIR).mkdir(parents=True, exist_ok=True)
    (out / MAPPINGS_DIR).mkdir(parents=True, exist_ok=True)
    views = framework_catalogs(store)
    newest = max((str(r["date"]) for r in store.query(named.get("mapping-set").text).records()), default=None)
    views.append(control_catalog(store, newest))
    written: list[tuple[Path, int, str]] = []
    for view in views:
        path = out / CATALOGS_DIR / f"{view.name}.json"
        assert view.catalog is not None  # built by framework_catalogs / control_catalog
        view.catalog.oscal_write(path)
        written.append((path, view.size, "groups and controls"))
    catalogs = {view.name: view for view in views}
    collections = mapping_collections(store, catalogs)
    inferred = inferred_collection(store, catalogs, newest)
    if inferred:
        collections.append((INFERRED_SET, *inferred))
    for identifier, collection, count in collections:
        path = out / MAPPINGS_DIR / f"{identifier}.json"
        collection.oscal_write(path)
        written.append((path, count, "maps"))
    return written


def _text(value: object) -> str | None:
    return None if value is None else str(value)
