"""The same answers on Virtuoso as on the embedded store (issue 16).

A real Virtuoso 7.2 (Debian's ``virtuoso-opensource``) on loopback, with a throwaway
database, filled by the code of ``attestgraph push``. Every named query, ``overlap``,
``evidence``, ``gaps`` and ``plan`` on the sample engagement are compared with the
embedded store after normalising only what SPARQL leaves to the engine: the order of
rows a query does not order (and of tied rows it does), blank-node labels, and the
lexical form of a typed value (``PT72H`` and ``P3D``, ``1.50`` and ``1.5``). Column
order is not normalised: both engines give the projection's order.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from attestgraph.graph.remote import RemoteStore
from attestgraph.graph.results import Result
from attestgraph.graph.store import EmbeddedStore
from attestgraph.queries import named

pytestmark = pytest.mark.slow

SAMPLE = Path(__file__).parents[2] / "examples" / "acme-ai.yaml"
XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {XSD + t for t in ("integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger")}


@pytest.fixture(scope="module")
def remote(virtuoso_shipped, virtuoso_writer) -> Iterator[RemoteStore]:
    store = virtuoso_writer(virtuoso_shipped)
    yield store
    store.close()


@pytest.fixture(scope="module")
def local(shipped_store) -> EmbeddedStore:
    return shipped_store.copy_to_memory()


@pytest.fixture(scope="module")
def sample(local):
    from attestgraph.queries.catalog import Catalog
    from attestgraph.queries.engagement.file import load_engagement

    catalog = Catalog(local)
    return load_engagement(SAMPLE, known_controls=set(catalog.controls), known_evidence=set(catalog.evidence_types))


@pytest.fixture(scope="module")
def with_sample(remote, local, sample) -> Iterator[None]:
    """The sample engagement's graph in both stores, so the engagement queries answer."""
    from attestgraph.queries.engagement.graph import engagement_quads

    for store in (local, remote):
        store.replace_graph(sample.graph, engagement_quads(sample))
    yield
    remote.remove_graph(sample.graph)


def value_key(term: object) -> object:
    """A term with only what identifies its value: a blank node is any blank node, and a
    typed literal is its value, not its spelling."""
    if term is None:
        return None
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in NUMERIC:
            return ("number", Decimal(term.value))
        if datatype == XSD + "duration":
            return ("duration", str(ox.Literal(term.value, datatype=term.datatype)))
        return ("literal", term.value, datatype, term.language)
    return ("iri", str(term))


def ordered_by(text: str) -> list[str]:
    """The variables a query's final ORDER BY sorts on (none when it has none)."""
    match = re.search(r"ORDER\s+BY\s+(.+?)\s*(LIMIT|OFFSET|$)", text.split("}")[-1], re.IGNORECASE | re.DOTALL)
    return re.findall(r"\?(\w+)", match.group(1)) if match else []


def comparable(result: Result, text: str) -> dict[str, object]:
    """What must be equal between engines: the columns in order, the rows as a multiset,
    and the sequence of sort keys when the query orders its rows."""
    rows = [tuple(value_key(t) for t in row) for row in result.rows]
    keys = [result.variables.index(v) for v in ordered_by(text) if v in result.variables]
    return {"variables": result.variables, "rows": sorted(rows, key=repr),
            "order": [tuple(row[i] for i in keys) for row in rows] if keys else None}


def test_the_built_store_keeps_nothing_in_the_default_graph(local):
    """The claim the remote dataset rests on: the union of the named graphs is the
    whole store, so a dataset of every named graph is the embedded union."""
    assert local.query("ASK { ?s ?p ?o }", default_graphs=[]).boolean is False


def test_push_wrote_every_graph_whole(remote, local):
    assert remote.triples_per_graph() == local.triples_per_graph()
    assert remote.named_graphs() == local.named_graphs()


@pytest.mark.parametrize("name", sorted(named.library()))
def test_every_named_query_answers_the_same(remote, local, with_sample, name):
    text = named.bind(named.get(name))
    here, there = local.query(text), remote.query(text)
    assert here.rows, f"{name} answers nothing on the embedded store: the comparison would prove nothing"
    assert comparable(there, text) == comparable(here, text)


def test_a_query_with_a_named_dataset_reads_only_that(remote, local):
    graph = "https://w3id.org/attestgraph/graph/framework/soc2"
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert remote.query(query, default_graphs=[graph]).rows == local.query(query, default_graphs=[graph]).rows
    assert remote.query(query, default_graphs=[]).column("n") == [0]  # an empty default graph stays empty


def json_of(data: object) -> object:
    """An answer as its JSON text reads back, with the solver's wall-clock time taken out."""
    def strip(node: object) -> object:
        if isinstance(node, dict):
            return {k: strip(v) for k, v in node.items() if k not in ("wall_seconds",)}
        if isinstance(node, list):
            return [strip(v) for v in node]
        return node

    return strip(json.loads(json.dumps(data, default=str)))


@pytest.mark.parametrize("a,b", [("soc2", "iso42001"), ("dpdp-act", "iso27001")])
def test_overlap_is_the_same(remote, local, a, b):
    from attestgraph.queries.analysis.overlap import overlap

    assert json_of(overlap(remote, a, b)) == json_of(overlap(local, a, b))


def test_evidence_is_the_same(remote, local):
    from attestgraph.queries.analysis.evidence import shared_evidence

    assert json_of(shared_evidence(remote)) == json_of(shared_evidence(local))


def test_gaps_and_plan_are_the_same(remote, local, sample, with_sample):
    """The CLI's gaps (one analysis) and plan (the report's JSON) on the sample engagement.
    The planner stops on CP-SAT's deterministic clock (queries/planning/schedule.py), so
    the same inputs give the same plan on either store."""
    from attestgraph.queries.analysis.engagement import analyse, public
    from attestgraph.queries.report.writer import as_json, report_data

    answers = []
    for store in (local, remote):
        analysis = public(analyse(store, sample))
        gaps = dict(analysis["gaps"], as_of=analysis["as_of"], findings=analysis["findings"])
        plan = json.loads(as_json(report_data(store, sample)))
        answers.append((json_of(gaps), json_of(plan)))
    (gaps_here, plan_here), (gaps_there, plan_there) = answers
    assert gaps_here["coverage"] and gaps_here["missing"]
    assert gaps_there == gaps_here
    assert plan_there == plan_here
