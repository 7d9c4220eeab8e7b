"""An engagement: one client, its targets, its system, its third parties and what it
has done, read from YAML (or a dict posted to the API), validated field by field.
:mod:`attestgraph.queries.engagement.graph` turns it into its own named graph.

Every fault raises :class:`EngagementError` naming the field path
(``components[2].data[0]``) and what was expected; nothing is stored until the
whole engagement is valid.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, NoReturn

import yaml

from attestgraph import vocabulary as v
from attestgraph.errors import EngagementError
from attestgraph.queries.engagement.documents import load_yaml

DATA_KINDS = ("customer", "training", "personal", "children", "none")
SOC2_CATEGORIES = {
    "security": "Security",
    "availability": "Availability",
    "confidentiality": "Confidentiality",
    "processing-integrity": "Processing Integrity",
    "privacy": "Privacy",
}
SOC2_REPORTS = ("type1", "type2")
DPDP_ROLES = ("data-fiduciary", "significant-data-fiduciary", "processor", "none")
THIRD_PARTY_KINDS = ("model-api", "vector-database", "cloud", "data-labelling", "saas", "other")
TREATMENTS = ("carve-out", "inclusive", "undocumented")
ATTESTATIONS = ("soc2-type2", "soc2-type1", "iso27001", "iso42001", "none")
# EU AI Act targets (Regulation (EU) 2024/1689): the operator roles of Art. 3(3)-(8), the risk
# classes the Act's duties attach to, the Annex III areas by their point number, and the
# prohibited practices of Art. 5(1) by their point letter. The keys are the engagement
# format's; applicability.py turns them into the duties that apply.
EU_AI_ACT_ROLES = ("provider", "deployer", "importer", "distributor", "authorised-representative", "gpai-provider")
EU_AI_ACT_RISK_CLASSES = ("high-risk", "transparency", "gpai", "gpai-systemic-risk")
EU_AI_ACT_ANNEX_III = {
    "biometrics": "1", "critical-infrastructure": "2", "education": "3", "employment": "4",
    "essential-services": "5", "law-enforcement": "6", "migration": "7", "justice-and-democracy": "8",
}
EU_AI_ACT_PROHIBITED = {
    "manipulation": "a", "exploiting-vulnerabilities": "b",
    # Points (ba) and (bb), inserted by Regulation (EU) 2026/1744 and in force from 2 December 2026.
    "non-consensual-intimate-imagery": "ba", "child-sexual-abuse-material": "bb",
    "social-scoring": "c", "crime-prediction": "d",
    "facial-image-scraping": "e", "emotion-recognition-at-work-or-school": "f",
    "biometric-categorisation-by-sensitive-traits": "g", "real-time-remote-biometric-identification": "h",
}
# The Union harmonisation legislation of Annex I (Art. 6(1)) by its point number, as amended by
# Regulation (EU) 2026/1744 (point 1 deleted, machinery now point 21 of Section B). Which section a
# point sits in, and so what applies, is read from the graph (Annex I Section A / Section B).
EU_AI_ACT_ANNEX_I = {
    "toys": "2", "recreational-craft": "3", "lifts": "4", "explosive-atmospheres-equipment": "5",
    "radio-equipment": "6", "pressure-equipment": "7", "cableway-installations": "8",
    "personal-protective-equipment": "9", "gas-appliances": "10", "medical-devices": "11",
    "in-vitro-diagnostic-medical-devices": "12",
    "civil-aviation-security": "13", "two-or-three-wheel-vehicles": "14", "agricultural-and-forestry-vehicles": "15",
    "marine-equipment": "16", "rail-interoperability": "17", "motor-vehicles": "18",
    "motor-vehicle-general-safety": "19", "unmanned-aircraft": "20", "machinery": "21",
}
# The one home of the engagement id pattern: it names a graph IRI and a URL path
# segment, so it is checked with ``fullmatch`` (``$`` would let a trailing newline in).
ENGAGEMENT_ID = re.compile(r"[a-z0-9][a-z0-9-]{1,62}")
# Component and third-party ids become IRI path segments and finding ids: the RFC 3987
# unreserved characters only, so an id never needs escaping and never breaks an IRI.
LOCAL_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
# Dates are range-checked: a programme is planned in this century, and a year such as
# 9999 would overflow the scheduler's date arithmetic.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}")
# Currencies an indicative cost may be stated in (ISO 4217 codes).
CURRENCIES = ("INR", "USD", "EUR", "GBP", "SGD", "AUD", "CAD", "JPY", "AED")
# The four functions of the NIST AI RMF Core, as ``targets.nist_ai_rmf.functions`` names them
# (lower case) and as the framework cites them (the notation of each function).
NIST_AI_RMF_FUNCTIONS = {"govern": "GOVERN", "map": "MAP", "measure": "MEASURE", "manage": "MANAGE"}

# Every key the format documents, per mapping: anything else is refused with the key
# named and the closest documented key suggested (a misspelt optional key would
# otherwise be silently ignored and the engagement analysed without it).
KEYS = {
    "(document)": ("engagement", "targets", "components", "third_parties", "implemented", "plan"),
    "engagement": ("id", "organisation", "description", "start_date", "capacity_days_per_week", "report_date", "cost"),
    "engagement.cost": ("day_rate", "currency"),
    "targets": ("soc2", "iso42001", "dpdp", "nist_ai_rmf", "eu_ai_act"),
    "targets.soc2": ("reports", "categories", "window_months", "window_start"),
    "targets.iso42001": ("certification", "target_date"),
    "targets.dpdp": ("role", "children_data"),
    "targets.nist_ai_rmf": ("functions",),
    "targets.eu_ai_act": ("roles", "risk_classes", "annex_iii", "annex_iii_not_high_risk", "annex_i",
                          "prohibited_practices", "fundamental_rights_assessment", "established_outside_eu",
                          "open_source_model", "public_authority", "remote_biometric_identification",
                          "law_enforcement_post_remote_biometric_identification"),
    "components[]": ("id", "type", "name", "data", "in_scope", "reason"),
    "third_parties[]": ("id", "name", "kind", "component", "attestation", "treatment", "documented_as_subservice",
                        "personal_data", "cuecs"),
    "implemented": ("controls", "evidence"),
    "implemented.controls[]": ("control", "since"),
    "plan": ("include", "exclude"),
}


def is_engagement_id(text: object) -> bool:
    """Whether ``text`` is a valid engagement id (the whole string, no trailing newline)."""
    return isinstance(text, str) and ENGAGEMENT_ID.fullmatch(text) is not None


@dataclass
class Component:
    id: str
    type: str
    name: str
    data: list[str]
    in_scope: bool
    reason: str = ""


@dataclass
class ThirdParty:
    id: str
    name: str
    kind: str
    component: str | None
    attestation: str
    treatment: str
    documented_as_subservice: bool
    cuecs: list[str]
    personal_data: bool


@dataclass
class Implemented:
    control: str
    since: dt.date


@dataclass
class Cost:
    day_rate: float
    currency: str


@dataclass(frozen=True)
class EuAiActTarget:
    """What an engagement says about itself under the EU AI Act (``targets.eu_ai_act``)."""

    roles: tuple[str, ...]
    risk_classes: tuple[str, ...]
    annex_iii: tuple[str, ...] = ()  # area keys of EU_AI_ACT_ANNEX_III
    annex_iii_not_high_risk: bool = False  # an Annex III system judged not high-risk under Art. 6(3)
    prohibited_practices: tuple[str, ...] = ()  # keys of EU_AI_ACT_PROHIBITED the company declares it runs
    fundamental_rights_assessment: bool = False  # a deployer within Art. 27(1)
    established_outside_eu: bool = False  # Art. 22(1)-(2) and 54(1)-(2) apply
    annex_i: tuple[str, ...] = ()  # legislation keys of EU_AI_ACT_ANNEX_I (the Art. 6(1) product route)
    open_source_model: bool = False  # the GPAI model is released open-source with public parameters (Art. 53(2))
    public_authority: bool = False  # a deployer that is a public authority or Union body (Art. 26(8), 49(3))
    remote_biometric_identification: bool = False  # an Annex III point 1(a) system (Art. 12(3), 14(5))
    # deployed after the event for the targeted search of a suspected or convicted person (Art. 26(10))
    law_enforcement_post_remote_biometric_identification: bool = False


@dataclass
class Engagement:
    id: str
    organisation: str
    description: str
    start: dt.date
    capacity: float
    soc2_reports: list[str]
    soc2_categories: list[str]
    window_months: int
    window_start: dt.date | None
    iso42001: bool
    iso42001_target: dt.date | None
    dpdp_role: str
    children_data: bool
    components: list[Component] = field(default_factory=list)
    third_parties: list[ThirdParty] = field(default_factory=list)
    implemented: list[Implemented] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    cost: Cost | None = None
    report_date: dt.date | None = None
    source: str = "engagement"
    # NIST AI RMF adopted (``targets.nist_ai_rmf``), and the functions adopted (their notations,
    # GOVERN ...); all four unless ``targets.nist_ai_rmf.functions`` narrows them.
    nist_ai_rmf: bool = False
    nist_ai_rmf_functions: list[str] = field(default_factory=list)
    eu_ai_act: EuAiActTarget | None = None
    # Whether the engagement states its DPDP role (``targets.dpdp.role``, ``none`` included).
    # Silence is not ``role: none``: a company that says it is outside the Act has answered
    # the s.3 territorial question; one that says nothing has not (findings.check_dpdp).
    dpdp_declared: bool = False

    @property
    def graph(self) -> str:
        return v.engagement_graph(self.id)

    @property
    def iri(self) -> str:
        return v.ID + "engagement/" + self.id

    @property
    def frameworks(self) -> list[str]:
        """The framework slugs this engagement is working towards."""
        chosen = []
        if self.soc2_reports:
            chosen.append("soc2")
        if self.iso42001:
            chosen.append("iso42001")
        if self.dpdp_role != "none":
            chosen += ["dpdp-act", "dpdp-rules"]
        if self.nist_ai_rmf:
            chosen.append("nist-ai-rmf")
        if self.eu_ai_act is not None:
            chosen.append("eu-ai-act")
        return chosen

    @property
    def implemented_ids(self) -> set[str]:
        return {item.control for item in self.implemented}

    def touches(self, kind: str) -> list[Component]:
        return [c for c in self.components if kind in c.data]

    @property
    def as_of(self) -> dt.date:
        """The date readiness is stated for: ``engagement.report_date``, or today."""
        return self.report_date or dt.date.today()

    def operating_on(self, day: dt.date) -> Engagement:
        """The engagement as it stands on ``day``: only the controls operating by then.

        A control listed with a ``since`` after ``day`` is promised, not operating; readiness
        on ``day`` must not count it.
        """
        return replace(self, implemented=[i for i in self.implemented if i.since <= day])


class _Reader:
    """Pulls typed fields out of nested dicts, naming the path of any fault."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, path: str, message: str) -> NoReturn:
        raise EngagementError(self.source, path, message)

    def mapping(self, value: object, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping of fields, got {type(value).__name__}")
        return value

    def keys(self, data: dict[str, Any], path: str, shape: str | None = None) -> dict[str, Any]:
        """Refuse any key the format does not document, suggesting the closest one."""
        allowed = KEYS[shape or path]
        for key in data:
            if key not in allowed:
                where = f"{path}.{key}" if path != "(document)" else str(key)
                near = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
                hint = f"; did you mean {near[0]!r}?" if near else f"; expected one of {', '.join(allowed)}"
                self.fail(where, f"unknown key {str(key)!r}{hint}")
        return data

    def get(self, data: dict[str, Any], key: str, path: str, kind: type, *, required: bool = True, default: Any = None,
            choices: Sequence[str] | None = None) -> Any:
        """The field ``key`` checked to be a ``kind`` (typed ``Any``: its type is ``kind``)."""
        where = f"{path}.{key}" if path else key
        if key not in data or data[key] is None:
            if required:
                self.fail(where, "is required")
            return default
        value = data[key]
        if kind is dt.date:
            if isinstance(value, dt.datetime):
                value = value.date()
            if isinstance(value, str):
                text = value.strip()
                if not _DATE_TEXT.fullmatch(text):
                    self.fail(where, f"expected a date YYYY-MM-DD, got {value!r}")
                try:
                    value = dt.date.fromisoformat(text)
                except ValueError as exc:
                    self.fail(where, f"expected a real date YYYY-MM-DD, got {text!r} ({exc})")
            if not isinstance(value, dt.date):
                self.fail(where, f"expected a date YYYY-MM-DD, got {value!r}")
            if not FIRST_YEAR <= value.year <= LAST_YEAR:
                self.fail(where, f"expected a date in the years {FIRST_YEAR}-{LAST_YEAR}, got {value.isoformat()}")
            return value
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if kind is float and isinstance(value, float) and math.isnan(value):
            self.fail(where, f"expected a number, got {value!r}")
        if kind is int and isinstance(value, bool):
            self.fail(where, f"expected an integer, got {value!r}")
        if not isinstance(value, kind):
            self.fail(where, f"expected {_kind_name(kind)}, got {value!r}")
        if choices is not None:
            items = value if isinstance(value, list) else [value]
            for index, item in enumerate(items):
                if item not in choices:
                    at = f"{where}[{index}]" if isinstance(value, list) else where
                    self.fail(at, f"expected one of {', '.join(choices)}, got {item!r}")
        return value


def _kind_name(kind: type) -> str:
    return {str: "text", bool: "true or false", int: "an integer", float: "a number", list: "a list", dict: "a mapping"}.get(
        kind, kind.__name__
    )


def load_engagement(path: str | Path, **known: Any) -> Engagement:
    """Read and validate an engagement YAML file (``known``: see :func:`parse_engagement`)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise EngagementError(str(path), "(file)", f"cannot read: {exc.strerror}") from None
    return parse_engagement_text(text, str(path), **known)


class _DatesAsText(yaml.SafeLoader):
    """A safe loader that leaves timestamps as text, so an impossible date
    (``2027-02-30``) reaches field validation and the error names its field."""


def _timestamp_as_text(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):  # a timestamp tag on a mapping or a list
        raise yaml.constructor.ConstructorError(None, None, "a timestamp must be a scalar", node.start_mark)
    return loader.construct_scalar(node)


_DatesAsText.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)


def parse_engagement_text(text: str, source: str = "engagement", **known: Any) -> Engagement:
    try:
        data = load_yaml(text, source)  # bounded: depth, size, alias expansion (attestgraph.queries.engagement.documents)
    except (ValueError, OverflowError):
        # PyYAML builds dates while parsing and raises a bare ValueError (no field, no
        # line) on 2027-02-30; parse again with dates as text and let the field check
        # speak. The document has already passed the bounds check above.
        data = _load_dates_as_text(text, source)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "(document)"
        problem = getattr(exc, "problem", None) or str(exc)
        raise EngagementError(source, where, f"not valid YAML: {problem}") from None
    return parse_engagement(data, source, **known)


def _load_dates_as_text(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_DatesAsText)
    except yaml.YAMLError as exc:
        raise EngagementError(source, "(document)", f"not valid YAML: {getattr(exc, 'problem', None) or exc}") from None


def parse_engagement(data: object, source: str = "engagement", known_controls: set[str] | None = None,
                     known_evidence: set[str] | None = None, known_components: set[str] | None = None) -> Engagement:
    """Validate a decoded engagement document; ``known_*`` sets check ids against the catalog."""
    r = _Reader(source)
    root = r.keys(r.mapping(data, "(document)"), "(document)")
    eng = r.keys(r.mapping(r.get(root, "engagement", "", dict), "engagement"), "engagement")
    identifier = r.get(eng, "id", "engagement", str)
    if not is_engagement_id(identifier):
        r.fail("engagement.id", f"expected lowercase letters, digits and dashes (2-63 characters), got {identifier!r}")
    capacity = r.get(eng, "capacity_days_per_week", "engagement", float)
    if not 0.5 <= capacity <= 200:
        r.fail("engagement.capacity_days_per_week", f"expected person-days a week between 0.5 and 200, got {capacity}")
    start = r.get(eng, "start_date", "engagement", dt.date)
    report_date = r.get(eng, "report_date", "engagement", dt.date, required=False)
    cost = _cost(r, eng)

    targets = r.keys(r.mapping(r.get(root, "targets", "", dict), "targets"), "targets")
    soc2 = r.keys(r.mapping(r.get(targets, "soc2", "targets", dict, required=False, default={}), "targets.soc2"),
                  "targets.soc2")
    reports = r.get(soc2, "reports", "targets.soc2", list, required=False, default=[], choices=SOC2_REPORTS)
    categories = r.get(soc2, "categories", "targets.soc2", list, required=False, default=["security"],
                       choices=list(SOC2_CATEGORIES))
    if reports and "security" not in categories:
        r.fail("targets.soc2.categories", "must include security: the common criteria are in every SOC 2 report")
    window = r.get(soc2, "window_months", "targets.soc2", int, required="type2" in reports, default=0)
    if "type2" in reports and not 3 <= window <= 12:
        r.fail("targets.soc2.window_months", f"expected a Type II observation window of 3 to 12 months, got {window}")
    window_start = r.get(soc2, "window_start", "targets.soc2", dt.date, required=False)
    if window_start is not None and window_start < start:
        r.fail("targets.soc2.window_start", f"the Type II window cannot open ({window_start.isoformat()}) before the "
                                            f"engagement starts ({start.isoformat()}, engagement.start_date)")
    iso = r.keys(r.mapping(r.get(targets, "iso42001", "targets", dict, required=False, default={}), "targets.iso42001"),
                 "targets.iso42001")
    iso_target = r.get(iso, "target_date", "targets.iso42001", dt.date, required=False)
    if iso_target is not None and iso_target < start:
        r.fail("targets.iso42001.target_date", f"expected a date after the engagement starts ({start.isoformat()}), "
                                               f"got {iso_target.isoformat()}")
    dpdp = r.keys(r.mapping(r.get(targets, "dpdp", "targets", dict, required=False, default={}), "targets.dpdp"),
                  "targets.dpdp")
    nist_functions = _nist_ai_rmf_functions(r, targets)

    components = []
    for index, item in enumerate(r.get(root, "components", "", list, required=False, default=[])):
        path = f"components[{index}]"
        item = r.keys(r.mapping(item, path), path, "components[]")
        cid = _local_id(r, item, path)
        ctype = r.get(item, "type", path, str)
        if known_components is not None and ctype not in known_components:
            r.fail(f"{path}.type", f"expected a component type of the catalog ({', '.join(sorted(known_components))}), got {ctype!r}")
        components.append(
            Component(
                id=cid,
                type=ctype,
                name=r.get(item, "name", path, str, required=False, default=cid),
                data=r.get(item, "data", path, list, required=False, default=[], choices=DATA_KINDS),
                in_scope=r.get(item, "in_scope", path, bool),
                reason=r.get(item, "reason", path, str, required=False, default=""),
            )
        )
    _unique(r, "components", [c.id for c in components])

    third_parties = []
    for index, item in enumerate(r.get(root, "third_parties", "", list, required=False, default=[])):
        path = f"third_parties[{index}]"
        item = r.keys(r.mapping(item, path), path, "third_parties[]")
        component = r.get(item, "component", path, str, required=False)
        if component is not None and component not in {c.id for c in components}:
            r.fail(f"{path}.component", f"expected the id of a component listed under components, got {component!r}")
        cuecs = r.get(item, "cuecs", path, list, required=False, default=[])
        for j, cuec in enumerate(cuecs):
            if not isinstance(cuec, str) or (known_controls is not None and cuec not in known_controls):
                r.fail(f"{path}.cuecs[{j}]", f"expected a control id of the catalog, got {cuec!r}")
        third_parties.append(
            ThirdParty(
                id=_local_id(r, item, path),
                name=r.get(item, "name", path, str),
                kind=r.get(item, "kind", path, str, choices=THIRD_PARTY_KINDS),
                component=component,
                attestation=r.get(item, "attestation", path, str, required=False, default="none", choices=ATTESTATIONS),
                treatment=r.get(item, "treatment", path, str, required=False, default="undocumented", choices=TREATMENTS),
                documented_as_subservice=r.get(item, "documented_as_subservice", path, bool, required=False, default=False),
                cuecs=list(cuecs),
                personal_data=r.get(item, "personal_data", path, bool, required=False, default=False),
            )
        )
    _unique(r, "third_parties", [t.id for t in third_parties])

    done = r.keys(r.mapping(r.get(root, "implemented", "", dict, required=False, default={}), "implemented"), "implemented")
    implemented = []
    for index, item in enumerate(r.get(done, "controls", "implemented", list, required=False, default=[])):
        path = f"implemented.controls[{index}]"
        item = r.keys(r.mapping(item, path), path, "implemented.controls[]")
        control = r.get(item, "control", path, str)
        if known_controls is not None and control not in known_controls:
            r.fail(f"{path}.control", f"expected a control id of the catalog (e.g. {min(known_controls)}), got {control!r}")
        implemented.append(Implemented(control=control, since=r.get(item, "since", path, dt.date)))
    _unique(r, "implemented.controls", [i.control for i in implemented])
    evidence = r.get(done, "evidence", "implemented", list, required=False, default=[])
    for index, item in enumerate(evidence):
        if not isinstance(item, str) or (known_evidence is not None and item not in known_evidence):
            r.fail(f"implemented.evidence[{index}]", f"expected an evidence id of the catalog (EV-NNN), got {item!r}")

    include, exclude = _plan_choices(r, root, {i.control for i in implemented}, known_controls)
    eu_ai_act = _eu_ai_act(r, targets)

    return Engagement(
        id=identifier,
        organisation=r.get(eng, "organisation", "engagement", str),
        description=r.get(eng, "description", "engagement", str, required=False, default=""),
        start=start,
        capacity=capacity,
        soc2_reports=list(reports),
        soc2_categories=list(categories),
        window_months=window,
        window_start=window_start,
        iso42001=r.get(iso, "certification", "targets.iso42001", bool, required=False, default=False),
        iso42001_target=iso_target,
        dpdp_role=r.get(dpdp, "role", "targets.dpdp", str, required=False, default="none", choices=DPDP_ROLES),
        children_data=r.get(dpdp, "children_data", "targets.dpdp", bool, required=False, default=False),
        components=components,
        third_parties=third_parties,
        implemented=implemented,
        evidence=list(evidence),
        include=include,
        exclude=exclude,
        cost=cost,
        report_date=report_date,
        source=source,
        nist_ai_rmf=nist_functions is not None,
        nist_ai_rmf_functions=nist_functions or [],
        eu_ai_act=eu_ai_act,
        dpdp_declared=dpdp.get("role") is not None,
    )


def _nist_ai_rmf_functions(r: _Reader, targets: dict[str, object]) -> list[str] | None:
    """``targets.nist_ai_rmf``: ``None`` when the engagement does not adopt the NIST AI RMF,
    else the notations of the functions it adopts (all four, or those ``functions`` lists).

    The key's presence is the choice: ``nist_ai_rmf: {}`` (or an empty value) adopts the
    whole Core, as an organisation that says it follows the AI RMF is read to mean.
    """
    if "nist_ai_rmf" not in targets:
        return None
    value = targets["nist_ai_rmf"]
    settings = r.keys(r.mapping({} if value is None else value, "targets.nist_ai_rmf"), "targets.nist_ai_rmf")
    names: list[str] = r.get(settings, "functions", "targets.nist_ai_rmf", list, required=False,
                             default=list(NIST_AI_RMF_FUNCTIONS), choices=list(NIST_AI_RMF_FUNCTIONS))
    if not names:
        r.fail("targets.nist_ai_rmf.functions", "expected at least one of govern, map, measure, manage "
                                                "(leave the key out to adopt all four)")
    _unique(r, "targets.nist_ai_rmf.functions", names)
    return [NIST_AI_RMF_FUNCTIONS[name] for name in NIST_AI_RMF_FUNCTIONS if name in names]


def _choice_list(r: _Reader, data: dict[str, Any], key: str, choices: Iterable[str], *,
                 required: bool = False) -> tuple[str, ...]:
    """A list of distinct values from ``choices`` under ``targets.eu_ai_act.{key}``."""
    path = "targets.eu_ai_act"
    allowed = list(choices)
    items = r.get(data, key, path, list, required=required, default=[], choices=allowed)
    if required and not items:
        r.fail(f"{path}.{key}", f"expected at least one of {', '.join(allowed)}")
    _unique(r, f"{path}.{key}", items)
    return tuple(items)


def _eu_ai_act(r: _Reader, targets: dict[str, Any]) -> EuAiActTarget | None:
    """``targets.eu_ai_act``: the company's roles and the classes of its AI systems under the Act.

    The combinations the Act makes impossible are refused, naming the field: a high-risk system
    with neither its Annex III area nor its Annex I legislation, an Annex III area with no
    high-risk system or Art. 6(3) assessment, Annex I legislation without the high-risk class, a
    general-purpose AI model without its provider role (and the reverse), a fundamental rights
    impact assessment for anyone but a deployer of an Annex III high-risk system, the
    open-source exemption of Art. 53(2) for anything but a general-purpose AI model, a public
    authority that deploys no high-risk system (Art. 26(8), 49(3) bind only such deployers), and a
    remote biometric identification system that is not a high-risk Annex III point 1 system, and
    its law-enforcement post-remote use (Art. 26(10)) by anyone but its deployer.
    """
    path = "targets.eu_ai_act"
    if targets.get("eu_ai_act") is None:
        return None
    data = r.keys(r.mapping(targets["eu_ai_act"], path), path)
    roles = _choice_list(r, data, "roles", EU_AI_ACT_ROLES, required=True)
    classes = _choice_list(r, data, "risk_classes", EU_AI_ACT_RISK_CLASSES)
    areas = _choice_list(r, data, "annex_iii", EU_AI_ACT_ANNEX_III)
    products = _choice_list(r, data, "annex_i", EU_AI_ACT_ANNEX_I)
    practices = _choice_list(r, data, "prohibited_practices", EU_AI_ACT_PROHIBITED)
    exempted = r.get(data, "annex_iii_not_high_risk", path, bool, required=False, default=False)
    fria = r.get(data, "fundamental_rights_assessment", path, bool, required=False, default=False)
    outside = r.get(data, "established_outside_eu", path, bool, required=False, default=False)
    open_source = r.get(data, "open_source_model", path, bool, required=False, default=False)
    public = r.get(data, "public_authority", path, bool, required=False, default=False)
    remote_biometric = r.get(data, "remote_biometric_identification", path, bool, required=False, default=False)
    post_remote = r.get(data, "law_enforcement_post_remote_biometric_identification", path, bool,
                        required=False, default=False)
    if "high-risk" in classes and not areas and not products:
        r.fail(f"{path}.annex_iii", "a high-risk system needs its Annex III area (e.g. [employment]) or, for a "
                                    "product, its Annex I legislation (annex_i, e.g. [medical-devices])")
    if products and "high-risk" not in classes:
        r.fail(f"{path}.risk_classes", "Annex I legislation is listed: add high-risk (a safety component or product "
                                       "that needs third-party conformity assessment is high-risk under Art. 6(1))")
    if areas and "high-risk" not in classes and not exempted:
        r.fail(f"{path}.risk_classes", "an Annex III area is listed: add high-risk, or set annex_iii_not_high_risk "
                                       "for a system judged not high-risk under Art. 6(3)")
    if exempted and not areas:
        r.fail(f"{path}.annex_iii_not_high_risk", "needs the Annex III area of the system judged not high-risk")
    gpai = {"gpai", "gpai-systemic-risk"} & set(classes)
    if gpai and "gpai-provider" not in roles:
        r.fail(f"{path}.roles", "a general-purpose AI model class needs the gpai-provider role")
    if "gpai-provider" in roles and not gpai:
        r.fail(f"{path}.risk_classes", "the gpai-provider role needs gpai or gpai-systemic-risk")
    if fria and not ("deployer" in roles and "high-risk" in classes):
        r.fail(f"{path}.fundamental_rights_assessment", "Art. 27 binds deployers of high-risk systems: "
                                                        "needs the deployer role and the high-risk class")
    if fria and not areas:
        r.fail(f"{path}.fundamental_rights_assessment", "Art. 27(1) binds deployers of Annex III systems "
                                                        "(Art. 6(2)), not of Annex I products: needs annex_iii")
    if open_source and not gpai:
        r.fail(f"{path}.open_source_model", "the open-source exemption of Art. 53(2) is for general-purpose AI "
                                            "models: needs the gpai or gpai-systemic-risk class")
    if public and not ("deployer" in roles and "high-risk" in classes):
        r.fail(f"{path}.public_authority", "Art. 26(8) and 49(3) bind public authorities that deploy high-risk "
                                           "systems: needs the deployer role and the high-risk class")
    # Annex III point 1 also holds biometric categorisation (1(b)) and emotion recognition (1(c)),
    # so the biometrics area alone does not say a system identifies people remotely: it is declared.
    if remote_biometric and not ("biometrics" in areas and "high-risk" in classes):
        r.fail(f"{path}.remote_biometric_identification", "a remote biometric identification system is the "
                                                          "high-risk Annex III point 1(a) system: needs annex_iii "
                                                          "[biometrics] and the high-risk class")
    if post_remote and not ("deployer" in roles and remote_biometric):
        r.fail(f"{path}.law_enforcement_post_remote_biometric_identification",
               "Art. 26(10) binds the deployer of a post-remote biometric identification system: needs the "
               "deployer role and remote_biometric_identification")
    return EuAiActTarget(roles=roles, risk_classes=classes, annex_iii=areas, annex_iii_not_high_risk=exempted,
                         prohibited_practices=practices, fundamental_rights_assessment=fria,
                         established_outside_eu=outside, annex_i=products, open_source_model=open_source,
                         public_authority=public, remote_biometric_identification=remote_biometric,
                         law_enforcement_post_remote_biometric_identification=post_remote)


def _local_id(r: _Reader, item: dict[str, Any], path: str) -> str:
    identifier = r.get(item, "id", path, str)
    if not LOCAL_ID.fullmatch(identifier):
        r.fail(f"{path}.id", "expected an id usable in an IRI (letters, digits, '.', '_' and '-', starting with a "
                             f"letter or digit, at most 63 characters), got {identifier!r}")
    return str(identifier)


def _cost(r: _Reader, eng: dict[str, Any]) -> Cost | None:
    settings = r.get(eng, "cost", "engagement", dict, required=False)
    if settings is None:
        return None
    r.keys(settings, "engagement.cost")
    rate = r.get(settings, "day_rate", "engagement.cost", float)
    if not 0 < rate <= 10_000_000:
        r.fail("engagement.cost.day_rate", f"expected a positive day rate (per person-day), got {rate}")
    currency = r.get(settings, "currency", "engagement.cost", str, choices=CURRENCIES)
    return Cost(day_rate=rate, currency=currency)


def _plan_choices(r: _Reader, root: dict[str, Any], operating: set[str],
                  known_controls: set[str] | None) -> tuple[list[str], list[str]]:
    """``plan.include`` / ``plan.exclude``: catalog controls the planner must add or leave out."""
    plan = r.keys(r.mapping(r.get(root, "plan", "", dict, required=False, default={}), "plan"), "plan")
    chosen = {}
    for key in ("include", "exclude"):
        items = r.get(plan, key, "plan", list, required=False, default=[])
        for index, item in enumerate(items):
            if not isinstance(item, str) or (known_controls is not None and item not in known_controls):
                r.fail(f"plan.{key}[{index}]", f"expected a control id of the catalog, got {item!r}")
            if item in operating:
                r.fail(f"plan.{key}[{index}]", f"{item} is already in operation (implemented.controls); "
                                               "include and exclude choose planned work only")
        _unique(r, f"plan.{key}", items)
        chosen[key] = list(items)
    both = sorted(set(chosen["include"]) & set(chosen["exclude"]))
    if both:
        r.fail("plan.exclude", f"{', '.join(both)} cannot be both included and excluded")
    return chosen["include"], chosen["exclude"]


def _unique(r: _Reader, path: str, ids: list[str]) -> None:
    seen = set()
    for index, value in enumerate(ids):
        if value in seen:
            r.fail(f"{path}[{index}]", f"id {value!r} is listed twice")
        seen.add(value)
