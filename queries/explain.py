"""Why does requirement X relate to requirement Y? The direct curated mappings between
them, the chains of two curated mappings that meet at one control or pivot
requirement (each link with its relationship, strength, reason and source), and the
inferred mapping if the build materialised one."""

from __future__ import annotations

from collections import defaultdict

from attestgraph import vocabulary as v
from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog


def explain(store: GraphStore, x: str, y: str, catalog: Catalog | None = None) -> dict:
    """Explain the relation between two requirements given as ``slug:notation``.

    Returns ``{"x", "y", "direct": [link...], "chains": [{"via", "links": [link, link]}...],
    "inferred": link-or-None}``; each link has ``from``, ``to``, ``relationship``,
    ``rationale``, ``strength``, ``reason``, ``source``, ``source_kind`` and ``mapping_set``.
    """
    catalog = catalog or Catalog(store)
    rx, ry = catalog.requirement(x), catalog.requirement(y)
    touching: dict[str, dict[str, list[str]]] = {rx.iri: defaultdict(list), ry.iri: defaultdict(list)}
    for row in catalog.run("mappings-touching", e=[rx.iri, ry.iri]).records():
        touching[row["e"]][row["other"]].append(row["m"])
    direct_ids = touching[rx.iri].get(ry.iri, [])
    vias = sorted(set(touching[rx.iri]) & set(touching[ry.iri]) - {rx.iri, ry.iri})
    chain_ids = [(via, m1, m2) for via in vias for m1 in touching[rx.iri][via] for m2 in touching[ry.iri][via]]
    inferred_ids = store.query(
        "SELECT ?m WHERE { ?m a ag:InferredMapping ; ag:fromElement ?a ; ag:toElement ?b . "
        f"VALUES (?a ?b) {{ (<{rx.iri}> <{ry.iri}>) (<{ry.iri}> <{rx.iri}>) }} }}"
    ).column("m")
    wanted = set(direct_ids) | {m for _, m1, m2 in chain_ids for m in (m1, m2)} | set(inferred_ids)
    details = {d["m"]: _link(catalog, d) for d in catalog.run("mapping-details", m=sorted(wanted)).records()} if wanted else {}
    chains = [{"via": catalog.label_of(via), "links": [details[m1], details[m2]]} for via, m1, m2 in chain_ids]
    chains.sort(key=lambda c: (-min(link["strength"] for link in c["links"]), c["via"]))
    return {
        "x": rx.ref,
        "y": ry.ref,
        "direct": [details[m] for m in direct_ids],
        "chains": chains,
        "inferred": details[inferred_ids[0]] if inferred_ids else None,
    }


def _link(catalog: Catalog, d: dict) -> dict:
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
