"""Why does requirement X relate to requirement Y? The chains of curated mappings
(direct, or through one control or pivot requirement) with each link's
relationship, strength, reason and source, and the inferred mapping if one was
materialised."""

from __future__ import annotations

from attestgraph import vocabulary as v
from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog


def explain(store: GraphStore, x: str, y: str, catalog: Catalog | None = None) -> dict:
    """Explain the relation between two requirements given as ``slug:notation``.

    Returns ``{"x", "y", "direct": [link...], "chains": [{"via", "links": [link, link]}...],
    "inferred": link-or-None}``; each link has ``from``, ``to``, ``relationship``,
    ``rationale``, ``strength``, ``reason``, ``source``, ``mapping_set``.
    """
    catalog = catalog or Catalog(store)
    rx, ry = catalog.requirement(x), catalog.requirement(y)
    rows = catalog.run("chains-between", x=rx.iri, y=ry.iri).records()
    mapping_ids = {r["m1"] for r in rows} | {r["m2"] for r in rows if r["m2"]}
    inferred_rows = catalog.store.query(
        "SELECT ?m WHERE { ?m a ag:InferredMapping ; ag:fromElement ?a ; ag:toElement ?b . "
        f"VALUES (?a ?b) {{ (<{rx.iri}> <{ry.iri}>) (<{ry.iri}> <{rx.iri}>) }} }}"
    ).column("m")
    mapping_ids |= set(inferred_rows)
    details = {}
    if mapping_ids:
        for d in catalog.run("mapping-details", m=sorted(mapping_ids)).records():
            details[d["m"]] = _link(catalog, d)
    direct, chains = [], []
    for row in rows:
        if row["step"] == 1:
            direct.append(details[row["m1"]])
        else:
            chains.append({"via": catalog.label_of(row["via"]), "links": [details[row["m1"]], details[row["m2"]]]})
    chains.sort(key=lambda c: (-min(l["strength"] for l in c["links"]), c["via"]))
    return {
        "x": rx.ref,
        "y": ry.ref,
        "direct": direct,
        "chains": chains,
        "inferred": details[inferred_rows[0]] if inferred_rows else None,
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
