"""Which assessable units an engagement is held to, and why the others are not.

Units are :mod:`~attestgraph.queries.analysis.coverage`'s (SOC 2 criteria; leaves elsewhere).
This module decides which of them apply:

* **SOC 2**: every criterion of the categories chosen (Security always). Points of
  focus are not units; they help judge their criterion (see ``selection.RULE``).
* **ISO/IEC 42001**: every unit of clauses 4-10 (all are required for certification);
  Annex A controls through the Statement of Applicability. An Annex A control is
  excluded only when the engagement's own facts justify it (:func:`soa_exclusion`):
  the development and data-for-development controls when the company builds or
  trains no model, supplier alignment when it has no third parties. Everything else
  stays applicable, as an auditor would expect of an AI provider.
* **DPDP Act and Rules**: duties by role and facts and by date of effect. A unit
  applies when its lineage has no not-applicable mark; when the roles that bear it
  (``ag:bearer`` on it or its nearest ancestor that has one) include the
  engagement's role (Data Fiduciary; a Significant Data Fiduciary also bears the
  SDF duties of s.10 and R13; a processor only processors' duties); consent-manager
  duties only for a consent manager; children's provisions (s.9, R10, R12, Fourth
  Schedule) only with children's data. Each applicable duty carries its date of
  effect (``ag:effectiveFrom`` on it or its nearest dated ancestor).
* **NIST AI RMF 1.0**: every subcategory of the functions the engagement adopts (all
  four unless ``targets.nist_ai_rmf.functions`` narrows them; :func:`nist_ai_rmf_exclusion`).
  The framework is voluntary, so what applies is what the organisation chose to adopt,
  with one exclusion its facts justify: MANAGE 3.2 (monitoring pre-trained models used
  for development) when it builds, trains or fine-tunes no model.
* **EU AI Act**: duties by role and risk class (:func:`eu_ai_act_exclusion`). A unit
  applies when the roles that bear it (``ag:bearer``, nearest ancestor) include one of
  the engagement's (``targets.eu_ai_act.roles``) and the class it binds (``ag:riskClass``,
  nearest ancestor) is one the engagement declares; prohibited practices and AI literacy
  bind every provider and deployer. The facts of Art. 22(1), 27, 43 and 54(1) narrow it
  further. A high-risk system is classified by one or both routes of Art. 6
  (:func:`eu_high_risk_routes`): an Annex III area (Art. 6(2)) or Annex I product legislation
  (Art. 6(1)); for products under Annex I Section B only Art. 6(1), 60a and 102 to 112 apply
  (Art. 2(2)), so the high-risk duties bind only through Annex III or Section A. The
  open-source exemption of Art. 53(2) and 54(6) lifts Art. 53(1)(a) and (b), their Annexes XI
  Section 1 and XII, and Art. 54, unless the model has systemic risk. Each duty carries its
  date of application, as amended (Art. 113): a high-risk duty takes the date of the earliest
  route it binds the engagement through (:func:`eu_ai_act_effective`), the route dates read
  from Art. 6(1) and 6(2) in the graph.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from attestgraph.queries.analysis import coverage
from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement.file import EU_AI_ACT_ANNEX_I, SOC2_CATEGORIES, Engagement

ROLE_BEARERS = {
    "data-fiduciary": {"Data Fiduciary"},
    "significant-data-fiduciary": {"Data Fiduciary", "Significant Data Fiduciary"},
    "processor": {"Data Processor"},
}
CONSENT_MANAGER = "Consent Manager"
# The provisions on children's personal data, by the section, rule or schedule they sit in.
CHILDREN_PROVISIONS = {("dpdp-act", "9"), ("dpdp-rules", "R10"), ("dpdp-rules", "R12"), ("dpdp-rules", "Sch4")}
# Provision kinds (ag:provisionKind labels) that place nothing on the organisation to do.
NOT_ACTED_ON = {"exemption", "power or procedure", "penalty"}
# Component types and data kinds that show the company builds or trains models.
MODEL_BUILDING_TYPES = {"training-pipeline", "fine-tuning-pipeline", "model-registry", "feature-store"}
DEVELOPMENT_CONTROLS = ("A.6.1.", "A.6.2.2", "A.6.2.3", "A.6.2.4", "A.7.")
# NIST AI RMF subcategories about developing models, excluded when the engagement builds none.
NIST_DEVELOPMENT_SUBCATEGORIES = ("MANAGE 3.2",)
# EU AI Act: the engagement's roles (targets.eu_ai_act.roles) as the labels of the ag:Role
# individuals that bear each provision; a systemic-risk model's provider bears both GPAI roles.
EU_ROLE_BEARERS = {
    "provider": {"AI provider"},
    "deployer": {"AI deployer"},
    "importer": {"AI importer"},
    "distributor": {"AI distributor"},
    "authorised-representative": {"authorised representative"},
    "gpai-provider": {"general-purpose AI model provider"},
}
SYSTEMIC_RISK_BEARER = "systemic-risk general-purpose AI model provider"
# Risk classes (ag:riskClass labels) and the engagement's risk_classes that bring them in;
# prohibited practices and AI literacy bind every provider and deployer whatever the class.
EU_CLASS_TRIGGERS = {
    "high-risk": {"high-risk"},
    "transparency": {"transparency"},
    "general-purpose AI": {"gpai", "gpai-systemic-risk"},
}
EU_EVERY_SYSTEM = {"prohibited practice", "any AI system"}
# Provisions that bind only in the facts named (notation -> why they do not apply otherwise).
EU_ESTABLISHED_OUTSIDE = {"Art. 22(1)", "Art. 22(2)", "Art. 54(1)", "Art. 54(2)"}
EU_PUBLIC_AUTHORITY = {"Art. 26(8)", "Art. 49(3)"}
EU_REMOTE_BIOMETRIC = {"Art. 12(3)", "Art. 14(5)"}
EU_NOT_HIGH_RISK_ROUTE = {"Art. 6(4)", "Art. 49(2)"}
# The classification routes of Art. 6, each named by the provision whose ag:effectiveFrom is the
# date Chapter III applies through it (Art. 113, third paragraph, point (c)(i) and (ii)).
ANNEX_III_ROUTE, ANNEX_I_A_ROUTE, ANNEX_I_B_ROUTE = "annex-iii", "annex-i-section-a", "annex-i-section-b"
EU_ROUTE_PROVISIONS = {ANNEX_III_ROUTE: "Art. 6(2)", ANNEX_I_A_ROUTE: "Art. 6(1)", ANNEX_I_B_ROUTE: "Art. 6(1)"}
EU_ANNEX_I_SECTIONS = {"Annex I Section A": ANNEX_I_A_ROUTE, "Annex I Section B": ANNEX_I_B_ROUTE}
# The routes through which the Regulation's own high-risk duties bind (Art. 2(2) leaves Section B
# products to their sectoral legislation), and the provisions that concern one route only.
EU_DUTY_ROUTES = {ANNEX_III_ROUTE, ANNEX_I_A_ROUTE}
EU_ROUTE_ONLY = {
    "Art. 43(1)": ANNEX_III_ROUTE, "Art. 43(2)": ANNEX_III_ROUTE, "Art. 49(1)": ANNEX_III_ROUTE,
    "Art. 49(3)": ANNEX_III_ROUTE, "Art. 86(1)": ANNEX_III_ROUTE,
    "Art. 43(3)": ANNEX_I_A_ROUTE,
}
# Art. 53(2) and 54(6): lifted for a model released open-source with its parameters public,
# unless it has systemic risk (Annex XI Section 1 and Annex XII are what 53(1)(a) and (b) contain).
EU_OPEN_SOURCE_EXEMPT = {"Art. 53(1)(a)", "Art. 53(1)(b)", "Annex XI Section 1", "Annex XII"}
EU_OPEN_SOURCE_EXEMPT_ARTICLES = {"Art. 54"}


@dataclass(frozen=True)
class Unit:
    """One assessable unit the engagement must meet."""

    requirement: Requirement
    effective: dt.date | None = None  # DPDP date of effect

    @property
    def iri(self) -> str:
        return self.requirement.iri

    @property
    def ref(self) -> str:
        return self.requirement.ref


@dataclass
class Applicability:
    units: dict[str, Unit]  # unit IRI -> unit
    excluded: list[dict[str, Any]]  # {"requirement": ref, "why": ...}: units that do not apply, with the reason

    def by_slug(self, slug: str) -> list[Unit]:
        return [u for u in self.units.values() if u.requirement.slug == slug]


def _builds_models(engagement: Engagement) -> bool:
    return any(c.type in MODEL_BUILDING_TYPES or "training" in c.data for c in engagement.components)


def soa_exclusion(requirement: Requirement, engagement: Engagement) -> str | None:
    """Why an ISO/IEC 42001 Annex A control is excluded from the SoA, or ``None`` when it applies."""
    notation = requirement.notation
    if notation.startswith(DEVELOPMENT_CONTROLS) and not _builds_models(engagement):
        return ("excluded in the Statement of Applicability: the engagement builds, trains or fine-tunes no model "
                "(no training or fine-tuning pipeline, model registry or training data among its components)")
    if notation == "A.10.3" and not engagement.third_parties:
        return "excluded in the Statement of Applicability: the engagement names no suppliers or third parties"
    return None


def nist_ai_rmf_exclusion(requirement: Requirement, lineage: list[Requirement], engagement: Engagement) -> str | None:
    """Why a NIST AI RMF subcategory does not apply to the engagement, or ``None`` when it does.

    ``lineage`` runs from the subcategory up to its function (:meth:`Catalog.lineage`).
    """
    function = lineage[-1].notation
    if function not in engagement.nist_ai_rmf_functions:
        adopted = ", ".join(engagement.nist_ai_rmf_functions)
        return (f"in the {function} function, which the engagement does not adopt "
                f"(targets.nist_ai_rmf.functions: {adopted})")
    if requirement.notation in NIST_DEVELOPMENT_SUBCATEGORIES and not _builds_models(engagement):
        return ("about pre-trained models used for development; the engagement builds, trains or fine-tunes no "
                "model (no training or fine-tuning pipeline, model registry or training data among its components)")
    return None


def applicable_units(catalog: Catalog, engagement: Engagement) -> Applicability:
    """The units of every target framework the engagement must meet."""
    units: dict[str, Unit] = {}
    excluded: list[dict[str, Any]] = []
    categories = {SOC2_CATEGORIES[c] for c in engagement.soc2_categories}
    dpdp = [s for s in engagement.frameworks if s.startswith("dpdp")]
    dated_slugs = dpdp + [s for s in engagement.frameworks if s == "eu-ai-act"]
    bearers = _bearers(catalog, dated_slugs)
    kinds = _kinds(catalog, dated_slugs)
    dated = _dates(catalog, dated_slugs)
    classes = _risk_classes(catalog, dated_slugs)
    routes = eu_high_risk_routes(catalog, engagement, dated)
    # A Consent Manager's duties (s.6(7)-(9), R4) bind only a registered Consent
    # Manager, a role the engagement format does not offer: they never apply here.
    roles = set(ROLE_BEARERS.get(engagement.dpdp_role, set()))
    for slug in engagement.frameworks:
        for r in catalog.requirements(slug):
            if not coverage.is_unit(r):
                continue
            lineage = list(catalog.lineage(r))
            if any(node.not_applicable for node in lineage):
                continue  # marked not-applicable to any organisation in the data
            why = None
            if slug == "soc2" and r.category not in categories:
                continue  # another category's criterion: not part of this report at all
            if slug == "iso42001" and r.notation.startswith("A."):
                why = soa_exclusion(r, engagement)
            if slug in dpdp:
                why = _dpdp_exclusion(r, lineage, catalog, engagement, roles, bearers, kinds)
            if slug == "nist-ai-rmf":
                why = nist_ai_rmf_exclusion(r, lineage, engagement)
            if slug == "eu-ai-act":
                why = eu_ai_act_exclusion(r, lineage, engagement, bearers, classes, kinds, routes)
            if why:
                excluded.append({"requirement": r.ref, "why": why})
                continue
            effective = next((dated[n.iri] for n in lineage if n.iri in dated), None) if slug in dated_slugs else None
            if slug == "eu-ai-act":
                effective = eu_ai_act_effective(r, lineage, effective, classes, routes)
            units[r.iri] = Unit(r, effective)
    return Applicability(units, excluded)


def _dpdp_exclusion(r: Requirement, lineage: list[Requirement], catalog: Catalog, engagement: Engagement, roles: set[str],
                    bearers: dict[str, set[str]], kinds: dict[str, str]) -> str | None:
    kind = next((kinds[n.iri] for n in lineage if n.iri in kinds), None)
    if kind in NOT_ACTED_ON:
        # An exemption (s.7's legitimate uses by the State, s.17), a power of the Board or
        # the Government (s.36) or a penalty is not something the organisation implements.
        return f"a provision of kind '{kind}', not a duty the organisation acts on"
    borne = next((bearers[n.iri] for n in lineage if n.iri in bearers), None)
    if borne is not None and not borne & roles:
        if borne == {"Significant Data Fiduciary"}:
            return "a duty of a Significant Data Fiduciary (s.10, R13); the engagement is not one"
        if borne == {CONSENT_MANAGER}:
            return "a duty of a Consent Manager; the engagement is not one"
        return f"borne by {', '.join(sorted(borne))}, not by the engagement's role ({engagement.dpdp_role})"
    if (r.slug, root_section(r, catalog)) in CHILDREN_PROVISIONS and not engagement.children_data:
        return "a provision on children's personal data; the engagement processes none"
    return None


def eu_high_risk_routes(catalog: Catalog, engagement: Engagement,
                        dated: dict[str, dt.date] | None = None) -> dict[str, dt.date]:
    """The Art. 6 routes by which the engagement's high-risk systems are classified, each with the
    date Chapter III Sections 1 to 3 apply through it, read from the graph (Art. 6(2) for Annex III,
    Art. 6(1) for Annex I; Art. 113(c) as amended). An Annex I item's section is its parent in the
    graph. Empty when the engagement declares no high-risk system."""
    target = engagement.eu_ai_act
    if target is None or "high-risk" not in target.risk_classes:
        return {}
    names: set[str] = {ANNEX_III_ROUTE} if target.annex_iii else set()
    for key in target.annex_i:
        point = catalog.by_ref[f"eu-ai-act:Annex I({EU_AI_ACT_ANNEX_I[key]})"]
        names.add(EU_ANNEX_I_SECTIONS[point.parent or ""])
    dates = dated if dated is not None else _dates(catalog, ["eu-ai-act"])
    return {name: dates[catalog.by_ref[f"eu-ai-act:{EU_ROUTE_PROVISIONS[name]}"].iri] for name in sorted(names)}


def eu_ai_act_effective(r: Requirement, lineage: list[Requirement], own: dt.date | None,
                        classes: dict[str, set[str]], routes: dict[str, dt.date]) -> dt.date | None:
    """The date an applicable EU AI Act duty first binds the engagement.

    ``own`` is the date the graph gives the duty (its nearest dated ancestor), which for a
    high-risk duty is the Annex III route's. A high-risk duty binds through each route the
    engagement has and the duty concerns; through a route it binds from that route's date or its
    own, whichever is later, and the engagement must meet it from the earliest of those.
    """
    bound = next((classes[n.iri] for n in lineage if n.iri in classes), set())
    if "high-risk" not in bound or r.notation in EU_NOT_HIGH_RISK_ROUTE:
        return own  # not a high-risk duty, or the Annex III Art. 6(3) route, dated as it stands
    concerned = {EU_ROUTE_ONLY[r.notation]} if r.notation in EU_ROUTE_ONLY else EU_DUTY_ROUTES
    dates = [max(own, routes[name]) if own else routes[name] for name in concerned & set(routes)]
    return min(dates) if dates else own


def eu_ai_act_exclusion(
    r: Requirement,
    lineage: list[Requirement],
    engagement: Engagement,
    bearers: dict[str, set[str]],
    classes: dict[str, set[str]],
    kinds: dict[str, str],
    routes: dict[str, dt.date],
) -> str | None:
    """Why an EU AI Act duty does not bind the engagement, or ``None`` when it does.

    ``routes`` are the engagement's high-risk routes (:func:`eu_high_risk_routes`).
    """
    target = engagement.eu_ai_act
    if target is None:
        return "the engagement does not target the EU AI Act"
    kind = next((kinds[n.iri] for n in lineage if n.iri in kinds), None)
    if kind in NOT_ACTED_ON:
        return f"a provision of kind '{kind}', not a duty the organisation acts on"
    held = set().union(*(EU_ROLE_BEARERS[role] for role in target.roles))
    if "gpai-systemic-risk" in target.risk_classes:
        held.add(SYSTEMIC_RISK_BEARER)
    borne = next((bearers[n.iri] for n in lineage if n.iri in bearers), set())
    if not borne & held:
        return (f"borne by {', '.join(sorted(borne)) or 'no operator'}, "
                f"not by the engagement's roles ({', '.join(target.roles)})")
    if r.notation in EU_NOT_HIGH_RISK_ROUTE:
        # The Art. 6(3) route: an Annex III system the provider judges not high-risk, so it
        # binds whatever high-risk systems the engagement also has, and only then.
        if not target.annex_iii_not_high_risk:
            return ("binds a provider that judges an Annex III system not high-risk (Art. 6(3)); "
                    "the engagement declares none")
        return None
    bound = next((classes[n.iri] for n in lineage if n.iri in classes), set())
    declared = set(target.risk_classes)
    if not bound & EU_EVERY_SYSTEM and not any(declared & EU_CLASS_TRIGGERS.get(c, set()) for c in bound):
        return (f"binds {', '.join(sorted(bound))} AI; "
                f"the engagement declares {', '.join(target.risk_classes) or 'no such class'}")
    article = next((n.notation for n in lineage if n.level == "article"), "")
    areas = set(target.annex_iii)
    if target.open_source_model and "gpai-systemic-risk" not in target.risk_classes and (
            r.notation in EU_OPEN_SOURCE_EXEMPT or article in EU_OPEN_SOURCE_EXEMPT_ARTICLES):
        which = "Art. 54(6)" if article in EU_OPEN_SOURCE_EXEMPT_ARTICLES else "Art. 53(2)"
        return (f"exempt under {which}: the model is released under a free and open-source licence with its "
                "parameters public, and has no systemic risk (open_source_model)")
    if "high-risk" in bound:
        duty_routes = EU_DUTY_ROUTES & set(routes)
        if not duty_routes:
            return ("the engagement's high-risk systems are products under Annex I Section B, for which only "
                    "Art. 6(1), 60a and 102 to 112 apply (Art. 2(2)); the requirements reach them through the "
                    "sectoral legislation")
        route = EU_ROUTE_ONLY.get(r.notation)
        if route == ANNEX_III_ROUTE and route not in duty_routes:
            return ("concerns Annex III systems; the engagement's high-risk systems are Annex I products, "
                    "assessed under Art. 43(3) and not registered under Art. 49(1)")
        if route == ANNEX_I_A_ROUTE and route not in duty_routes:
            return "the procedure for products under Annex I Section A; the engagement declares none (annex_i)"
    if r.notation in EU_ESTABLISHED_OUTSIDE and not target.established_outside_eu:
        return "binds a provider established outside the Union; the engagement is not (established_outside_eu)"
    if r.notation in EU_PUBLIC_AUTHORITY and not target.public_authority:
        return ("binds deployers that are public authorities or Union institutions, bodies, offices or agencies; "
                "the engagement is not one (public_authority)")
    if r.notation in EU_REMOTE_BIOMETRIC and not target.remote_biometric_identification:
        return ("binds remote biometric identification systems (Annex III point 1(a)); the engagement declares "
                "none (remote_biometric_identification)")
    if r.notation == "Art. 26(10)" and not target.law_enforcement_post_remote_biometric_identification:
        return ("binds the deployer of a post-remote biometric identification system in a criminal investigation; "
                "the engagement declares none (law_enforcement_post_remote_biometric_identification)")
    if article == "Art. 27" and not target.fundamental_rights_assessment:
        return ("binds public bodies, providers of public services and deployers of Annex III 5(b)/(c) systems "
                "(Art. 27(1)); the engagement is not one (fundamental_rights_assessment)")
    if r.notation == "Art. 43(1)" and "biometrics" not in areas:
        return "the procedure for Annex III point 1 (biometrics) systems; the engagement has none"
    if r.notation == "Art. 43(2)" and not areas - {"biometrics"}:
        return "the procedure for Annex III points 2 to 8; the engagement's systems are biometric only"
    if r.notation in {"Art. 49(1)", "Art. 49(3)"} and areas == {"critical-infrastructure"}:
        return f"Annex III point 2 (critical infrastructure) systems are registered nationally, not under {r.notation}"
    if r.notation == "Art. 86(1)" and areas == {"critical-infrastructure"}:
        return "Art. 86(1) excludes Annex III point 2 (critical infrastructure) systems"
    return None


def root_section(requirement: Requirement, catalog: Catalog) -> str:
    """The section, rule or schedule a provision sits in (the top below any chapter)."""
    below_chapter = [n for n in catalog.lineage(requirement) if n.level != "chapter"]
    return below_chapter[-1].notation


def _kinds(catalog: Catalog, slugs: list[str]) -> dict[str, str]:
    if not slugs:
        return {}
    return {row["r"]: row["kind"] for row in catalog.run("provision-kinds", slug=slugs).records()}


def _bearers(catalog: Catalog, slugs: list[str]) -> dict[str, set[str]]:
    if not slugs:
        return {}
    found: dict[str, set[str]] = {}
    for row in catalog.run("requirement-bearers", slug=slugs).records():
        found.setdefault(row["r"], set()).add(row["bearer"])
    return found


def _risk_classes(catalog: Catalog, slugs: list[str]) -> dict[str, set[str]]:
    """Each requirement's EU AI Act risk classes (labels), for the frameworks that carry them."""
    found: dict[str, set[str]] = {}
    if "eu-ai-act" not in slugs:
        return found
    for row in catalog.run("risk-classes", slug=["eu-ai-act"]).records():
        found.setdefault(row["r"], set()).add(row["class"])
    return found


def _dates(catalog: Catalog, slugs: list[str]) -> dict[str, dt.date]:
    if not slugs:
        return {}
    return {row["r"]: dt.date.fromisoformat(row["effective"]) for row in catalog.run("effective-dates", slug=slugs).records()}
