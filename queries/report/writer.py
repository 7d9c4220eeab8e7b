"""The report a consultant hands to a client: readiness, findings, overlap, the plan
with its Gantt chart and milestones, shared evidence, and a traceability matrix.

``report_data`` gathers everything from the query layer once; the writers only
render it, as HTML (charts as inline SVG drawn from the data), Markdown, JSON, or
the plan as CSV.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from attestgraph import render
from attestgraph.errors import AttestgraphError
from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.engagement import FRAMEWORK_NAMES, analyse, plan_controls
from attestgraph.queries.analysis.evidence import shared_evidence
from attestgraph.queries.analysis.findings import control_sets
from attestgraph.queries.analysis.overlap import overlap
from attestgraph.queries.catalog import Catalog, natural_key
from attestgraph.queries.engagement.file import Cost, Engagement
from attestgraph.queries.planning.sampling import TYPE2_SAMPLES, type2_sample
from attestgraph.queries.report import svg


def _series(catalog: Catalog, slug: str, notation: str) -> str:
    lineage = list(catalog.lineage(catalog.by_ref[f"{slug}:{notation}"]))
    return next((n.notation for n in lineage if n.level == "series"), lineage[-1].notation)


def overlap_heatmap(catalog: Catalog, result: dict[str, Any]) -> dict[str, Any]:
    """Related pairs of SOC 2 x ISO/IEC 42001 counted by SOC 2 series and 42001 clause or Annex A objective."""
    counts: Counter[tuple[str, str]] = Counter()
    for pair in result["pairs"]:
        row = _series(catalog, result["a"], pair["a"])
        column = catalog.by_ref[f"{result['b']}:{pair['b']}"].category
        counts[(row, column)] += 1
    rows = sorted({r for r, _ in counts}, key=natural_key)
    columns = sorted({c for _, c in counts}, key=lambda c: (c.startswith("A"), natural_key(c)))
    return {"rows": rows, "columns": columns, "counts": counts}


def training_answer(catalog: Catalog, engagement: Engagement) -> dict[str, Any]:
    group = control_sets(catalog).get("training-data-use")
    if group is None:
        return {"question": "Does customer data train your models?", "controls": [], "answered": False}
    held = set(engagement.evidence)
    controls = []
    for control in sorted(group["members"]):
        info = catalog.control(control)
        implemented = control in engagement.implemented_ids
        evidence = [e for e in info["evidence"] if e in held] if implemented else []
        status = "missing" if not implemented else ("evidenced" if evidence else "no evidence")
        controls.append({"control": control, "title": info["label"], "status": status, "evidence": evidence,
                         "evidence_needed": info["evidence"]})
    return {
        "question": group["question"] or "Does customer data train your models?",
        "definition": group["definition"],
        "controls": controls,
        "answered": all(c["status"] == "evidenced" for c in controls),
    }


def _step(step: dict[str, Any], catalog: Catalog) -> dict[str, Any]:
    """A plan step with every key the report reads, from today's planner or the new one."""
    control = catalog.controls.get(step["control"], {})
    out = dict(step)
    out.setdefault("title", control.get("label", step["control"]))
    out["workstream"] = step.get("workstream") or control.get("domain", "other")
    for key, default in (("phase", ""), ("phase_number", 0), ("effort_days", control.get("effort", 0)), ("tag", ""),
                         ("critical", False), ("deadline", None), ("why", ""), ("depends_on", []), ("advances", {})):
        out.setdefault(key, default)
    out["effort_days"] = float(out["effort_days"])
    return out


def owner_roles(catalog: Catalog) -> dict[str, str]:
    """Workstream (domain title) -> the role that owns it (``ag:ownerRole`` in domains.ttl)."""
    return {row["label"]: row["owner"] or "unassigned" for row in catalog.run("domain-owners").records()}


def _money(amount: float | None, currency: str | None) -> str | None:
    """An amount as the client reads it: rupees in lakh and crore groups (INR 2,40,75,000)."""
    if amount is None or currency is None:
        return None
    whole = f"{round(amount):d}"
    if currency != "INR" or len(whole) <= 3:
        return f"{currency} {round(amount):,d}"
    head, tail = whole[:-3], whole[-3:]
    groups: list[str] = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    return f"INR {','.join(([head] if head else []) + groups)},{tail}"


