"""Import an OSCAL mapping collection someone else published, beside ours, and compare.

The collection is read and validated by compliance-trestle. Each map's sources and
targets are resolved to our requirement (or control) IRIs where the ids match
(:class:`Resolver`); what does not resolve is reported, and still loaded with the id
it had. Every source x target pair becomes an ``ag:ImportedMapping`` in a named graph
of its own, ``graph/imported/{name}``, beside an ``ag:ImportedMappingSet`` that holds
the provenance: the file's name, its metadata title, version and published date, and
when it was imported.

Imported mappings use their own predicates (``ag:importedFrom``, ``ag:importedTo``,
``ag:importedRelationship`` ...), never ``ag:Mapping`` / ``ag:fromElement``: every
coverage, planning, overlap, explain and inference query matches those, so none of
them ever reads an imported graph, whatever graphs it unions.

The agreement report compares the resolved pairs with our curated mappings (read
either way round, an inverse read through IR 8477: a subset-of b is b superset-of a):
pairs in both with the same or a different relationship, pairs only theirs, and our
pairs between the same element sets that they lack.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from trestle.common.err import TrestleError
from trestle.oscal import mapping as om

from attestgraph import vocabulary as v
from attestgraph.errors import AttestgraphError
from attestgraph.graph.store import GraphStore
from attestgraph.interop.oscal import CONTROL_CATALOG, NS, OSCAL_NS, RELATIONSHIPS, requirement_id

IMPORTED_GRAPH = v.GRAPH + "imported/"
IMPORTED_ID = v.ID + "imported/"
#: OSCAL relationship -> IR 8477 keyword; ``equivalent-to`` (same meaning, other words) is our equal.
FROM_OSCAL = {oscal: ours for ours, oscal in RELATIONSHIPS.items()} | {"equivalent-to": "equal"}
INVERSE = {"equal": "equal", "subset-of": "superset-of", "superset-of": "subset-of",
           "intersects-with": "intersects-with", "not-related": "not-related"}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")

ELEMENTS_QUERY = """
SELECT ?e ?slug ?notation ?id WHERE {
  { ?e skos:inScheme ?f ; skos:notation ?notation . ?f a ag:Framework ; dct:identifier ?slug . }
  UNION
  { ?e a ag:Control ; dct:identifier ?id . }
}
"""
CURATED_QUERY = """
SELECT ?from ?to ?rel WHERE { ?m a ag:Mapping ; ag:inMappingSet ?set ; ag:fromElement ?from ; ag:toElement ?to ;
  ag:relationship ?rel . }
