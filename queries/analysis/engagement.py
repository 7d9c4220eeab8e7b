"""One engagement's analysis, built in one place: coverage and gaps on the report date,
the readiness findings, the plan, the findings of both merged, and the engagement's own
overlap paragraph.

The CLI (``gaps``, ``plan``), the report and the HTTP API all read this one answer, so
a finding or a number never differs between them.

* Readiness is stated **as of** ``engagement.report_date`` (default today): a control
  listed as implemented with a ``since`` after that date is promised, not operating,
  and is not counted (:meth:`Engagement.operating_on`). The plan sees the whole
  engagement, since it schedules from the programme's start.
* Findings: the readiness checks (:mod:`attestgraph.queries.analysis.findings`) and the plan's
  own (Type II window, DPDP deadlines) are merged, de-duplicated by id (the plan's copy
  wins: it knows the schedule) and sorted by severity, then by :data:`RISK_RANK`. Each
  finding that names controls says what the plan does with them, so the findings agree
  with the plan.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from attestgraph.graph.store import GraphStore
from attestgraph.queries.analysis.coverage import FULL, OPEN, PARTIAL, link_state, unit_states
from attestgraph.queries.analysis.findings import SEVERITY_ORDER, readiness_findings
from attestgraph.queries.analysis.gaps import gaps
from attestgraph.queries.analysis.scope import in_scope_leaves
from attestgraph.queries.catalog import Catalog, Requirement, natural_key
from attestgraph.queries.engagement.file import Engagement
from attestgraph.queries.engagement.graph import store_with_engagement

FRAMEWORK_NAMES = {
    "soc2": "SOC 2",
    "iso42001": "ISO/IEC 42001",
    "iso27001": "ISO/IEC 27001",
    "dpdp-act": "DPDP Act",
    "dpdp-rules": "DPDP Rules",
    "nist-ai-rmf": "NIST AI RMF",
    "nist-ai-600-1": "NIST AI 600-1",
    "eu-ai-act": "EU AI Act",
}

# Among findings of one severity, what stops an attestation or draws a penalty first:
# a statutory date missed, a Type II window that cannot pass, a scope a buyer will
# reject, then the buyer's first question, the statutory duties, the vendors (subservice
# organisations under SOC 2, suppliers otherwise), and the open DPDP reach question.
RISK_RANK = (
    "eu-ai-act-prohibited-practice", "dpdp-deadline", "eu-ai-act-deadline", "type2-window", "scope-excludes",
    "missing-dpdp-children", "missing-dpdp-sdf", "no-evidenced-training",
    "missing-dpdp-breach", "subservice", "supplier", "missing-dpdp", "missing-eu-ai-act", "dpdp-reach",
)


def risk_rank(finding: dict[str, Any]) -> int:
    return next((i for i, prefix in enumerate(RISK_RANK) if finding["id"].startswith(prefix)), len(RISK_RANK))


def merge_findings(readiness: list[dict[str, Any]], plan: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Readiness and plan findings as one list: one entry per id, most severe first."""
    by_id: dict[str, dict[str, Any]] = {f["id"]: f for f in readiness}
    by_id.update({f["id"]: f for f in plan})
    return sorted(by_id.values(), key=lambda f: (SEVERITY_ORDER[f["severity"]], risk_rank(f), f["id"]))


def plan_controls(plan: dict[str, Any], engagement: Engagement) -> tuple[dict[str, dict[str, Any]], set[str]]:
    """The plan's steps by control, and every control it selects (planned or operating).

    Reads the selection of the new planner when present (``selection.controls``) and
    falls back on the steps and ``already_operating`` of the older one.
    """
    steps = {s["control"]: s for s in plan.get("steps", [])}
    selection = plan.get("selection") or {}
    chosen = {c["control"] for c in selection.get("controls", [])}
    chosen |= set(steps) | set(plan.get("already_operating", [])) | engagement.implemented_ids
    return steps, chosen


def annotate_with_plan(findings: list[dict[str, Any]], plan: dict[str, Any], engagement: Engagement, operating: set[str]) -> None:
    """Add to each finding what the plan does with the controls it names."""
    steps, _ = plan_controls(plan, engagement)
    left_out = {c["control"]: c.get("why", "") for c in (plan.get("selection") or {}).get("left_out", [])}
    promised = {i.control: i.since.isoformat() for i in engagement.implemented}
    for finding in findings:
        scheduled, missing = [], []
        for control in finding.get("controls", []):
            if control in operating:
                continue
            if control in steps:
                scheduled.append({"control": control, "start": steps[control]["start"], "end": steps[control]["end"],
                                  "by": "plan"})
            elif control in promised:
                # Listed as implemented from a later date: the plan takes the client's date.
                scheduled.append({"control": control, "start": None, "end": promised[control], "by": "client"})
            else:
                missing.append({"control": control, "why": left_out.get(control, "not selected by the plan")})
        finding["in_plan"] = scheduled
        finding["not_in_plan"] = missing


def _links_by_control(catalog: Catalog, slugs: list[str]) -> dict[str, list[tuple[str, str, str]]]:
    """control id -> [(requirement IRI, framework slug, state)] for every curated link, by the coverage rule."""
    found: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
    for row in catalog.run("control-mappings", slug=slugs).records():
        state = link_state(row["rel"], row["rat"], int(row["strength"]))
        if state != OPEN:
            found[row["controlId"]].append((row["r"], row["slug"], state))
    return found


