"""SSSOM TSV views of the mappings, in the form sssom-py parses, validates and converts to RDF.

Three kinds of set are written, one file each:

- every curated mapping set (``crosswalks/*.tsv``: controls -> requirements and
  requirement crosswalks), ``mapping_justification: semapv:ManualMappingCuration``;
- ``inferred``: the mappings composed through pivot requirements (``graph/inferred``),
  ``semapv:MappingChaining``, the chain in ``comment`` and its pivots in ``ag_via``;
- ``not-applicable``: the requirements no organisational control can address
  (``crosswalks/not-applicable.tsv``), ``object_id: sssom:NoTermFound`` in the control
  catalog, the reason in ``comment``.

NIST IR 8477 relationships become SKOS mapping predicates read from the subject (the
from-side): equal -> ``skos:exactMatch``; subset-of (the object is broader) ->
``skos:broadMatch``; superset-of (the object is narrower) -> ``skos:narrowMatch``;
intersects-with -> ``skos:relatedMatch`` (SKOS has no partial-overlap predicate, and
``closeMatch`` would claim near-equivalence, which an intersection is not); not-related
-> ``skos:relatedMatch`` with ``predicate_modifier: Not``. The strength becomes
``confidence`` (strength / 10). Because the SKOS predicate loses the difference between
an intersection and a loose relation, the relationship, rationale and strength travel
as declared extension slots (``extension_definitions``: ``ag_relationship``,
``ag_rationale``, ``ag_strength``, ``ag_source_kind``, ``ag_source``, ``ag_via``), each
bound to the project property it carries, so nothing is lost and any SSSOM reader
sees what they mean. sssom-py 0.4 validates those declarations but drops extension
values when it parses a table (and its RDF writer skips them), so what a reader of
the RDF gets is carried by standard slots too: the relationship by predicate and
modifier (the table above is one to one), the strength by ``confidence`` and the
rationale by ``curation_rule`` (``ag:Semantic``, ``ag:Syntactic``, ``ag:Functional``).

The header is YAML written by PyYAML (never by string formatting), so any title,
method or reason round-trips whatever characters it holds.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from attestgraph import vocabulary as v
from attestgraph.errors import UnknownIdentifier
from attestgraph.graph.store import GraphStore
from attestgraph.queries import named

#: NIST IR 8477 relationship -> (SKOS predicate, SSSOM predicate_modifier).
PREDICATES = {
    "equal": ("skos:exactMatch", ""),
    "subset-of": ("skos:broadMatch", ""),
    "superset-of": ("skos:narrowMatch", ""),
    "intersects-with": ("skos:relatedMatch", ""),
    "not-related": ("skos:relatedMatch", "Not"),
}
CURATED = "semapv:ManualMappingCuration"
CHAINED = "semapv:MappingChaining"
NO_TERM = "sssom:NoTermFound"
INFERRED_SET = "inferred"
NOT_APPLICABLE_SET = "not-applicable"
#: Where a set's files and identifiers live; mapping_provider names the project.
PROVIDER = v.BASE
#: Mapping sets and catalogs as CURIEs (``agid:soc2`` is the framework, ``agid:controls`` the catalog).
ID_PREFIX = "agid"
CONTROL_CATALOG = "controls"
#: Authors of the mapping sets, as identifiers the project mints for them.
ORG_PREFIX = "agorg"
ORG_NAMESPACE = v.ID + "org/"

STANDARD_PREFIXES = {
    "ag": v.AG,
    "dct": v.DCT,
    "semapv": "https://w3id.org/semapv/vocab/",
    "skos": v.SKOS,
    "sssom": "https://w3id.org/sssom/",
    "xsd": v.XSD,
    ID_PREFIX: v.ID,
    ORG_PREFIX: ORG_NAMESPACE,
}


@dataclass(frozen=True)
class Extension:
    """One declared SSSOM extension slot: its column, the property it carries, its type."""

    slot_name: str
    property: str
    type_hint: str


EXTENSIONS = [
    Extension("ag_relationship", "ag:relationship", "xsd:string"),
    Extension("ag_rationale", "ag:rationale", "xsd:string"),
    Extension("ag_strength", "ag:strength", "xsd:integer"),
    Extension("ag_source_kind", "ag:sourceKind", "xsd:string"),
    Extension("ag_source", "dct:source", "xsd:string"),
    Extension("ag_via", "ag:via", "xsd:string"),
]
# A slot the set's metadata holds for every row (sources of a curated set, the date of a
# derived one) is not repeated per row: sssom-py would refuse to propagate it.
CURATED_COLUMNS = [
    "subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
    "mapping_justification", "confidence", "curation_rule", "author_label", "comment",
]
INFERRED_COLUMNS = [
    "subject_id", "subject_label", "subject_source", "predicate_id", "predicate_modifier", "object_id",
    "object_label", "object_source", "mapping_justification", "confidence", "curation_rule", "author_label",
    "comment",
]
NOT_APPLICABLE_COLUMNS = [
    "subject_id", "subject_label", "subject_source", "predicate_id", "object_id", "mapping_justification",
    "author_label", "comment",
]

INFERRED_QUERY = f"""
SELECT ?m ?from ?fromLabel ?to ?toLabel ?fromScheme ?toScheme ?rel ?rat ?strength ?reason ?source
       (GROUP_CONCAT(STR(?via); separator=" ") AS ?pivots) WHERE {{
  GRAPH <{v.INFERRED_GRAPH}> {{
    ?m a ag:InferredMapping ; ag:fromElement ?from ; ag:toElement ?to ; ag:fromScheme ?fromScheme ;
       ag:toScheme ?toScheme ; ag:relationship ?rel ; ag:rationale ?rat ; ag:strength ?strength ;
       rdfs:comment ?reason ; dct:source ?source ; ag:via ?via .
  }}
  ?from skos:prefLabel ?fromLabel . ?to skos:prefLabel ?toLabel .
}}
GROUP BY ?m ?from ?fromLabel ?to ?toLabel ?fromScheme ?toScheme ?rel ?rat ?strength ?reason ?source
ORDER BY ?from ?to
"""

NOT_APPLICABLE_QUERY = f"""
SELECT ?r ?label ?scheme ?reason WHERE {{
  GRAPH <{v.mapping_graph(NOT_APPLICABLE_SET)}> {{ ?r ag:notApplicable ?reason }}
  ?r skos:prefLabel ?label ; skos:inScheme ?scheme .
}}
ORDER BY ?r
"""


@dataclass
class SetView:
    """One SSSOM mapping set: its metadata (the YAML header) and its rows."""

    identifier: str
    metadata: dict[str, Any]
    columns: list[str]
    rows: list[dict[str, str]] = field(default_factory=list)
    iris: set[str] = field(default_factory=set)


# -- CURIEs ----------------------------------------------------------------------


def prefix_of(iri: str) -> tuple[str, str]:
    """The (prefix, namespace) an element IRI is shortened with: the project's own
    prefixes where one fits, else the element set's slug (``/id/{slug}/``)."""
    best = max((p for p in v.PREFIXES.items() if iri.startswith(p[1])), key=lambda p: len(p[1]), default=None)
    if best:
        return best
    slug = iri[len(v.ID):].split("/", 1)[0]
    return slug, f"{v.ID}{slug}/"


