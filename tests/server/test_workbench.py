"""The analyst workbench at / in a real browser: `attestgraph serve` on loopback over
the mini data root, Debian's Chromium driven by Playwright, real queries typed and run.

Every test also checks that the page asked nothing of another origin and logged no
error (a CSP refusal is a console error, so the page's policy is checked too).
"""

from __future__ import annotations

import csv
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, Request, expect, sync_playwright

from attestgraph import vocabulary as v

from .test_live import free_port, running

CHROMIUM = "/usr/bin/chromium"
MAX_ROWS = 20  # more than any answer below but the whole store's triples
KEY = "workbench-k3y"
CONTROL = "https://w3id.org/attestgraph/id/control/"
SELECT = "SELECT ?c ?id WHERE { ?c a ag:Control ; dct:identifier ?id } ORDER BY ?id"
ENGAGEMENT = v.engagement_graph("workbench-test")
PRIVATE = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENGAGEMENT}> {{ ?s ?p ?o }} }}"
CONSTRUCT = "CONSTRUCT { ?c skos:prefLabel ?label } WHERE { ?c a ag:Control ; skos:prefLabel ?label }"


@pytest.fixture
def served(mini_root: Path, home: Path, tmp_path: Path) -> Iterator[str]:
    """`attestgraph serve` over the mini data root, writable through the update key, with
    one triple in an engagement graph that only a caller with a key may read."""
    port = free_port()
    env = dict(os.environ, ATTESTGRAPH_HOME=str(home), ATTESTGRAPH_QUERY_TIMEOUT="10", ATTESTGRAPH_WORKERS="1",
               ATTESTGRAPH_MAX_ROWS=str(MAX_ROWS), ATTESTGRAPH_UPDATE_KEY=KEY)
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "attestgraph.cli", "serve", "--data", str(mini_root), "--port", str(port)]
    with running(command, base + "/healthz", tmp_path / "serve.log", env):
        update = f"INSERT DATA {{ GRAPH <{ENGAGEMENT}> {{ <{ENGAGEMENT}> <{v.DCT}title> \"private\" }} }}"
        written = httpx.post(base + "/update", content=update, timeout=30,
                             headers={"Authorization": f"Bearer {KEY}", "Content-Type": "application/sparql-update"})
        assert written.status_code in (200, 204), written.text
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        yield _launch(playwright)


def _launch(playwright: Playwright) -> Browser:
    # Debian's Chromium, never a downloaded one; no background traffic of its own.
    return playwright.chromium.launch(executable_path=CHROMIUM, args=[
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run",
    ])


@dataclass
class Watched:
    """A page and everything it asked for and complained about."""

    page: Page
    base: str
    requests: list[Request] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def open(self, path: str = "/") -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_selector("body[data-workbench=ready]")
        self.page.wait_for_selector(".tabPanel.active .yasqe .CodeMirror")

    def type_query(self, query: str) -> None:
        """Replace the active tab's query by typing it, as an analyst would."""
        editor = self.page.locator(".tabPanel.active .CodeMirror")
        editor.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(query)

    def run(self) -> None:
        with self.page.expect_response(lambda r: r.url == self.base + "/sparql"):
            self.page.keyboard.press("Control+Enter")

    def rows(self) -> list[list[str]]:
        self.page.wait_for_selector(".tabPanel.active .yasr table.dataTable tbody tr")
        return [[cell.inner_text().strip() for cell in row.locator("td").all()[1:]]
                for row in self.page.locator(".tabPanel.active .yasr table.dataTable tbody tr").all()]

    def assert_stayed_home(self) -> None:
        assert self.requests, "the page made no request"
        for request in self.requests:
            parts = urlsplit(request.url)
            assert parts.scheme == "data" or parts.hostname == "127.0.0.1", request.url
        assert self.errors == []


@pytest.fixture
def watched(browser: Browser, served: str) -> Iterator[Watched]:
    context = browser.new_context()
    page = context.new_page()
    seen = Watched(page, served)
    page.on("request", lambda r: seen.requests.append(r))
    page.on("console", lambda m: _record_error(seen, m))
    page.on("pageerror", lambda e: seen.errors.append(f"uncaught: {e}"))
    try:
        yield seen
    finally:
        context.close()


def _record_error(seen: Watched, message: ConsoleMessage) -> None:
    if message.type == "error":
        seen.errors.append(message.text)


# -- in process: what the page is made of ---------------------------------------------