"""


class OscalImportError(AttestgraphError):
    """A file is not an OSCAL mapping collection trestle accepts, or the import name is unusable."""

    http_status = 422
    exit_code = 2
    title = "invalid OSCAL mapping collection"


@dataclass(frozen=True)
class Resolved:
    iri: str | None
    id_ref: str
    scheme: str | None  # framework slug, or "controls"


class Resolver:
    """Our ids, every way a publisher may write them: our OSCAL ids (``soc2-CC6.1``),
    control ids (``IAM-01``), and within a catalog known to be one of our frameworks, the
    official notation (``CC6.1``, ``A.5.26``, ``8(6)``), case-insensitively."""

    def __init__(self, store: GraphStore):
        self.by_oscal_id: dict[str, tuple[str, str]] = {}
        self.by_notation: dict[str, dict[str, str]] = defaultdict(dict)
        self.scheme_of: dict[str, str] = {}
        for row in store.query(ELEMENTS_QUERY).records():
            iri = str(row["e"])
            if row.get("slug") is not None:
                slug, notation = str(row["slug"]), str(row["notation"])
                self.by_oscal_id[requirement_id(slug, notation).casefold()] = (iri, slug)
                for form in {notation, v.notation_local(notation)}:
                    self.by_notation[slug][form.casefold()] = iri
                self.scheme_of[iri] = slug
            else:
                self.by_oscal_id[str(row["id"]).casefold()] = (iri, CONTROL_CATALOG)
                self.scheme_of[iri] = CONTROL_CATALOG
        self.slugs = sorted(set(self.by_notation) | {CONTROL_CATALOG}, key=len, reverse=True)

    def resource_scheme(self, resource: om.MappingResourceReference) -> str | None:
        """Which of our element sets a source or target catalog is: its ``framework`` prop in
        our namespace; else the one slug its file name holds as a word (``soc2.json``,
        ``iso27001-2022-catalog.json``). A name holding two (``soc2-controls.json``) or none
        says nothing: then only our own OSCAL ids resolve."""
        for prop in resource.props or []:
            if prop.name == "framework" and str(prop.ns or "").rstrip("/") == NS and prop.value in self.slugs:
                return str(prop.value)
        name = Path(str(resource.href).split("#", 1)[0]).name.casefold()
        stem = name.split(".json")[0].split(".yaml")[0].split(".yml")[0]
        if stem in self.slugs:
            return stem
        found = [s for s in self.slugs if re.search(rf"(?<![a-z0-9]){re.escape(s.casefold())}(?![a-z0-9])", stem)]
        return found[0] if len(found) == 1 else None

    def resolve(self, id_ref: str, scheme: str | None) -> Resolved:
        key = id_ref.casefold()
        if key in self.by_oscal_id:
            iri, slug = self.by_oscal_id[key]
            return Resolved(iri, id_ref, slug)
        if scheme and scheme != CONTROL_CATALOG:
            local = key.removeprefix(f"{scheme}-".casefold()).removeprefix(f"{scheme}:".casefold())
            found = self.by_notation[scheme].get(local)
            if found:
                return Resolved(found, id_ref, scheme)
        return Resolved(None, id_ref, scheme)


def read_collection(path: Path) -> om.MappingCollection:
    """The collection as trestle reads it; anything else is one line naming the file."""
    if not path.is_file():
        raise OscalImportError(f"{path}: no such file")
    if path.suffix.lower() not in (".json", ".yaml", ".yml"):
        raise OscalImportError(f"{path}: expected an OSCAL mapping collection as .json, .yaml or .yml")
    try:
        collection = om.MappingCollection.oscal_read(path)
    except TrestleError as exc:
        first = " ".join(str(exc).split())
        raise OscalImportError(f"{path}: not a valid OSCAL mapping collection: {first[:300]}") from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise OscalImportError(f"{path}: cannot be read: {exc}") from None
    if not isinstance(collection, om.MappingCollection):
        raise OscalImportError(f"{path}: not a valid OSCAL mapping collection")
    return collection


def import_name(file: str | Path, name: str | None = None) -> str:
    """The imported set's name (default: the file's stem), checked: it names a graph."""
    chosen = name or Path(file).stem
    if not _NAME.match(chosen):
        raise OscalImportError(f"--name {chosen!r}: expected 1-63 letters, digits, '.', '_' or '-', starting with a "
                               "letter or digit (it names the graph)")
    return chosen


def import_oscal(store: GraphStore, file: str | Path, *, name: str | None = None,
                 collection: om.MappingCollection | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    """Validate, resolve, load into ``graph/imported/{name}`` and compare; return the report.

    ``collection`` is the file already read with :func:`read_collection` (the CLI reads it
    before it opens, and perhaps builds, the store)."""
    path = Path(file)
    name = import_name(path, name)
    collection = collection or read_collection(path)
    resolver = Resolver(store)
    imported_at = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    pairs, unresolved, maps = _pairs(collection, resolver)
    graph = IMPORTED_GRAPH + name
    store_graph(store, graph, _quads(collection, pairs, path.name, name, graph, imported_at))
    meta = collection.metadata
    report: dict[str, Any] = {
        "file": path.name, "name": name, "graph": graph, "title": meta.title, "version": meta.version,
        "published": meta.published.isoformat() if meta.published else None,
        "imported_at": imported_at.isoformat(), "maps": maps, "pairs": len(pairs),
    }
    report.update(agreement(store, resolver, pairs))
    report["unresolved"] = unresolved
    report["counts"]["resolved"] = sum(1 for p in pairs if p["from"].iri and p["to"].iri)
    report["counts"]["unresolved"] = len(unresolved)
    return report


def _pairs(
    collection: om.MappingCollection, resolver: Resolver
) -> tuple[list[dict[str, Any]], list[dict[str, str]], int]:
    mappings = collection.mappings if isinstance(collection.mappings, list) else [collection.mappings]
    pairs: list[dict[str, Any]] = []
    unresolved: dict[tuple[str, str, str], dict[str, str]] = {}
    count = 0
    for mapping in mappings:
        source_scheme = resolver.resource_scheme(mapping.source_resource)
        target_scheme = resolver.resource_scheme(mapping.target_resource)
        for entry in mapping.maps:
            count += 1
            raw = str(entry.relationship)
            in_oscal_ns = entry.ns is None or str(entry.ns).rstrip("/") == OSCAL_NS
            relationship = FROM_OSCAL.get(raw) if in_oscal_ns else None
            props = {p.name: p.value for p in entry.props or [] if str(p.ns or "").rstrip("/") == NS}
            for source in entry.sources:
                for target in entry.targets:
                    a = resolver.resolve(source.id_ref, source_scheme)
                    b = resolver.resolve(target.id_ref, target_scheme)
                    for side, end, href in (("source", a, mapping.source_resource.href),
                                            ("target", b, mapping.target_resource.href)):
                        if end.iri is None:
                            unresolved[(side, end.id_ref, href)] = {
                                "side": side, "id_ref": end.id_ref, "resource": href}
                    pairs.append({
                        "uuid": entry.uuid, "from": a, "to": b, "relationship": relationship, "oscal": raw,
                        "rationale": entry.matching_rationale or props.get("rationale"),
                        "strength": props.get("strength"), "remarks": entry.remarks,
                    })
    return pairs, sorted(unresolved.values(), key=lambda u: (u["side"], u["resource"], u["id_ref"])), count


def _quads(collection: om.MappingCollection, pairs: list[dict[str, Any]], file_name: str, name: str,
           graph_iri: str, imported_at: dt.datetime) -> list[ox.Quad]:
    graph = ox.NamedNode(graph_iri)
    set_node = ox.NamedNode(IMPORTED_ID + name)
    quads: list[ox.Quad] = []

    def add(s: ox.NamedNode, p: str, o: ox.NamedNode | ox.Literal) -> None:
        quads.append(ox.Quad(s, ox.NamedNode(p), o, graph))

    def typed(value: str, datatype: str) -> ox.Literal:
        return ox.Literal(value, datatype=ox.NamedNode(v.XSD + datatype))

    meta = collection.metadata
    add(set_node, v.RDF + "type", ox.NamedNode(v.AG + "ImportedMappingSet"))
    add(set_node, v.DCT + "identifier", ox.Literal(name))
    add(set_node, v.DCT + "title", ox.Literal(meta.title))
    add(set_node, v.OWL + "versionInfo", ox.Literal(meta.version))
    add(set_node, v.DCT + "source", ox.Literal(file_name))
    add(set_node, v.DCT + "modified", typed(meta.last_modified.isoformat(), "dateTime"))
    if meta.published:
        add(set_node, v.DCT + "issued", typed(meta.published.isoformat(), "dateTime"))
    add(set_node, v.PROV + "generatedAtTime", typed(imported_at.isoformat(), "dateTime"))
    add(set_node, v.AG + "oscalUuid", ox.Literal(str(collection.uuid)))
    for index, pair in enumerate(pairs):
        node = ox.NamedNode(f"{IMPORTED_ID}{name}/{index + 1}")
        add(node, v.RDF + "type", ox.NamedNode(v.AG + "ImportedMapping"))
        add(node, v.AG + "inImportedSet", set_node)
        add(node, v.AG + "oscalUuid", ox.Literal(str(pair["uuid"])))
        for end, resolved_p, id_p in (("from", "importedFrom", "importedFromId"), ("to", "importedTo", "importedToId")):
            resolved: Resolved = pair[end]
            add(node, v.AG + id_p, ox.Literal(resolved.id_ref))
            if resolved.iri:
                add(node, v.AG + resolved_p, ox.NamedNode(resolved.iri))
        add(node, v.AG + "oscalRelationship", ox.Literal(pair["oscal"]))
        if pair["relationship"]:
            add(node, v.AG + "importedRelationship", ox.NamedNode(v.RELATIONSHIPS[pair["relationship"]]))
        if pair["rationale"] in v.RATIONALES:
            add(node, v.AG + "importedRationale", ox.NamedNode(v.RATIONALES[pair["rationale"]]))
        if pair["strength"] is not None and str(pair["strength"]).isdigit():
            add(node, v.AG + "importedStrength", typed(str(pair["strength"]), "integer"))
        if pair["remarks"]:
            add(node, v.RDFS + "comment", ox.Literal(str(pair["remarks"])))
    return quads


def store_graph(store: GraphStore, graph: str, quads: list[ox.Quad]) -> None:
    """Replace the imported graph in one transaction; an on-disk store opened read-only
    is reopened writable for the write, then read-only again."""
    reopened = store.oxigraph is not None and not store.writable and store.location != "memory"
    if reopened:
        store.reopen(writable=True)
    try:
        store.replace_graph(graph, quads)
    finally:
        if reopened:
            store.reopen(writable=False)


def agreement(store: GraphStore, resolver: Resolver, pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Their resolved pairs against our curated mappings between the same element sets."""
    ours: dict[tuple[str, str], str] = {}
    for row in store.query(CURATED_QUERY).records():
        ours[(str(row["from"]), str(row["to"]))] = v.keyword(str(row["rel"]))
    theirs: dict[tuple[str, str], dict[str, Any]] = {}
    scope: set[frozenset[str]] = set()
    for pair in pairs:
        a, b = pair["from"], pair["to"]
        if a.iri and b.iri:
            theirs[(a.iri, b.iri)] = pair
            scope.add(frozenset((str(a.scheme), str(b.scheme))))
    same: list[dict[str, Any]] = []
    different: list[dict[str, Any]] = []
    only_theirs: list[dict[str, Any]] = []
    matched: set[tuple[str, str]] = set()
    for (a, b), pair in sorted(theirs.items()):
        if (a, b) in ours:
            mine, key = ours[(a, b)], (a, b)
        elif (b, a) in ours:
            mine, key = INVERSE[ours[(b, a)]], (b, a)
        else:
            only_theirs.append(_row(pair, None))
            continue
        matched.add(key)
        (same if mine == pair["relationship"] else different).append(_row(pair, mine))
    only_ours = [
        {"from": a, "to": b, "ours": rel} for (a, b), rel in sorted(ours.items())
        if (a, b) not in matched and frozenset((resolver.scheme_of.get(a), resolver.scheme_of.get(b))) in scope
    ]
    shared = len(same) + len(different)
    return {
        "counts": {"same": len(same), "different": len(different), "only_theirs": len(only_theirs),
                   "only_ours": len(only_ours)},
        "agreement_pct": round(100 * len(same) / shared, 1) if shared else None,
        "same": same, "different": different, "only_theirs": only_theirs, "only_ours": only_ours,
    }


def _row(pair: dict[str, Any], ours: str | None) -> dict[str, Any]:
    return {"from": pair["from"].iri, "to": pair["to"].iri, "theirs": pair["relationship"] or pair["oscal"],
            "ours": ours}
