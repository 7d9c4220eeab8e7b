"""Readiness findings: what is wrong with an engagement's scope today, each with a
severity, what was found, why it matters to an auditor or buyer, and what to do.

The checks are the classic mistakes of AI companies: the model pipeline left out of
the scope a report, a certificate or the technical documentation describes; no
evidenced answer on training-data use; third-party model APIs and managed stores not
managed as subservice organisations (SOC 2) or suppliers (ISO/IEC 42001, the EU AI Act,
the NIST AI RMF, the DPDP Act's processors); personal data in scope while the
engagement is silent on whether the DPDP Act reaches it; the DPDP duties a Data
Fiduciary has not met; children's data without the s.9 / R10 duties; a Significant Data
Fiduciary without the s.10 / R13 ones; and the EU AI Act's. Findings that depend on the
schedule (a Type II window that opens before the plan has every control operating,
statutory deadlines the plan reaches too late) are raised by the plan, once.

Every finding cites only requirements the engagement is held to, and is worded for the
frameworks it targets: :class:`TargetedRequirements` is the one home of "which of these
requirement ids does this engagement target" (its frameworks, and within them the units
:mod:`~attestgraph.queries.analysis.applicability` says apply). A check whose premise
needs a framework the engagement does not target does not fire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.applicability import EU_DUTY_ROUTES, applicable_units, eu_high_risk_routes
from attestgraph.queries.analysis.coverage import (
    FULL,
    OPEN,
    link_state,
    spreads_to_children,
    unit_of,
    unit_states,
)
from attestgraph.queries.catalog import Catalog, Requirement
from attestgraph.queries.engagement.file import EU_AI_ACT_PROHIBITED, Engagement, ThirdParty

SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


@dataclass
class Finding:
    id: str
    severity: str
    title: str
    found: str
    why: str
    action: str
    controls: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "severity": self.severity,
            "title": self.title,
            "found": self.found,
            "why": self.why,
            "action": self.action,
            "controls": self.controls,
            "requirements": self.requirements,
        }


class TargetedRequirements:
    """Which requirement ids (``slug:notation``) an engagement is held to.

    A requirement is held when its framework is one the engagement targets and it is an
    assessable unit that applies to the engagement, lies under one (a SOC 2 point of
    focus) or above one (an article whose paragraphs apply). So a SOC 2 criterion is
    never cited for an engagement without a SOC 2 target, nor an EU AI Act provider's
    duty for a deployer, nor an Annex A control the Statement of Applicability excludes.
    """

    def __init__(self, catalog: Catalog, engagement: Engagement):
        self.catalog = catalog
        self.frameworks = set(engagement.frameworks)
        self.units = set(applicable_units(catalog, engagement).units)
        self.above_units = {node.iri for iri in self.units for node in catalog.lineage(catalog.by_iri[iri])}

    def holds(self, ref: str) -> bool:
        requirement = self.catalog.by_ref.get(ref)
        if requirement is None or requirement.slug not in self.frameworks:
            return False
        unit = unit_of(requirement, self.catalog)
        return (unit is not None and unit.iri in self.units) or requirement.iri in self.above_units

    def select(self, refs: Iterable[str]) -> list[str]:
        """The ids among ``refs`` the engagement is held to, in the order given, once each."""
        return list(dict.fromkeys(ref for ref in refs if self.holds(ref)))

    def targets(self, slug: str) -> bool:
        return slug in self.frameworks


def control_sets(catalog: Catalog) -> dict[str, dict[str, Any]]:
    sets: dict[str, dict[str, Any]] = {}
    for row in catalog.run("control-sets").records():
        entry = sets.setdefault(
            row["id"],
            {"id": row["id"], "label": row["label"], "definition": row["definition"],
             "question": row["question"], "members": set(), "discharges": set()},
        )
        entry["members"].add(row["memberId"])
        if row["discharges"]:
            entry["discharges"].add(row["discharges"])
    return sets


def _held(catalog: Catalog, engagement: Engagement, control: str) -> str:
    """'evidenced', 'implemented' (no evidence on hand) or 'missing'."""
    if control not in engagement.implemented_ids:
        return "missing"
    produces = set(catalog.control(control)["evidence"])
    return "evidenced" if produces & set(engagement.evidence) else "implemented"


def _list(items: Iterable[str]) -> str:
    items = sorted(items)
    return ", ".join(items) if items else "none"


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# Components whose exclusion from scope takes the model's development and its data with it.
PIPELINE_TYPES = ("training-pipeline", "fine-tuning-pipeline", "feature-store", "vector-store", "model-registry")
# What each framework's scope is called, the requirement that sets it, and what leaving a
# data-bearing component out of it costs. EU AI Act: the technical documentation describes
# the system's elements and development process (Annex IV(2), through Art. 11(1)) and the
# training, validation and testing data fall under data governance (Art. 10(2)); both bind
# the provider of a high-risk system, so they are cited only when the model pipeline or its
# training data is what was left out.
SCOPE_REQUIREMENTS = {
    "soc2:CC2.3": ("the SOC 2 system description (DC 200)",
                   ("A SOC 2 report covers only the system it describes: a buyer reading it learns nothing about the "
                   "parts that hold their data.")),
    "iso42001:4.3": ("the ISO/IEC 42001 AIMS scope (clause 4.3)",
                     "An AIMS scope that leaves out the AI life cycle will not survive the ISO/IEC 42001 Stage 1 audit."),
}
EU_PIPELINE_SCOPE = ("eu-ai-act:Annex IV(2)", "eu-ai-act:Art. 10(2)")


def check_scope(catalog: Catalog, engagement: Engagement, targeted: TargetedRequirements) -> list[Finding]:
    """Components that touch customer, training or personal data left out of the scope a
    target framework describes (SOC 2 system description, ISO/IEC 42001 AIMS scope, the EU
    AI Act technical documentation and data governance of a high-risk system)."""
    outside = [c for c in engagement.components if not c.in_scope and {"customer", "training", "personal", "children"} & set(c.data)]
    if not outside:
        return []
    pipeline = [c for c in outside if c.type in PIPELINE_TYPES or "training" in c.data]
    cited = targeted.select(SCOPE_REQUIREMENTS)
    eu = targeted.select(EU_PIPELINE_SCOPE) if pipeline else []
    if not cited and not eu:
        return []  # no target framework sets a scope these components fall out of
    names = [f"{c.name} ({', '.join(c.data)} data)" for c in outside]
    scopes = [SCOPE_REQUIREMENTS[ref][0] for ref in cited]
    reasons = [SCOPE_REQUIREMENTS[ref][1] for ref in cited]
    if eu:
        scopes.append("the EU AI Act technical documentation (Annex IV(2)) and data governance (Art. 10(2))")
        reasons.append("The EU AI Act's technical documentation must describe how the high-risk system was developed "
                       "and what it was trained on, and that data falls under Art. 10's data governance duties: "
                       f"leaving out {_list(c.name for c in pipeline)} leaves both unmet.")
    why = " ".join(reasons)
    return [Finding(
        id="scope-excludes-data-components",
        severity="high",
        title="Components that touch customer or training data are outside the scope"
              + (" (the model pipeline is out of scope)" if pipeline else ""),
        found=f"Out of scope: {'; '.join(names)}.",
        why=why,
        action=f"Bring these components inside {_join(scopes)}, or document why each is excluded and how customer "
               "data is kept out of it.",
        requirements=cited + eu,
    )]


def check_training_answer(catalog: Catalog, engagement: Engagement, sets: dict[str, Any],
                          targeted: TargetedRequirements) -> list[Finding]:
    """The buyer's first question of an AI vendor. It is asked whatever the frameworks; it
    cites only the requirements the training-data controls discharge that the engagement is
    held to, and is high where an auditor will test the answer (SOC 2, ISO/IEC 42001)."""
    group = sets.get("training-data-use")
    touches = engagement.touches("customer") or engagement.touches("training")
    if group is None or not touches:
        return []
    states = {c: _held(catalog, engagement, c) for c in group["members"]}
    missing = [c for c, s in states.items() if s == "missing"]
    unevidenced = [c for c, s in states.items() if s == "implemented"]
    if not missing and not unevidenced:
        return []
    cited = sorted(targeted.select(group["discharges"]))
    audited = [name for slug, name in (("soc2", "a SOC 2 auditor"), ("iso42001", "an ISO/IEC 42001 certification auditor"))
               if any(ref.startswith(slug + ":") for ref in cited)]
    why = ("It is the first question an enterprise security review asks of an AI vendor; without a written position, "
           "contract terms, per-tenant records and proof the pipeline honours them, the answer is an assertion, not "
           + (f"something {' or '.join(audited)} can test or a buyer can rely on." if audited
              else "something a buyer can rely on. No requirement of the frameworks this engagement targets asks it "
                   "in these words; the buyer does."))
    return [Finding(
        id="no-evidenced-training-answer",
        severity="high" if audited else "medium",
        title="No evidenced answer to \"does customer data train your models?\"",
        found=f"Missing: {_list(missing)}. Implemented without evidence on hand: {_list(unevidenced)}.",
        why=why,
        action="Put the training-data position, opt-out terms, register and pipeline enforcement in place first and "
               "keep their evidence (policy, contract terms, register export, pipeline filter logs, isolation tests).",
        controls=sorted(missing + unevidenced),
        requirements=cited,
    )]


# Kinds of vendor that host or process customer content by their nature: a model API
# receives prompts, a vector database holds embeddings of documents, a cloud hosts
# everything, a labelling vendor sees training data.
CONTENT_KINDS = ("model-api", "vector-database", "cloud", "data-labelling")
CUSTOMER_DATA = {"customer", "training", "personal", "children"}
# The supplier duty each framework sets, and why it matters, in the project's words.
# SOC 2's is the subservice organisation of the system description (CC9.2 for vendor risk);
# the others manage the vendor as a supplier. DPDP s.8(2) binds a Data Fiduciary that has
# the vendor process personal data for it.
SUPPLIER_DUTIES = {
    "soc2:CC9.2": "The SOC 2 system description must name it, say whether its controls are carved out or included, "
                  "and list the complementary user-entity controls (CUECs) the company operates so that the vendor's "
                  "controls hold; auditors and buyers read that section first for AI vendors.",
    "iso42001:A.10.3": "ISO/IEC 42001 (A.10.3) expects a process that keeps what suppliers provide in line with the "
                       "company's responsible-AI approach; the certification audit samples it for model and data "
                       "vendors.",
    "eu-ai-act:Art. 25(4)": "As provider of a high-risk AI system, the company needs a written agreement with each "
                            "supplier of AI systems, tools, services or components used in it, setting out the "
                            "information, capabilities, technical access and assistance it needs to meet the Act "
                            "(EU AI Act Art. 25(4)).",
    "nist-ai-rmf:GOVERN 6.1": "The NIST AI RMF asks for policies and procedures on third-party AI risk (GOVERN 6.1).",
    "nist-ai-rmf:MANAGE 3.1": "The NIST AI RMF asks for the risks of third-party AI resources to be monitored "
                              "(MANAGE 3.1).",
    "dpdp-act:8(2)": "A Data Fiduciary may have a Data Processor process personal data for it only under a valid "
                     "contract (DPDP Act s.8(2)).",
}
SUBSERVICE_CONTROLS = ("TPM-03", "TPM-04", "TPM-05")


def holds_customer_data(engagement: Engagement, party: ThirdParty) -> bool:
    """Whether a third party holds or processes customer data, whatever its ``kind``:
    its kind hosts content, it processes personal data, or the component it runs
    touches customer, training, personal or children's data."""
    component = next((c for c in engagement.components if c.id == party.component), None)
    return (party.kind in CONTENT_KINDS or party.personal_data
            or (component is not None and bool(CUSTOMER_DATA & set(component.data))))


