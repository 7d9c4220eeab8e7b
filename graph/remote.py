"""A store behind any SPARQL 1.1 endpoint (Oxigraph server, Virtuoso, Fuseki, GraphDB).

Queries go out through the SPARQL 1.1 Protocol as a form POST (every engine accepts
it; Virtuoso 7.2 does not answer a direct ``application/sparql-query`` POST) and come
back as SPARQL JSON (or N-Triples for graph results), which pyoxigraph parses into the
same objects the embedded store returns.

**The dataset is always stated.** The embedded store answers over the union of its
named graphs; a SPARQL service's own default graph is whatever its engine decides
(Oxigraph: an empty graph; Virtuoso: every graph it holds, its system graphs
included). So every query is sent with ``default-graph-uri`` *and* ``named-graph-uri``
set to the store's attestgraph graphs (those under :data:`attestgraph.vocabulary.GRAPH`,
listed afresh for each query, so a graph another replica wrote is read at once), or to
the graphs the caller names. When every triple sits in a named graph (the build writes
nothing to the default graph) this is the embedded store's dataset, by standard means.

**Writes.** A graph is replaced through the Graph Store Protocol (one HTTP PUT per
named graph: the protocol defines no N-Quads body) or through SPARQL Update; after a
push every graph's triple count is read back and compared (:meth:`RemoteStore.push`),
so a partial load fails loudly, naming the graph.

Settings: ``sparql:QUERY_URL`` or ``sparql:QUERY_URL|UPDATE_URL``, optionally
``|GRAPH_STORE_URL`` third; credentials from ``ATTESTGRAPH_STORE_USER`` and
``ATTESTGRAPH_STORE_PASSWORD`` (HTTP digest or basic, whichever the endpoint asks for),
sent only to the update and graph store URLs.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Generator, Iterable
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

from attestgraph import vocabulary as v
from attestgraph.errors import ConfigurationError, QuerySyntaxError, QueryTimeout, StoreError
from attestgraph.graph.results import Result
from attestgraph.graph.store import EmbeddedStore, GraphStore, insert_data_update

_PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in v.PREFIXES.items())
_LEADING_BASE = re.compile(r"\s*BASE\s*<[^>]*>", re.IGNORECASE)


def with_prefixes(sparql: str) -> str:
    """``sparql`` with the project's prefixes declared, after a leading ``BASE`` if it has
    one: the grammar allows the two in any order, Virtuoso 7.2 only a BASE first."""
    base = _LEADING_BASE.match(sparql)
    if base is None:
        return _PROLOGUE + sparql
    return sparql[:base.end()] + "\n" + _PROLOGUE + sparql[base.end():]
XSD = "http://www.w3.org/2001/XMLSchema#"
# A graph no one writes: the dataset's default graph when it must be empty (the
# Protocol has no way to say "no default graph"; leaving the parameter out means
# "the service's own default", which on Virtuoso is everything it holds).
EMPTY_GRAPH = v.GRAPH + "none"
USER_SETTING = "ATTESTGRAPH_STORE_USER"
PASSWORD_SETTING = "ATTESTGRAPH_STORE_PASSWORD"


class ChallengeAuth(httpx.Auth):
    """HTTP digest or basic authentication, whichever the endpoint's 401 challenge asks
    for (Virtuoso's ``-auth`` endpoints use digest, Fuseki basic)."""

    def __init__(self, user: str, password: str):
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        if self._scheme == "digest":
            yield from self._digest.auth_flow(request)
            return
        response = yield request
        challenge = response.headers.get("www-authenticate", "").lower()
        if response.status_code != 401 or not challenge:
            return
        self._scheme = "basic" if challenge.startswith("basic") else "digest"
        yield from (self._basic if self._scheme == "basic" else self._digest).auth_flow(request)


def canonical_duration(months: int, seconds: float) -> str:
    """The XSD canonical lexical form of a duration (what Oxigraph prints): ``P3D`` for
    72 hours, ``P3Y`` for 36 months, ``PT0S`` for nothing."""
    sign = "-" if months < 0 or seconds < 0 else ""
    months, seconds = abs(months), abs(seconds)
    years, months = divmod(months, 12)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    date = "".join(f"{int(n)}{unit}" for n, unit in ((years, "Y"), (months, "M"), (days, "D")) if n)
    secs = f"{rest:f}".rstrip("0").rstrip(".") if rest else ""
    time = "".join(f"{n}{unit}" for n, unit in ((int(hours), "H"), (int(minutes), "M")) if n)
    time += f"{secs}S" if secs else ""
    if not date and not time:
        return "PT0S"
    return sign + "P" + date + (f"T{time}" if time else "")


_VIRTUOSO_BNODE = re.compile(rb'("type"\s*:\s*"bnode"\s*,\s*"value"\s*:\s*")nodeID://')
_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)