def overlap_paragraph(catalog: Catalog, engagement: Engagement, chosen: set[str]) -> dict[str, Any]:
    """How far the work this plan selects for the first target meets each other target.

    Returns ``{"text", "base", "targets": [{slug, total, full, partial, open, own_work:
    [{parent, title, notations}]}]}``; the text is this engagement's own, computed from
    its targets, its selected and operating controls and its in-scope requirements.
    """
    frameworks = engagement.frameworks
    if len(frameworks) < 2:
        only = FRAMEWORK_NAMES.get(frameworks[0], frameworks[0]) if frameworks else "no framework"
        return {"text": f"This engagement targets {only} alone, so there is no overlap between frameworks to use.",
                "base": frameworks[0] if frameworks else None, "targets": []}
    base = frameworks[0]
    links = _links_by_control(catalog, frameworks)
    scoped = in_scope_leaves(catalog, engagement)
    # The base framework's in-scope requirements and everything above them: a link to
    # any of these is work for the base target (a SOC 2 link to a category out of scope is not).
    base_scope = {node.iri for leaf in scoped[base] for node in catalog.lineage(leaf)}

    def serves_base(control: str) -> bool:
        return any(slug == base and iri in base_scope for iri, slug, _state in links.get(control, []))

    base_controls = sorted(c for c in chosen if serves_base(c))
    sentences, targets = [], []
    base_name = FRAMEWORK_NAMES.get(base, base)
    for slug in frameworks[1:]:
        units = [leaf for leaf in scoped[slug]]
        if not units:
            continue
        link_list = [(iri, state) for c in base_controls for iri, s, state in links.get(c, []) if s == slug]
        states = unit_states(catalog, [slug], link_list)
        counts = {FULL: 0, PARTIAL: 0, OPEN: 0}
        open_units = []
        for unit in units:
            state = states.get(unit.iri, OPEN)
            counts[state] += 1
            if state == OPEN:
                open_units.append(unit)
        groups = _group_by_parent(catalog, open_units)
        name = FRAMEWORK_NAMES.get(slug, slug)
        text = (f"Of the {len(units)} {name} requirements in scope, the {len(base_controls)} controls this plan selects "
                f"or already runs for {base_name} meet {counts[FULL]} in full and {counts[PARTIAL]} in part")
        if counts[OPEN]:
            shown = "; ".join(f"{g['title']} ({', '.join(g['notations'][:4])}{', ...' if len(g['notations']) > 4 else ''})"
                              for g in groups[:4])
            rest = len(groups) - 4
            text += (f"; {counts[OPEN]} need {name}-specific work: {shown}"
                     + (f"; and {sum(len(g['notations']) for g in groups[4:])} more in {rest} other area{'s' if rest > 1 else ''}"
                        if rest > 0 else ""))
        sentences.append(text + ".")
        targets.append({"slug": slug, "total": len(units), "full": counts[FULL], "partial": counts[PARTIAL],
                        "open": counts[OPEN], "own_work": groups, "text": text + "."})
    return {"text": " ".join(sentences), "base": base, "base_controls": len(base_controls), "targets": targets}


def _group_by_parent(catalog: Catalog, units: Iterable[Requirement]) -> list[dict[str, Any]]:
    """Open requirements grouped under their parent's title, largest group first."""
    groups: dict[str, dict[str, Any]] = {}
    for unit in units:
        parent = catalog.by_ref.get(f"{unit.slug}:{unit.parent}") if unit.parent else None
        key = parent.notation if parent else unit.notation
        entry = groups.setdefault(key, {"parent": key, "title": parent.label if parent else unit.label, "notations": []})
        entry["notations"].append(unit.notation)
    for entry in groups.values():
        entry["notations"].sort(key=natural_key)
    return sorted(groups.values(), key=lambda g: (-len(g["notations"]), natural_key(g["parent"])))


def analyse(store: GraphStore, engagement: Engagement, catalog: Catalog | None = None, *,
            plan: dict[str, Any] | None = None, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Everything the CLI, the API and the report say about one engagement.

    Parameters
    ----------
    store, engagement
        The graph and a validated engagement. ``store`` is never written: the
        engagement's graph, as operating on the report date, is read from an in-memory
        copy made for this analysis.
    catalog
        A catalog view of ``store`` to reuse, if the caller has one.
    plan
        A plan already built (the planner's JSON); by default it is built here.

    Returns
    -------
    dict
        ``engagement``, ``as_of``, ``gaps`` (coverage and missing controls from the
        controls operating on ``as_of``), ``findings`` (merged), ``plan`` (without its
        findings), ``overlap`` (the paragraph and its counts) and ``catalog`` (the
        view of ``store`` used, for renderers that read more; not JSON).
    """
    say = progress or (lambda _message: None)
    as_of = engagement.as_of
    now = engagement.operating_on(as_of)
    catalog = catalog if catalog is not None else Catalog(store)
    say(f"computing coverage and gaps as of {as_of.isoformat()}")
    gap = gaps(store_with_engagement(store, now), now, catalog)
    say("checking readiness findings")
    readiness = [f.as_dict() for f in readiness_findings(store, now, catalog)]
    if plan is None:
        from attestgraph.queries.planning.plan import build_plan

        say("scheduling the plan")
        plan = build_plan(store, engagement, catalog)
    plan = dict(plan)
    findings = merge_findings(readiness, plan.pop("findings", []))
    annotate_with_plan(findings, plan, engagement, now.implemented_ids)
    _, chosen = plan_controls(plan, engagement)
    say("computing the overlap paragraph")
    return {
        "engagement": engagement.id,
        "as_of": as_of.isoformat(),
        "gaps": gap,
        "findings": findings,
        "plan": plan,
        "overlap": overlap_paragraph(catalog, engagement, chosen),
        "catalog": catalog,
    }


def public(analysis: dict[str, Any]) -> dict[str, Any]:
    """The analysis without its live objects, ready for JSON."""
    return {key: value for key, value in analysis.items() if key != "catalog"}