def _supplier_controls(catalog: Catalog, refs: list[str]) -> set[str]:
    """Catalog controls with a counting link (coverage.link_state) on any of ``refs``."""
    if not refs:
        return set()
    wanted = {catalog.by_ref[ref].iri for ref in refs}
    slugs = sorted({ref.split(":", 1)[0] for ref in refs})
    return {row["controlId"] for row in catalog.run("control-mappings", slug=slugs).records()
            if row["r"] in wanted and link_state(row["rel"], row["rat"], int(row["strength"])) != OPEN}


def supplier_duties(targeted: TargetedRequirements, party: ThirdParty) -> list[str]:
    """The supplier duties (SUPPLIER_DUTIES) the engagement's targets set for ``party``."""
    return targeted.select(ref for ref in SUPPLIER_DUTIES if ref != "dpdp-act:8(2)" or party.personal_data)


def supplier_controls(catalog: Catalog, targeted: TargetedRequirements, party: ThirdParty) -> list[str]:
    """The controls that meet those duties, SOC 2's subservice treatment aside: what the
    supplier finding on ``party`` asks for, and so what the plan schedules for it."""
    others = [ref for ref in supplier_duties(targeted, party) if ref != "soc2:CC9.2"]
    return sorted(_supplier_controls(catalog, others))


