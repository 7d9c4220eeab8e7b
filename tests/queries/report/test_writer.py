"""The report: rendered, parsed and, where Chromium is installed, looked at; with today's
plan and with a hand-made plan carrying every key of the planner's contract."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from attestgraph.queries.engagement.file import load_engagement
from attestgraph.queries.planning.sampling import TYPE2_SAMPLES
from attestgraph.queries.report.writer import as_json, html, markdown, plan_csv, report_data, write_report

SAMPLE = Path(__file__).parents[3] / "examples" / "acme-ai.yaml"
SECTIONS = ["summary", "readiness", "findings", "scope", "subservice", "overlap", "effort", "owners", "gantt", "plan",
            "evidence-requests", "policies", "evidence", "traceability"]
MILESTONE_KINDS = ["soc2-type1", "soc2-type1-report", "soc2-type2-window-start", "soc2-type2-window-end", "soc2-type2-report",
                   "iso42001-internal-audit", "iso42001-management-review", "iso42001-stage1", "iso42001-stage2",
                   "dpdp-deadline"]


@pytest.fixture(scope="module")
def engagement():
    return replace(load_engagement(SAMPLE), report_date=dt.date(2026, 12, 1))


@pytest.fixture(scope="module")
def data(shipped_store, engagement):
    return report_data(shipped_store, engagement)


def full_plan(plan_steps: list[dict], effort: float) -> dict:
    """A plan in the new planner's contract, every key present, built by hand from three steps."""
    steps = []
    for index, step in enumerate(plan_steps[:3]):
        steps.append(dict(step, workstream=["Platform hardening", "Privacy programme", "Platform hardening"][index],
                          tag=["required", "recommended", "optional"][index], critical=index == 0,
                          deadline="2027-05-13" if index == 1 else None))
    dates = ["2027-03-01", "2027-03-15", "2027-04-01", "2027-10-01", "2027-11-15", "2027-02-01", "2027-02-15",
             "2027-03-01", "2027-04-01", "2027-05-13"]
    return {
        "effort_days": effort,
        "selection": {
            "rule": "cover every in-scope requirement at least in part at least cost",
            "controls": [{"control": s["control"], "title": s["title"], "tag": s["tag"], "reason": "hand-made",
                          "effort_days": s["effort_days"], "advances": s["advances"]} for s in steps]
                        + [{"control": "IAM-01", "title": "operating", "tag": "operating", "reason": "", "effort_days": 0,
                            "advances": {}}],
            "left_out": [{"control": "VEC-02", "title": "Permission-aware retrieval", "why": "excluded by plan.exclude"}],
            "unmet": [{"requirement": "dpdp-act:9(4)", "why": "no catalog control meets it"}],
            "solver": {"status": "OPTIMAL", "seconds": 0.4},
        },
        "steps": steps,
        "critical_path": [steps[0]["control"]],
        "milestones": [{"kind": kind, "date": date, "label": f"hand-made {kind}"} for kind, date in zip(MILESTONE_KINDS, dates)],
        "calendar": {"working_days": "Mon-Fri", "holidays": []},
        "findings": [{"id": "type2-window-before-plan", "severity": "high", "title": "Window opens too early",
                      "found": "hand-made", "why": "hand-made", "action": "move it", "controls": [steps[0]["control"]],
                      "requirements": []}],
    }


@pytest.fixture(scope="module")
def full(shipped_store, engagement, data):
    return report_data(shipped_store, engagement, plan=full_plan(data["plan"]["steps"], 12.5))


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.bars, self.milestones, self.cells, self.rows = [], [], [], [], []
        self.attrs: dict[str, list[str]] = {}
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key, value in attrs.items():
            if key.startswith("data-"):
                self.attrs.setdefault(key, []).append(value)
        if tag == "section":
            self.sections.append(attrs.get("id"))
        if tag == "rect" and attrs.get("class") == "bar":
            self.bars.append(attrs["data-control"])
        if tag == "path" and attrs.get("class") == "milestone":
            self.milestones.append(attrs["data-kind"])
        if tag == "rect" and attrs.get("class") == "cell":
            self.cells.append(int(attrs["data-count"]))
        if tag == "tr" and "data-control" in attrs:
            self.rows.append(attrs["data-control"])

    def handle_data(self, data):
        self.text.append(data)


def parsed(data) -> Collector:
    page = Collector()
    page.feed(html(data))
    return page