def curie(iri: str) -> str:
    prefix, namespace = prefix_of(iri)
    return f"{prefix}:{iri[len(namespace):]}"


def source_curie(slug: str) -> str:
    """The CURIE of an element set: ``agid:soc2`` for a framework, ``agid:controls`` for the catalog."""
    return f"{ID_PREFIX}:{slug}"


def scheme_slug(scheme_iri: str) -> str:
    return scheme_iri.removeprefix(v.ID)


def creator_id(name: str) -> str:
    """The identifier minted for a set's author: ``attestgraph project`` -> ``agorg:attestgraph-project``."""
    return f"{ORG_PREFIX}:{re.sub(r'[^a-z0-9]+', '-', name.lower()).strip('-')}"


def license_iri(text: str) -> str:
    known = {
        "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
        "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
    }
    return known.get(text, text)


# -- the sets ----------------------------------------------------------------------


def curated_sets(store: GraphStore, set_id: str | None = None) -> list[SetView]:
    """Every curated mapping set (or the one named), one :class:`SetView` each."""
    rows = store.query(named.bind(named.get("mapping-set"), setId=set_id)).records()
    by_set: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_set[str(row["setId"])].append(row)
    return [_curated_view(identifier, members) for identifier, members in sorted(by_set.items())]


def _curated_view(identifier: str, members: list[dict[str, Any]]) -> SetView:
    first = members[0]
    creator = str(first["creator"])
    metadata = _set_metadata(
        identifier, str(first["title"]), str(first["date"]), str(first["license"]), [creator],
        comment=str(first["method"]),
    )
    metadata["subject_source"] = source_curie(str(first["fromSet"]))
    metadata["object_source"] = source_curie(str(first["toSet"]))
    view = SetView(identifier, metadata, CURATED_COLUMNS + [e.slot_name for e in EXTENSIONS[:5]])
    for m in members:
        relationship = v.keyword(str(m["rel"]))
        predicate, modifier = PREDICATES[relationship]
        view.iris.update((str(m["from"]), str(m["to"])))
        view.rows.append({
            "subject_id": curie(str(m["from"])), "subject_label": str(m["fromLabel"]), "predicate_id": predicate,
            "predicate_modifier": modifier, "object_id": curie(str(m["to"])), "object_label": str(m["toLabel"]),
            "mapping_justification": CURATED, "curation_rule": _rule(str(m["rat"])),
            "confidence": _confidence(m["strength"]), "author_label": creator,
            "comment": str(m["reason"]), "ag_relationship": relationship, "ag_rationale": v.keyword(str(m["rat"])),
            "ag_strength": str(m["strength"]), "ag_source_kind": v.keyword(str(m["kind"])),
            "ag_source": str(m["source"]),
        })
    return view