def effort_and_cost(engagement: Engagement, plan: dict[str, Any], steps: list[dict[str, Any]],
                    basis: str | None = None) -> dict[str, Any]:
    """Person-days of the plan, weeks at the engagement's capacity, and the indicative cost."""
    effort = float(plan.get("effort_days", sum(s["effort_days"] for s in steps)))
    cost = engagement.cost
    amount = round(effort * cost.day_rate, 2) if cost else None
    finish = max((s["end"] for s in steps), default=engagement.start.isoformat())
    return {
        "effort_days": round(effort, 1),
        "weeks_at_capacity": round(effort / engagement.capacity, 1),
        "capacity_days_per_week": engagement.capacity,
        "finish": finish,
        "day_rate": cost.day_rate if cost else None,
        "currency": cost.currency if cost else None,
        "cost": amount,
        "cost_text": _money(amount, cost.currency if cost else None),
        "day_rate_text": _money(cost.day_rate, cost.currency) if cost else None,
        "basis": basis or report_terms(engagement)["effort_basis"],
    }


def workstreams(steps: list[dict[str, Any]], operating: set[str], catalog: Catalog, roles: dict[str, str],
                cost: Cost | None) -> list[dict[str, Any]]:
    """Owners by role per workstream: what each owns, when and at what effort."""
    rows: dict[str, dict[str, Any]] = {}
    for step in steps:
        row = rows.setdefault(step["workstream"], {"workstream": step["workstream"], "planned": [], "operating": [],
                                                   "effort_days": 0.0, "start": step["start"], "end": step["end"]})
        row["planned"].append(step["control"])
        row["effort_days"] += step["effort_days"]
        row["start"], row["end"] = min(row["start"], step["start"]), max(row["end"], step["end"])
    for control in sorted(operating):
        domain = catalog.controls.get(control, {}).get("domain", "other")
        rows.setdefault(domain, {"workstream": domain, "planned": [], "operating": [], "effort_days": 0.0,
                                 "start": None, "end": None})["operating"].append(control)
    out = []
    for name in sorted(rows, key=lambda n: (-rows[n]["effort_days"], n)):
        row = rows[name]
        row["owner"] = roles.get(name, "unassigned")
        row["effort_days"] = round(row["effort_days"], 1)
        row["cost_text"] = _money(row["effort_days"] * cost.day_rate, cost.currency) if cost else None
        out.append(row)
    return out


def scope_table(engagement: Engagement, terms: dict[str, Any] | None = None,
                scope_finding: bool = True) -> list[dict[str, Any]]:
    """Components in and out of scope, and why (``terms``: :func:`report_terms`, for what the
    scope is called; ``scope_finding``: whether the scope finding fired, so a row may point to it)."""
    scope = (terms or {}).get("scope_name", "the system description")
    held = {"customer", "training", "personal", "children"}
    vendor = {t.component: t.name for t in engagement.third_parties if t.component}
    rows = []
    for c in engagement.components:
        sensitive = sorted(held & set(c.data))
        if c.reason:
            why = c.reason
        elif c.in_scope:
            why = (f"Inside: it holds {', '.join(sensitive)} data" if sensitive else "Inside: it supports the service")
        elif sensitive:
            why = (f"Outside {scope}, although it holds {', '.join(sensitive)} data"
                   + (": see the scope finding" if scope_finding else
                      ": no target framework sets a scope it must be in; record how that data is protected outside it"))
        else:
            why = "Outside: it holds no customer, training or personal data"
        rows.append({"id": c.id, "name": c.name, "type": c.type, "data": c.data, "in_scope": c.in_scope, "why": why,
                     "run_by": vendor.get(c.id)})
    return sorted(rows, key=lambda r: (not r["in_scope"], r["name"]))