def test_html_has_every_section_drawn_from_the_data(data):
    page = parsed(data)
    assert page.sections == SECTIONS
    steps = [s["control"] for s in data["plan"]["steps"]]
    assert sorted(page.bars) == sorted(steps) and page.rows == steps
    assert page.milestones == [m["kind"] for m in data["plan"]["milestones"]]
    assert sum(page.cells) == len(data["overlap"]["pairs"])
    assert page.attrs["data-component"] == [c["id"] for c in data["scope"]]
    assert page.attrs["data-vendor"] == [t["id"] for t in data["subservice"]]


def test_executive_summary_states_dates_effort_cost_and_the_three_biggest_risks(data, engagement):
    summary = data["summary"]
    effort = data["plan"]["effort_days"]
    text = " ".join(summary["sentences"])
    assert f"{effort:g} person-days" in text and "2027-01-04" in text
    cost = effort * engagement.cost.day_rate
    assert data["effort"]["cost"] == pytest.approx(cost) and data["effort"]["cost_text"] in text
    assert data["effort"]["cost_text"].replace(",", "") == f"INR {cost:.0f}"
    first = {m["kind"]: m["date"] for m in reversed(data["plan"]["milestones"])}
    assert f"Type I as of {first['soc2-type1']}" in text and first["iso42001-stage2"] in text
    assert summary["risks"] == data["findings"][:3] and all(r["severity"] == "high" for r in summary["risks"])
    assert len(summary["sentences"]) <= 4


@pytest.mark.parametrize("amount, currency, text", [
    (24_075_000, "INR", "INR 2,40,75,000"), (45_000, "INR", "INR 45,000"), (999, "INR", "INR 999"),
    (1_200, "USD", "USD 1,200"), (1_234_567.4, "USD", "USD 1,234,567"), (100_000, "INR", "INR 1,00,000"),
])
def test_money_is_written_as_the_client_reads_it(amount, currency, text):
    from attestgraph.queries.report.writer import _money

    assert _money(amount, currency) == text


def test_findings_are_merged_once_and_sorted_by_severity(data):
    ids = [f["id"] for f in data["findings"]]
    assert len(ids) == len(set(ids))
    order = {"high": 0, "medium": 1, "low": 2}
    assert [order[f["severity"]] for f in data["findings"]] == sorted(order[f["severity"]] for f in data["findings"])


def test_scope_and_subservice_tables(data):
    scope = {c["id"]: c for c in data["scope"]}
    assert not scope["finetune"]["in_scope"] and "training" in scope["finetune"]["why"]
    assert scope["web-app"]["in_scope"] and scope["llm-api"]["run_by"] == "Hosted foundation model provider"
    vendors = {t["id"]: t for t in data["subservice"]}
    assert vendors["vector-db"]["treatment"] == "carve-out" and vendors["model-provider"]["treatment"] == "undocumented"
    cuecs = {c["control"]: c["status"] for c in vendors["aws"]["cuecs"]}
    assert cuecs["IAM-01"] == "operating" and cuecs["CRY-01"] == "operating"
    steps = {s["control"]: s for s in data["plan"]["steps"]}
    assert cuecs["AVL-01"] == f"planned, in operation from {steps['AVL-01']['end']}"


def test_evidence_requests_carry_type2_samples_from_the_one_table(data, shipped_store):
    from attestgraph.queries.catalog import Catalog

    catalog = Catalog(shipped_store)
    rows = {r["control"]: r for r in data["evidence_requests"]}
    selected = {s["control"] for s in data["plan"]["steps"]} | set(data["plan"]["already_operating"])
    assert selected <= set(rows)
    for control, row in rows.items():
        assert [e["id"] for e in row["evidence"]] == catalog.control(control)["evidence"]
        # A six-month window holds every occurrence the table asks for, so the table's size stands.
        assert row["sample"] == TYPE2_SAMPLES[row["cadence"]].size
        assert row["sample_note"] == TYPE2_SAMPLES[row["cadence"]].note
    quarterly = next(r for r in rows.values() if r["cadence"] == "quarterly")
    assert quarterly["sample"] == "2"
    assert data["policies"] and all(p["controls"] for p in data["policies"])
    held = {p["id"] for p in data["policies"] if p["on_hand"]}
    assert "EV-001" in held and "EV-002" not in held


