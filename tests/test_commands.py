"""The analysis commands end to end on the shipped data, through the on-disk store."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

SAMPLE = str(Path(__file__).parents[1] / "examples" / "acme-ai.yaml")






def test_first_command_builds_the_store_then_reuses_it(cli, disk_home):
    code, out, err = cli("query", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert code == 0 and int(out.splitlines()[1]) > 50_000
    stores = [p for p in (disk_home / "stores").iterdir() if not p.name.startswith(".")]
    assert len(stores) == 1
    code, _, err = cli("query", "ASK { ?s ?p ?o }")
    assert code == 0 and "loading" not in err  # no rebuild


def test_frameworks_counts(cli, disk_home):
    code, out, _ = cli("frameworks", "--format", "json")
    assert code == 0
    body = {f["slug"]: f for f in json.loads(out)}
    assert body["iso27001"]["levels"]["Annex A control"] == 93


def test_overlap_in_three_formats(cli, disk_home):
    code, out, _ = cli("overlap", "soc2", "iso42001", "--format", "json")
    body = json.loads(out)
    assert code == 0 and body["a"] == "soc2" and body["pairs"] and "coverage" in body
    code, out, _ = cli("overlap", "soc2", "iso42001", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == len(body["pairs"]) and rows[0]["reason"]
    code, out, _ = cli("overlap", "soc2", "iso42001")
    assert out.startswith("A SOC 2 programme covers ") and "need ISO/IEC 42001-specific work" in out
    assert "iso42001 covered by a programme for soc2" in out and "OVERALL" in out and "Shared implementation" in out


def test_unknown_slug_is_one_line_naming_the_choices(cli, disk_home):
    code, out, err = cli("overlap", "soc2", "iso9001")
    assert code == 2 and out == ""
    assert err.strip().splitlines()[-1] == (
        "attestgraph: error: unknown framework 'iso9001'; expected one of: dpdp-act, dpdp-rules, eu-ai-act, iso27001, iso42001, nist-ai-600-1, nist-ai-rmf, soc2"
    )


def test_evidence_and_explain(cli, disk_home):
    code, out, _ = cli("evidence", "--frameworks", "soc2,iso42001,dpdp-act", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and rows[0]["frameworks"] == "3" and rows[0]["soc2"]
    code, out, _ = cli("explain", "dpdp-act:8(6)", "iso27001:A.5.26")
    assert code == 0 and "Why dpdp-act:8(6) relates to iso27001:A.5.26" in out and "via INC-" in out


def test_gaps_and_plan_reports(cli, disk_home, tmp_path):
    code, out, _ = cli("gaps", "--engagement", SAMPLE, "--format", "json")
    body = json.loads(out)
    assert code == 0 and body["missing"] and body["findings"]
    code, out, _ = cli("gaps", "--engagement", SAMPLE)
    assert "Missing controls" in out and "[HIGH]" in out
    for suffix in ("html", "md", "json"):
        target = tmp_path / f"report.{suffix}"
        code, _, err = cli("plan", "--engagement", SAMPLE, "--out", str(target))
        assert code == 0 and target.stat().st_size > 5_000
        assert "scheduling the plan" in err
    assert (tmp_path / "report.csv").read_text().startswith("control,title,phase")
    code, out, _ = cli("plan", "--engagement", SAMPLE)
    body = json.loads(out)
    assert body["plan"]["steps"] and body["plan"]["milestones"] and body["findings"]


def test_invalid_engagement_names_the_field(cli, disk_home, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(Path(SAMPLE).read_text().replace("window_months: 6", "window_months: 40"))
    code, _, err = cli("gaps", "--engagement", str(bad))
    assert code == 2
    assert err.strip() == f"attestgraph: error: {bad}: targets.soc2.window_months: expected a Type II observation window of 3 to 12 months, got 40"


def test_export_sssom(cli, disk_home, tmp_path):
    code, _, err = cli("export", "sssom", "--out", str(tmp_path))
    assert code == 0
    written = sorted(p.name for p in tmp_path.glob("*.sssom.tsv"))
    assert "controls-soc2.sssom.tsv" in written and "iso42001-iso27001.sssom.tsv" in written
    assert "controls-soc2.sssom.tsv:" in err