def _targets_described(engagement: Engagement) -> list[str]:
    """Each target the engagement works towards, as the client would name it."""
    out = []
    if engagement.soc2_reports:
        reports = " and ".join({"type1": "Type I", "type2": "Type II"}[r] for r in engagement.soc2_reports)
        window = f"; {engagement.window_months}-month window" if "type2" in engagement.soc2_reports else ""
        out.append(f"SOC 2 {reports} ({', '.join(engagement.soc2_categories)}{window})")
    if engagement.iso42001:
        out.append("ISO/IEC 42001 certification")
    if "dpdp-act" in engagement.frameworks:
        out.append(f"DPDP Act duties as {engagement.dpdp_role.replace('-', ' ')}"
                   + (", with children's data" if engagement.children_data else ""))
    if engagement.nist_ai_rmf:
        out.append(f"NIST AI RMF 1.0 ({', '.join(engagement.nist_ai_rmf_functions)})")
    target = engagement.eu_ai_act
    if target is not None:
        classes = ", ".join(target.risk_classes) or "no declared risk class"
        areas = f"; Annex III: {', '.join(target.annex_iii)}" if target.annex_iii else ""
        out.append(f"EU AI Act as {' and '.join(target.roles)} ({classes}{areas})")
    return out


def report_terms(engagement: Engagement) -> dict[str, Any]:
    """What the report calls the scope, the vendors and the assessors, for the frameworks the
    engagement targets: SOC 2's words (system description, subservice organisations, CUECs)
    only when SOC 2 is a target."""
    soc2 = bool(engagement.soc2_reports)
    eu = engagement.eu_ai_act
    high_risk_provider = eu is not None and "provider" in eu.roles and "high-risk" in eu.risk_classes
    scopes = ([("the system description", "the SOC 2 system description")] if soc2 else []) + (
        [("the AIMS scope", "the ISO/IEC 42001 AIMS scope")] if engagement.iso42001 else []) + (
        [("the technical documentation", "the EU AI Act technical documentation")] if high_risk_provider else [])
    if soc2:
        title = "Scope of the system description"
    elif scopes:
        title = "Scope: " + " and ".join(long for _, long in scopes).replace("the ", "", 1)
    else:
        title = "Scope of the programme"
    duties = []
    if engagement.iso42001:
        duties.append("ISO/IEC 42001 A.10.3 (suppliers aligned with the responsible-AI approach)")
    if high_risk_provider:
        duties.append("EU AI Act Art. 25(4) (a written agreement with each supplier to the high-risk system)")
    if engagement.nist_ai_rmf and "GOVERN" in engagement.nist_ai_rmf_functions:
        duties.append("NIST AI RMF GOVERN 6.1 (third-party AI risk policies)")
    if engagement.dpdp_role in ("data-fiduciary", "significant-data-fiduciary"):
        duties.append("DPDP Act s.8(2) (a Data Processor only under a valid contract)")
    if soc2:
        vendors_note = ("Carve-out: the vendor's controls stay outside the report, which names the controls the company "
                        "expects the vendor to run and relies on the vendor's own assurance report. Inclusive: the "
                        "vendor's controls are described and tested within the report. Either way the company operates "
                        "the complementary user-entity controls (CUECs) that the vendor's report assigns to it.")
    else:
        vendors_note = ("Each vendor that holds customer data is managed as a supplier: what it provides, the terms that "
                        "govern it, its assurance, and the controls that assurance expects the company to run"
                        + (f"; under {_join(duties)}" if duties else "") + ". The treatment column is shown as the "
                        "engagement states it.")
    excluded = [part for part in (
        "SOC 2 auditor fees" if soc2 else "",
        "certification-body fees" if engagement.iso42001 else "",
        # A notified body assesses only Annex III point 1 (biometrics) systems (Art. 43(1));
        # the other points use internal control (Art. 43(2), Annex VI).
        "notified-body fees" if high_risk_provider and eu is not None and "biometrics" in eu.annex_iii else "",
        "tooling and licences",
        "the months of the Type II observation window" if "type2" in engagement.soc2_reports else "",
    ) if part]
    return {
        "targets": _targets_described(engagement),
        "scope_title": title,
        "scope_name": _join([short for short, _ in scopes]) if scopes else "the programme's scope",
        "in_scope_column": "In the description" if soc2 else "In scope",
        "vendors_title": "Subservice organisations" if soc2 else "Third parties and suppliers",
        "vendors_note": vendors_note,
        "vendor_controls_column": "CUECs the company operates" if soc2 else "Controls the company operates for the vendor",
        "documented_column": "In the description" if soc2 else "Documented as a supplier",
        # Who asks for the evidence: an auditor where a target is audited or certified; else
        # the authority that enforces the Act, or the buyer's review under a voluntary framework.
        "evidence_asker": ("an auditor" if soc2 or engagement.iso42001 else
                           "a market surveillance authority or a buyer" if eu is not None else "a buyer's review"),
        "effort_basis": "Implementation effort of the controls the plan schedules, at the engagement's day rate; it "
                        f"excludes {_join(excluded)}.",
    }


