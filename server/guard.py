"""What a query or update may ask for, decided on its parse tree before evaluation.

The checks read the request with a real SPARQL 1.1 parser (rdflib's) and walk the
tree it builds, never the text: a keyword hidden by an escape (``SERV\\u0049CE``),
glued to a number (``1SERVICE``) or placed after an IRI holding ``#`` is either
read as what it is or the request does not parse, and a request the checking parser
cannot read is refused (fail closed) even when Oxigraph could run it. The checks:

- a query is one of SELECT, ASK, CONSTRUCT or DESCRIBE; nothing else is recognised;
- no ``SERVICE`` anywhere, in any pattern, sub-query or ``EXISTS``;
- ``FROM`` / ``FROM NAMED`` name graphs the caller may read (their IRIs are handed
  back, so the endpoint passes the dataset to the store itself); Virtuoso's sponger
  would otherwise dereference a ``FROM`` IRI it does not hold;
- on a remote store, a graph of the store the caller may not read is not named anywhere
  in the query (Virtuoso reads ``GRAPH <iri>`` whatever dataset a request states);
- what a remote engine would act on beyond SPARQL 1.1 (:func:`_refuse_engine_extensions`):
  Virtuoso's ``define`` pragmas (``define get:soft "replace"`` fetches from the Web),
  its ``bif:`` and ``sql:`` IRIs (SQL built-ins, callable as functions or used as
  predicates), and any function call outside the XSD casts SPARQL 1.1 names;
- an update holds only the operations listed in :data:`UPDATE_OPERATIONS` (``LOAD``
  is not one) and no ``SERVICE``;
- brackets nest at most :data:`MAX_DEPTH` deep, counted on the raw text before any
  parser runs (pyoxigraph crashes the process on 5,000 nested ``{``, and a
  recursive-descent parser runs out of stack well before): the count ignores
  strings and comments, so it can only over-count, which refuses, never admits.

This is the first line. The guarantee that no query reaches the network is that
queries are evaluated in worker processes that cannot open an Internet socket
(:mod:`attestgraph.server.sandbox`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from attestgraph.errors import ForbiddenOperation, QuerySyntaxError, QueryTooComplex

# Relative IRIs in a query resolve against this base (unless the query declares its
# own BASE): the project's namespace, not the service's URL, so an answer never depends
# on the host name, port or replica a client happened to reach, and ``<graph/framework/soc2>``
# names the same graph everywhere. The checker and the engine both use it.
BASE_IRI = "https://w3id.org/attestgraph/"
MAX_DEPTH = 24  # rdflib's recursive parser reaches Python's stack limit near 32 nested parentheses
MAX_LENGTH = 100_000  # characters; rdflib's parser is pure Python and slow on huge texts

QUERY_FORMS = {"SelectQuery": "select", "AskQuery": "ask", "ConstructQuery": "graph", "DescribeQuery": "graph"}
UPDATE_OPERATIONS = {"InsertData", "DeleteData", "DeleteWhere", "Modify", "Clear", "Drop", "Create", "Add", "Move", "Copy"}


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed: its form and the dataset its ``FROM`` clauses name."""

    form: str  # "select", "ask" or "graph" (CONSTRUCT, DESCRIBE)
    from_graphs: tuple[str, ...] = ()
    from_named: tuple[str, ...] = ()
    store_graph_iris: tuple[str, ...] = ()  # every IRI in the query under the store's graph namespace

    @property
    def names_dataset(self) -> bool:
        return bool(self.from_graphs or self.from_named)


def bracket_depth(text: str) -> int:
    """The deepest nesting of ``{ ( [`` in ``text``, counting every bracket character."""
    depth = deepest = 0
    for char in text:
        if char in "{([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "})]":
            depth = max(depth - 1, 0)
    return deepest