def check_third_parties(catalog: Catalog, engagement: Engagement, targeted: TargetedRequirements) -> list[Finding]:
    """Every third party that holds customer data, checked against the supplier duties of the
    frameworks the engagement targets: as a SOC 2 subservice organisation where SOC 2 is a
    target, as a supplier otherwise. No finding where no target framework sets such a duty."""
    findings = []
    soc2 = targeted.holds("soc2:CC9.2")
    for party in engagement.third_parties:
        if not holds_customer_data(engagement, party):
            continue
        cited = supplier_duties(targeted, party)
        if not cited:
            continue
        undocumented = party.treatment == "undocumented" or not party.documented_as_subservice
        problems = []
        if undocumented:
            problems.append("it is not documented as a subservice organisation with a carve-out or inclusive treatment"
                            if soc2 else "it is not documented as a supplier of the AI system, with what it provides "
                                         "and the terms that govern it")
        if party.attestation == "none":
            problems.append("it has no SOC 2 or ISO attestation to rely on, so its controls must be tested another way"
                            if soc2 else "it has no independent attestation to rely on, so the supplier review must "
                                         "assess its controls another way")
        if soc2 and party.treatment == "carve-out" and not party.cuecs:
            problems.append("no complementary user-entity controls are identified for its carve-out")
        open_cuecs = [c for c in party.cuecs if c not in engagement.implemented_ids]
        if open_cuecs:
            problems.append(f"its complementary user-entity controls are not in operation: {_list(open_cuecs)}" if soc2
                            else f"the controls its assurance expects the company to run are not in operation: "
                                 f"{_list(open_cuecs)}")
        if not problems:
            continue
        # An undocumented model API or vector store fails an audit or a legal duty outright;
        # under the voluntary NIST AI RMF alone it is a gap to close, not a failure.
        binding = [ref for ref in cited if not ref.startswith("nist-ai-rmf:")]
        severity = "high" if party.kind in ("model-api", "vector-database") and undocumented and binding else "medium"
        if soc2:
            title = (f"{party.name} ({party.kind}) is not treated as a subservice organisation" if undocumented
                     else f"{party.name} ({party.kind}): subservice treatment is incomplete")
        else:
            title = (f"{party.name} ({party.kind}) is not managed as a supplier" if undocumented
                     else f"{party.name} ({party.kind}): supplier management is incomplete")
        others = [ref for ref in cited if ref != "soc2:CC9.2"]
        linked = supplier_controls(catalog, targeted, party)
        controls = sorted((set(SUBSERVICE_CONTROLS) if soc2 else set()) | set(linked) | set(open_cuecs))
        found = "; ".join(problems)
        why = " ".join(["Customer data passes through or rests with it."] + [SUPPLIER_DUTIES[ref] for ref in cited])
        extra = sorted(set(linked) - set(SUBSERVICE_CONTROLS))
        if soc2:
            action = ("Add it to the subservice inventory (TPM-03) with its treatment, review its assurance report and "
                      "map its CUECs to owners (TPM-04), and put no-training and retention terms in the contract (TPM-05)")
            if extra:
                action += f"; for the supplier duties of the other targets, put {_list(extra)} in operation"
        elif linked:
            action = ("Record it as a supplier with what it provides and the terms that govern it, review its "
                      f"assurance, and put {_list(linked)} in operation")
        else:
            action = ("Record it as a supplier with what it provides and the terms that govern it, and agree those "
                      "terms in writing; no catalog control meets " + ", ".join(others) + ", so it needs work of its own")
        findings.append(Finding(
            id=f"{'subservice' if soc2 else 'supplier'}-{party.id}",
            severity=severity,
            title=title,
            found=found[0].upper() + found[1:] + ".",
            why=why,
            action=action + ".",
            controls=controls,
            requirements=cited,
        ))
    return findings


