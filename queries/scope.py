"""Which requirements an engagement is held to, as leaves (the view gaps reports).

The plan works on assessable units instead (SOC 2 criteria, leaves elsewhere) with
duties by role and the Statement of Applicability: queries/applicability.py.

* SOC 2: the leaves of the categories in scope (Security always).
* ISO/IEC 42001: every leaf of clauses 4-10 and of Annex A (the Statement of
  Applicability may exclude Annex A controls later, with a justification).
* DPDP Act and Rules: the leaves an organisation acts on (not marked
  not-applicable); duties of a Significant Data Fiduciary only when the engagement
  says it is one; the provisions on children's data (Act s.9, Rules R10, R12 and the
  Fourth Schedule) only when it handles children's data.
"""

from __future__ import annotations

from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement import SOC2_CATEGORIES, Engagement

CHILDREN_PROVISIONS = {("dpdp-act", "9"), ("dpdp-rules", "R10"), ("dpdp-rules", "R12"), ("dpdp-rules", "Sch4")}


def root_section(requirement: Requirement, catalog: Catalog) -> str:
    """The section, rule or schedule a provision sits in (the top below any chapter)."""
    below_chapter = [n for n in catalog.lineage(requirement) if n.level != "chapter"]
    return below_chapter[-1].notation


def in_scope_leaves(catalog: Catalog, engagement: Engagement) -> dict[str, list[Requirement]]:
    """The leaf requirements per target framework that the engagement must meet."""
    chosen: dict[str, list[Requirement]] = {}
    categories = {SOC2_CATEGORIES[c] for c in engagement.soc2_categories}
    sdf_only = _sdf_only(catalog, engagement.frameworks)
    for slug in engagement.frameworks:
        leaves = []
        for r in catalog.requirements(slug):
            if not r.leaf or any(node.not_applicable for node in catalog.lineage(r)):
                continue
            if slug == "soc2" and r.category not in categories:
                continue
            if slug.startswith("dpdp"):
                if r.iri in sdf_only and engagement.dpdp_role != "significant-data-fiduciary":
                    continue
                if (slug, root_section(r, catalog)) in CHILDREN_PROVISIONS and not engagement.children_data:
                    continue
            leaves.append(r)
        chosen[slug] = leaves
    return chosen


def _sdf_only(catalog: Catalog, frameworks: list[str]) -> set[str]:
    """Requirements whose only bearer is a Significant Data Fiduciary."""
    slugs = [s for s in frameworks if s.startswith("dpdp")]
    if not slugs:
        return set()
    bearers: dict[str, set[str]] = {}
    for row in catalog.run("requirement-bearers", slug=slugs).records():
        bearers.setdefault(row["r"], set()).add(row["bearer"])
    return {iri for iri, roles in bearers.items() if roles == {"Significant Data Fiduciary"}}
