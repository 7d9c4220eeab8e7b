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
from importlib import resources
from pathlib import Path
from typing import Callable

import jinja2

from attestgraph import render
from attestgraph.errors import AttestgraphError
from attestgraph.graph.store import GraphStore
from attestgraph.queries import svg
from attestgraph.queries.catalog import Catalog
from attestgraph.queries.engagement import Engagement
from attestgraph.queries.evidence import shared_evidence
from attestgraph.queries.findings import SEVERITY_ORDER, control_sets, readiness_findings
from attestgraph.queries.gaps import gaps, load_into
from attestgraph.queries.overlap import natural_key, overlap
from attestgraph.queries.plan import build_plan

FRAMEWORK_NAMES = {
    "soc2": "SOC 2",
    "iso42001": "ISO/IEC 42001",
    "iso27001": "ISO/IEC 27001",
    "dpdp-act": "DPDP Act 2023",
    "dpdp-rules": "DPDP Rules 2025",
}


def _series(catalog: Catalog, slug: str, notation: str) -> str:
    lineage = list(catalog.lineage(catalog.by_ref[f"{slug}:{notation}"]))
    return next((n.notation for n in lineage if n.level == "series"), lineage[-1].notation)


def overlap_heatmap(catalog: Catalog, result: dict) -> dict:
    """Related pairs of SOC 2 x ISO/IEC 42001 counted by SOC 2 series and 42001 clause or Annex A objective."""
    counts: Counter = Counter()
    for pair in result["pairs"]:
        row = _series(catalog, result["a"], pair["a"])
        column = catalog.by_ref[f"{result['b']}:{pair['b']}"].category
        counts[(row, column)] += 1
    rows = sorted({r for r, _ in counts}, key=natural_key)
    columns = sorted({c for _, c in counts}, key=lambda c: (c.startswith("A"), natural_key(c)))
    return {"rows": rows, "columns": columns, "counts": counts}


def training_answer(catalog: Catalog, engagement: Engagement) -> dict:
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


def report_data(store: GraphStore, engagement: Engagement, progress: Callable[[str], None] | None = None) -> dict:
    say = progress or (lambda _m: None)
    store = load_into(store, engagement)
    catalog = Catalog(store)
    say("computing coverage and gaps")
    gap = gaps(store, engagement, catalog)
    say("checking readiness findings")
    findings = [f.as_dict() for f in readiness_findings(store, engagement, catalog)]
    say("scheduling the plan")
    plan = build_plan(store, engagement, catalog)
    findings = sorted(findings + plan["findings"], key=lambda f: (SEVERITY_ORDER[f["severity"]], f["id"]))
    say("computing overlap and shared evidence")
    pair = [s for s in ("soc2", "iso42001") if s in engagement.frameworks]
    over = overlap(store, "soc2", "iso42001", catalog) if len(pair) == 2 else None
    evidence = shared_evidence(store, engagement.frameworks, catalog)
    controls_in_plan = [s["control"] for s in plan["steps"]]
    trace_controls = sorted(set(controls_in_plan) | engagement.implemented_ids)
    reach_rows = catalog.run("control-mappings", slug=engagement.frameworks).records()
    trace: dict[str, dict[str, set[str]]] = {c: {} for c in trace_controls}
    for row in reach_rows:
        if row["controlId"] in trace:
            trace[row["controlId"]].setdefault(row["slug"], set()).add(catalog.by_iri[row["r"]].notation)
    return {
        "generated": dt.date.today().isoformat(),
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
        },
        "readiness": gap["coverage"],
        "evidenced_readiness": gap["evidenced_coverage"],
        "missing": gap["missing"],
        "findings": findings,
        "training_answer": training_answer(catalog, engagement),
        "overlap": over,
        "heatmap": overlap_heatmap(catalog, over) if over else None,
        "plan": {key: value for key, value in plan.items() if key != "findings"},
        "evidence": evidence,
        "traceability": {c: {slug: sorted(n, key=natural_key) for slug, n in sorted(v.items())} for c, v in trace.items()},
    }


# -- writers -------------------------------------------------------------------


def _json_ready(data: dict) -> dict:
    out = dict(data)
    if out.get("heatmap"):
        heat = out["heatmap"]
        out["heatmap"] = {"rows": heat["rows"], "columns": heat["columns"],
                          "counts": [{"row": r, "column": c, "pairs": n} for (r, c), n in sorted(heat["counts"].items())]}
    return out


def plan_csv(data: dict) -> str:
    rows = []
    for step in data["plan"]["steps"]:
        rows.append(dict(step, advances="; ".join(f"{k}: {' '.join(v)}" for k, v in step["advances"].items()),
                         depends_on=" ".join(step["depends_on"])))
    columns = ["control", "title", "phase", "start", "end", "effort_days", "critical", "deadline", "depends_on", "advances", "why"]
    return render.records(rows, columns, "csv")