def test_page_loads_only_its_own_files_under_a_same_origin_policy(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    policy = dict(part.strip().split(" ", 1) for part in page.headers["content-security-policy"].split(";"))
    assert policy["default-src"] == "'none'" and policy["script-src"] == "'self'" and policy["connect-src"] == "'self'"
    assert "unsafe" not in page.headers["content-security-policy"]
    assert "/openapi.json" in page.text
    for asset in ("/static/vendor/yasgui/yasgui.min.js", "/static/vendor/yasgui/yasgui.min.css",
                  "/static/workbench.js", "/static/workbench.css"):
        assert f'"{asset}"' in page.text
        served = client.get(asset)
        assert served.status_code == 200 and len(served.content) > 500, asset
    assert "MIT License" in client.get("/static/vendor/yasgui/LICENSE").text


def test_configuration_carries_the_prefixes_and_every_named_query(client: TestClient) -> None:
    from attestgraph.queries import named

    config = client.get("/workbench.json").json()
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == v.PREFIXES
    assert [q["name"] for q in config["queries"]] == sorted(named.library())
    between = next(q for q in config["queries"] if q["name"] == "mappings-between")
    assert between["query"] == named.get("mappings-between").text and set(between["params"]) == {"fa", "fb"}


# -- in Chromium: a real server, a real browser -------------------------------------


@pytest.mark.slow
def test_select_by_ctrl_enter_shows_rows_with_prefixed_describe_links(watched: Watched) -> None:
    watched.open()
    watched.type_query(SELECT)
    watched.run()
    rows = watched.rows()
    assert rows == [[f"ctl:GOV-0{n}", f"GOV-0{n}"] for n in (1, 2, 3)]
    # YASR's own download: the table as CSV, full IRIs.
    with watched.page.expect_download() as download:
        watched.page.locator(".tabPanel.active .yasr_downloadIcon").click()
    table = list(csv.reader(Path(download.value.path()).read_text(encoding="utf-8").splitlines()))
    assert table == [["c", "id"]] + [[f"{CONTROL}GOV-0{n}", f"GOV-0{n}"] for n in (1, 2, 3)]
    link = watched.page.locator(".tabPanel.active .yasr table.dataTable a.iri", has_text="ctl:GOV-01")
    href = link.get_attribute("href")
    assert href is not None and urlsplit(href).path == "/"
    assert parse_qs(urlsplit(href).query)["query"] == [f"DESCRIBE <{CONTROL}GOV-01>"]
    # The link opens the DESCRIBE in the workbench, run at once: the control's triples.
    link.click()
    watched.page.wait_for_url("**/?query=*")
    watched.page.wait_for_selector("body[data-workbench=ready]")
    described = watched.rows()
    assert ["ctl:GOV-01", "skos:prefLabel", '"Policy"@en'] in described
    watched.assert_stayed_home()


@pytest.mark.slow
def test_named_query_opens_as_a_tab_and_runs(watched: Watched) -> None:
    watched.open()
    watched.page.select_option("#named", "controls")
    watched.page.wait_for_selector(".tab.active >> text=controls")
    query = watched.page.evaluate("window.yasgui.getTab().getQuery()")
    assert "ag:Control" in query
    watched.page.locator(".tabPanel.active .CodeMirror").click()
    watched.run()
    rows = watched.rows()
    assert len(rows) == 3 and all(any(cell.startswith("ctl:GOV-0") for cell in row) for row in rows)
    watched.assert_stayed_home()


@pytest.mark.slow
def test_construct_is_shown_as_triples(watched: Watched) -> None:
    watched.open()
    watched.type_query(CONSTRUCT)
    watched.run()
    rows = watched.rows()
    assert sorted(rows) == [["ctl:GOV-01", "skos:prefLabel", '"Policy"@en'],
                            ["ctl:GOV-02", "skos:prefLabel", '"Review"@en'],
                            ["ctl:GOV-03", "skos:prefLabel", '"Logging"@en']]
    expect(watched.page.locator("#status")).to_have_text("")
    watched.assert_stayed_home()


@pytest.mark.slow
def test_an_answer_cut_at_the_row_limit_says_so(watched: Watched) -> None:
    watched.open()
    watched.type_query("SELECT * WHERE { ?s ?p ?o }")
    watched.run()
    assert len(watched.rows()) == MAX_ROWS
    expect(watched.page.locator("#status.truncated")).to_contain_text("not complete")
    watched.assert_stayed_home()


@pytest.mark.slow
def test_query_link_loads_and_runs_the_query(watched: Watched) -> None:
    watched.open("/?" + httpx.QueryParams({"query": SELECT}).__str__())
    loaded = watched.page.evaluate("window.yasgui.getTab().getQuery()")
    # The link's query, with the declarations of the prefixes it uses put before it.
    assert loaded.endswith(SELECT) and f"PREFIX ag: <{v.AG}>" in loaded and "PREFIX skos:" not in loaded
    assert [row[1] for row in watched.rows()] == ["GOV-01", "GOV-02", "GOV-03"]
    watched.assert_stayed_home()


@pytest.mark.slow
def test_engagement_key_reads_engagement_graphs_and_stays_out_of_links_and_storage(watched: Watched) -> None:
    watched.open()
    watched.type_query(PRIVATE)
    with watched.page.expect_request(lambda r: r.url == watched.base + "/sparql") as sent:
        watched.page.keyboard.press("Control+Enter")
    assert "authorization" not in sent.value.headers
    count = watched.page.locator(".tabPanel.active .yasr table.dataTable tbody tr td").nth(1)
    expect(count).to_have_text(re.compile(r'^"0"'))
    watched.page.fill("#key", KEY)
    watched.page.locator(".tabPanel.active .CodeMirror").click()
    with watched.page.expect_request(lambda r: r.url == watched.base + "/sparql") as sent:
        watched.page.keyboard.press("Control+Enter")
    assert sent.value.headers.get("authorization") == f"Bearer {KEY}"
    expect(count).to_have_text(re.compile(r'^"1"'))
    link = watched.page.evaluate("window.yasgui.getTab().getShareableLink()")
    assert "query=" in link and KEY not in link
    stored = watched.page.evaluate("JSON.stringify(Object.assign({}, window.localStorage))")
    assert "workbench-test" in stored and KEY not in stored
    watched.assert_stayed_home()