def _personal_data_holders(engagement: Engagement) -> list[str]:
    return ([c.name for c in engagement.components if {"personal", "children"} & set(c.data)]
            + [f"{t.name} (third party)" for t in engagement.third_parties if t.personal_data])


def check_dpdp(catalog: Catalog, engagement: Engagement, sets: dict[str, Any],
               targeted: TargetedRequirements) -> list[Finding]:
    """Personal data under the DPDP Act.

    The Act reaches processing of digital personal data in India, and processing outside
    India connected with offering goods or services to Data Principals in India (s.3(a),
    (b)). An engagement that states ``targets.dpdp.role: none`` has answered that question:
    no finding. One that is silent and handles personal data is asked it, as a low finding:
    nothing in the engagement shows a connection to India, and the duties follow (as the
    findings below) once a role is declared. A Data Fiduciary is checked duty by duty.
    """
    holders = _personal_data_holders(engagement)
    if not holders:
        return []
    if not engagement.dpdp_declared:
        # The question names s.3 in its text; it cites no requirement, since the Act is not
        # (yet) a target and a finding's requirements are ones the engagement is held to.
        return [Finding(
            id="dpdp-reach-unstated",
            severity="low",
            title="Personal data is in scope; whether India's DPDP Act reaches it is not stated",
            found=f"Components and vendors handling personal data: {_list(holders)}; the engagement states no "
                  "targets.dpdp.role.",
            why="The DPDP Act applies to digital personal data processed in India, and to processing outside India "
                "in connection with offering goods or services to Data Principals in India (s.3(a) and (b)); where "
                "it applies, a Data Fiduciary owes notice, consent, safeguards, breach intimation, erasure and "
                "grievance redress, with penalties of up to INR 250 crore. Nothing in this engagement says whether "
                "either limb holds.",
            action="Answer the territorial question: if the company processes personal data in India or offers goods "
                   "or services to people in India, declare its role under targets.dpdp.role (data-fiduciary, "
                   "significant-data-fiduciary or processor) so the duties are planned; if neither holds, state "
                   "targets.dpdp.role: none.",
        )]
    if engagement.dpdp_role in ("none", "processor"):
        return []  # outside the Act by the engagement's own statement, or a processor's duties only
    findings = []
    for key in ("dpdp-notice", "dpdp-consent", "dpdp-breach-intimation", "dpdp-erasure", "dpdp-grievance"):
        group = sets.get(key)
        if group is None:
            continue
        missing = sorted(c for c in group["members"] if c not in engagement.implemented_ids)
        if not missing:
            continue
        findings.append(Finding(
            id=f"missing-{key}",
            severity="high" if key == "dpdp-breach-intimation" else "medium",
            title=f"{group['label']}: duty not yet met",
            found=f"Controls not in operation: {_list(missing)}.",
            why=f"{group['definition']} The DPDP duties apply to every Data Fiduciary handling digital personal data; "
                "the Board can impose penalties per breach.",
            action=f"Implement {_list(missing)} before the provisions take effect.",
            controls=missing,
            requirements=sorted(targeted.select(group["discharges"])),
        ))
    return findings


