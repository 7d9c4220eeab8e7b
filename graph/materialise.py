"""What the build writes beside the data so queries stay simple joins.

Each step is one SPARQL CONSTRUCT over the union of the staging store's
graphs, whose triples are written into the derived graph only: the transitive closure of ``skos:broader`` (``ag:ancestor``), the
inverse links SKOS defines (``skos:narrower``, ``skos:hasTopConcept``), the
leaf flag, the framework at each end of a mapping (``ag:fromScheme``,
``ag:toScheme``: queries for a pair of frameworks then start from an index
instead of scanning every mapping) and each requirement's top-level category. ``MINUS`` rather than
``FILTER NOT EXISTS``: the latter is orders of magnitude slower on Oxigraph.
"""

from __future__ import annotations

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.graph.results import triples_of

PREFIX = f"PREFIX ag: <{v.AG}> PREFIX skos: <{v.SKOS}> PREFIX xsd: <{v.XSD}>\n"

STEPS: list[tuple[str, str]] = [
    (
        "ancestors",
        "CONSTRUCT { ?x ag:ancestor ?y } WHERE { ?x a ag:Requirement ; skos:broader+ ?y }",
    ),
    (
        "narrower",
        "CONSTRUCT { ?y skos:narrower ?x } WHERE { ?x skos:broader ?y }",
    ),
    (
        "top concepts",
        "CONSTRUCT { ?s skos:hasTopConcept ?x } WHERE { ?x skos:topConceptOf ?s }",
    ),
    (
        "leaves",
        """CONSTRUCT { ?x ag:isLeaf ?leaf } WHERE {
              { ?x a ag:Requirement MINUS { ?child skos:broader ?x } BIND(true AS ?leaf) }
              UNION
              { SELECT DISTINCT ?x (false AS ?leaf) WHERE { ?x a ag:Requirement . ?child skos:broader ?x } }
            }""",
    ),
    (
        "mapping schemes",
        """CONSTRUCT { ?m ag:toScheme ?to . ?m ag:fromScheme ?from } WHERE {
              ?m ag:toElement ?y . ?y skos:inScheme ?to .
              OPTIONAL { ?m ag:fromElement ?x . ?x skos:inScheme ?from }
            }""",
    ),
    (
        "categories",
        """CONSTRUCT { ?x ag:category ?top } WHERE {
              { ?x a ag:Requirement ; ag:ancestor ?top } UNION { ?x a ag:Requirement . BIND(?x AS ?top) }
              ?top a ag:Requirement . MINUS { ?top skos:broader ?any }
            }""",
    ),
]


def materialise(stage: ox.Store) -> dict[str, int]:
    """Run every step in order on ``stage``; return the derived triples each step added."""
    added: dict[str, int] = {}
    graph = ox.NamedNode(v.DERIVED_GRAPH)
    for name, construct in STEPS:
        # Each step sees what the steps before it derived (categories need ancestors).
        triples = list(triples_of(stage.query(PREFIX + construct, use_default_graph_as_union=True)))
        stage.extend(ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples)
        added[name] = len(triples)
    return added