def _precheck(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise QueryTooComplex(f"the query is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    depth = bracket_depth(text)
    if depth > MAX_DEPTH:
        raise QueryTooComplex(f"brackets nest {depth} deep; at most {MAX_DEPTH} levels are accepted")


def _nodes(tree: object) -> Iterable[object]:
    """Every node of an rdflib parse tree (CompValue, ParseResults, lists), iteratively."""
    from pyparsing import ParseResults
    from rdflib.plugins.sparql.parserutils import CompValue

    stack: list[object] = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, CompValue):
            stack.extend(node.values())
        elif isinstance(node, (ParseResults, list, tuple)):
            stack.extend(node)


def _names(tree: object) -> set[str]:
    from rdflib.plugins.sparql.parserutils import CompValue

    return {node.name for node in _nodes(tree) if isinstance(node, CompValue)}


def _prologue() -> str:
    """The base IRI and the project's prefixes, declared for the checker as Oxigraph is told
    them (graph.store, workers), so both read the same names. One line each, no brackets."""
    from attestgraph import vocabulary as v

    return f"BASE <{BASE_IRI}>\n" + "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in v.PREFIXES.items())


def _syntax_error(exc: Exception, what: str) -> QuerySyntaxError:
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    if line is not None:
        line -= _prologue().count("\n")  # positions in the text the client sent
    where = f" at {line}:{column}" if line is not None and line > 0 else ""
    message = getattr(exc, "msg", None) or str(exc)
    return QuerySyntaxError(
        f"SPARQL syntax error{where}: {message} (the {what} is checked by a SPARQL 1.1 parser before it runs; "
        "what that parser cannot read is refused)"
    )


@lru_cache(maxsize=512)
def _check_query(text: str) -> CheckedQuery:
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
        query = tree[1]
    except RecursionError:
        raise QueryTooComplex("the query nests too deeply to be checked") from None
    except Exception as exc:  # noqa: BLE001  # pyparsing's ParseException and the errors its actions raise
        if "update" in str(exc).lower() or _looks_like_update(text):
            raise ForbiddenOperation("this endpoint is read-only: updates are refused") from None
        raise _syntax_error(exc, "query") from None
    form = QUERY_FORMS.get(str(getattr(query, "name", "")))
    if form is None:
        raise ForbiddenOperation(f"only SELECT, ASK, CONSTRUCT and DESCRIBE are answered, not {getattr(query, 'name', '?')}")
    if "ServiceGraphPattern" in _names(tree):
        raise ForbiddenOperation("SERVICE is refused: queries are answered from this store only, never by calling out")
    _refuse_engine_extensions(tree)
    graph_iris = tuple(sorted(_store_graph_iris(tree)))  # before translateQuery, which rewrites the tree
    try:
        translateQuery(tree)  # resolves prefixes and scoping; a query rdflib cannot translate is not understood
    except RecursionError:
        raise QueryTooComplex("the query nests too deeply to be checked") from None
    except Exception as exc:  # noqa: BLE001  # whatever the parser raises, the query is refused
        raise QuerySyntaxError(f"SPARQL syntax error: {exc}") from None
    defaults, named = [], []
    for clause in query.get("datasetClause") if "datasetClause" in query else []:
        if "default" in clause:
            defaults.append(str(clause["default"]))
        if "named" in clause:
            named.append(str(clause["named"]))
    return CheckedQuery(form=form, from_graphs=tuple(defaults), from_named=tuple(named),
                        store_graph_iris=graph_iris)


XSD_NAMESPACE = "http://www.w3.org/2001/XMLSchema#"
ENGINE_SCHEMES = ("bif:", "sql:")  # Virtuoso: SQL built-in functions and stored procedures
_PRAGMA = re.compile(r"\A(?:\s|#[^\n]*(?:\n|\Z))*define\s", re.IGNORECASE)


def _refuse_pragma(text: str) -> None:
    """Virtuoso reads ``define NAME VALUE`` lines before a query as instructions to itself
    (``define get:soft "replace"`` makes it fetch the graphs a query names from the Web)."""
    if _PRAGMA.match(text):
        raise ForbiddenOperation("engine pragmas (Virtuoso's 'define ...') are refused: "
                                 "send plain SPARQL 1.1")


def _refuse_engine_extensions(tree: Any) -> None:
    """Refuse IRIs an engine acts on beyond SPARQL: any ``bif:``/``sql:`` IRI, anywhere
    (Virtuoso runs them as SQL), and a function call whose IRI is not an XSD cast (the
    only named functions SPARQL 1.1 defines; an engine's own would run its code)."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    prefixes: dict[str, str] = {}
    for node in _nodes(tree):
        if isinstance(node, CompValue) and node.name == "PrefixDecl":
            prefixes[str(node.get("prefix") or "")] = str(node["iri"])

    def resolved(iri: object) -> str:
        if isinstance(iri, CompValue) and iri.name == "pname":
            return prefixes.get(str(iri.get("prefix") or ""), "") + str(iri.get("localname") or "")
        return str(iri)

    for node in _nodes(tree):
        if isinstance(node, CompValue) and node.name == "pname":
            iri = resolved(node)
        elif isinstance(node, URIRef):
            iri = str(node)
        elif isinstance(node, CompValue) and node.name == "Function":
            iri = resolved(node["iri"])
            if not iri.startswith(XSD_NAMESPACE):
                raise ForbiddenOperation(f"the function <{iri}> is refused: only SPARQL 1.1's built-in functions "
                                         "and XSD casts are answered")
            continue
        else:
            continue
        if iri.lower().startswith(ENGINE_SCHEMES):
            raise ForbiddenOperation(f"<{iri}> is refused: engine built-ins (Virtuoso's bif: and sql:) are not "
                                     "SPARQL and are never sent to the store")


def _store_graph_iris(tree: Any) -> set[str]:
    """Every IRI the query names (written out or prefixed) under the store's graph namespace."""
    from rdflib import URIRef
    from rdflib.plugins.sparql.parserutils import CompValue

    from attestgraph import vocabulary as v

    prefixes = {str(n.get("prefix") or ""): str(n["iri"]) for n in _nodes(tree)
                if isinstance(n, CompValue) and n.name == "PrefixDecl"}
    found = set()
    for node in _nodes(tree):
        if isinstance(node, CompValue) and node.name == "pname":
            iri = prefixes.get(str(node.get("prefix") or ""), "") + str(node.get("localname") or "")
        elif isinstance(node, URIRef):
            iri = str(node)
        else:
            continue
        if iri.startswith(v.GRAPH):
            found.add(iri)
    return found


def _looks_like_update(text: str) -> bool:
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        parseUpdate(text)
    except Exception:  # noqa: BLE001  # whatever the parser raises, the query is refused
        return False
    return True


def check_query(text: str, readable_graphs: Iterable[str] | None = None, *,
                name_only_readable: bool = False) -> CheckedQuery:
    """Check a read-only query; raise :class:`ForbiddenOperation` or :class:`QuerySyntaxError`.

    ``readable_graphs``: the graphs the caller may name in ``FROM`` / ``FROM NAMED``
    (``None``: any). The prefixes of :data:`attestgraph.vocabulary.PREFIXES` are known.
    ``name_only_readable``: also refuse a query that names, anywhere, a graph of the
    store outside ``readable_graphs`` (for a remote store, whose engine may not keep to
    the dataset the request states).
    """
    _precheck(text)
    _refuse_pragma(text)
    checked = _check_query(_prologue() + text)
    if readable_graphs is not None:
        allowed = set(readable_graphs)
        for clause, iris in (("FROM", checked.from_graphs), ("FROM NAMED", checked.from_named)):
            for iri in iris:
                if iri not in allowed:
                    raise ForbiddenOperation(
                        f"{clause} <{iri}> is not a graph this endpoint serves; queries never load data from elsewhere"
                    )
        # A graph of the store the caller may not read is not named at all: Virtuoso 7.2
        # answers GRAPH <iri> (and GRAPH ?g with FILTER(?g = <iri>)) from that graph
        # whatever dataset the request states.
        for iri in checked.store_graph_iris if name_only_readable else ():
            if iri not in allowed:
                raise ForbiddenOperation(f"<{iri}> is not a graph this caller may read")
    return checked


def check_update(text: str) -> None:
    """Check a SPARQL Update: only the operations of :data:`UPDATE_OPERATIONS`, no SERVICE."""
    from rdflib.plugins.sparql.parser import parseUpdate

    _precheck(text)
    _refuse_pragma(text)
    try:
        tree = parseUpdate(_prologue() + text)
    except RecursionError:
        raise QueryTooComplex("the update nests too deeply to be checked") from None
    except Exception as exc:  # noqa: BLE001  # whatever the parser raises, the query is refused
        raise _syntax_error(exc, "update") from None
    operations = [getattr(op, "name", "?") for op in tree.get("request") or []] if "request" in tree else []
    refused = sorted({name for name in operations if name not in UPDATE_OPERATIONS})
    if refused:
        shown = ", ".join("LOAD" if name == "Load" else name for name in refused)
        raise ForbiddenOperation(f"{shown} is refused: the server never fetches data from elsewhere")
    if "ServiceGraphPattern" in _names(tree):
        raise ForbiddenOperation("SERVICE is refused: the server never calls out to another endpoint")
    _refuse_engine_extensions(tree)
