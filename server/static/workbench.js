// The analyst workbench: YASGUI (vendored, window.Yasgui) pointed at this server's
// /sparql, configured from /workbench.json (the project's prefixes and named queries).
//
// Nothing here talks to another origin, and the page's Content-Security-Policy
// (connect-src 'self') would refuse it if anything did: the LOV class/property
// completers and prefix.cc are switched off, and prefix completion offers the
// project's own prefixes.
"use strict";

(async function workbench() {
  const status = document.getElementById("status");
  const keyField = document.getElementById("key");
  const config = await (await fetch("/workbench.json", {headers: {Accept: "application/json"}})).json();
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const prefixes = config.prefixes;
  // The project's IRIs (requirements, controls, evidence, vocabulary) open as a DESCRIBE
  // in the workbench; any other IRI keeps its own link.
  const ownNamespace = prefixes.ag.replace(/vocab#$/, "");

  document.getElementById("prefix-list").textContent =
    Object.keys(prefixes).map((name) => name + ":").join(" ");

  // Completion: project prefixes only, and no completer that asks a remote service.
  const Yasqe = Yasgui.Yasqe;
  Yasqe.forkAutocompleter("prefixes", {
    name: "attestgraphPrefixes",
    persistenceId: null,
    get: () => Promise.resolve(Object.entries(prefixes).map(([name, iri]) => `${name}: <${iri}>`)),
  }, false);
  Yasqe.defaults.autocompleters = ["attestgraphPrefixes", "variables"];
  Yasqe.defaults.prefixCcApi = null;

  // The server predefines the project's prefixes, but the editor checks a query as
  // written: a query opened here declares the prefixes it uses (after its comment
  // header), so it shows no false syntax error and its share link stands alone.
  function withPrefixes(text) {
    const lines = text.split("\n");
    let header = 0;
    while (header < lines.length && lines[header].startsWith("#")) header += 1;
    const body = lines.slice(header).join("\n");
    const declared = new Set([...body.matchAll(/PREFIX\s+(\w*):/gi)].map((m) => m[1]));
    const used = Object.keys(prefixes).filter(
      (name) => !declared.has(name) && new RegExp(`(^|[\\s(/^|!,;.{])${name}:`).test(body));
    const declarations = used.map((name) => `PREFIX ${name}: <${prefixes[name]}>`);
    return [...lines.slice(0, header), ...declarations, body].join("\n");
  }

  const startQuery = withPrefixes([
    "# Requirements per framework and level. Ctrl+Enter runs the query.",
    "SELECT ?slug ?level (COUNT(?r) AS ?n) WHERE {",
    "  ?f a ag:Framework ; dct:identifier ?slug .",
    "  ?r skos:inScheme ?f ; ag:level/rdfs:label ?level .",
    "} GROUP BY ?slug ?level ORDER BY ?slug ?level",
  ].join("\n"));

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: {
      endpoint: endpoint,
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle,application/n-triples;q=0.9",
    },
    copyEndpointOnNewTab: true,
    // A ?query= link opens as a tab and runs; it gets the same prefix declarations.
    populateFromUrl: (tab) => ({...tab, yasqe: {...tab.yasqe, value: withPrefixes(tab.yasqe.value)}}),
    endpointCatalogueOptions: {getData: () => [{endpoint: endpoint}]},
    yasqe: {value: startQuery, prefixCcApi: null},
    yasr: {prefixes: prefixes},
  });

  // The engagement key travels only as this page's Authorization header on its own
  // requests to /sparql. It is added to the fetch Request YASQE builds (its "query"
  // event), not to YASGUI's request config, because YASGUI copies that config into
  // share links and localStorage.
  const hooked = new WeakSet();
  function hook(tab) {
    const yasqe = tab && tab.getYasqe();
    if (!yasqe || hooked.has(yasqe)) return;
    hooked.add(yasqe);
    yasqe.on("query", (_yasqe, request) => {
      const key = keyField.value.trim();
      const url = new URL(request.url);
      if (key && url.origin === window.location.origin && url.pathname === "/sparql") {
        request.headers.set("Authorization", "Bearer " + key);
      }
    });
    // An answer cut at the server's row or byte limit says so, so that a count read
    // off the table is never taken for the whole answer.
    yasqe.on("queryResponse", (_yasqe, response) => {
      const cut = response && response.headers && response.headers.get("X-Attestgraph-Truncated") === "true";
      status.textContent = cut ? "This answer was cut at the server's row or size limit: it is not complete." : "";
      status.classList.toggle("truncated", cut);
    });
  }
  yasgui.on("queryBefore", (_yasgui, tab) => {
    hook(tab);
    status.textContent = "";
  });
  yasgui.on("tabSelect", () => { status.textContent = ""; });

  // Named queries: a picker that opens one as its own tab (or selects it if open).
  const picker = document.getElementById("named");
  for (const query of config.queries) {
    const option = document.createElement("option");
    option.value = query.name;
    option.textContent = query.name;
    option.title = query.summary;
    picker.appendChild(option);
  }
  picker.addEventListener("change", () => {
    const query = config.queries.find((q) => q.name === picker.value);
    picker.value = "";
    if (!query) return;
    yasgui.addTab(true, {name: query.name, yasqe: {value: withPrefixes(query.query)}}, {avoidDuplicateTabs: true});
  });

  // Result links: a project IRI opens a DESCRIBE of itself in the workbench (a ?query=
  // link, which YASGUI opens as a tab and runs).
  function describeLink(iri) {
    const url = new URL("/", window.location.href);
    url.searchParams.set("query", `DESCRIBE <${iri}>`);
    return url.pathname + url.search;
  }
  function relink(root) {
    for (const anchor of root.querySelectorAll("a.iri")) {
      const iri = anchor.getAttribute("data-iri") || anchor.getAttribute("href");
      if (!iri || !iri.startsWith(ownNamespace) || anchor.hasAttribute("data-iri")) continue;
      anchor.setAttribute("data-iri", iri);
      anchor.setAttribute("href", describeLink(iri));
      anchor.setAttribute("title", iri);
      anchor.setAttribute("target", "_self");  // the workbench keeps its tabs; no new window
    }
  }
  new MutationObserver(() => relink(document.getElementById("yasgui")))
    .observe(document.getElementById("yasgui"), {childList: true, subtree: true});
  window.yasgui = yasgui;  // for the browser console (and the browser test)
  document.body.setAttribute("data-workbench", "ready");
})().catch((error) => {
  document.getElementById("status").textContent = "the workbench could not start: " + error;
  throw error;
});