def test_owners_by_role_per_workstream_sum_to_the_plan(data):
    owners = data["owners"]
    assert all(w["owner"] != "unassigned" for w in owners)
    assert sum(w["effort_days"] for w in owners) == pytest.approx(data["plan"]["effort_days"])
    privacy = next(w for w in owners if w["workstream"] == "Privacy operations")
    assert privacy["owner"] == "Data Protection Officer"
    assert sum(len(w["planned"]) for w in owners) == len(data["plan"]["steps"])


def test_readiness_is_as_of_the_report_date(data):
    assert data["as_of"] == "2026-12-01"
    # INC-01 is listed as implemented from 2027-05-01: not operating on the report date.
    assert "INC-01" in data["plan"]["promised"] and "INC-01" not in data["plan"]["already_operating"]
    text = " ".join(parsed(data).text)
    assert "Readiness on 2026-12-01" in text and "so not counted: INC-01" in text


def test_the_overlap_paragraph_is_rendered(data):
    text = " ".join(parsed(data).text)
    assert data["overlap_paragraph"]["text"].startswith("Of the ")
    assert data["overlap_paragraph"]["text"] == " ".join(t["text"] for t in data["overlap_paragraph"]["targets"])
    assert all(t["text"] in text for t in data["overlap_paragraph"]["targets"])