def graph_form(text: str) -> bool:
    """Whether a query is a CONSTRUCT or DESCRIBE: its first word after the prologue."""
    position = 0
    while match := _PROLOGUE_ITEM.match(text, position):
        if match.end() == position:
            break
        position = match.end()
    return text[position:].lstrip()[:9].upper().startswith(("CONSTRUCT", "DESCRIBE"))


_LISTINGS = ("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
_BARE_NUMBER = re.compile(r"^-?\d+(\.\d*)?([eE][-+]?\d+)?$")


def repaired_literal(literal: ox.Literal) -> ox.Literal:
    """A literal as the embedded store would give it back, where an engine returned a
    form the standard does not allow for its datatype or a non-canonical one.

    Virtuoso 7.2 defect: it keeps an ``xsd:duration`` as a number and returns that
    number as the lexical form, which is not an ``xsd:duration`` at all: months for a
    year-month duration (``P3Y`` reads back ``"36"``), seconds as a double for a
    day-time one (``PT72H`` reads back ``"259200.0"``, ``P90D`` ``"7.776e+06"``). An
    integer form is months, any other number seconds (a duration mixing both is stored
    as neither, so none is in the catalog). It also returns ``xsd:boolean`` as ``1``/``0``,
    valid but not canonical."""
    datatype = literal.datatype.value
    if datatype == XSD + "duration" and _BARE_NUMBER.match(literal.value):
        text = literal.value
        if "." in text or "e" in text.lower():
            lexical = canonical_duration(0, float(text))
        else:
            lexical = canonical_duration(int(text), 0)
        return ox.Literal(lexical, datatype=literal.datatype)
    if datatype == XSD + "boolean" and literal.value in ("0", "1"):
        return ox.Literal("true" if literal.value == "1" else "false", datatype=literal.datatype)
    return literal


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


def _repair(term: Term) -> Term:
    return repaired_literal(term) if isinstance(term, ox.Literal) else term


# (the ignore: where mypy cannot follow attestgraph.graph.store, GraphStore is Any)
class RemoteStore(GraphStore):  # type: ignore[misc,unused-ignore]
    """A SPARQL 1.1 endpoint; stateless, so many API replicas can share it."""

    def __init__(
        self,
        query_url: str,
        update_url: str | None = None,
        *,
        graph_store_url: str | None = None,
        user: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
    ):
        self.query_url = query_url
        self.update_url = update_url
        self.graph_store_url = graph_store_url
        self.location = query_url
        self.writable = update_url is not None or graph_store_url is not None
        self.client = httpx.Client(timeout=timeout)
        self._auth: httpx.Auth | None = ChallengeAuth(user, password or "") if user else None
        self._listing: str | None = None  # the graph-listing form that works here (store_graphs)

    @classmethod
    def from_setting(cls, setting: str, timeout: float = 30.0) -> RemoteStore:
        """``sparql:QUERY_URL[|UPDATE_URL[|GRAPH_STORE_URL]]``, credentials from the environment."""
        urls = setting.removeprefix("sparql:").split("|")
        if len(urls) > 3 or not all(u.startswith(("http://", "https://")) for u in urls if u) or not urls[0]:
            raise ConfigurationError(
                f"store setting {setting!r}: expected sparql:QUERY_URL[|UPDATE_URL[|GRAPH_STORE_URL]]"
            )
        update = urls[1] if len(urls) > 1 and urls[1] else None
        graph_store = urls[2] if len(urls) > 2 and urls[2] else None
        user = os.environ.get(USER_SETTING) or None
        if os.environ.get(PASSWORD_SETTING) and not user:
            raise ConfigurationError(f"{PASSWORD_SETTING} is set but {USER_SETTING} is not")
        return cls(urls[0], update, graph_store_url=graph_store, user=user,
                   password=os.environ.get(PASSWORD_SETTING), timeout=timeout)

    # -- reading -----------------------------------------------------------------

    def store_graphs(self) -> list[str]:
        """The attestgraph graphs the endpoint holds, asked over the service's own dataset
        (no dataset named: every graph is nameable in ``GRAPH ?g`` on every engine).

        Two standard forms, the first that works kept for this store: ``GRAPH ?g { }``
        (Oxigraph lists its graphs without reading a quad; Virtuoso 7.2 answers it with
        no graph) and ``GROUP BY ?g`` over every quad (Virtuoso: 20 ms for 76k triples;
        ``SELECT DISTINCT ?g`` took it 30 s). The prefix is matched here, not in a FILTER."""
        forms = [self._listing] if self._listing else list(_LISTINGS)
        for form in forms:
            result = self._select(form, [], None, None)
            graphs = sorted(g for g in (str(each) for each in result.column("g") if each is not None)
                            if g.startswith(v.GRAPH))
            if graphs or form == _LISTINGS[-1]:
                self._listing = form
                return graphs
        return []

    def named_graphs(self) -> list[str]:
        return self.store_graphs()

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        max_rows: int | None = None,
    ) -> Result:
        """Evaluate over the dataset the embedded store would use: the union of every
        attestgraph graph as the default graph and each of them nameable, unless named."""
        everything = self.store_graphs() if default_graphs is None or named_graphs is None else []
        defaults = everything if default_graphs is None else default_graphs
        named = everything if named_graphs is None else named_graphs
        return self._select(with_prefixes(sparql), defaults or [EMPTY_GRAPH], named or [EMPTY_GRAPH], max_rows)

    def _select(self, text: str, defaults: list[str], named: list[str] | None, max_rows: int | None) -> Result:
        form: list[tuple[str, str]] = [("query", text)]
        form += [("default-graph-uri", g) for g in defaults]
        form += [("named-graph-uri", g) for g in named or []]
        # Ask for the one format each form has: offered both, Virtuoso answers a
        # CONSTRUCT in a JSON of its own that is not SPARQL JSON.
        accept = "application/n-triples" if graph_form(text) else "application/sparql-results+json"
        response = self._send("POST", self.query_url, "the SPARQL endpoint", content=urlencode(form).encode("ascii"),
                              headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
                              auth=False)
        if response.status_code == 400:
            raise QuerySyntaxError(f"the endpoint refused the query: {response.text.strip()[:300]}")
        self._raise_for(response, "the SPARQL endpoint")
        self._refuse_partial(response)
        media = response.headers.get("content-type", "").split(";")[0].strip()
        if media in ("application/n-triples", "text/plain", "text/ntriples"):
            try:
                parsed_triples = list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))
            except SyntaxError as exc:
                raise StoreError(f"the SPARQL endpoint sent an answer that is not N-Triples: {exc}") from None
            triples = [ox.Triple(t.subject, t.predicate, repaired_literal(t.object) if isinstance(t.object, ox.Literal)
                                 else t.object) for t in parsed_triples]
            return Result(kind="graph", triples=triples[:max_rows] if max_rows else triples,
                          truncated=bool(max_rows and len(triples) > max_rows))
        # Virtuoso names blank nodes "nodeID://b10000", which is not a blank node label
        # (pyoxigraph refuses it): the same node keeps the same, valid, label here.
        body = _VIRTUOSO_BNODE.sub(rb"\1virtuoso-", response.content)
        try:
            parsed = ox.parse_query_results(io.BytesIO(body), format=ox.QueryResultsFormat.JSON)
            result = Result.from_oxigraph(parsed, max_rows=max_rows)
        except SyntaxError as exc:
            raise StoreError(f"the SPARQL endpoint sent an answer that is not SPARQL JSON: {exc}") from None
        if result.kind == "select":
            result.rows = [tuple(_repair(t) for t in row) for row in result.rows]
        return result

    @staticmethod
    def _refuse_partial(response: httpx.Response) -> None:
        """Virtuoso cuts an answer at its ``ResultSetMaxRows`` and answers an "anytime"
        query with what it found in time, both with a 200: a partial answer is an error."""
        cut = response.headers.get("x-sparql-maxrows")
        if cut:
            raise StoreError(f"the SPARQL endpoint cut the answer at {cut} rows (Virtuoso: raise ResultSetMaxRows "
                             "in [SPARQL] of virtuoso.ini); a partial answer is not used")
        if response.headers.get("x-sql-state", "").upper() == "S1TAT":
            raise QueryTimeout("the SPARQL endpoint returned a partial answer at its own time limit "
                               "(Virtuoso: MaxQueryExecutionTime); a partial answer is not used")

    # -- writing -----------------------------------------------------------------

    def update(self, sparql: str) -> None:
        if not self.update_url:
            raise StoreError(f"no update URL is configured for {self.query_url}; use sparql:QUERY_URL|UPDATE_URL")
        response = self._send("POST", self.update_url, "the SPARQL update endpoint",
                              content=urlencode([("update", sparql)]).encode("ascii"),
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
        self._raise_for(response, "the update endpoint")

    def replace_graph(self, graph: str, quads: Iterable[ox.Quad]) -> None:
        if self.graph_store_url:
            self.put_graph(graph, (ox.Triple(q.subject, q.predicate, q.object) for q in quads))
        else:
            self.update(insert_data_update(graph, quads))

    def remove_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def put_graph(self, graph: str, triples: Iterable[ox.Triple], store_url: str | None = None) -> None:
        """Replace one named graph through the Graph Store Protocol (HTTP PUT): the
        endpoint swaps the graph's content only once the request has arrived whole, so
        a push that fails half-way leaves every graph either old or new, never empty."""
        target = store_url or self.graph_store_url or self.query_url.rsplit("/", 1)[0] + "/store"
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        response = self._send("PUT", target, "the graph store endpoint", params={"graph": graph}, content=body,
                              headers={"Content-Type": "application/n-triples"})
        if response.status_code >= 300:
            raise StoreError(f"the graph store endpoint {target} answered {response.status_code} for <{graph}>: "
                             f"{response.text.strip()[:300]}")

    def copy_to_memory(self) -> EmbeddedStore:
        """A writable in-memory copy of every graph but the engagements', one CONSTRUCT per
        graph (measured on Virtuoso 7.2: the one-query copy of the base class took 48 s
        for 76k triples)."""
        prefix = v.engagement_graph("")
        scratch = ox.Store()
        for graph in self.store_graphs():
            if graph.startswith(prefix):
                continue
            name = ox.NamedNode(graph)
            triples = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                                 default_graphs=[], named_graphs=[graph]).triples
            scratch.extend(ox.Quad(t.subject, t.predicate, t.object, name) for t in triples)
        return EmbeddedStore(scratch, location="memory", writable=True)

    def graph_triples(self, graph: str) -> list[ox.Triple]:
        result = self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                            default_graphs=[], named_graphs=[graph])
        return list(result.triples)

    def count_in(self, graph: str) -> int:
        """How many triples one named graph holds, read back from the endpoint."""
        result = self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}",
                            default_graphs=[], named_graphs=[graph])
        count = result.column("n")[0]
        return int(count) if isinstance(count, (int, float, str)) else 0

    # -- HTTP --------------------------------------------------------------------

    def _send(self, method: str, url: str, what: str, *, auth: bool = True, **request: object) -> httpx.Response:
        try:
            return self.client.request(method, url, auth=self._auth if auth and self._auth else None,
                                       **request)  # type: ignore[arg-type]
        except httpx.TimeoutException:
            raise QueryTimeout(f"{what} {url} did not answer in time") from None
        except httpx.HTTPError as exc:
            raise StoreError(f"cannot reach {what} {url}: {exc}") from None

    @staticmethod
    def _raise_for(response: httpx.Response, what: str) -> None:
        if response.status_code in (401, 403):
            raise StoreError(f"{what} refused the credentials ({response.status_code}); set {USER_SETTING} and "
                             f"{PASSWORD_SETTING}")
        if response.status_code >= 300:
            raise StoreError(f"{what} answered {response.status_code}: {response.text.strip()[:300]}")

    def close(self) -> None:
        self.client.close()
