"""The control set a programme for one framework builds, when no engagement says.

"How much of B does the work for A cover" is answered from the controls a programme
for A actually implements. With an engagement, that is its plan's selection. Without
one (``attestgraph overlap A B``), it is the planner's own minimum-effort selection
for a *reference engagement* that targets A alone: an AI SaaS company that trains or
fine-tunes models, runs an inference API on cloud infrastructure, and holds customer
and personal data, with nothing in operation yet. The same sufficiency rule and the
same solver as a client's plan, so the overlap figures and the plan never disagree
about what "the SOC 2 work" is.

The EU AI Act's duties turn on role and risk class, so its reference says which: a
provider, and deployer, of an Annex III high-risk system with transparency duties (the
case in which its overlap with ISO/IEC 42001 is asked about). The rule text names the
reference, and says how many of the controls are there as another's prerequisite
(the catalog's ``ag:dependsOn``) or because a readiness finding asks for them: both are
work the programme does, and both move the figures, so the reader is told.

Frameworks the planner does not target (ISO/IEC 27001) have no reference programme;
callers fall back to :func:`attestgraph.queries.analysis.coverage.programme_controls`.
"""

from __future__ import annotations

from typing import Any

from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement.file import Engagement, parse_engagement

_COMPANY = {
    "organisation": "Reference AI SaaS company",
    "start_date": "2027-01-04",
    "capacity_days_per_week": 10,
}
_COMPONENTS = [
    {"id": "app", "type": "inference-api", "name": "Product API and web app", "data": ["customer", "personal"],
     "in_scope": True},
    {"id": "training", "type": "training-pipeline", "name": "Training and fine-tuning pipeline",
     "data": ["training", "customer"], "in_scope": True},
    {"id": "cloud", "type": "cloud-infrastructure", "name": "Cloud infrastructure", "data": ["customer", "personal"],
     "in_scope": True},
]

# What each reference programme targets; described in the answer it produces.
REFERENCE_TARGETS = {
    "soc2": ({"soc2": {"reports": ["type1", "type2"], "window_months": 6,
                       "categories": ["security", "availability", "confidentiality", "processing-integrity",
                                      "privacy"]}},
             "SOC 2 Type II over all five categories"),
    "iso42001": ({"iso42001": {"certification": True}}, "ISO/IEC 42001 certification"),
    "dpdp-act": ({"dpdp": {"role": "data-fiduciary", "children_data": False}},
                 "the DPDP Act and Rules as a Data Fiduciary"),
    "dpdp-rules": ({"dpdp": {"role": "data-fiduciary", "children_data": False}},
                   "the DPDP Act and Rules as a Data Fiduciary"),
    "nist-ai-rmf": ({"nist_ai_rmf": {}}, "the NIST AI RMF 1.0 Core (all four functions)"),
    # The Act's duties depend on role and risk class, so its reference states both: the case
    # in which "how much of ISO/IEC 42001 does the EU AI Act work cover" is asked, a company
    # that provides, and itself deploys, an Annex III high-risk system (point 4, employment:
    # conformity by internal control, Art. 43(2)) with Art. 50 transparency duties. No
    # general-purpose AI model, no prohibited practice, established in the Union.
    "eu-ai-act": ({"eu_ai_act": {"roles": ["provider", "deployer"], "risk_classes": ["high-risk", "transparency"],
                                 "annex_iii": ["employment"]}},
                  ("the EU AI Act as provider and deployer of an Annex III high-risk system (point 4, employment) "
                  "with Art. 50 transparency duties, established in the Union, no general-purpose AI model")),
}


def reference_engagement(slug: str) -> Engagement:
    """The reference engagement that targets ``slug`` alone (a key of :data:`REFERENCE_TARGETS`)."""
    targets, _ = REFERENCE_TARGETS[slug]
    document = {
        "engagement": dict(_COMPANY, id=f"reference-{slug}"),
        "targets": targets,
        "components": _COMPONENTS,
    }
    return parse_engagement(document, f"reference programme for {slug}")


def reference_programme(catalog: Catalog, slug: str) -> dict[str, Any] | None:
    """The planner's selection for a reference engagement that targets ``slug`` alone.

    Returns ``{"ids": [...], "rule": str, "unmet": int, "unmet_requirements": [...],
    "prerequisites": [...], "asked": [...]}`` (``ids`` the controls the programme builds; ``prerequisites`` those selected as
    prerequisites of another selected control; ``asked`` those the readiness findings
    ask for), or ``None`` when the planner does not target ``slug``.
    """
    if slug not in REFERENCE_TARGETS:
        return None
    # The planner's modules import the query layer this module serves; import late.
    from attestgraph.queries.analysis.applicability import applicable_units
    from attestgraph.queries.analysis.findings import control_sets
    from attestgraph.queries.planning.selection import select_controls

    _, described = REFERENCE_TARGETS[slug]
    engagement = reference_engagement(slug)
    selection = select_controls(catalog, engagement, applicable_units(catalog, engagement), control_sets(catalog))
    ids = sorted(selection.chosen)
    prerequisites = sorted(c for c in ids if selection.reasons.get(c, "").startswith("prerequisite of "))
    asked = sorted(c for c in selection.forced["asked_by_findings"] if c in selection.chosen and c not in prerequisites)
    why_in = [part for part in (
        f"{len(prerequisites)} of them as prerequisites of other selected controls" if prerequisites else "",
        f"{len(asked)} asked for by the readiness findings" if asked else "",
    ) if part]
    rule = (f"the {len(ids)} controls the planner selects, at a reference AI SaaS company (trains models, runs an "
            f"inference API, holds customer and personal data), for {described}: the minimum-effort set that meets "
            "every applicable requirement by the plan's sufficiency rule"
            + (f"; {', '.join(why_in)}" if why_in else "")
            + (f"; {len(selection.unmet)} requirements remaining unmet" if selection.unmet else ""))
    return {"ids": ids, "rule": rule, "unmet": len(selection.unmet), "unmet_requirements": [u["requirement"] for u in selection.unmet],
            "prerequisites": prerequisites, "asked": asked}