def readiness_findings(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None) -> list[Finding]:
    """Every readiness finding for the engagement, most severe first.

    ``engagement`` is read as it stands: pass ``engagement.operating_on(day)`` to judge
    it on a report date, so a control promised for later is not counted as operating.
    The schedule's own findings (a Type II window opened too early, DPDP duties planned
    after their date) come from the plan; :func:`attestgraph.queries.analysis.analyse`
    merges both.
    """
    catalog = catalog or Catalog(store)
    sets = control_sets(catalog)
    targeted = TargetedRequirements(catalog, engagement)
    found = (
        check_scope(catalog, engagement, targeted)
        + check_training_answer(catalog, engagement, sets, targeted)
        + check_third_parties(catalog, engagement, targeted)
        + check_dpdp(catalog, engagement, sets, targeted)
        + check_dpdp_provisions(catalog, engagement)
        + check_eu_ai_act(catalog, engagement)
    )
    return sorted(found, key=lambda f: (SEVERITY_ORDER[f.severity], f.id))


# Provisions whose duties an engagement must meet when it handles children's data or is
# a Significant Data Fiduciary: (framework, notation of the provision at the top).
CHILDREN_PROVISIONS = (("dpdp-act", "9"), ("dpdp-rules", "R10"))
SDF_PROVISIONS = (("dpdp-act", "10(2)"), ("dpdp-rules", "R13"))


