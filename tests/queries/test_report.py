"""The report: rendered, parsed and, where Chromium is installed, looked at."""

from __future__ import annotations

import json
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from attestgraph.queries.report import html, markdown, plan_csv, report_data, write_report


@pytest.fixture(scope="module")
def data(request):
    shipped = request.getfixturevalue("shipped_store")
    from pathlib import Path

    from attestgraph.queries.engagement import load_engagement

    engagement = load_engagement(Path(__file__).parents[2] / "examples" / "acme-ai.yaml")
    return report_data(shipped, engagement)


class Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.sections, self.bars, self.milestones, self.cells, self.rows = [], [], [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
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


def test_html_has_every_part_drawn_from_the_data(data):
    page = Collector()
    page.feed(html(data))
    assert page.sections == ["summary", "findings", "overlap", "gantt", "plan", "evidence", "traceability"]
    steps = [s["control"] for s in data["plan"]["steps"]]
    assert page.bars == steps and page.rows == steps
    assert page.milestones == [m["kind"] for m in data["plan"]["milestones"]]
    assert sum(page.cells) == len(data["overlap"]["pairs"])


def test_markdown_and_csv(data):
    text = markdown(data)
    assert text.startswith("# Readiness and sequencing plan: Acme Contract Intelligence Pvt Ltd")
    for heading in ("## Executive summary", "## Milestones", "## Findings", "## Plan", "## Shared evidence", "## Appendix: traceability matrix"):
        assert heading in text
    lines = plan_csv(data).splitlines()
    assert lines[0].startswith("control,title,phase,start,end")
    assert len(lines) == len(data["plan"]["steps"]) + 1


def test_json_report_shape(shipped_store, sample, tmp_path):
    out = tmp_path / "report.json"
    write_report(shipped_store, sample, str(out))
    body = json.loads(out.read_text())
    assert {"steps", "milestones"} <= set(body["plan"]) and body["findings"]
    step = body["plan"]["steps"][0]
    assert {"control", "start", "end", "advances"} <= set(step)
    assert {"kind", "date"} <= set(body["plan"]["milestones"][0])
    assert (tmp_path / "report.csv").exists()


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)")
def test_chromium_renders_the_report(data, tmp_path):
    page = tmp_path / "report.html"
    page.write_text(html(data))
    shot = tmp_path / "report.png"
    subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1280,4000", f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert (width, height) == (1280, 4000)
    # A blank page compresses to a few kilobytes; the rendered report does not.
    assert len(png) > 100_000
