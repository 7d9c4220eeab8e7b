"""CISO Assistant library YAML: the DPDP Rules as a framework, the control catalog as
reference controls, and each curated requirement crosswalk as a requirement mapping set.

CISO Assistant (intuitem/ciso-assistant-community) ships SOC 2 (2017, points of focus
revised 2022), ISO/IEC 42001:2023, ISO/IEC 27001:2022 and the DPDP Act, but not the
DPDP Rules 2025. A mapping row only applies between nodes of loaded frameworks, so the
URNs written for those four frameworks are theirs, read
from their library files (snapshot f990d7b, 2026-08-08; copies of the id lists are in
``tests/data/ciso-assistant/``). Where their numbering or nesting differs from ours the
counterpart is given by an explicit rule below; a requirement with no counterpart is
never given an invented URN: the mapping row is left out and reported.

Their rules followed here (``backend/core/models.py``, ``backend/library/utils.py``,
``backend/library/builder.py``): a library needs ``urn``, ``locale``, ``ref_id``,
``name``, ``version`` (an integer) and ``objects``; every URN matches their
``URN_REGEX``; object URNs are ``urn:{packager}:risk:{kind}:{library ref}:{leaf}`` with
kinds ``framework``, ``req_node``, ``reference_control`` and ``req_mapping_set``;
relationship is one of ``equal``, ``subset``, ``superset``, ``intersect``,
``not_related``; rationale one of ``syntactic``, ``semantic``, ``functional``;
``strength_of_relationship`` 0-10; reference-control ``category`` one of ``policy``,
``process``, ``technical``, ``physical``, ``procedure`` and ``csf_function`` one of
``govern``, ``identify``, ``protect``, ``detect``, ``respond``, ``recover``.

A mapping reads "source REL target", as ours reads "from REL to": CISO Assistant counts
``equal`` and ``superset`` as full coverage of the target, which is IR 8477's reading.

Every library's ``version`` is the date of the newest data it is built from, as an
integer (20261201): CISO Assistant replaces a stored library only by a higher version,
so re-dating the data publishes an update and an unchanged export is a no-op.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from attestgraph import vocabulary as v
from attestgraph.errors import ConfigurationError, UnknownIdentifier
from attestgraph.graph.store import GraphStore
from attestgraph.queries import named
from attestgraph.queries.catalog import Catalog, Requirement

#: CISO Assistant's URN grammar (``core.models.URN_REGEX``), applied to every URN written.
URN_REGEX = re.compile(
    r"^urn:([a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+):([a-zA-Z0-9_-]+)(?::([a-zA-Z0-9_-]+))?:([0-9A-Za-z\[\]\(\)\-\._:]+)$"
)
PACKAGER = "attestgraph"
#: Their enums (``RequirementMapping.Relationship``, ``.Rationale``).
RELATIONSHIP = {
    "equal": "equal",
    "subset-of": "subset",
    "superset-of": "superset",
    "intersects-with": "intersect",
    "not-related": "not_related",
}
RATIONALE = {"syntactic": "syntactic", "semantic": "semantic", "functional": "functional"}
CATEGORIES = {"policy", "process", "technical", "physical", "procedure"}
CSF_FUNCTIONS = {"govern", "identify", "protect", "detect", "respond", "recover"}

RULES_REF = "dpdp-rules-2025"
CONTROLS_REF = "attestgraph-controls"


def urn(kind: str, library_ref: str, leaf: str | None = None) -> str:
    """An object URN in CISO Assistant's grammar: ``urn:attestgraph:risk:{kind}:{ref}[:{leaf}]``."""
    text = f"urn:{PACKAGER}:risk:{kind}:{library_ref}" + (f":{leaf}" if leaf is not None else "")
    if not URN_REGEX.match(text):
        raise ValueError(f"not a CISO Assistant URN: {text}")
    return text


# -- their frameworks and our counterparts of their ids ---------------------------------


