"""Shared evidence: "collect once, satisfy many".

Evidence types ranked by how many of the chosen frameworks they serve, then by
how many requirements, through the controls that produce them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog, natural_key


def shared_evidence(store: GraphStore, frameworks: list[str] | None = None, catalog: Catalog | None = None) -> dict[str, Any]:
    """Evidence types with, for each, the requirements it serves per framework.

    Returns ``{"frameworks": [...], "evidence": [{"id", "label", "form", "frameworks",
    "requirements", "controls", "serves": {slug: [notation, ...]}}, ...]}`` ranked best first.
    """
    catalog = catalog or Catalog(store)
    chosen = frameworks or sorted(catalog.frameworks)
    for slug in chosen:
        catalog.framework(slug)
    serves: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    controls: dict[str, set[str]] = defaultdict(set)
    info: dict[str, dict[str, Any]] = {}
    for row in catalog.run("evidence-reach", slug=chosen).records():
        key = row["evidenceId"]
        info[key] = {"id": key, "label": row["evidenceLabel"], "form": row["form"]}
        serves[key][row["slug"]].add(row["notation"])
        controls[key].add(row["controlId"])
    ranked = []
    for key, per_framework in serves.items():
        ranked.append(
            dict(
                info[key],
                frameworks=len(per_framework),
                requirements=sum(len(n) for n in per_framework.values()),
                controls=sorted(controls[key]),
                serves={slug: sorted(per_framework[slug], key=natural_key) for slug in chosen if slug in per_framework},
            )
        )
    ranked.sort(key=lambda e: (-e["frameworks"], -e["requirements"], e["id"]))
    return {"frameworks": chosen, "evidence": ranked}