def subservice_table(engagement: Engagement, catalog: Catalog, steps: dict[str, dict[str, Any]], operating: set[str]) -> list[dict[str, Any]]:
    """Third parties that hold customer data: their treatment and the CUECs the company runs."""
    from attestgraph.queries.analysis.findings import holds_customer_data

    rows = []
    for party in engagement.third_parties:
        cuecs = []
        for control in party.cuecs:
            info = catalog.controls.get(control, {})
            if control in operating:
                status = "operating"
            elif control in steps:
                status = f"planned, in operation from {steps[control]['end']}"
            else:
                status = "not in operation and not planned"
            cuecs.append({"control": control, "title": info.get("label", control), "status": status})
        rows.append({
            "id": party.id, "name": party.name, "kind": party.kind, "component": party.component,
            "attestation": party.attestation, "treatment": party.treatment,
            "documented": party.documented_as_subservice, "personal_data": party.personal_data,
            "holds_customer_data": holds_customer_data(engagement, party), "cuecs": cuecs,
        })
    return rows


def evidence_requests(catalog: Catalog, engagement: Engagement, controls: list[str], operating: set[str]) -> list[dict[str, Any]]:
    """Per control: the evidence an auditor will request, its cadence, and for Type II the
    typical sample (:mod:`attestgraph.queries.planning.sampling`)."""
    type2 = "type2" in engagement.soc2_reports
    held = set(engagement.evidence)
    rows = []
    for control in sorted(controls, key=natural_key):
        info = catalog.controls.get(control)
        if info is None:
            continue
        sample = type2_sample(info["cadence"], engagement.window_months) if type2 else None
        evidence = []
        for ev in info["evidence"]:
            et = catalog.evidence_types.get(ev)
            if et is not None:
                evidence.append({"id": ev, "label": et["label"], "form": et["form"], "cadence": et["cadence"],
                                 "on_hand": ev in held})
        rows.append({"control": control, "title": info["label"], "workstream": info["domain"],
                     "cadence": info["cadence"], "status": "operating" if control in operating else "planned",
                     "sample": sample.size if sample else None, "sample_note": sample.note if sample else None,
                     "evidence": evidence})
    return rows