def _soc2_ref(r: Requirement) -> str | None:
    """Their ``soc2-2017-rev-2022`` ref_id for one of our SOC 2 requirements."""
    if r.level == "category":
        # Their depth-1 nodes are the series CC1-CC9 and one heading per optional
        # category (A, C, PI, P); the Security category itself has no node.
        return {"Availability": "A", "Confidentiality": "C", "Processing Integrity": "PI", "Privacy": "P"}.get(
            r.notation
        )
    if r.level == "series":
        if r.notation.startswith("CC"):
            return str(r.notation)
        if r.notation.startswith("P") and not r.notation.startswith("PI"):
            return f"{r.notation}.0"  # their privacy series headings are P1.0 ... P8.0
        return None  # A1, C1, PI1: their criteria hang directly under the category heading
    if r.level == "criterion":
        # Their Processing Integrity criteria carry ref_id and URN "PP1.1" ... "PP1.5".
        return "PP" + r.notation[2:] if r.notation.startswith("PI") else str(r.notation)
    if r.level == "point of focus":
        criterion, _, number = r.notation.partition("-POF")
        n = int(number)
        if criterion in SOC2_NO_POINTS_OF_FOCUS:
            return None
        if criterion == "CC3.2":
            # The 2022 revision's "threats to objectives" (our POF6) is not in their
            # list; their CC3.2.6-8 are our POF7-9 (checked title by title).
            return None if n == 6 else f"CC3.2.{n - 1 if n > 6 else n}"
        return f"{criterion}.{n}"
    return None


#: Criteria whose points of focus their library does not list.
SOC2_NO_POINTS_OF_FOCUS = frozenset({"P1.1", "P2.1", "P3.1", "PI1.1", "PI1.2", "PI1.3", "PI1.4", "PI1.5"})


def _iso42001_ref(r: Requirement) -> str | None:
    # Their 6.1 is one assessable node; 42001's 6.1.1-6.1.4 have no node of their own.
    return None if r.notation.startswith("6.1.") else str(r.notation)


def _iso27001_ref(r: Requirement) -> str | None:
    return str(r.notation)  # their ids are ours, clauses and Annex A alike


_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9}


def _dpdp_act_ref(r: Requirement) -> str | None:
    # Their library holds chapters I-IV and sections 3-17 with every sub-section and clause.
    if r.level == "chapter":
        number = _ROMAN[r.notation.removeprefix("Chapter ")]
        return f"chapter-{number}" if number <= 4 else None
    section = re.match(r"\d+", r.notation)
    if section and 3 <= int(section.group()) <= 17:
        return str(r.notation)
    return None


@dataclass(frozen=True)
class TheirFramework:
    """A framework CISO Assistant ships, and how our ids find their nodes."""

    slug: str
    library_urn: str
    framework_urn: str
    source_file: str
    ref_of: Callable[[Requirement], str | None]
    #: ref_id -> URN leaf where their URN is not the lowercased ref_id.
    leaf_exceptions: dict[str, str] = field(default_factory=dict)

    @property
    def node_prefix(self) -> str:
        return self.framework_urn.replace(":framework:", ":req_node:", 1) + ":"

    def node_urn(self, r: Requirement) -> str | None:
        ref = self.ref_of(r)
        if ref is None:
            return None
        return self.node_prefix + self.leaf_exceptions.get(ref, ref.lower())  # their loader lowercases URNs


THEIRS = {
    f.slug: f
    for f in (
        TheirFramework("soc2", "urn:intuitem:risk:library:soc2-2017-rev-2022",
                       "urn:intuitem:risk:framework:soc2-2017-rev-2022", "soc2_2017_with_rev_2022.yaml", _soc2_ref,
                       # their only point of focus whose URN drops a letter of its ref_id
                       {"CC6.5.1": "c6.5.1"}),
        TheirFramework("iso42001", "urn:intuitem:risk:library:iso42001-2023",
                       "urn:intuitem:risk:framework:iso42001-2023", "iso42001-2023.yaml", _iso42001_ref),
        TheirFramework("iso27001", "urn:intuitem:risk:library:iso27001-2022",
                       "urn:intuitem:risk:framework:iso27001-2022", "iso27001-2022.yaml", _iso27001_ref),
        TheirFramework("dpdp-act", "urn:intuitem:risk:library:india-dpdpa-2023",
                       "urn:intuitem:risk:framework:india-dpdpa-2023", "india-dpdpa-2023.yaml", _dpdp_act_ref),
    )
}

RULES_LIBRARY_URN = urn("library", RULES_REF)
RULES_FRAMEWORK_URN = urn("framework", RULES_REF)


def rules_node_urn(notation: str) -> str:
    """Our URN for a DPDP Rules requirement: ``R7(2)(b)`` -> ``...:req_node:dpdp-rules-2025:r7(2)(b)``."""
    return urn("req_node", RULES_REF, notation.lower())