def test_gantt_groups_bars_by_workstream_under_legible_months(data):
    from attestgraph.queries.report.svg import gantt

    drawing = gantt(data["plan"]["steps"], data["plan"]["milestones"])
    groups = re.findall(r'class="workstream"[^>]*>([^<]+)<', drawing)
    assert set(groups) == {s["workstream"] for s in data["plan"]["steps"]}
    months = re.findall(r'class="month"[^>]*font-size="(\d+)"[^>]*>(\w+)<', drawing)
    assert months and all(int(size) >= 11 for size, _ in months)
    assert {name for _, name in months} <= {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
    assert "viewBox" in drawing and "2027" in re.findall(r'class="year"[^>]*>(\d{4})<', drawing)


def test_a_plan_with_every_contract_key_renders(full):
    page = parsed(full)
    assert page.sections == SECTIONS
    assert page.milestones == MILESTONE_KINDS
    assert page.attrs["data-left-out"] == ["VEC-02"] and page.attrs["data-unmet"] == ["dpdp-act:9(4)"]
    text = " ".join(page.text)
    for tag in ("required", "recommended", "optional"):
        assert tag in text
    assert "Platform hardening" in text and "Privacy programme" in text
    assert full["plan"]["effort_days"] == 12.5 and full["effort"]["cost"] == pytest.approx(12.5 * 45000)
    # The plan's finding replaces nothing of readiness but is merged once, and agrees with the plan.
    window = [f for f in full["findings"] if f["id"] == "type2-window-before-plan"]
    assert len(window) == 1 and window[0]["in_plan"][0]["control"] == full["plan"]["steps"][0]["control"]
    assert "soc2-type1-report" in full["summary"]["dates"]
    text = markdown(full)
    assert "- VEC-02 Permission-aware retrieval: excluded by plan.exclude" in text
    assert "- dpdp-act:9(4): no catalog control meets it" in text
    assert "(report by 2027-03-15)" in " ".join(full["summary"]["sentences"])
    assert json.loads(as_json(full))["plan"]["selection"]["left_out"][0]["control"] == "VEC-02"


def test_markdown_and_csv(data):
    text = markdown(data)
    assert text.startswith("# Readiness and sequencing plan: Acme Contract Intelligence Pvt Ltd")
    for heading in ("## Executive summary", "## Readiness on 2026-12-01", "## Milestones", "## Findings",
                    "## Scope of the system description", "## Subservice organisations", "## Overlap",
                    "## Effort and indicative cost", "## Owners by workstream", "## Plan", "## Evidence requests",
                    "## Policies", "## Shared evidence", "## Appendix: traceability matrix"):
        assert heading in text
    lines = plan_csv(data).splitlines()
    assert lines[0].startswith("control,title,phase,start,end") and lines[0].endswith(",workstream")
    assert len(lines) == len(data["plan"]["steps"]) + 1


def test_out_json_writes_only_the_json(shipped_store, engagement, tmp_path):
    out = tmp_path / "report.json"
    written = write_report(shipped_store, engagement, str(out))
    assert written == [out] and sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    body = json.loads(out.read_text())
    assert {"steps", "milestones"} <= set(body["plan"]) and body["findings"]
    assert {"control", "start", "end", "advances", "workstream"} <= set(body["plan"]["steps"][0])
    assert {"summary", "scope", "subservice", "evidence_requests", "policies", "owners", "effort"} <= set(body)


def test_out_html_also_writes_the_plan_csv(shipped_store, engagement, tmp_path):
    written = write_report(shipped_store, engagement, str(tmp_path / "report.html"))
    assert [p.name for p in written] == ["report.html", "report.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.csv", "report.html"]


# Marks each section visible when it has a size on screen and text; run by Chromium.
VISIBILITY_PROBE = """<script>
document.addEventListener("DOMContentLoaded", () => {
  for (const s of document.querySelectorAll("section")) {
    const box = s.getBoundingClientRect();
    const style = getComputedStyle(s);
    s.dataset.visible = String(box.height > 20 && box.width > 300 && style.display !== "none"
      && style.visibility !== "hidden" && s.innerText.trim().length > 40);
    s.dataset.overflows = String(s.scrollWidth > s.clientWidth + 1);
  }
  document.body.dataset.pageWidth = String(document.documentElement.scrollWidth);
  // Each Gantt bar is drawn as wide as its dates say (no page style may resize it).
  const chart = document.querySelector("svg.gantt");
  const scale = chart.getBoundingClientRect().width / chart.viewBox.baseVal.width;
  const bars = [...chart.querySelectorAll("rect.bar")];
  document.body.dataset.barsTrue = String(bars.length > 0 && bars.every(
    b => Math.abs(b.getBoundingClientRect().width - b.width.baseVal.value * scale) < 1.5));
});
</script>"""


def _chromium(*arguments, tmp_path):
    return subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *arguments],
        check=True, capture_output=True, timeout=180, text=True,
    )


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)")
@pytest.mark.parametrize("which", ["data", "full"])
def test_chromium_renders_every_section_visible(which, request, tmp_path):
    data = request.getfixturevalue(which)
    page = tmp_path / "report.html"
    page.write_text(html(data).replace("</head>", VISIBILITY_PROBE + "</head>"))
    dom = _chromium("--window-size=1280,1000", "--dump-dom", page.as_uri(), tmp_path=tmp_path).stdout
    found = dict(re.findall(r'<section id="([\w-]+)"[^>]*data-visible="(\w+)"', dom))
    assert found == {name: "true" for name in SECTIONS}
    assert "data-overflows=\"true\"" not in dom
    assert 'data-bars-true="true"' in dom
    width = int(re.search(r'data-page-width="(\d+)"', dom).group(1))
    assert width <= 1280
    shot = tmp_path / "report.png"
    _chromium("--window-size=1280,4000", f"--screenshot={shot}", page.as_uri(), tmp_path=tmp_path)
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1280, 4000)
    # A blank page compresses to a few kilobytes; the rendered report does not.
    assert len(png) > 100_000


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_prints_the_report(data, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html(data))
    pdf = tmp_path / "report.pdf"
    _chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", page.as_uri(), tmp_path=tmp_path)
    body = pdf.read_bytes()
    assert body[:5] == b"%PDF-" and body.count(b"/Type /Page") - body.count(b"/Type /Pages") > 5


def test_bad_out_suffix_is_refused_before_any_work(shipped_store, engagement, tmp_path):
    from attestgraph.errors import AttestgraphError

    with pytest.raises(AttestgraphError, match="expected a file ending in"):
        write_report(shipped_store, copy.copy(engagement), str(tmp_path / "report.pdf"))
    assert list(tmp_path.iterdir()) == []


# -- the report for engagements without SOC 2 or the DPDP Act (issue 15) -----------------

EU_SAMPLE = Path(__file__).parents[3] / "examples" / "acme-ai-eu.yaml"
NIST_ONLY = Path(__file__).parents[2] / "data" / "engagements" / "nist-only-us.yaml"


@pytest.fixture(scope="module")
def eu_data(shipped_store):
    return report_data(shipped_store, replace(load_engagement(EU_SAMPLE), report_date=dt.date(2026, 12, 1)))


@pytest.fixture(scope="module")
def nist_data(shipped_store):
    return report_data(shipped_store, replace(load_engagement(NIST_ONLY), report_date=dt.date(2026, 12, 1)))


