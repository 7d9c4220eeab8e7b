"""SSSOM export: every file parses, validates and converts to RDF with sssom-py."""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

import pytest
import rdflib

with warnings.catch_warnings():
    # sssom-py 0.4 sets a pandas option pandas 3 deprecates, once, at import: theirs to fix.
    warnings.filterwarnings("ignore", message="The 'mode.copy_on_write' option is deprecated")
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate
    from sssom.writers import to_rdf_graph

from attestgraph.errors import UnknownIdentifier
from attestgraph.graph.build import build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore
from attestgraph.interop.sssom import export_sssom

# sssom-py 0.4 calls pandas APIs pandas 3 deprecates (inplace=...): their warnings, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")

SKOS = rdflib.Namespace("http://www.w3.org/2004/02/skos/core#")
OWL = rdflib.OWL
SSSOM = rdflib.Namespace("https://w3id.org/sssom/")
ID = "https://w3id.org/attestgraph/id/"


@pytest.fixture
def mini_store(mini_root):
    stage, _ = build_stage(DataRoot.at(mini_root))
    return EmbeddedStore(stage)


def accepted_by_sssom_py(path: Path) -> tuple[object, rdflib.Graph]:
    """Parse, validate (every validation sssom-py runs by default: raises on an error) and convert."""
    msdf = parse_sssom_table(path)
    validate(msdf, fail_on_error=True)
    return msdf, to_rdf_graph(msdf)


def axiom(graph: rdflib.Graph, subject: str, obj: str) -> rdflib.term.Node:
    found = [
        a for a in graph.subjects(OWL.annotatedSource, rdflib.URIRef(subject))
        if (a, OWL.annotatedTarget, rdflib.URIRef(obj)) in graph
    ]
    assert len(found) == 1, found
    return found[0]


def test_every_file_parses_validates_and_converts(mini_store, tmp_path, caplog):
    caplog.set_level(logging.WARNING)
    written = {p.name: n for p, n in export_sssom(mini_store, tmp_path)}
    assert written == {
        "controls-fa.sssom.tsv": 3, "controls-fb.sssom.tsv": 2, "fa-fp.sssom.tsv": 3, "fp-fb.sssom.tsv": 3,
        # fa:1.1 = fp:1.1 > fb:1.2 and fa:1.2 < fp:1.2 < fb:1.2 compose; fa:2.1 < fp:2.1 > fb:2.1 does not
        "inferred.sssom.tsv": 2,
        "not-applicable.sssom.tsv": 1,
    }
    for name, count in written.items():
        msdf, graph = accepted_by_sssom_py(tmp_path / name)
        assert len(msdf.df) == count, name
        assert len(list(graph.subjects(rdflib.RDF.type, OWL.Axiom))) == count, name
        assert (rdflib.URIRef(f"{ID}mapping/{name.split('.')[0]}"), rdflib.RDF.type, SSSOM.MappingSet) in graph
    # sssom-py complained about nothing it could not place (CURIEs, propagation, metadata keys).
    complaints = [r.getMessage() for r in caplog.records if "No attr for ag_" not in r.getMessage()
                  and "Ignoring extension slot" not in r.getMessage()]
    assert complaints == []


def test_set_metadata_is_complete_and_typed(mini_store, tmp_path):
    export_sssom(mini_store, tmp_path, "controls-fa")
    msdf, _graph = accepted_by_sssom_py(tmp_path / "controls-fa.sssom.tsv")
    meta = msdf.metadata
    assert meta["mapping_set_id"] == f"{ID}mapping/controls-fa"
    assert meta["mapping_set_version"] == "2024-01-01"
    assert set(msdf.df["mapping_date"]) == {"2024-01-01"}  # sssom-py propagates the set's date to each row
    assert meta["license"] == "https://creativecommons.org/publicdomain/zero/1.0/"
    assert meta["creator_id"] == ["agorg:tests"]
    assert set(msdf.df["mapping_provider"]) == {"https://w3id.org/attestgraph/"}
    assert set(msdf.df["subject_source"]) == {"agid:controls"} and set(msdf.df["object_source"]) == {"agid:fa"}
    assert {e["slot_name"]: (e["property"], e["type_hint"]) for e in meta["extension_definitions"]} == {
        "ag_relationship": ("ag:relationship", "xsd:string"), "ag_rationale": ("ag:rationale", "xsd:string"),
        "ag_strength": ("ag:strength", "xsd:integer"), "ag_source_kind": ("ag:sourceKind", "xsd:string"),
        "ag_source": ("dct:source", "xsd:string"),
    }
    assert msdf.converter.expand("agid:fa") == f"{ID}fa"