def inferred_set(store: GraphStore, curated: list[SetView]) -> SetView:
    """The mappings composed through pivot requirements, as one chained set."""
    date, licence, creators = _release(curated)
    metadata = _set_metadata(
        INFERRED_SET, "Crosswalk mappings inferred through pivot requirements (NIST IR 8477 composition)",
        date, licence, creators,
        comment=(
            "Each mapping composes curated requirement-to-requirement mappings through one or more pivot "
            "requirements under the NIST IR 8477 composition table (DESIGN.md); only what set theory guarantees "
            "is kept, a curated pair is never overridden, and the strength is the weakest link's. comment states "
            "the chain in order; ag_via lists its pivot requirements."
        ),
    )
    view = SetView(INFERRED_SET, metadata, INFERRED_COLUMNS + [e.slot_name for e in EXTENSIONS])
    for m in store.query(INFERRED_QUERY).records():
        relationship = v.keyword(str(m["rel"]))
        predicate, modifier = PREDICATES[relationship]
        pivots = sorted(str(m["pivots"]).split())
        view.iris.update([str(m["from"]), str(m["to"]), *pivots])
        view.rows.append({
            "subject_id": curie(str(m["from"])), "subject_label": str(m["fromLabel"]),
            "subject_source": source_curie(scheme_slug(str(m["fromScheme"]))), "predicate_id": predicate,
            "predicate_modifier": modifier, "object_id": curie(str(m["to"])), "object_label": str(m["toLabel"]),
            "object_source": source_curie(scheme_slug(str(m["toScheme"]))), "mapping_justification": CHAINED,
            "curation_rule": _rule(str(m["rat"])), "confidence": _confidence(m["strength"]),
            "author_label": "attestgraph inference",
            "comment": str(m["reason"]), "ag_relationship": relationship, "ag_rationale": v.keyword(str(m["rat"])),
            "ag_strength": str(m["strength"]), "ag_source_kind": "inference", "ag_source": str(m["source"]),
            "ag_via": " ".join(curie(p) for p in pivots),
        })
    return view


def not_applicable_set(store: GraphStore, curated: list[SetView]) -> SetView:
    """The requirements no control in the catalog addresses: ``sssom:NoTermFound`` in the catalog."""
    date, licence, creators = _release(curated)
    metadata = _set_metadata(
        NOT_APPLICABLE_SET, "Requirements no organisational control can address", date, licence, creators,
        comment=(
            "Leaf requirements that impose nothing an organisation's control implements (definitions, duties of "
            "the State, the Board or the Data Principal, exemptions); comment gives the reason for each. The "
            "object is sssom:NoTermFound in the control catalog."
        ),
    )
    metadata["object_source"] = source_curie(CONTROL_CATALOG)
    view = SetView(NOT_APPLICABLE_SET, metadata, NOT_APPLICABLE_COLUMNS)
    for row in store.query(NOT_APPLICABLE_QUERY).records():
        view.iris.add(str(row["r"]))
        view.rows.append({
            "subject_id": curie(str(row["r"])), "subject_label": str(row["label"]),
            "subject_source": source_curie(scheme_slug(str(row["scheme"]))), "predicate_id": "skos:relatedMatch",
            "object_id": NO_TERM, "mapping_justification": CURATED,
            "author_label": ", ".join(creators), "comment": str(row["reason"]),
        })
    return view


