"""SSSOM TSV views of the curated mapping sets, so others can review and reuse them.

NIST IR 8477 relationships become SKOS mapping predicates read from the subject:
equal -> ``skos:exactMatch``; subset-of (the object is broader) -> ``skos:broadMatch``;
superset-of -> ``skos:narrowMatch``; intersects-with -> ``skos:relatedMatch``;
not-related -> ``skos:relatedMatch`` with ``predicate_modifier: Not``. The strength
becomes ``confidence`` (strength / 10); the original relationship, rationale and
strength are kept in ``other`` so nothing is lost.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from pathlib import Path

from attestgraph import vocabulary as v
from attestgraph.errors import UnknownIdentifier
from attestgraph.graph.store import GraphStore
from attestgraph.queries import named

PREDICATES = {
    "equal": ("skos:exactMatch", ""),
    "subset-of": ("skos:broadMatch", ""),
    "superset-of": ("skos:narrowMatch", ""),
    "intersects-with": ("skos:relatedMatch", ""),
    "not-related": ("skos:relatedMatch", "Not"),
}
JUSTIFICATION = "semapv:ManualMappingCuration"
COLUMNS = [
    "subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
    "mapping_justification", "confidence", "author_label", "mapping_date", "comment", "other",
]


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


def export_sssom(store: GraphStore, out_dir: str | Path, set_id: str | None = None) -> list[tuple[Path, int]]:
    """Write ``{set}.sssom.tsv`` per mapping set into ``out_dir``; return (path, mappings) pairs."""
    rows = store.query(named.bind(named.get("mapping-set"), setId=set_id)).records()
    if set_id and not rows:
        known = store.query("SELECT ?id WHERE { ?s a ag:MappingSet ; dct:identifier ?id } ORDER BY ?id").column("id")
        raise UnknownIdentifier("mapping set", set_id, known)
    by_set: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_set[row["setId"]].append(row)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for identifier, members in sorted(by_set.items()):
        path = out / f"{identifier}.sssom.tsv"
        path.write_text(sssom_text(members), encoding="utf-8")
        written.append((path, len(members)))
    return written


def sssom_text(members: list[dict]) -> str:
    first = members[0]
    used = dict(sorted({prefix_of(m[key]) for m in members for key in ("from", "to")}))
    header = [
        "curie_map:",
        *[f"  {prefix}: {namespace}" for prefix, namespace in used.items()],
        "  semapv: https://w3id.org/semapv/vocab/",
        "  skos: http://www.w3.org/2004/02/skos/core#",
        f"mapping_set_id: {v.MAPPING}{first['setId']}",
        f"mapping_set_title: {first['title']}",
        f"license: {_license_iri(first['license'])}",
        f"creator_label: [{first['creator']}]",
        f"mapping_date: {first['date']}",
        f"subject_source: {first['fromSet']}",
        f"object_source: {first['toSet']}",
        f"comment: {first['method']}",
    ]
    buffer = io.StringIO()
    buffer.write("".join(f"#{line}\n" for line in header))
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for m in members:
        relationship = v.keyword(m["rel"])
        predicate, modifier = PREDICATES[relationship]
        writer.writerow([
            curie(m["from"]), m["fromLabel"], predicate, modifier, curie(m["to"]), m["toLabel"], JUSTIFICATION,
            f"{m['strength'] / 10:.1f}", m["creator"], m["date"], m["reason"],
            f"nist_relationship={relationship}|rationale={v.keyword(m['rat'])}|strength={m['strength']}|"
            f"source_kind={v.keyword(m['kind'])}|source={m['source']}",
        ])
    return buffer.getvalue()


def _license_iri(text: str) -> str:
    known = {"CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/", "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/"}
    return known.get(text, text)
