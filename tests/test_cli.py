"""The CLI end to end, in process: build, query, check, and one-line errors."""

from __future__ import annotations

import json


def test_query_counts_triples_as_csv(cli, home, mini_root):
    code, out, _ = cli("query", "--data", str(mini_root), "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert code == 0
    header, value = out.strip().splitlines()
    assert header == "n" and int(value) > 500


def test_query_formats(cli, home, mini_root):
    query = "SELECT ?n WHERE { ?r skos:inScheme <https://w3id.org/attestgraph/id/fa> ; skos:notation ?n } ORDER BY ?n"
    code, out, _ = cli("query", "--data", str(mini_root), "--format", "json", query)
    assert code == 0
    body = json.loads(out)
    assert body["head"]["vars"] == ["n"]
    assert [b["n"]["value"] for b in body["results"]["bindings"]] == ["1.1", "1.2", "2.1", "G1", "G2"]
    code, out, _ = cli("query", "--data", str(mini_root), "--format", "tsv", query)
    assert out.splitlines()[:2] == ["?n", '"1.1"']
    code, out, _ = cli("query", "--data", str(mini_root), query)
    assert "1.2" in out and "(5 rows)" in out


def test_query_from_file(cli, home, mini_root, tmp_path):
    rq = tmp_path / "q.rq"
    rq.write_text("ASK { ?c a ag:Control }")
    code, out, _ = cli("query", "--data", str(mini_root), "-f", str(rq))
    assert (code, out.strip()) == (0, "true")


def test_syntax_error_is_one_line_and_exit_2(cli, home, mini_root):
    code, out, err = cli("query", "--data", str(mini_root), "SELEC ?s WHERE { ?s ?p ?o }")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[-1].startswith("attestgraph: error: SPARQL syntax error at 1:")
    assert "Traceback" not in err


def test_update_is_refused(cli, home, mini_root):
    code, _, err = cli("query", "--data", str(mini_root), "DROP ALL")
    assert code == 2 and "read-only" in err


def test_build_prints_triples_per_graph(cli, home, mini_root):
    code, out, _ = cli("build", "--data", str(mini_root))
    assert code == 0
    assert "framework/fa" in out and "mappings/controls-fa" in out
    assert "named graphs in" in out.splitlines()[-1]


def test_check_passes_then_fails_on_a_broken_copy(cli, home, mini_root):
    code, out, _ = cli("check", "--data", str(mini_root))
    assert code == 0, out
    catalog = mini_root / "ontologies" / "catalog" / "catalog.ttl"
    catalog.write_text(catalog.read_text().replace('skos:prefLabel "Logging"@en ;', ""))
    mapping = mini_root / "crosswalks" / "controls-fa.tsv"
    mapping.write_text(mapping.read_text().replace("control:GOV-03\tfa:2.1", "control:GOV-03\tfa:2.2"))
    code, out, _ = cli("check", "--data", str(mini_root))
    assert code == 1
    assert "controls-fa.tsv" in out and "'fa:2.2'" in out


def test_check_reports_every_shape_violation(cli, home, mini_root):
    catalog = mini_root / "ontologies" / "catalog" / "catalog.ttl"
    text = catalog.read_text().replace('skos:prefLabel "Logging"@en ;', "").replace("ag:effortDays 2.0 ;", "")
    catalog.write_text(text)
    code, out, _ = cli("check", "--data", str(mini_root), "--no-owl")
    assert code == 1
    assert "ctl:GOV-03 skos:prefLabel: a control needs a title" in out
    assert "ctl:GOV-01 ag:effortDays:" in out


def test_owl_check_catches_a_link_to_the_wrong_kind_of_thing(cli, home, mini_root):
    catalog = mini_root / "ontologies" / "catalog" / "catalog.ttl"
    catalog.write_text(catalog.read_text() + "\nctl:GOV-03 ag:dependsOn ev:minutes .\n")
    code, out, _ = cli("check", "--data", str(mini_root))
    assert code == 1
    assert "OWL: the ontology and data are inconsistent" in out
