"""The SPARQL result formats: which one a client gets (``Accept``) and the bytes of each.

SELECT and ASK answer SPARQL JSON, XML, CSV or TSV; CONSTRUCT and DESCRIBE answer
Turtle, N-Triples, JSON-LD or RDF/XML. RDF/XML is what SPARQLWrapper asks for by
default for DESCRIBE and CONSTRUCT, and what rdflib's ``SPARQLStore`` asks for, so
without it those clients get a 406.

Serialising happens in the query worker (:mod:`attestgraph.server.workers`), so only
the finished, size-capped answer crosses to the server process.
"""

from __future__ import annotations

import pyoxigraph as ox

from attestgraph import render
from attestgraph import vocabulary as v
from attestgraph.graph.results import Result

SELECT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
# The format names of https://www.w3.org/ns/formats/ for each media type, for the
# service description's sd:resultFormat.
FORMAT_NAMES = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
}


def media_type(header: str | None) -> str:
    """The bare, lower-case media type of a Content-Type header (``""`` when absent)."""
    return (header or "").split(";")[0].strip().lower()


def charset(header: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, lower-cased, or None."""
    for part in (header or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            return value.strip().strip('"').lower()
    return None


def _accepted(header: str | None) -> list[str]:
    """Media types from an Accept header, best first (q-values honoured, order kept on ties)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        quality = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    quality = float(f[2:])
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, index, fields[0].lower()))
    return [media for _, _, media in sorted(ranked)]


def negotiate(accept: str | None, kind: str) -> str | None:
    table = GRAPH_FORMATS if kind == "graph" else SELECT_FORMATS
    default = "text/turtle" if kind == "graph" else "application/sparql-results+json"
    wanted = _accepted(accept)
    if not wanted:
        return default
    for media in wanted:
        if media in table:
            return media
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None


def serialize(result: Result, media: str) -> bytes:
    if result.kind == "graph":
        return serialize_graph(result.triples, media)
    form = SELECT_FORMATS[media]
    if form == "json":
        return render.sparql_json(result).encode()
    if form == "csv":
        return render.sparql_csv(result).encode()
    if form == "tsv":
        return render.sparql_tsv(result).encode()
    return sparql_xml(result).encode()


def serialize_graph(triples: list[ox.Triple], media: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in one of :data:`GRAPH_FORMATS`; Turtle and RDF/XML with the project's
    prefixes (and ``prefixes``)."""
    if media in ("text/turtle", "application/rdf+xml"):
        body = ox.serialize(triples, format=GRAPH_FORMATS[media], prefixes={**v.PREFIXES, **(prefixes or {})})
    else:
        body = ox.serialize(triples, format=GRAPH_FORMATS[media])
    assert body is not None  # None only when an output file is given
    return body


def sparql_xml(result: Result) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
    out += [f"<variable name={quoteattr(v)}/>" for v in result.variables]
    out.append("</head>")
    if result.kind == "ask":
        out.append(f"<boolean>{'true' if result.boolean else 'false'}</boolean></sparql>")
        return "".join(out)
    out.append("<results>")
    for row in result.rows:
        out.append("<result>")
        for name, term in zip(result.variables, row):
            if term is None:
                continue
            if isinstance(term, ox.NamedNode):
                value = f"<uri>{escape(term.value)}</uri>"
            elif isinstance(term, ox.BlankNode):
                value = f"<bnode>{escape(term.value)}</bnode>"
            elif isinstance(term, ox.Literal):
                attrs = ""
                if term.language:
                    attrs = f" xml:lang={quoteattr(term.language)}"
                elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
                    attrs = f" datatype={quoteattr(term.datatype.value)}"
                value = f"<literal{attrs}>{escape(term.value)}</literal>"
            else:  # an RDF-star triple: SPARQL XML results have no element for it
                raise TypeError(f"a quoted triple cannot be written as SPARQL XML results: {term}")
            out.append(f"<binding name={quoteattr(name)}>{value}</binding>")
        out.append("</result>")
    out.append("</results></sparql>")
    return "".join(out)