def _set_metadata(
    identifier: str, title: str, date: str, licence: str, creators: list[str], *, comment: str
) -> dict[str, Any]:
    return {
        "mapping_set_id": f"{v.MAPPING}{identifier}",
        "mapping_set_version": date,
        "mapping_set_title": title,
        "license": license_iri(licence),
        "creator_id": [creator_id(c) for c in creators],
        "creator_label": list(creators),
        "mapping_provider": PROVIDER,
        "mapping_date": date,
        "comment": comment,
    }


def _release(curated: list[SetView]) -> tuple[str, str, list[str]]:
    """Date, licence and authors of sets derived from the curated ones: the newest curated
    date (they are as new as the data they come from), the most common licence, every author."""
    if not curated:
        return "1970-01-01", "CC-BY-4.0", ["attestgraph project"]
    date = max(str(s.metadata["mapping_date"]) for s in curated)
    licences = Counter(str(s.metadata["license"]) for s in curated)
    creators = sorted({c for s in curated for c in s.metadata["creator_label"]})
    return date, licences.most_common(1)[0][0], creators


def _rule(rationale_iri: str) -> str:
    """The IR 8477 rationale as ``curation_rule`` (``ag:Semantic`` ...): sssom-py 0.4 keeps no
    extension slot's value when it parses or converts a set, so the rationale also travels
    in a standard slot that survives into RDF."""
    return "ag:" + rationale_iri[len(v.AG):]


def _confidence(strength: Any) -> str:
    return f"{int(strength) / 10:.1f}"


# -- writing -------------------------------------------------------------------------


def sssom_text(view: SetView) -> str:
    """The SSSOM TSV of one set: a ``#``-prefixed YAML header, then the rows."""
    prefixes = dict(STANDARD_PREFIXES)
    prefixes.update(prefix_of(iri) for iri in view.iris)
    header: dict[str, Any] = {"curie_map": dict(sorted(prefixes.items()))}
    header.update(view.metadata)
    used = [e for e in EXTENSIONS if e.slot_name in view.columns]
    if used:
        header["extension_definitions"] = [
            {"slot_name": e.slot_name, "property": e.property, "type_hint": e.type_hint} for e in used
        ]
    text = yaml.safe_dump(header, sort_keys=False, allow_unicode=True, width=100_000)
    buffer = io.StringIO()
    buffer.write("".join(f"#{line}\n" for line in text.splitlines()))
    writer = csv.DictWriter(buffer, fieldnames=view.columns, delimiter="\t", lineterminator="\n")
    writer.writeheader()
    writer.writerows(view.rows)
    return buffer.getvalue()


def all_sets(store: GraphStore, set_id: str | None = None) -> list[SetView]:
    """The sets ``export sssom`` writes: every curated set, then ``inferred`` and ``not-applicable``
    (or only the one named)."""
    derived = {INFERRED_SET, NOT_APPLICABLE_SET}
    curated = curated_sets(store, None if set_id in derived else set_id)
    if set_id is not None and set_id not in derived and not curated:
        known = store.query("SELECT ?id WHERE { ?s a ag:MappingSet ; dct:identifier ?id } ORDER BY ?id").column("id")
        raise UnknownIdentifier("mapping set", set_id, sorted([str(k) for k in known] + sorted(derived)))
    views: list[SetView] = []
    if set_id is None or set_id not in derived:
        views.extend(curated)
    if set_id in (None, INFERRED_SET):
        views.append(inferred_set(store, curated))
    if set_id in (None, NOT_APPLICABLE_SET):
        views.append(not_applicable_set(store, curated))
    return views


def export_sssom(store: GraphStore, out_dir: str | Path, set_id: str | None = None) -> list[tuple[Path, int]]:
    """Write ``{set}.sssom.tsv`` per mapping set into ``out_dir``; return (path, mappings) pairs."""
    return write_views(all_sets(store, set_id), out_dir)


def write_views(views: Iterable[SetView], out_dir: str | Path) -> list[tuple[Path, int]]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for view in views:
        path = out / f"{view.identifier}.sssom.tsv"
        path.write_text(sssom_text(view), encoding="utf-8")
        written.append((path, len(view.rows)))
    return written
