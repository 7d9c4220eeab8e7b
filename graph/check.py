"""``attestgraph check``: every validation, reported in full rather than stopping at the first."""

from __future__ import annotations

from attestgraph.errors import DataError
from attestgraph.graph import validation
from attestgraph.graph.build import Progress, build_stage
from attestgraph.graph.connect import data_root


def run_checks(data: str | None = None, *, owl: bool = True, progress: Progress | None = None) -> list[str]:
    """All violations of the data at ``data`` (shipped data by default); empty when it is sound."""
    root = data_root(data)
    say = progress or (lambda _m: None)
    try:
        stage, _ = build_stage(root, validate=False, progress=progress)
    except DataError as exc:
        return [str(exc)]
    say("checking references and structure")
    problems = validation.referential_violations(stage)
    problems += validation.coverage_violations(stage)
    say("checking SHACL shapes")
    union = validation.to_rdflib(stage)
    problems += validation.shacl_violations(union, root.shapes)
    if owl:
        say("checking OWL consistency with HermiT")
        problems += validation.owl_violations(union, root.ontologies / "core.ttl")
    return problems