def _own_words(data) -> str:
    """What the report writes in its own words (not the catalog's control and evidence titles)."""
    parts = list(data["summary"]["sentences"]) + list(data["terms"].values()) + [data["effort"]["basis"]]
    parts += [data["overlap_paragraph"]["text"]] + [c["why"] for c in data["scope"]]
    for f in data["findings"]:
        parts += [f["title"], f["found"], f["why"], f["action"]]
    return " ".join(p if isinstance(p, str) else " ".join(p) for p in parts)


def test_eu_report_speaks_iso42001_and_the_act_not_soc2(eu_data):
    terms = eu_data["terms"]
    assert terms["targets"] == ["ISO/IEC 42001 certification",
                                "EU AI Act as provider and deployer (high-risk, transparency; Annex III: employment)"]
    text = markdown(eu_data)
    assert "## Scope: ISO/IEC 42001 AIMS scope and the EU AI Act technical documentation" in text
    assert "## Third parties and suppliers" in text and "## Subservice organisations" not in text
    assert "Targets: ISO/IEC 42001 certification; EU AI Act as provider and deployer" in text
    words = _own_words(eu_data)
    for soc2 in ("SOC 2", "Type II", "CUEC", "system description", "observation window", "the Board"):
        assert soc2 not in words, soc2
    # DPDP appears once: the open s.3 question, never as a duty.
    assert [f["id"] for f in eu_data["findings"] if "DPDP" in " ".join((f["title"], f["why"]))] == ["dpdp-reach-unstated"]
    # Annex III point 4 is assessed by internal control (Art. 43(2)): no notified body to pay.
    assert "certification-body fees" in eu_data["effort"]["basis"] and "notified" not in eu_data["effort"]["basis"]
    page = parsed(eu_data)
    assert page.sections == SECTIONS
    rendered = html(eu_data)
    assert "Carve-out: the vendor" not in rendered and "Documented as a supplier" in rendered
    assert "Type II sample" not in text and "Type II sample" not in rendered


def test_nist_only_report_has_no_dates_no_auditor_and_no_soc2(nist_data):
    terms = nist_data["terms"]
    assert terms["targets"] == ["NIST AI RMF 1.0 (GOVERN, MAP, MEASURE, MANAGE)"]
    assert terms["evidence_asker"] == "a buyer's review" and terms["scope_title"] == "Scope of the programme"
    assert nist_data["plan"]["milestones"] == []
    text = markdown(nist_data)
    assert "No dated milestones" in text and "No dated milestones" in html(nist_data)
    assert any("voluntary" in s for s in nist_data["summary"]["sentences"])
    words = _own_words(nist_data)
    for soc2 in ("SOC 2", "Type II", "CUEC", "system description", "the Board", "certification"):
        assert soc2 not in words, soc2
    unmet = next(f for f in nist_data["findings"] if f["id"] == "plan-unmet-requirements")
    assert unmet["why"].startswith("The company's own AI risk review (the NIST AI RMF is voluntary) judges")
    assert not any("SOC 2 as-of date" in s["why"] for s in nist_data["plan"]["steps"])
    assert any("critical path to the last control in place" in s["why"] for s in nist_data["plan"]["steps"])
    # The plan's reasons never speak SOC 2's vendor words, and it schedules every control the
    # supplier finding asks for.
    whys = " ".join(s["why"] for s in nist_data["plan"]["steps"])
    assert "subservice" not in whys and "user-entity" not in whys
    supplier = next(f for f in nist_data["findings"] if f["id"].startswith("supplier-"))
    assert set(supplier["controls"]) <= {s["control"] for s in nist_data["plan"]["steps"]}
    finetune = next(c for c in nist_data["scope"] if c["id"] == "finetune")
    assert not finetune["in_scope"] and "no target framework sets a scope" in finetune["why"]


def test_sample_report_keeps_soc2s_words(data):
    terms = data["terms"]
    assert terms["vendors_title"] == "Subservice organisations" and terms["scope_title"] == "Scope of the system description"
    assert "observation window" in data["effort"]["basis"] and "SOC 2 auditor fees" in data["effort"]["basis"]
    assert terms["targets"][0] == "SOC 2 Type I and Type II (security, confidentiality, privacy; 6-month window)"
    assert "DPDP Act duties as data fiduciary" in terms["targets"]
    assert "Carve-out: the vendor" in html(data)
