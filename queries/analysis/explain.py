"""Why does requirement X relate to requirement Y?

Two kinds of answer, kept apart as everywhere else:

* the **crosswalk**: the direct curated mappings between them, every chain of two
  curated mappings through one pivot requirement with what NIST IR 8477 composition
  makes of it (and why, or why nothing follows), and the inferred mapping if the
  build materialised one;
* **shared implementation**: every control mapped to both, with its two links. That
  one control serves both is a fact about work; it says nothing about how X's intent
  relates to Y's, so no relationship is composed through a control.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from attestgraph import vocabulary as v
from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog
from attestgraph.relationships import COMPOSITION_REASONS, INVERSE, compose, counts


def explain(store: GraphStore, x: str, y: str, catalog: Catalog | None = None) -> dict[str, Any]:
    """Explain the relation between two requirements given as ``slug:notation``.

    Returns ``{"x", "y", "direct": [link...], "chains": [{"via", "links": [link, link],
    "composed", "why"}...], "inferred": link-or-None, "shared_implementation":
    [{"control", "links": [link, link], "counted"}...]}``. A chain's links read
    ``x ... via`` and ``via ... y`` as recorded; ``composed`` is the relationship
    ``x REL y`` they guarantee (``None``: nothing follows) and ``why`` the composition
    cell's reason. A shared implementation is ``counted`` when both links are at or
    above the partial-coverage strength. Each link has ``from``, ``to``,
    ``relationship``, ``rationale``, ``strength``, ``reason``, ``source``,
    ``source_kind`` and ``mapping_set``.
    """
    catalog = catalog or Catalog(store)
    rx, ry = catalog.requirement(x), catalog.requirement(y)
    touching: dict[str, dict[str, list[str]]] = {rx.iri: defaultdict(list), ry.iri: defaultdict(list)}
    for row in catalog.run("mappings-touching", e=[rx.iri, ry.iri]).records():
        touching[row["e"]][row["other"]].append(row["m"])
    direct_ids = touching[rx.iri].get(ry.iri, [])
    middles = sorted(set(touching[rx.iri]) & set(touching[ry.iri]) - {rx.iri, ry.iri})
    linked = [(mid, m1, m2) for mid in middles for m1 in touching[rx.iri][mid] for m2 in touching[ry.iri][mid]]
    inferred_ids = store.query(
        "SELECT ?m WHERE { ?m a ag:InferredMapping ; ag:fromElement ?a ; ag:toElement ?b . "
        f"VALUES (?a ?b) {{ (<{rx.iri}> <{ry.iri}>) (<{ry.iri}> <{rx.iri}>) }} }}"
    ).column("m")
    wanted = set(direct_ids) | {m for _, m1, m2 in linked for m in (m1, m2)} | set(inferred_ids)
    raw = {d["m"]: d for d in catalog.run("mapping-details", m=sorted(wanted)).records()} if wanted else {}
    details = {m: _link(catalog, d) for m, d in raw.items()}

    chains: list[dict[str, Any]] = []
    shared: list[dict[str, Any]] = []
    for middle, m1, m2 in linked:
        links = [details[m1], details[m2]]
        if middle in catalog.control_by_iri:
            counted = all(counts(v.RELATIONSHIPS[link["relationship"]], link["strength"]) for link in links)
            shared.append({"control": catalog.label_of(middle), "links": links, "counted": counted})
            continue
        first = _read_from(raw[m1], rx.iri)  # x r1 middle
        second = _read_from(raw[m2], middle)  # middle r2 y
        composed = compose(first, second)
        chains.append({
            "via": catalog.label_of(middle),
            "links": links,
            "composed": v.keyword(composed) if composed else None,
            "why": COMPOSITION_REASONS[(first, second)],
        })
    chains.sort(key=lambda c: (c["composed"] is None, -min(link["strength"] for link in c["links"]), c["via"]))
    shared.sort(key=lambda s: (-min(link["strength"] for link in s["links"]), s["control"]))
    return {
        "x": rx.ref,
        "y": ry.ref,
        "direct": [details[m] for m in direct_ids],
        "chains": chains,
        "inferred": details[inferred_ids[0]] if inferred_ids else None,
        "shared_implementation": shared,
    }


def _read_from(d: dict[str, Any], start: str) -> str:
    """The mapping's relationship read from ``start`` to its other end."""
    return d["rel"] if d["from"] == start else INVERSE[d["rel"]]


def _link(catalog: Catalog, d: dict[str, Any]) -> dict[str, Any]:
    kind = "inference" if d["kind"] == v.AG + "Inference" else v.keyword(d["kind"])
    return {
        "from": catalog.label_of(d["from"]),
        "to": catalog.label_of(d["to"]),
        "relationship": v.keyword(d["rel"]),
        "rationale": v.keyword(d["rat"]),
        "strength": d["strength"],
        "reason": d["reason"],
        "source": d["source"],
        "source_kind": kind,
        "mapping_set": d["set"],
    }
