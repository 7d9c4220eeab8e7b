"""Namespaces of the vocabulary and the rules that turn official ids into IRIs.

A requirement's IRI is derived from its framework slug and its notation, so any
tool can go from ``dpdp-act`` + ``10(2)(b)`` to the IRI without a lookup:
``(`` becomes ``-``, ``)`` is dropped, spaces become ``-``.

>>> requirement_iri("dpdp-act", "10(2)(b)")
'https://w3id.org/attestgraph/id/dpdp-act/10-2-b'
"""

from __future__ import annotations

BASE = "https://w3id.org/attestgraph/"
AG = BASE + "vocab#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"

SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
SH = "http://www.w3.org/ns/shacl#"

CONTROL = ID + "control/"
EVIDENCE = ID + "evidence/"
COMPONENT = ID + "component/"
MAPPING = ID + "mapping/"

#: Prefixes every named query and every Turtle file may assume.
PREFIXES = {
    "ag": AG,
    "skos": SKOS,
    "dct": DCT,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "prov": PROV,
    "soc2": ID + "soc2/",
    "iso42001": ID + "iso42001/",
    "iso27001": ID + "iso27001/",
    "dpdpa": ID + "dpdp-act/",
    "dpdpr": ID + "dpdp-rules/",
    "nistrmf": ID + "nist-ai-rmf/",
    "nistgai": ID + "nist-ai-600-1/",
    "euaia": ID + "eu-ai-act/",
    "ctl": CONTROL,
    "ev": EVIDENCE,
    "comp": COMPONENT,
    "dom": ID + "domain/",
}

#: Relationship and rationale keywords used in crosswalk files, and their IRIs.
RELATIONSHIPS = {
    "equal": AG + "Equal",
    "subset-of": AG + "SubsetOf",
    "superset-of": AG + "SupersetOf",
    "intersects-with": AG + "IntersectsWith",
    "not-related": AG + "NotRelated",
}
RATIONALES = {
    "syntactic": AG + "Syntactic",
    "semantic": AG + "Semantic",
    "functional": AG + "Functional",
}
SOURCE_KINDS = {
    "judgement": AG + "ProjectJudgement",
    "structural": AG + "StructuralFact",
    "public-crosswalk": AG + "PublicCrosswalk",
}


def keyword(iri: str) -> str:
    """The crosswalk keyword of a relationship, rationale or source-kind IRI."""
    for table in (RELATIONSHIPS, RATIONALES, SOURCE_KINDS):
        for key, value in table.items():
            if value == iri:
                return key
    raise KeyError(iri)


def curie(term: str) -> str:
    """Shorten an IRI with the project's prefixes (the longest namespace that fits), for
    messages and tables; an IRI no prefix covers stays whole in angle brackets.

    >>> curie(AG + "Equal"), curie("https://example.org/x")
    ('ag:Equal', '<https://example.org/x>')
    """
    best = None
    for prefix, namespace in PREFIXES.items():
        if term.startswith(namespace) and (best is None or len(namespace) > len(best[1])):
            best = (prefix, namespace)
    if best:
        return f"{best[0]}:{term[len(best[1]):]}"
    return f"<{term}>" if "://" in term else term


def notation_local(notation: str) -> str:
    """The local part of a requirement IRI for an official notation.

    >>> notation_local("R7(2)(a)")
    'R7-2-a'
    """
    return notation.replace("(", "-").replace(")", "").replace(" ", "-")


def framework_iri(slug: str) -> str:
    return ID + slug


def requirement_iri(slug: str, notation: str) -> str:
    return f"{ID}{slug}/{notation_local(notation)}"


def control_iri(identifier: str) -> str:
    return CONTROL + identifier


def framework_graph(slug: str) -> str:
    return f"{GRAPH}framework/{slug}"


def catalog_graph(name: str) -> str:
    return f"{GRAPH}catalog/{name}"


def mapping_graph(set_id: str) -> str:
    return f"{GRAPH}mappings/{set_id}"


def engagement_graph(engagement_id: str) -> str:
    return f"{GRAPH}engagement/{engagement_id}"


VOCAB_GRAPH = GRAPH + "vocab"
DERIVED_GRAPH = GRAPH + "derived"
INFERRED_GRAPH = GRAPH + "inferred"
META_GRAPH = GRAPH + "meta"
