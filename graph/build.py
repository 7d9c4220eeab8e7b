"""The graph build: load every data file, materialise, infer, validate.

Everything happens in an in-memory staging store; only a graph that passed
every check is handed on to be written where it will be used. A fault anywhere
raises before anything is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.errors import ValidationFailed
from attestgraph.graph import inference, validation
from attestgraph.graph.loader import ReferenceIndex, mapping_set_quads, parse_turtle
from attestgraph.graph.materialise import materialise
from attestgraph.graph.results import solutions, value
from attestgraph.graph.sources import DataRoot

Progress = Callable[[str], None]


@dataclass
class BuildReport:
    fingerprint: str
    triples_per_graph: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.triples_per_graph.values())


_INDEX_QUERY = """
SELECT ?slug ?notation ?r WHERE {
  ?r a ag:Requirement ; skos:notation ?notation ; skos:inScheme ?f . ?f dct:identifier ?slug .
}"""
_CONTROL_QUERY = "SELECT ?id ?c WHERE { ?c a ag:Control ; dct:identifier ?id }"


def reference_index(stage: ox.Store) -> ReferenceIndex:
    requirements: dict[str, dict[str, str]] = {}
    for row in solutions(stage.query(_INDEX_QUERY, prefixes=v.PREFIXES, use_default_graph_as_union=True)):
        requirements.setdefault(value(row["slug"]), {})[value(row["notation"])] = value(row["r"])
    controls = {
        value(row["id"]): value(row["c"])
        for row in solutions(stage.query(_CONTROL_QUERY, prefixes=v.PREFIXES, use_default_graph_as_union=True))
    }
    return ReferenceIndex(requirements, controls)


def build_stage(data: DataRoot, *, validate: bool = True, progress: Progress | None = None) -> tuple[ox.Store, BuildReport]:
    """Build the whole graph in memory; raise on the first faulty file or on any violation."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    report = BuildReport(fingerprint=data.fingerprint())
    stage = ox.Store()

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        report.stages[name] = now - since
        return now

    mark = time.perf_counter()
    sources = data.sources()
    turtle = [s for s in sources if s.kind != "crosswalk"]
    say(f"loading {len(turtle)} Turtle files")
    quads: list[ox.Quad] = []
    for source in turtle:
        quads.extend(parse_turtle(source.path, source.graph))
    stage.extend(quads)
    mark = lap("load", mark)

    crosswalks = [s for s in sources if s.kind == "crosswalk"]
    say(f"reading {len(crosswalks)} crosswalk files")
    index = reference_index(stage)
    mapping_quads: list[ox.Quad] = []
    for source in crosswalks:
        _, found = mapping_set_quads(source.path, index)
        mapping_quads.extend(found)
    stage.extend(mapping_quads)
    mark = lap("crosswalks", mark)

    say("materialising closures and inverses")
    materialise(stage)
    mark = lap("materialise", mark)

    say("inferring mappings through pivot requirements; shared implementation through controls")
    inference.materialise_inferred(stage)
    mark = lap("infer", mark)

    if validate:
        say("validating (SHACL shapes and referential checks)")
        problems = validation.referential_violations(stage)
        problems += validation.shacl_violations(validation.to_rdflib(stage), data.shapes)
        if problems:
            raise ValidationFailed(problems)
        mark = lap("validate", mark)

    report.triples_per_graph = _triples_per_graph(stage)
    report.seconds = time.perf_counter() - started
    return stage, report


def _triples_per_graph(stage: ox.Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for quad in stage.quads_for_pattern(None, None, None, None):
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else "default"
        counts[name] = counts.get(name, 0) + 1
    return dict(sorted(counts.items()))
