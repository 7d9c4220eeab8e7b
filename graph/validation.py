"""Checks every build and ``attestgraph check`` run: SHACL shapes, referential
and structural rules the shapes cannot say, and OWL consistency with HermiT.

Each check returns violation lines (empty when all is well) instead of raising,
so ``check`` can print every one of them; the build raises on the first list
that is not empty.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from attestgraph import vocabulary as v
from attestgraph.graph.results import solutions, value
from attestgraph.vocabulary import curie

# The data graphs the shapes and the reasoner look at: everything but what the
# build derives. Closures and inverses add nothing the shapes constrain, and the
# inferred mappings are written by code whose invariants its own tests pin.
_SKIP_GRAPHS = {v.DERIVED_GRAPH, v.INFERRED_GRAPH}


def to_rdflib(stage: ox.Store) -> rdflib.Graph:
    """The union of the data graphs as one rdflib graph (SHACL and OWL want a single graph)."""
    lines = [
        f"{q.subject} {q.predicate} {q.object} ."
        for q in stage.quads_for_pattern(None, None, None, None)
        if not (isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in _SKIP_GRAPHS)
    ]
    graph = rdflib.Graph()
    graph.parse(data="\n".join(lines), format="nt")
    return graph


def shacl_violations(data: rdflib.Graph, shapes_path: Path) -> list[str]:
    """Every SHACL violation as 'focus path: message [shape]'."""
    from pyshacl import validate

    shapes = rdflib.Graph().parse(shapes_path, format="turtle")
    conforms, report, _ = validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    if conforms:
        return []
    lines = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        value = report.value(result, SH.value)
        shape = report.value(result, SH.sourceShape)
        where = curie(str(focus))
        if path is not None and isinstance(path, rdflib.URIRef):
            where += f" {curie(str(path))}"
        text = str(message) if message is not None else "violates a shape"
        if value is not None and value != focus:
            text += f" (value {curie(str(value))})"
        shape_name = f" [{curie(str(shape))}]" if isinstance(shape, rdflib.URIRef) else ""
        lines.append(f"{where}: {text}{shape_name}")
    return sorted(set(lines))


_NOTATION_CLASHES = """
SELECT ?scheme ?notation (COUNT(DISTINCT ?r) AS ?n) WHERE {
  ?r a ag:Requirement ; skos:inScheme ?scheme ; skos:notation ?notation .
} GROUP BY ?scheme ?notation HAVING (COUNT(DISTINCT ?r) > 1)
"""

_IRI_NOTATION = """
SELECT ?r ?slug ?notation WHERE {
  ?r a ag:Requirement ; skos:inScheme ?scheme ; skos:notation ?notation .
  ?scheme dct:identifier ?slug .
}
"""

_CROSS_SCHEME_BROADER = """
SELECT ?r ?parent WHERE {
  ?r skos:broader ?parent ; skos:inScheme ?s1 . ?parent skos:inScheme ?s2 . FILTER(?s1 != ?s2)
}
"""

_DEPENDENCIES = "SELECT ?a ?b WHERE { ?a ag:dependsOn ?b }"

# NIST IR 8278A rev. 1: equal is 10, not related is 0, everything else in between.
# (One query here rather than a SPARQL constraint in the shapes: pyshacl runs those
# once per focus node, which took minutes on the shipped mappings.)
_STRENGTH_MISFITS = """
SELECT ?m ?rel ?value WHERE {
  ?m ag:relationship ?rel ; ag:strength ?value .
  FILTER ( (?rel = ag:Equal && ?value != 10)
        || (?rel = ag:NotRelated && ?value != 0)
        || (?rel NOT IN (ag:Equal, ag:NotRelated) && (?value < 1 || ?value > 9)) )
}"""

_FRAMEWORK_GRAPHS = """
SELECT ?g ?slug WHERE { GRAPH ?g { ?f a ag:Framework ; dct:identifier ?slug } }
"""


def referential_violations(stage: ox.Store) -> list[str]:
    """Rules beyond the shapes: unique notations, IRIs that follow their notation,
    parents in the same framework, one framework per file, acyclic control dependencies."""

    def rows(query: str) -> Iterator[ox.QuerySolution]:
        return solutions(stage.query(query, prefixes=v.PREFIXES, use_default_graph_as_union=True))

    problems: list[str] = []
    for row in rows(_NOTATION_CLASHES):
        problems.append(
            f"{curie(row['scheme'].value)}: notation {row['notation'].value!r} is used by {row['n'].value} requirements"
        )
    for row in rows(_IRI_NOTATION):
        expected = v.requirement_iri(row["slug"].value, row["notation"].value)
        if row["r"].value != expected:
            problems.append(
                f"{curie(row['r'].value)}: IRI does not follow its notation "
                f"{row['notation'].value!r}; expected {curie(expected)}"
            )
    for row in rows(_STRENGTH_MISFITS):
        problems.append(
            f"{curie(row['m'].value)} ag:strength: {row['value'].value} does not fit {curie(row['rel'].value)} "
            "(equal is 10, not related is 0, the others 1-9)"
        )
    for row in rows(_CROSS_SCHEME_BROADER):
        problems.append(f"{curie(row['r'].value)} skos:broader: parent {curie(row['parent'].value)} is in another framework")
    for row in rows(_FRAMEWORK_GRAPHS):
        expected_graph = v.framework_graph(row["slug"].value)
        if row["g"].value != expected_graph:
            problems.append(
                f"framework {row['slug'].value!r} is declared in graph {curie(row['g'].value)}; "
                f"its file must be named {row['slug'].value}.ttl"
            )
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_edges_from((row["a"].value, row["b"].value) for row in rows(_DEPENDENCIES))
    for cycle in nx.simple_cycles(graph):
        chain = " -> ".join(curie(c) for c in cycle + cycle[:1])
        problems.append(f"ag:dependsOn has a cycle: {chain}")
        if len(problems) > 200:
            break
    return problems


_NON_OWL_DATATYPES = {
    v.XSD + name for name in ("date", "duration", "gYearMonth", "gYear", "time", "dayTimeDuration", "yearMonthDuration")
}


def owl_violations(data: rdflib.Graph, vocabulary: Path) -> list[str]:
    """Load vocabulary and data into owlready2 and run HermiT; an inconsistency is one violation.

    owlready2 reads N-Triples, not Turtle, so both go through a temporary file.
    """
    import owlready2

    combined = rdflib.Graph()
    combined.parse(vocabulary, format="turtle")
    for triple in data:
        combined.add(triple)
    # HermiT accepts only the OWL 2 datatype map; xsd:date and xsd:duration are not in
    # it, and nothing the reasoner checks depends on those values.
    for s, p, o in list(combined):
        if (isinstance(o, rdflib.Literal) and str(o.datatype) in _NON_OWL_DATATYPES) or str(o) in _NON_OWL_DATATYPES:
            combined.remove((s, p, o))
    handle, path = tempfile.mkstemp(suffix=".nt")
    os.close(handle)
    try:
        combined.serialize(path, format="nt", encoding="utf-8")
        world = owlready2.World()
        ontology = world.get_ontology("file://" + path).load(format="ntriples")
        try:
            with ontology:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            detail = str(exc).strip()[:500]
            return ["OWL: the ontology and data are inconsistent (HermiT)" + (f": {detail}" if detail else "")]
        except owlready2.OwlReadyJavaError as exc:
            first = next((line for line in str(exc).splitlines() if "Exception" in line), str(exc)[:300])
            return [f"OWL: the HermiT reasoner could not run (is Java 11+ installed?): {first.strip()}"]
        unsatisfiable = [curie(c.iri) for c in world.inconsistent_classes()]
        if unsatisfiable:
            return [f"OWL: unsatisfiable classes: {', '.join(unsatisfiable)}"]
        return []
    finally:
        os.unlink(path)


#: Frameworks whose every leaf an organisation acts on must be reached by a control mapping.
CONTROL_COVERED_FRAMEWORKS = ("soc2", "iso42001", "dpdp-act", "dpdp-rules", "nist-ai-rmf", "nist-ai-600-1", "eu-ai-act")

_UNADDRESSED_LEAVES = """
SELECT ?slug ?notation WHERE {
  VALUES ?slug { %s }
  ?f dct:identifier ?slug .
  ?r skos:inScheme ?f ; skos:notation ?notation ; ag:isLeaf true .
  MINUS { ?m ag:toElement ?r ; ag:fromElement ?c . ?c a ag:Control . }
  MINUS { ?r ag:notApplicable ?why }
  MINUS { ?r ag:ancestor ?up . ?up ag:notApplicable ?why2 }
} ORDER BY ?slug ?notation
"""


def coverage_violations(stage: ox.Store, frameworks: Iterable[str] = CONTROL_COVERED_FRAMEWORKS) -> list[str]:
    """Leaf requirements that no control maps to and that are not marked not-applicable.

    Needs the derived graph (``ag:isLeaf``, ``ag:ancestor``), so run it after materialising.
    """
    slugs = " ".join(str(ox.Literal(slug)) for slug in frameworks)
    return [
        f"{value(row['slug'])}:{value(row['notation'])}: leaf requirement is neither mapped from a control "
        "nor marked not-applicable (crosswalks/not-applicable.tsv)"
        for row in solutions(stage.query(_UNADDRESSED_LEAVES % slugs, prefixes=v.PREFIXES, use_default_graph_as_union=True))
    ]