def policy_list(requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The policies and procedures the selected controls call for, once each."""
    found: dict[str, dict[str, Any]] = {}
    for row in requests:
        for ev in row["evidence"]:
            if ev["form"].startswith("policy"):
                entry = found.setdefault(ev["id"], {"id": ev["id"], "label": ev["label"], "cadence": ev["cadence"],
                                                    "on_hand": ev["on_hand"], "controls": []})
                entry["controls"].append(row["control"])
    return sorted(found.values(), key=lambda p: p["id"])


def executive_summary(engagement: Engagement, effort: dict[str, Any], milestones: list[dict[str, Any]], findings: list[dict[str, Any]],
                      as_of: str, readiness: dict[str, Any]) -> dict[str, Any]:
    """A few sentences: dates, effort and cost, and the three biggest risks."""
    first: dict[str, str] = {}
    for m in milestones:
        first.setdefault(m["kind"], m["date"])
    sentences = [
        f"{engagement.organisation} starts the programme on {engagement.start.isoformat()}; the plan needs "
        f"{effort['effort_days']:g} person-days, about {effort['weeks_at_capacity']:g} weeks at "
        f"{engagement.capacity:g} person-days a week, with the last control in place on {effort['finish']}"
        + (f", for an indicative {effort['cost_text']} at {effort['day_rate_text']} a "
           "person-day" if effort["cost_text"] else "") + "."
    ]
    dates = []
    if "soc2-type1" in first:
        dates.append(f"a SOC 2 Type I as of {first['soc2-type1']}"
                     + (f" (report by {first['soc2-type1-report']})" if "soc2-type1-report" in first else ""))
    if "soc2-type2-window-start" in first:
        window = f"a Type II window from {first['soc2-type2-window-start']}"
        if "soc2-type2-window-end" in first:
            window += f" to {first['soc2-type2-window-end']}"
        if "soc2-type2-report" in first:
            window += f" with the report by {first['soc2-type2-report']}"
        dates.append(window)
    if "iso42001-stage2" in first:
        dates.append(f"the ISO/IEC 42001 Stage 2 audit on {first['iso42001-stage2']}")
    deadlines = sorted({m["date"] for m in milestones if m["kind"] == "dpdp-deadline"})
    if deadlines:
        dates.append(f"DPDP duties in force from {', '.join(deadlines)}")
    eu_deadlines = sorted({m["date"] for m in milestones if m["kind"] == "eu-ai-act-deadline"})
    if eu_deadlines:
        dates.append(f"EU AI Act duties applying from {', '.join(eu_deadlines)}")
    if dates:
        sentences.append("The plan supports " + _join(dates) + ".")
    elif engagement.nist_ai_rmf:
        sentences.append("No target sets a date (the NIST AI RMF is voluntary): the plan runs at the team's capacity.")
    scores = [f"{FRAMEWORK_NAMES.get(slug, slug)} {cover['overall']['score_pct']:g}%" for slug, cover in readiness.items()]
    if scores:
        sentences.append(f"Readiness on {as_of}, from the controls operating that day: {', '.join(scores)}.")
    return {"sentences": sentences, "risks": findings[:3], "dates": first}


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def report_data(store: GraphStore, engagement: Engagement, progress: Callable[[str], None] | None = None,
                plan: dict[str, Any] | None = None) -> dict[str, Any]:
    """Everything the report shows, gathered once (``plan``: a plan already built, else built here)."""
    say = progress or (lambda _m: None)
    analysis = analyse(store, engagement, plan=plan, progress=say)
    catalog = analysis["catalog"]
    plan = analysis["plan"]
    gap = analysis["gaps"]
    now = engagement.operating_on(engagement.as_of)
    operating = now.implemented_ids
    steps = [_step(s, catalog) for s in plan.get("steps", [])]
    by_control = {s["control"]: s for s in steps}
    milestones = list(plan.get("milestones", []))
    say("computing overlap and shared evidence")
    pair = [s for s in ("soc2", "iso42001") if s in engagement.frameworks]
    over = overlap(store, "soc2", "iso42001", catalog) if len(pair) == 2 else None
    evidence = shared_evidence(store, engagement.frameworks, catalog)
    _, chosen = plan_controls(plan, engagement)
    trace_controls = sorted(chosen, key=natural_key)
    trace: dict[str, dict[str, set[str]]] = {c: {} for c in trace_controls}
    for row in catalog.run("control-mappings", slug=engagement.frameworks).records():
        if row["controlId"] in trace:
            trace[row["controlId"]].setdefault(row["slug"], set()).add(catalog.by_iri[row["r"]].notation)
    terms = report_terms(engagement)
    effort = effort_and_cost(engagement, plan, steps, terms["effort_basis"])
    requests = evidence_requests(catalog, engagement, trace_controls, operating)
    selection = plan.get("selection") or {}
    return {
        "generated": dt.date.today().isoformat(),
        "as_of": analysis["as_of"],
        "engagement": {
            "id": engagement.id,
            "organisation": engagement.organisation,
            "description": engagement.description,
            "start": engagement.start.isoformat(),
            "capacity_days_per_week": engagement.capacity,
            "frameworks": engagement.frameworks,
            "soc2_reports": engagement.soc2_reports,
            "soc2_categories": engagement.soc2_categories,
            "window_months": engagement.window_months,
            "dpdp_role": engagement.dpdp_role,
            "children_data": engagement.children_data,
        },
        "summary": executive_summary(engagement, effort, milestones, analysis["findings"], analysis["as_of"],
                                     gap["coverage"]),
        "readiness": gap["coverage"],
        "evidenced_readiness": gap["evidenced_coverage"],
        "missing": gap["missing"],
        "findings": analysis["findings"],
        "training_answer": training_answer(catalog, now),
        "terms": terms,
        "scope": scope_table(engagement, terms,
                             any(f["id"] == "scope-excludes-data-components" for f in analysis["findings"])),
        "subservice": subservice_table(engagement, catalog, by_control, operating),
        "overlap_paragraph": analysis["overlap"],
        "overlap": over,
        "heatmap": overlap_heatmap(catalog, over) if over else None,
        "plan": {
            # The planner's own keys first (engagement, start, capacity, the solvers' status,
            # what does not apply ...), so `plan --out X.json` carries the whole plan; the
            # report's views of steps, milestones and selection below.
            **{key: value for key, value in plan.items() if key != "findings"},
            "effort_days": effort["effort_days"],
            "steps": steps,
            "milestones": milestones,
            "critical_path": plan.get("critical_path", [s["control"] for s in steps if s["critical"]]),
            "already_operating": sorted(operating),
            "promised": sorted(engagement.implemented_ids - operating),
            "selection": dict(selection, rule=selection.get("rule"), controls=selection.get("controls", []),
                              left_out=selection.get("left_out", []), unmet=selection.get("unmet", []),
                              solver=selection.get("solver")),
            "calendar": plan.get("calendar"),
        },
        "effort": effort,
        "owners": workstreams(steps, operating, catalog, owner_roles(catalog), engagement.cost),
        "evidence_requests": requests,
        "sampling": [{"cadence": s.cadence, "sample": s.text} for s in TYPE2_SAMPLES.values()],
        "policies": policy_list(requests),
        "evidence": evidence,
        "traceability": {c: {slug: sorted(n, key=natural_key) for slug, n in sorted(v.items())} for c, v in trace.items()},
    }


# -- writers -------------------------------------------------------------------


def _json_ready(data: dict[str, Any]) -> dict[str, Any]:
    out = dict(data)
    if out.get("heatmap"):
        heat = out["heatmap"]
        out["heatmap"] = {"rows": heat["rows"], "columns": heat["columns"],
                          "counts": [{"row": r, "column": c, "pairs": n} for (r, c), n in sorted(heat["counts"].items())]}
    return out


def as_json(data: dict[str, Any]) -> str:
    """The report data as JSON (what ``--out X.json`` writes and ``plan`` prints)."""
    return json.dumps(_json_ready(data), indent=2, default=str)


def plan_csv(data: dict[str, Any]) -> str:
    rows = []
    for step in data["plan"]["steps"]:
        rows.append(dict(step, advances="; ".join(f"{k}: {' '.join(v)}" for k, v in step["advances"].items()),
                         depends_on=" ".join(step["depends_on"])))
    # New columns go last: spreadsheets and project tools read the CSV by position.
    columns = ["control", "title", "phase", "start", "end", "effort_days", "critical", "deadline", "depends_on", "advances",
               "why", "workstream"]
    return render.records(rows, columns, "csv")


def _md_cell(value: object) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(header: list[str], rows: list[list[Any]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            + ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows] + [""])


def markdown(data: dict[str, Any]) -> str:
    e = data["engagement"]
    lines = [f"# Readiness and sequencing plan: {e['organisation']}", "",
             (f"Engagement `{e['id']}`, starting {e['start']} with {e['capacity_days_per_week']:g} person-days a week. "
              f"Readiness as of {data['as_of']}. Generated {data['generated']} by attestgraph."), "",
             "## Executive summary", "", " ".join(data["summary"]["sentences"]), ""]
    terms = data.get("terms") or {}
    if terms.get("targets"):
        lines += ["Targets: " + "; ".join(terms["targets"]) + ".", ""]
    lines += ["The three biggest risks:", ""] + [f"{i}. [{f['severity'].upper()}] {f['title']}" for i, f in
                                                enumerate(data["summary"]["risks"], 1)] + [""]
    lines += [f"## Readiness on {data['as_of']}", ""]
    lines += _md_table(["framework", "requirements in scope", "full", "partial", "open", "readiness", "with evidence"],
                       [[FRAMEWORK_NAMES.get(slug, slug), c["overall"]["total"], c["overall"]["full"], c["overall"]["partial"],
                         c["overall"]["open"], f"{c['overall']['score_pct']}%",
                         f"{data['evidenced_readiness'][slug]['overall']['score_pct']}%"] for slug, c in data["readiness"].items()])
    answer = data["training_answer"]
    lines += [f"**{answer['question']}** " + ("Answered with evidence." if answer["answered"] else "Not yet answerable with evidence:"), ""]
    for c in answer["controls"]:
        lines.append(f"- {c['control']} {c['title']}: {c['status']}")
    lines += ["", "## Milestones", ""]
    if data["plan"]["milestones"]:
        lines += _md_table(["date", "milestone", "what"], [[m["date"], m["kind"], m["label"]] for m in data["plan"]["milestones"]])
    else:
        lines += ["No dated milestones: no target sets an audit, a certification or a date of application.", ""]
    lines += [f"## Findings ({len(data['findings'])})", ""]
    for f in data["findings"]:
        lines += [f"### [{f['severity'].upper()}] {f['title']}", "", f"- Found: {f['found']}", f"- Why it matters: {f['why']}",
                  f"- What to do: {f['action']}"]
        if f.get("in_plan") or f.get("not_in_plan"):
            lines.append(f"- In the plan: {plan_note(f)}")
        lines.append("")
    lines += [f"## {terms.get('scope_title', 'Scope of the system description')}", ""]
    lines += _md_table(["component", "type", "data", terms.get("in_scope_column", "In the description").lower(), "why"],
                       [[c["name"], c["type"], ", ".join(c["data"]) or "none", "in" if c["in_scope"] else "out", c["why"]]
                        for c in data["scope"]])
    lines += [f"## {terms.get('vendors_title', 'Subservice organisations')}", ""]
    lines += _md_table(["vendor", "kind", "attestation", "treatment", terms.get("vendor_controls_column", "CUECs the company operates")],
                       [[t["name"], t["kind"], t["attestation"], t["treatment"],
                         "; ".join(f"{c['control']} ({c['status']})" for c in t["cuecs"]) or "none identified"]
                        for t in data["subservice"]])
    lines += ["## Overlap", "", data["overlap_paragraph"]["text"], ""]
    lines += ["## Effort and indicative cost", ""]
    eff = data["effort"]
    lines += [f"{eff['effort_days']:g} person-days ({eff['weeks_at_capacity']:g} weeks at {eff['capacity_days_per_week']:g} "
              f"person-days a week)" + (f", indicative cost {eff['cost_text']}" if eff["cost_text"] else "") + ". " + eff["basis"], ""]
    lines += ["## Owners by workstream", ""]
    lines += _md_table(["workstream", "owner (role)", "planned", "operating", "effort (days)", "cost", "from", "to"],
                       [[w["workstream"], w["owner"], len(w["planned"]), len(w["operating"]), w["effort_days"],
                         w["cost_text"] or "", w["start"] or "", w["end"] or ""] for w in data["owners"]])
    lines += ["## Plan", ""]
    lines += _md_table(["#", "control", "workstream", "phase", "start", "end", "effort", "advances", "critical"],
                       [[i, f"{s['control']} {s['title']}", s["workstream"], s["phase"], s["start"], s["end"], s["effort_days"],
                         ", ".join(f"{k} {len(v)}" for k, v in s["advances"].items()), "yes" if s["critical"] else ""]
                        for i, s in enumerate(data["plan"]["steps"], 1)])
    selection = data["plan"]["selection"]
    if selection["left_out"]:
        lines += ["Left out of the plan:", ""] + [f"- {c['control']} {c.get('title', '')}: {c['why']}" for c in selection["left_out"]] + [""]
    if selection["unmet"]:
        lines += ["Requirements the selection leaves unmet:", ""] + [f"- {u['requirement']}: {u['why']}" for u in selection["unmet"]] + [""]
    lines += ["## Evidence requests", ""]
    if "type2" in e["soc2_reports"]:
        lines += _md_table(["control", "cadence", "Type II sample", "evidence"],
                           [[f"{r['control']} {r['title']}", r["cadence"],
                             (r["sample"] + (f" ({r['sample_note']})" if r["sample_note"] else "")) if r["sample"] else "n/a",
                             "; ".join(f"{ev['id']} {ev['label']}" for ev in r["evidence"])] for r in data["evidence_requests"]])
    else:  # a Type II sample means nothing without a Type II report
        lines += _md_table(["control", "cadence", "evidence"],
                           [[f"{r['control']} {r['title']}", r["cadence"],
                             "; ".join(f"{ev['id']} {ev['label']}" for ev in r["evidence"])] for r in data["evidence_requests"]])
    lines += ["## Policies", ""]
    lines += _md_table(["policy", "review", "on hand", "required by"],
                       [[f"{p['id']} {p['label']}", p["cadence"], "yes" if p["on_hand"] else "no", ", ".join(p["controls"])]
                        for p in data["policies"]])
    lines += ["## Shared evidence (collect once, satisfy many)", ""]
    lines += _md_table(["evidence", "frameworks", "requirements"],
                       [[f"{i['id']} {i['label']}", i["frameworks"], i["requirements"]] for i in data["evidence"]["evidence"][:25]])
    lines += ["## Appendix: traceability matrix", ""]
    lines += _md_table(["control"] + e["frameworks"],
                       [[control] + [" ".join(per.get(s, [])) for s in e["frameworks"]] for control, per in data["traceability"].items()])
    return "\n".join(lines)


def plan_note(finding: dict[str, Any], shown: int = 6) -> str:
    """What the plan does with a finding's controls, in one line (the latest dates first)."""
    parts = []
    scheduled = sorted(finding.get("in_plan", []), key=lambda i: i["end"], reverse=True)
    for item in scheduled[:shown]:
        parts.append(f"{item['control']} in operation from {item['end']}" + (" (client's date)" if item["by"] == "client" else ""))
    if len(scheduled) > shown:
        parts.append(f"{len(scheduled) - shown} more, all by {scheduled[shown]['end']}")
    for item in finding.get("not_in_plan", []):
        parts.append(f"{item['control']} not planned ({item['why']})")
    return "; ".join(parts)


def html(data: dict[str, Any]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (resources.files("attestgraph.queries.report") / "templates" / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    heat = data["heatmap"]
    charts = {
        "gantt": svg.gantt(data["plan"]["steps"], data["plan"]["milestones"],
                           owners={w["workstream"]: w["owner"] for w in data["owners"]}),
        "heatmap": svg.heatmap(heat["rows"], heat["columns"], heat["counts"],
                               "Related requirement pairs: SOC 2 series x ISO/IEC 42001 clause or Annex A objective") if heat else "",
    }
    return environment.get_template("report.html.j2").render(
        data=data, charts=charts, names=FRAMEWORK_NAMES, markup=markupsafe.Markup, plan_note=plan_note
    )


# What each --out writes: the named file, and for the two documents a consultant hands
# over (HTML, Markdown) the plan as CSV beside it for the client's project tool.
WRITES_PLAN_CSV = {".html", ".md"}


def write_report(store: GraphStore, engagement: Engagement, out: str | None,
                 progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write the report in the format the file name asks for (JSON to stdout without one).

    Returns the files written: ``X.json`` and ``X.csv`` write only themselves; ``X.html``
    and ``X.md`` also write the plan as ``X.csv``.
    """
    if out is not None and Path(out).suffix not in (".html", ".md", ".json", ".csv"):
        raise AttestgraphError(f"--out {out}: expected a file ending in .html, .md, .json or .csv")
    data = report_data(store, engagement, progress)
    if out is None:
        print(as_json(data))
        return []
    path = Path(out)
    writers = {".html": html, ".md": markdown, ".json": as_json,
               ".csv": plan_csv}
    if progress:
        progress(f"writing {path}")
    path.write_text(writers[path.suffix](data), encoding="utf-8")
    written = [path]
    if path.suffix in WRITES_PLAN_CSV:
        written.append(path.with_suffix(".csv"))
        written[-1].write_text(plan_csv(data), encoding="utf-8")
    return written