def provision_states(catalog: Catalog, engagement: Engagement, provisions: Iterable[tuple[str, str]],
                     ) -> tuple[list[Requirement], dict[str, str], dict[str, set[str]]]:
    """The assessable units under ``provisions``, their state from the operating controls
    (the coverage rule of :mod:`attestgraph.queries.analysis.coverage`), and for each unit the
    catalog controls that would advance it."""
    roots = {catalog.by_ref[f"{slug}:{notation}"].iri for slug, notation in provisions
             if f"{slug}:{notation}" in catalog.by_ref}
    slugs = sorted({slug for slug, _ in provisions})
    # Only obligations: an exemption (s.9(4)) or a power of the Government is not a
    # duty the company can fail to meet.
    obligations = set(catalog.run("obligations", slug=slugs).column("r"))
    units = [r for r in catalog.requirements(slugs) if r.leaf and r.iri in obligations
             and any(n.iri in roots for n in catalog.lineage(r))
             and not any(n.not_applicable for n in catalog.lineage(r))]
    have = engagement.implemented_ids
    links: list[tuple[str, str]] = []
    advancing: dict[str, list[tuple[str, str]]] = {}
    for row in catalog.run("control-mappings", slug=slugs).records():
        state = link_state(row["rel"], row["rat"], int(row["strength"]))
        if state == OPEN:
            continue
        if row["controlId"] in have:
            links.append((row["r"], state))
        advancing.setdefault(row["r"], []).append((row["controlId"], state))
    states = unit_states(catalog, slugs, links)
    helpers: dict[str, set[str]] = {}
    for unit in units:
        found = set()
        for node in catalog.lineage(unit):
            for control, state in advancing.get(node.iri, []):
                if node.iri == unit.iri or spreads_to_children(state):
                    found.add(control)
        helpers[unit.iri] = found - have
    return units, {u.iri: states.get(u.iri, OPEN) for u in units}, helpers


def _provision_finding(catalog: Catalog, engagement: Engagement, provisions: Iterable[tuple[str, str]],
                       identifier: str, title: str, why: str) -> list[Finding]:
    units, states, helpers = provision_states(catalog, engagement, provisions)
    # Work is left where a duty is open, or met only in part while a catalog control that
    # would advance it is not yet operating. A duty met in part with every catalog control
    # for it running shows as partial in the readiness table; it is no missing control.
    unmet = [u for u in units if states[u.iri] == OPEN or (states[u.iri] != FULL and helpers[u.iri])]
    if not unmet:
        return []
    controls = sorted(set().union(*(helpers[u.iri] for u in unmet)))
    shown = "; ".join(f"{u.ref} {u.label} ({states[u.iri]})" for u in unmet)
    no_control = [u.ref for u in unmet if not helpers[u.iri]]
    action = (f"Put {_list(controls)} in operation before the duties apply" if controls
              else "Design controls for these duties")
    if no_control:
        action += f"; nothing in the catalog meets {', '.join(no_control)}, so it needs work of its own"
    return [Finding(
        id=identifier,
        severity="high",
        title=title,
        found=f"{len(unmet)} of {len(units)} provisions are not met by the controls in operation: {shown}.",
        why=why,
        action=action + ".",
        controls=controls,
        requirements=[u.ref for u in unmet],
    )]