def test_one_row_round_trips_relationship_strength_and_rationale(mini_store, tmp_path):
    export_sssom(mini_store, tmp_path, "controls-fa")
    path = tmp_path / "controls-fa.sssom.tsv"
    # As written: the declared extension slots carry the project's own terms.
    lines = [line.split("\t") for line in path.read_text().splitlines() if not line.startswith("#")]
    rows = [dict(zip(lines[0], line)) for line in lines[1:]]
    row = {r["subject_id"]: r for r in rows}["ctl:GOV-02"]
    assert (row["ag_relationship"], row["ag_rationale"], row["ag_strength"]) == ("subset-of", "functional", "5")
    # Through sssom-py, to its table and to RDF: predicate, confidence and curation rule.
    msdf, graph = accepted_by_sssom_py(path)
    parsed = msdf.df.set_index("subject_id").loc["ctl:GOV-02"]
    assert (parsed["predicate_id"], parsed["confidence"], parsed["curation_rule"]) == (
        "skos:broadMatch", 0.5, "ag:Functional")
    node = axiom(graph, "https://w3id.org/attestgraph/id/control/GOV-02", f"{ID}fa/1.2")
    assert graph.value(node, OWL.annotatedProperty) == SKOS.broadMatch  # subset-of: the object is broader
    assert float(graph.value(node, SSSOM.confidence)) * 10 == 5
    assert graph.value(node, SSSOM.curation_rule) == rdflib.URIRef("https://w3id.org/attestgraph/vocab#Functional")


def test_inferred_set_is_chained_with_its_pivots(mini_store, tmp_path):
    export_sssom(mini_store, tmp_path, "inferred")
    msdf, _graph = accepted_by_sssom_py(tmp_path / "inferred.sssom.tsv")
    rows = msdf.df.set_index("subject_id")
    row = rows.loc["fa:1.1"]
    assert row["object_id"] == "fb:1.2" and row["predicate_id"] == "skos:narrowMatch"  # superset-of
    assert row["mapping_justification"] == "semapv:MappingChaining"
    assert (row["subject_source"], row["object_source"]) == ("agid:fa", "agid:fb")
    assert "fp:1.1" in row["comment"] and row["confidence"] == 0.8
    text = (tmp_path / "inferred.sssom.tsv").read_text()
    assert "\tsuperset-of\tsemantic\t8\tinference\t" in text and text.rstrip().endswith("\tfp:1.2")


def test_not_applicable_rows_name_no_term_found(mini_store, tmp_path):
    export_sssom(mini_store, tmp_path, "not-applicable")
    msdf, graph = accepted_by_sssom_py(tmp_path / "not-applicable.sssom.tsv")
    row = msdf.df.iloc[0]
    assert (row["subject_id"], row["object_id"]) == ("fp:2.1", "sssom:NoTermFound")
    assert row["object_source"] == "agid:controls"
    assert row["comment"] == "Binds another party."
    assert (None, OWL.annotatedTarget, SSSOM.NoTermFound) in graph


def test_header_is_yaml_whatever_the_text_holds(mini_root, tmp_path):
    # A title with a YAML indicator and a colon: the old f-string header broke sssom-py on such lines.
    path = mini_root / "crosswalks" / "fa-fp.tsv"
    path.write_text(path.read_text().replace("# title: test", "# title: '#1: A -> P' [draft], {x}: y"))
    stage, _ = build_stage(DataRoot.at(mini_root))
    export_sssom(EmbeddedStore(stage), tmp_path, "fa-fp")
    msdf, _ = accepted_by_sssom_py(tmp_path / "fa-fp.sssom.tsv")
    assert msdf.metadata["mapping_set_title"] == "'#1: A -> P' [draft], {x}: y"


def test_unknown_set_names_the_choices(mini_store, tmp_path):
    with pytest.raises(UnknownIdentifier, match="controls-fa, .*inferred, not-applicable"):
        export_sssom(mini_store, tmp_path, "nope")


@pytest.mark.slow
def test_every_shipped_file_is_accepted_by_sssom_py(shipped_store, tmp_path):
    written = export_sssom(shipped_store, tmp_path)
    names = {p.name for p, _ in written}
    assert {"controls-soc2.sssom.tsv", "soc2-iso27001.sssom.tsv", "inferred.sssom.tsv",
            "not-applicable.sssom.tsv"} <= names
    for path, count in written:
        msdf, graph = accepted_by_sssom_py(path)
        assert len(msdf.df) == count > 0, path.name
        assert len(list(graph.subjects(rdflib.RDF.type, OWL.Axiom))) == count, path.name