def markdown(data: dict) -> str:
    e = data["engagement"]
    lines = [f"# Readiness and sequencing plan: {e['organisation']}", "",
             f"Engagement `{e['id']}`, starting {e['start']} with {e['capacity_days_per_week']} person-days a week. "
             f"Generated {data['generated']} by attestgraph.", "", "## Executive summary", ""]
    lines += ["| framework | leaves in scope | full | partial | open | readiness |", "|---|---|---|---|---|---|"]
    for slug, cover in data["readiness"].items():
        o = cover["overall"]
        lines.append(f"| {FRAMEWORK_NAMES.get(slug, slug)} | {o['total']} | {o['full']} | {o['partial']} | {o['open']} | {o['score_pct']}% |")
    answer = data["training_answer"]
    lines += ["", f"**{answer['question']}** " + ("Answered with evidence." if answer["answered"] else "Not yet answerable with evidence:"), ""]
    for c in answer["controls"]:
        lines.append(f"- {c['control']} {c['title']}: {c['status']}")
    lines += ["", "## Milestones", "", "| date | milestone | what |", "|---|---|---|"]
    for m in data["plan"]["milestones"]:
        lines.append(f"| {m['date']} | {m['kind']} | {m['label']} |")
    lines += ["", f"## Findings ({len(data['findings'])})", ""]
    for f in data["findings"]:
        lines += [f"### [{f['severity'].upper()}] {f['title']}", "", f"- Found: {f['found']}", f"- Why it matters: {f['why']}",
                  f"- What to do: {f['action']}", ""]
    if data["overlap"]:
        c = data["overlap"]["coverage"]["overall"]
        lines += ["## Overlap: SOC 2 and ISO/IEC 42001", "",
                  f"{len(data['overlap']['pairs'])} related requirement pairs. Work for SOC 2 fully covers {c['full']} and touches "
                  f"{c['full'] + c['partial']} of {c['total']} ISO/IEC 42001 leaf requirements.", ""]
    lines += ["## Plan", "", "| # | control | phase | start | end | effort | advances | critical |", "|---|---|---|---|---|---|---|---|"]
    for i, s in enumerate(data["plan"]["steps"], 1):
        adv = ", ".join(f"{k} {len(v)}" for k, v in s["advances"].items())
        lines.append(f"| {i} | {s['control']} {s['title']} | {s['phase']} | {s['start']} | {s['end']} | {s['effort_days']} | {adv} | {'yes' if s['critical'] else ''} |")
    lines += ["", "## Shared evidence (collect once, satisfy many)", "", "| evidence | frameworks | requirements |", "|---|---|---|"]
    for item in data["evidence"]["evidence"][:25]:
        lines.append(f"| {item['id']} {item['label']} | {item['frameworks']} | {item['requirements']} |")
    lines += ["", "## Appendix: traceability matrix", "", "| control | " + " | ".join(e["frameworks"]) + " |",
              "|---|" + "---|" * len(e["frameworks"])]
    for control, per in data["traceability"].items():
        lines.append(f"| {control} | " + " | ".join(" ".join(per.get(s, [])) for s in e["frameworks"]) + " |")
    return "\n".join(lines) + "\n"


def html(data: dict) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (resources.files("attestgraph.queries") / "templates" / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    heat = data["heatmap"]
    charts = {
        "gantt": svg.gantt(data["plan"]["steps"], data["plan"]["milestones"]),
        "heatmap": svg.heatmap(heat["rows"], heat["columns"], heat["counts"],
                               "Related requirement pairs: SOC 2 series x ISO/IEC 42001 clause or Annex A objective") if heat else "",
    }
    return environment.get_template("report.html.j2").render(
        data=data, charts=charts, names=FRAMEWORK_NAMES, markup=jinja2.utils.markupsafe.Markup
    )


def write_report(store: GraphStore, engagement: Engagement, out: str | None, progress=None) -> None:
    """Write the report in the format the file name asks for (JSON to stdout without one)."""
    data = report_data(store, engagement, progress)
    if out is None:
        print(json.dumps(_json_ready(data), indent=2, default=str))
        return
    path = Path(out)
    writers = {".html": html, ".md": markdown, ".json": lambda d: json.dumps(_json_ready(d), indent=2, default=str),
               ".csv": plan_csv}
    if path.suffix not in writers:
        raise AttestgraphError(f"--out {out}: expected a file ending in .html, .md, .json or .csv")
    if progress:
        progress(f"writing {path}")
    text = writers[path.suffix](data)
    path.write_text(text, encoding="utf-8")
    if path.suffix != ".csv":
        path.with_suffix(".csv").write_text(plan_csv(data), encoding="utf-8")