def check_dpdp_provisions(catalog: Catalog, engagement: Engagement) -> list[Finding]:
    """Children's data without the s.9 / R10 duties; a Significant Data Fiduciary without
    the s.10 / R13 ones (impact assessment, periodic audit, algorithmic due diligence)."""
    findings: list[Finding] = []
    fiduciary = engagement.dpdp_role in ("data-fiduciary", "significant-data-fiduciary")
    if fiduciary and (engagement.children_data or engagement.touches("children")):
        findings += _provision_finding(
            catalog, engagement, CHILDREN_PROVISIONS, "missing-dpdp-children",
            "Children's personal data without the DPDP s.9 and Rule 10 duties",
            "A Data Fiduciary must obtain verifiable consent of a parent or lawful guardian before processing a "
            "child's personal data, and may not track, behaviourally monitor or target advertising at children "
            "(DPDP Act s.9; Rule 10); the Schedule allows a penalty of up to INR 200 crore for a breach.",
        )
    if engagement.dpdp_role == "significant-data-fiduciary":
        findings += _provision_finding(
            catalog, engagement, SDF_PROVISIONS, "missing-dpdp-sdf",
            "Significant Data Fiduciary duties of DPDP s.10 and Rule 13 not met",
            "A Significant Data Fiduciary must appoint a Data Protection Officer in India and an independent data "
            "auditor, carry out a Data Protection Impact Assessment and an audit every twelve months, and verify "
            "that the algorithmic software it uses poses no risk to Data Principals' rights (DPDP Act s.10(2); "
            "Rule 13); the Schedule allows a penalty of up to INR 150 crore for a breach.",
        )
    return findings


# EU AI Act: the articles whose duties the readiness check counts for each kind of operator.
EU_RISK_MANAGEMENT = (("eu-ai-act", "Art. 9"),)
EU_GPAI_DOCUMENTATION = (("eu-ai-act", "Art. 53"),)
# What Art. 53 still asks of an open-source model's provider once Art. 53(2) lifts (a) and (b).
EU_GPAI_OPEN_SOURCE_DUTIES = (("eu-ai-act", "Art. 53(1)(c)"), ("eu-ai-act", "Art. 53(1)(d)"))


def eu_fine(catalog: Catalog, notation: str) -> str:
    """The maximum fine an EU AI Act penalty provision sets, read from the graph, as a phrase."""
    for row in catalog.run("eu-penalties", slug="eu-ai-act").records():
        if row["notation"] == notation:
            amount = f"EUR {int(float(row['eur'])):,}".replace(",", " ")
            if row.get("percent"):
                return (f"up to {amount} or {float(row['percent']):g} % of total worldwide annual turnover, "
                        f"{row.get('cap') or 'whichever is higher'} ({notation})")
            return f"up to {amount} ({notation})"
    raise KeyError(f"eu-ai-act:{notation} sets no fine in the graph")


