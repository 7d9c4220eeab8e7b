"""Readiness findings: what is wrong with an engagement's scope today, each with a
severity, what was found, why it matters to an auditor or buyer, and what to do.

The checks are the classic mistakes of AI companies going for SOC 2 and ISO/IEC
42001 under the DPDP Act: the model pipeline left out of the system description, no
evidenced answer on training-data use, third-party model APIs and managed stores not
treated as subservice organisations, a Type II window opened before the controls
operate, personal data in scope without the DPDP duties that follow, children's data
without the s.9 / R10 duties, and a Significant Data Fiduciary without the s.10 / R13
ones. Findings that depend on the schedule (a Type II window that opens before the
plan has every control operating, DPDP deadlines the plan reaches too late) are
raised by the plan, once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.applicability import EU_DUTY_ROUTES, eu_high_risk_routes
from attestgraph.queries.analysis.coverage import FULL, OPEN, link_state, spreads_to_children, unit_states
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


def check_scope(engagement: Engagement) -> list[Finding]:
    outside = [c for c in engagement.components if not c.in_scope and {"customer", "training", "personal", "children"} & set(c.data)]
    if not outside or not engagement.soc2_reports and not engagement.iso42001:
        return []
    names = [f"{c.name} ({', '.join(c.data)} data)" for c in outside]
    pipeline = any(c.type in ("training-pipeline", "fine-tuning-pipeline", "feature-store", "vector-store", "model-registry") for c in outside)
    return [Finding(
        id="scope-excludes-data-components",
        severity="high",
        title="Components that touch customer or training data are outside the system description"
              + (" (the model pipeline is out of scope)" if pipeline else ""),
        found=f"Out of scope: {'; '.join(names)}.",
        why="A SOC 2 report covers only the system it describes; a buyer reading it learns nothing about the parts "
            "that hold their data, and an ISO/IEC 42001 scope that omits the AI life cycle will not survive Stage 1.",
        action="Bring these components inside the system description (SOC 2 DC 200 description and ISO/IEC 42001 clause 4.3 "
               "scope), or document why each is excluded and how customer data is kept out of it.",
        requirements=["soc2:CC2.3", "iso42001:4.3"],
    )]


def check_training_answer(catalog: Catalog, engagement: Engagement, sets: dict[str, Any]) -> list[Finding]:
    group = sets.get("training-data-use")
    touches = engagement.touches("customer") or engagement.touches("training")
    if group is None or not touches:
        return []
    states = {c: _held(catalog, engagement, c) for c in group["members"]}
    missing = [c for c, s in states.items() if s == "missing"]
    unevidenced = [c for c, s in states.items() if s == "implemented"]
    if not missing and not unevidenced:
        return []
    return [Finding(
        id="no-evidenced-training-answer",
        severity="high",
        title="No evidenced answer to \"does customer data train your models?\"",
        found=f"Missing: {_list(missing)}. Implemented without evidence on hand: {_list(unevidenced)}.",
        why="It is the first question an enterprise security review asks of an AI vendor; without a written position, "
            "contract terms, per-tenant records and proof the pipeline honours them, the answer is an assertion, "
            "not something an auditor can test or a buyer can rely on.",
        action="Put the training-data position, opt-out terms, register and pipeline enforcement in place first and "
               "keep their evidence (policy, contract terms, register export, pipeline filter logs, isolation tests).",
        controls=sorted(missing + unevidenced),
        requirements=sorted(group["discharges"]),
    )]


# Kinds of vendor that host or process customer content by their nature: a model API
# receives prompts, a vector database holds embeddings of documents, a cloud hosts
# everything, a labelling vendor sees training data.
CONTENT_KINDS = ("model-api", "vector-database", "cloud", "data-labelling")
CUSTOMER_DATA = {"customer", "training", "personal", "children"}


def holds_customer_data(engagement: Engagement, party: ThirdParty) -> bool:
    """Whether a third party holds or processes customer data, whatever its ``kind``:
    its kind hosts content, it processes personal data, or the component it runs
    touches customer, training, personal or children's data."""
    component = next((c for c in engagement.components if c.id == party.component), None)
    return (party.kind in CONTENT_KINDS or party.personal_data
            or (component is not None and bool(CUSTOMER_DATA & set(component.data))))


def check_third_parties(catalog: Catalog, engagement: Engagement) -> list[Finding]:
    """The subservice-organisation check, for every third party that holds customer data."""
    findings = []
    for party in engagement.third_parties:
        if not holds_customer_data(engagement, party):
            continue
        problems = []
        if party.treatment == "undocumented" or not party.documented_as_subservice:
            problems.append("it is not documented as a subservice organisation with a carve-out or inclusive treatment")
        if party.attestation == "none":
            problems.append("it has no SOC 2 or ISO attestation to rely on, so its controls must be tested another way")
        if party.treatment == "carve-out" and not party.cuecs:
            problems.append("no complementary user-entity controls are identified for its carve-out")
        open_cuecs = [c for c in party.cuecs if c not in engagement.implemented_ids]
        if open_cuecs:
            problems.append(f"its complementary user-entity controls are not in operation: {_list(open_cuecs)}")
        if not problems:
            continue
        undocumented = party.treatment == "undocumented" or not party.documented_as_subservice
        severity = "high" if party.kind in ("model-api", "vector-database") and undocumented else "medium"
        title = (f"{party.name} ({party.kind}) is not treated as a subservice organisation" if undocumented
                 else f"{party.name} ({party.kind}): subservice treatment is incomplete")
        found = "; ".join(problems)
        findings.append(Finding(
            id=f"subservice-{party.id}",
            severity=severity,
            title=title,
            found=found[0].upper() + found[1:] + ".",
            why="Customer data passes through or rests with it; the SOC 2 system description must name it, say whether "
                "its controls are carved out or included, and list the controls the company operates so that the "
                "vendor's controls hold. Auditors and buyers read that section first for AI vendors.",
            action="Add it to the subservice inventory (TPM-03) with its treatment, review its assurance report and map "
                   "its CUECs to owners (TPM-04), and put no-training and retention terms in the contract (TPM-05).",
            controls=sorted({"TPM-03", "TPM-04", "TPM-05"} | set(open_cuecs)),
            requirements=["soc2:CC9.2", "iso42001:A.10.3"],
        ))
    return findings


def check_dpdp(catalog: Catalog, engagement: Engagement, sets: dict[str, Any]) -> list[Finding]:
    personal = engagement.touches("personal") or engagement.touches("children") or any(
        t.personal_data for t in engagement.third_parties)
    if not personal:
        return []
    if engagement.dpdp_role == "none":
        return [Finding(
            id="personal-data-without-dpdp",
            severity="high",
            title="Personal data is in scope but no DPDP role is declared",
            found=f"Components handling personal data: {_list(c.name for c in engagement.touches('personal'))}.",
            why="Processing digital personal data of people in India brings the DPDP Act's duties (notice, consent, "
                "safeguards, breach intimation, erasure, grievance) with penalties up to INR 250 crore.",
            action="Decide the company's role (Data Fiduciary, or processor for customers' data) under targets.dpdp.role "
                   "and plan the duties that follow.",
            requirements=["dpdp-act:5(1)", "dpdp-act:8(5)", "dpdp-act:8(6)"],
        )]
    if engagement.dpdp_role == "processor":
        return []
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
            requirements=sorted(group["discharges"]),
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
    found = (
        check_scope(engagement)
        + check_training_answer(catalog, engagement, sets)
        + check_third_parties(catalog, engagement)
        + check_dpdp(catalog, engagement, sets)
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
