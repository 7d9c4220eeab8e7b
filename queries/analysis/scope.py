"""Which requirements an engagement is held to, as leaves (the view gaps and the
readiness figures report).

What applies is decided in one place, :mod:`attestgraph.queries.analysis.applicability`
(SOC 2 categories, the Statement of Applicability, DPDP duties by role, facts, kind
and date); this module lists the leaf requirements under the units that apply, so a
SOC 2 criterion's points of focus count with it and readiness never counts a
provision the plan does not have to meet.
"""

from __future__ import annotations

from attestgraph.queries.analysis.applicability import applicable_units
from attestgraph.queries.analysis.coverage import unit_of
from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement.file import Engagement


def in_scope_leaves(catalog: Catalog, engagement: Engagement) -> dict[str, list[Requirement]]:
    """The leaf requirements per target framework under the units the engagement must meet."""
    applicable = applicable_units(catalog, engagement).units
    chosen: dict[str, list[Requirement]] = {}
    for slug in engagement.frameworks:
        chosen[slug] = [
            r for r in catalog.requirements(slug)
            if r.leaf and (unit := unit_of(r, catalog)) is not None and unit.iri in applicable
        ]
    return chosen