def check_eu_ai_act(catalog: Catalog, engagement: Engagement) -> list[Finding]:
    """A prohibited practice declared; a high-risk provider without the Art. 9 risk management
    system; a general-purpose AI model provider without the Art. 53 documentation duties.

    Each fires only where the duty binds the engagement: the risk management system when a
    high-risk system is classified through Annex III or Annex I Section A (Art. 2(2) leaves
    Section B products to their sectoral legislation), the GPAI documentation without the
    Art. 53(1)(a) and (b) duties that Art. 53(2) lifts from an open-source model.
    """
    target = engagement.eu_ai_act
    if target is None:
        return []
    findings: list[Finding] = []
    if target.prohibited_practices:
        refs = [f"eu-ai-act:Art. 5(1)({EU_AI_ACT_PROHIBITED[p]})" for p in target.prohibited_practices]
        shown = ", ".join(f"{ref} {catalog.by_ref[ref].label}" for ref in refs)
        findings.append(Finding(
            id="eu-ai-act-prohibited-practice",
            severity="high",
            title="A prohibited AI practice is declared",
            found=f"The engagement declares {len(refs)} practice(s) Article 5 forbids: {shown}.",
            why="No control makes a prohibited practice compliant: it may not be placed on the market, put into "
                f"service or used in the Union ({_in_force_since(catalog, refs)}); the fine is "
                + eu_fine(catalog, "Art. 99(3)") + "; for SMEs and start-ups the lower of the two (Art. 99(6)).",
            action="Stop the practice or redesign the system out of Article 5 before any other EU AI Act work, and "
                   "record the decision in the classification (AIR-60).",
            controls=["AIR-60"],
            requirements=refs,
        ))
    routes = eu_high_risk_routes(catalog, engagement)
    if "provider" in target.roles and EU_DUTY_ROUTES & set(routes):
        first = min(date for name, date in routes.items() if name in EU_DUTY_ROUTES)
        findings += _provision_finding(
            catalog, engagement, EU_RISK_MANAGEMENT, "missing-eu-ai-act-risk-management",
            "High-risk AI system without the EU AI Act Art. 9 risk management system",
            "A provider must run a documented, lifecycle risk management system for each high-risk AI system "
            f"(Art. 9, through Art. 16(a)) before placing it on the market, from {first.isoformat()} for this "
            "engagement's systems (Art. 113(c) as amended); breach of a provider's obligations draws "
            + eu_fine(catalog, "Art. 99(4)") + ".",
        )
    if "gpai-provider" in target.roles:
        if target.open_source_model and "gpai-systemic-risk" not in target.risk_classes:
            findings += _provision_finding(
                catalog, engagement, EU_GPAI_OPEN_SOURCE_DUTIES, "missing-eu-ai-act-gpai-documentation",
                "General-purpose AI model without the EU AI Act Art. 53 copyright policy and training summary",
                "An open-source model with its parameters public is exempt from the technical documentation and "
                "downstream information of Art. 53(1)(a) and (b) (Art. 53(2)), but its provider must still have a "
                "copyright policy and publish a training-content summary (Art. 53(1)(c) and (d), in force since "
                "2 August 2025); the Commission can fine " + eu_fine(catalog, "Art. 101(1)") + ".",
            )
        else:
            findings += _provision_finding(
                catalog, engagement, EU_GPAI_DOCUMENTATION, "missing-eu-ai-act-gpai-documentation",
                "General-purpose AI model without the EU AI Act Art. 53 documentation",
                "A provider of a general-purpose AI model must keep its technical documentation (Annex XI), inform "
                "downstream providers (Annex XII), have a copyright policy and publish a training-content summary "
                "(Art. 53(1), in force since 2 August 2025); the Commission can fine "
                + eu_fine(catalog, "Art. 101(1)") + ".",
            )
    return findings


def _in_force_since(catalog: Catalog, refs: list[str]) -> str:
    """When the given EU AI Act provisions apply, from their dates in the graph, as a phrase."""
    dates = {row["notation"]: row["effective"] for row in catalog.run("effective-dates", slug="eu-ai-act").records()}
    found: dict[str, list[str]] = {}
    for ref in refs:
        node = catalog.by_ref[ref]
        lineage = [n.notation for n in catalog.lineage(node)]
        date = next(dates[n] for n in lineage if n in dates)
        found.setdefault(date, []).append(node.notation)
    phrases = []
    for text, notations in sorted(found.items()):
        day = dt.date.fromisoformat(text)
        phrases.append(f"banned from {day.day} {day:%B %Y} for {', '.join(notations)}")
    return "; ".join(phrases)