def requirement_urn(r: Requirement) -> str | None:
    """The CISO Assistant URN of one of our requirements, or None where their library has no node for it."""
    if r.slug == "dpdp-rules":
        return rules_node_urn(r.notation)
    if r.slug in THEIRS:
        return THEIRS[r.slug].node_urn(r)
    return None


def framework_urns(slug: str) -> tuple[str, str]:
    """(library URN, framework URN) of a framework, theirs or ours."""
    if slug == "dpdp-rules":
        return RULES_LIBRARY_URN, RULES_FRAMEWORK_URN
    if slug in THEIRS:
        return THEIRS[slug].library_urn, THEIRS[slug].framework_urn
    raise UnknownIdentifier("framework with a CISO Assistant library", slug, sorted([*THEIRS, "dpdp-rules"]))


# -- the export ------------------------------------------------------------------------------


@dataclass
class Export:
    """What one export wrote and what it had to leave out."""

    files: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[dict[str, Any]] = field(default_factory=list)
    skipped_sets: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "left_out": self.left_out, "left_out_count": len(self.left_out),
                "skipped_sets": self.skipped_sets}


def export_ciso_assistant(store: GraphStore, out_dir: str | Path, set_id: str | None = None) -> Export:
    """Write the CISO Assistant libraries into ``out_dir``.

    Parameters
    ----------
    store : the built graph.
    out_dir : folder to write into (created if missing).
    set_id : only this requirement mapping set (the framework and control libraries are always written).

    Returns
    -------
    Export
        ``files`` (path, library URN, object counts), ``left_out`` (every mapping row
        one of whose ends has no node in CISO Assistant's library, with which end) and
        ``skipped_sets`` (crosswalks touching a framework whose CISO Assistant ids are not
        in ``THEIRS``).
    """
    catalog = Catalog(store)
    sets = _requirement_sets(store, catalog, set_id)  # an unknown set fails before anything is written
    version = data_version(store)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigurationError(f"--out {out}: cannot create the folder: {exc.strerror}") from None
    result = Export()

    def write(name: str, library: dict[str, Any], counts: dict[str, int]) -> None:
        path = out / name
        try:
            path.write_text(dump(library), encoding="utf-8")
        except OSError as exc:
            raise ConfigurationError(f"--out {out}: cannot write {name}: {exc.strerror}") from None
        result.files.append({"path": str(path), "urn": library["urn"], **counts})

    if "dpdp-rules" in catalog.frameworks:  # a --data root may hold other frameworks only
        rules = rules_library(store, catalog, version)
        nodes = len(rules["objects"]["framework"]["requirement_nodes"])
        write(f"{RULES_REF}.yaml", rules, {"requirement_nodes": nodes})
    controls = controls_library(catalog, version)
    write(f"{CONTROLS_REF}.yaml", controls, {"reference_controls": len(controls["objects"]["reference_controls"])})
    exported = {*THEIRS, "dpdp-rules"}
    for identifier, rows in sets.items():
        ends = sorted({catalog.by_iri[row[end]].slug for row in rows for end in ("from", "to")})
        if not set(ends) <= exported:
            # A framework whose CISO Assistant ids we have not read: nothing is guessed.
            result.skipped_sets.append({"set": identifier, "rows": len(rows), "no_library_for": sorted(
                set(ends) - exported)})
            continue
        library, left_out = mapping_library(identifier, rows, catalog, version)
        result.left_out += left_out
        written = len(library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"])
        write(f"mapping-{identifier}.yaml", library, {"requirement_mappings": written, "left_out": len(left_out)})
    return result


def data_version(store: GraphStore) -> int:
    """The newest ``dct:date`` of the catalog and the mapping sets, as YYYYMMDD."""
    rows = store.query(
        "SELECT (MAX(STR(?d)) AS ?latest) WHERE { { ?s a ag:MappingSet } UNION { ?s a owl:Ontology } ?s dct:date ?d }"
    ).records()
    latest = rows[0]["latest"] if rows else None
    if not latest:
        return 1
    return int(str(latest)[:10].replace("-", ""))


def dump(library: dict[str, Any]) -> str:
    """YAML as CISO Assistant's own libraries are written: keys in their order, UTF-8 text."""
    return yaml.safe_dump(library, sort_keys=False, allow_unicode=True, width=100)


def _framework_meta(store: GraphStore, slug: str) -> dict[str, Any]:
    query = (
        "SELECT ?title ?label ?version ?publisher ?issued ?source ?license WHERE { VALUES ?f { <"
        + v.framework_iri(slug)
        + "> } ?f dct:title ?title ; skos:prefLabel ?label ; owl:versionInfo ?version ; dct:publisher ?publisher ;"
        " dct:issued ?issued ; dct:source ?source ; dct:license ?license . }"
    )
    rows = store.query(query).records()
    if not rows:
        raise UnknownIdentifier("framework", slug, None)
    return dict(rows[0])


def _natural(notation: str) -> list[tuple[int, int | str]]:
    """Sort key that puts R2 before R10 and Sch1 after the rules."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", notation) if part]


def _period(duration: str) -> str:
    """An xsd:duration in words. The store keeps durations canonical (``PT72H`` reads back
    as ``P3D``); the Act and Rules state periods shorter than a week in hours, so those are
    given in hours again: ``P3D`` -> "72 hours", ``P7D`` -> "7 days", ``P1Y`` -> "1 year"."""
    match = re.fullmatch(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(\d+)H)?", duration)
    if not match or not any(match.groups()):
        return duration
    years, months, days, hours = (int(g) if g else 0 for g in match.groups())
    if not (years or months) and days < 7:
        hours, days = hours + 24 * days, 0
    words = [f"{n} {unit}{'s' if n != 1 else ''}"
             for n, unit in ((years, "year"), (months, "month"), (days, "day"), (hours, "hour")) if n]
    return " ".join(words) + f" ({duration})"


def _rule_facts(store: GraphStore) -> dict[str, str]:
    """Per DPDP Rules notation, what the graph states beside its summary, as one annotation:
    the Act provisions it implements, when it applies and any time limit it sets."""
    query = (
        "SELECT ?notation (GROUP_CONCAT(DISTINCT ?act; separator=', ') AS ?acts) (SAMPLE(?from) AS ?since) "
        "(GROUP_CONCAT(DISTINCT STR(?limit); separator=', ') AS ?limits) WHERE { VALUES ?f { <"
        + v.framework_iri("dpdp-rules")
        + "> } ?r skos:inScheme ?f ; skos:notation ?notation . "
        "OPTIONAL { ?r ag:implements/skos:notation ?act } OPTIONAL { ?r ag:effectiveFrom ?from } "
        "OPTIONAL { ?r ag:timeLimit ?limit } } GROUP BY ?notation"
    )
    facts: dict[str, str] = {}
    for row in store.query(query).records():
        parts = []
        if row["acts"]:
            noun = "sections" if "," in row["acts"] else "section"
            parts.append(f"Implements {noun} {row['acts']} of the DPDP Act, 2023.")
        if row["since"]:
            parts.append(f"Applies from {row['since']}.")
        if row["limits"]:
            parts.append(f"Time limit: {', '.join(_period(d) for d in row['limits'].split(', '))}.")
        if parts:
            facts[str(row["notation"])] = " ".join(parts)
    return facts


def _reading_order(r: Requirement) -> tuple[bool, list[tuple[int, int | str]]]:
    """Rules before Schedules, each in numeric order."""
    return r.notation.startswith("Sch"), _natural(r.notation)


def _assessable(r: Requirement, children: dict[str | None, list[Requirement]]) -> bool:
    """Whether a DPDP Rules node is assessed, by the convention of CISO Assistant's own DPDP
    Act library (sections with sub-sections are headings; a sub-section is assessable even
    where it lists clauses): a rule whose children are sub-rules, and a Schedule or Schedule
    part whose children are entries, are headings; every other node states a duty in its
    own words and is assessable, a rule that only lists clauses (R3) included."""
    below = children.get(r.notation, [])
    if not below:
        return True
    if r.level in ("sub-rule", "clause of a rule"):
        return True
    return r.level == "rule" and all(c.level == "clause of a rule" for c in below)


def rules_library(store: GraphStore, catalog: Catalog, version: int) -> dict[str, Any]:
    """The DPDP Rules 2025 as a CISO Assistant framework library, nodes in reading order."""
    meta = _framework_meta(store, "dpdp-rules")
    requirements = catalog.requirements("dpdp-rules")
    facts = _rule_facts(store)
    children: dict[str | None, list[Requirement]] = {}
    for r in requirements:
        children.setdefault(r.parent, []).append(r)
    nodes: list[dict[str, Any]] = []

    def visit(parent: Requirement | None, depth: int) -> None:
        for r in sorted(children.get(parent.notation if parent else None, []), key=_reading_order):
            node: dict[str, Any] = {"urn": rules_node_urn(r.notation), "assessable": _assessable(r, children),
                                    "depth": depth}
            if parent is not None:
                node["parent_urn"] = rules_node_urn(parent.notation)
            node["ref_id"] = r.notation
            node["name"] = r.label
            if r.definition:
                node["description"] = r.definition
            if r.notation in facts:
                node["annotation"] = facts[r.notation]
            nodes.append(node)
            visit(r, depth + 1)

    visit(None, 1)
    issued = meta["issued"]
    description = (
        f"{meta['title']} ({meta['version']}), notified under the Digital Personal Data Protection Act, 2023. "
        f"Rules, sub-rules, clauses and Schedules with the ids as notified; titles and summaries are the "
        f"attestgraph project's own words. Source: {meta['source']}"
    )
    framework = {"urn": RULES_FRAMEWORK_URN, "ref_id": RULES_REF, "name": meta["title"], "description": description,
                 "requirement_nodes": nodes}
    return {
        "urn": RULES_LIBRARY_URN,
        "locale": "en",
        "ref_id": RULES_REF,
        "name": meta["title"],
        "description": description,
        "copyright": f"{meta['license']} Published by the {meta['publisher']}.",
        "version": version,
        "publication_date": issued if isinstance(issued, dt.date) else dt.date.fromisoformat(str(issued)),
        "provider": meta["publisher"],
        "packager": PACKAGER,
        "objects": {"framework": framework},
    }


#: CSF 2.0 function by control domain, only where every control of the domain does that
#: job; controls elsewhere carry none rather than a guess.
CSF_BY_DOMAIN = {
    "Identity and access": "protect",
    "Encryption and key management": "protect",
    "Tenant isolation and data segregation": "protect",
    "Vector store security": "protect",
    "Physical security": "protect",
    "AI governance and management system": "govern",
    "Third-party model APIs and vendors": "govern",  # CSF 2.0 puts supply-chain risk in Govern (GV.SC)
    "Incident response and breach notification": "respond",
}
#: Controls of those domains that do another job.
CSF_EXCEPTIONS = {
    "TPM-08": "protect",  # the model gateway is a technical enforcement point, not governance
    "INC-08": None,  # an exercise improves the plans (ID.IM) as much as it responds
    "INC-09": None,  # detection-rule review is detection engineering
}


def reference_control(control: dict[str, Any], evidence_labels: dict[str, str]) -> dict[str, Any]:
    """One catalog control in CISO Assistant's reference-control shape."""
    identifier = control["id"]
    if control["domain"] == "Physical security":
        category = "physical"
    elif control["nature"] == "technical":
        category = "technical"
    else:
        category = "process"  # an organisational control is a process the organisation runs
    item: dict[str, Any] = {
        "urn": urn("reference_control", CONTROLS_REF, identifier.lower()),
        "ref_id": identifier,
        "name": control["label"],
        "category": category,
    }
    csf = CSF_EXCEPTIONS[identifier] if identifier in CSF_EXCEPTIONS else CSF_BY_DOMAIN.get(control["domain"])
    if csf is not None:
        item["csf_function"] = csf
    item["description"] = control["definition"]
    item["annotation"] = f"Domain: {control['domain']}. How: {control['implementation']}"
    evidence = [evidence_labels[e] for e in sorted(control["evidence"]) if e in evidence_labels]
    if evidence:
        item["typical_evidence"] = "\n".join(evidence)
    return item


def controls_library(catalog: Catalog, version: int) -> dict[str, Any]:
    """The control catalog as a CISO Assistant library of reference controls."""
    labels = {identifier: row["label"] for identifier, row in catalog.evidence_types.items()}
    controls = [reference_control(c, labels) for _, c in sorted(catalog.controls.items())]
    return {
        "urn": urn("library", CONTROLS_REF),
        "locale": "en",
        "ref_id": CONTROLS_REF,
        "name": "attestgraph control catalog for AI companies",
        "description": (
            "Concrete technical and organisational controls an AI company implements for SOC 2, ISO/IEC 42001, "
            "ISO/IEC 27001 and India's DPDP Act and Rules, with the evidence an auditor asks for. "
            "csf_function is set only where the control's domain does one CSF 2.0 job."
        ),
        "copyright": "attestgraph project, CC-BY-4.0",
        "version": version,
        "provider": "attestgraph",
        "packager": PACKAGER,
        "objects": {"reference_controls": controls},
    }


def _requirement_sets(store: GraphStore, catalog: Catalog, set_id: str | None) -> dict[str, list[dict[str, Any]]]:
    """The curated mapping sets between two frameworks (not the control sets), rows by set id."""
    rows = store.query(named.bind(named.get("mapping-set"), setId=set_id)).records()
    by_set: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row["from"] in catalog.by_iri and row["to"] in catalog.by_iri:
            by_set.setdefault(row["setId"], []).append(dict(row))
    if set_id and set_id not in by_set:
        known = sorted(_requirement_sets(store, catalog, None))
        raise UnknownIdentifier("requirement mapping set", set_id, known)
    return dict(sorted(by_set.items()))


def mapping_library(
    identifier: str, rows: Iterable[dict[str, Any]], catalog: Catalog, version: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One curated requirement crosswalk as a CISO Assistant mapping library, and the rows left out."""
    rows = list(rows)
    first = rows[0]
    source = catalog.by_iri[first["from"]].slug
    target = catalog.by_iri[first["to"]].slug
    source_library, source_framework = framework_urns(source)
    target_library, target_framework = framework_urns(target)
    ref = f"mapping-{identifier}"
    mappings: list[dict[str, Any]] = []
    left_out: list[dict[str, Any]] = []
    for row in rows:
        a, b = catalog.by_iri[row["from"]], catalog.by_iri[row["to"]]
        a_urn, b_urn = requirement_urn(a), requirement_urn(b)
        if a_urn is None or b_urn is None:
            missing = [r.ref for r, u in ((a, a_urn), (b, b_urn)) if u is None]
            left_out.append({"set": identifier, "from": a.ref, "to": b.ref,
                             "relationship": v.keyword(row["rel"]), "no_counterpart": missing})
            continue
        mappings.append({
            "source_requirement_urn": a_urn,
            "target_requirement_urn": b_urn,
            "relationship": RELATIONSHIP[v.keyword(row["rel"])],
            "rationale": RATIONALE[v.keyword(row["rat"])],
            "strength_of_relationship": int(row["strength"]),
            "annotation": f"{row['reason']} Source: {row['source']}.",
        })
    description = (
        f"{first['title']}. Typed crosswalk by the attestgraph project (NIST IR 8477 set relationships read "
        f"'source REL target', rationale, strength 0-10, a reason and its source per row). Method: {first['method']}"
    )
    mapping_set = {
        "urn": urn("req_mapping_set", ref),
        "ref_id": ref,
        "name": first["title"],
        "description": description,
        "source_framework_urn": source_framework,
        "target_framework_urn": target_framework,
        "requirement_mappings": mappings,
    }
    # The same crosswalk read the other way, as CISO Assistant ships its own ("-revert"):
    # its engine maps an audit only from a set's source framework to its target.
    reverse = {
        "urn": urn("req_mapping_set", f"{ref}-revert"),
        "ref_id": f"{ref}-revert",
        "name": f"{first['title']} (read from {target} to {source})",
        "description": f"{description} Read from target to source: subset and superset swap, the rest holds.",
        "source_framework_urn": target_framework,
        "target_framework_urn": source_framework,
        "requirement_mappings": [revert(m) for m in mappings],
    }
    library = {
        "urn": urn("library", ref),
        "locale": "en",
        "ref_id": ref,
        "name": first["title"],
        "description": description,
        "copyright": f"{first['creator']}, {first['license']}",
        "version": version,
        "publication_date": dt.date.fromisoformat(str(first["date"])),
        "provider": "attestgraph",
        "packager": PACKAGER,
        "dependencies": [source_library, target_library],
        "objects": {"requirement_mapping_sets": [mapping_set, reverse]},
    }
    return library, left_out


#: Set relationships read the other way (IR 8477: a subset of b is b superset of a).
REVERTED = {"subset": "superset", "superset": "subset", "equal": "equal", "intersect": "intersect",
            "not_related": "not_related"}


def revert(mapping: dict[str, Any]) -> dict[str, Any]:
    """One mapping read from its target to its source; rationale, strength and reason hold."""
    return dict(mapping, source_requirement_urn=mapping["target_requirement_urn"],
                target_requirement_urn=mapping["source_requirement_urn"],
                relationship=REVERTED[mapping["relationship"]])
