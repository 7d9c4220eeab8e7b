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
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from attestgraph.queries.analysis import coverage
from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement.file import SOC2_CATEGORIES, Engagement

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


def applicable_units(catalog: Catalog, engagement: Engagement) -> Applicability:
    """The units of every target framework the engagement must meet."""
    units: dict[str, Unit] = {}
    excluded: list[dict[str, Any]] = []
    categories = {SOC2_CATEGORIES[c] for c in engagement.soc2_categories}
    dpdp = [s for s in engagement.frameworks if s.startswith("dpdp")]
    bearers = _bearers(catalog, dpdp)
    kinds = _kinds(catalog, dpdp)
    dated = _dates(catalog, dpdp)
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
            if why:
                excluded.append({"requirement": r.ref, "why": why})
                continue
            effective = next((dated[n.iri] for n in lineage if n.iri in dated), None) if slug in dpdp else None
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


def _dates(catalog: Catalog, slugs: list[str]) -> dict[str, dt.date]:
    if not slugs:
        return {}
    return {row["r"]: dt.date.fromisoformat(row["effective"]) for row in catalog.run("effective-dates", slug=slugs).records()}
