"""CISO Assistant library YAML: the DPDP Rules as a framework, the control catalog as
reference controls, and each curated requirement crosswalk as a requirement mapping set.

CISO Assistant (intuitem/ciso-assistant-community) ships SOC 2 (2017, points of focus
revised 2022), ISO/IEC 42001:2023, ISO/IEC 27001:2022, the DPDP Act, NIST AI RMF 1.0
(``nist-ai-rmf-1.0.yaml``) and the EU AI Act (``ai-act.yaml``), but not the DPDP Rules
2025. A mapping row only applies between nodes of loaded frameworks, so the URNs written
for those six frameworks are theirs, read from their library files (snapshot f990d7b,
2026-08-08; copies of the id lists, with their nesting for the two AI frameworks, are in
``tests/data/ciso-assistant/``). Where their numbering or nesting differs from ours the
counterpart is given by an explicit rule below (``THEIRS``, one leaf rule a framework); a
requirement with no counterpart is never given an invented URN: the mapping row is left
out and reported with the reason (their EU AI Act library is the 2024 text, so what
Regulation (EU) 2026/1744 inserted or rewrote has no node: rule 6 at ``_ai_act_leaf``).

Granularity. NIST AI RMF ids are theirs one-to-one (all 95 functions, categories and
subcategories). Their EU AI Act library is as fine as ours or finer (paragraphs, points,
sub-points), except Annex I (one node), but gives generated URNs to headings and splits some
of our paragraphs over several nodes; the rules are at ``_ai_act_leaf``. Where our node rolls up onto a coarser
node of theirs (their node holds ours and more: ISO/IEC 42001 6.1.1-6.1.4 onto their single
6.1, an EU paragraph split over several of their nodes onto its article, Annex III(1) and
Annex IV(1) onto the node they share with the annex's opening words, Annex I's Section A and
points onto their one Annex I node), the row is written
only with the relationship IR 8477 still guarantees after the roll-up
(``attestgraph.relationships.compose`` with the containment), said so in its annotation
and listed in the export's ``rolled_up``; rows that land on one pair are written once.

The control catalog's links to requirements are not exported: a reference control is
linked from a requirement node (``reference_controls``) inside a framework library, and
the framework libraries of theirs are not ours to rewrite.

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
from attestgraph.relationships import RELATIONSHIP_RANK, RELATIONSHIPS, SUB, SUP, compose

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


def _iso42001_leaf(r: Requirement) -> tuple[str, str | None] | None:
    # Their 6.1 is one assessable node; 42001's 6.1.1-6.1.4 have no node of their own and
    # roll up onto it, which holds each (the roll-up rule: see the EU AI Act's rules below).
    if r.notation.startswith("6.1."):
        return "6.1", f"their 6.1 is one node for ISO/IEC 42001 6.1.1-6.1.4, so {r.notation} is on it"
    return r.notation.lower(), None


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


def _nist_ai_rmf_ref(r: Requirement) -> str | None:
    # Their ref_ids are ours one-to-one (GOVERN, GOVERN 1, GOVERN 1.1 ... MANAGE 4.3), and
    # the URN leaf is the ref_id lowercased with its space as a hyphen (govern-1.1). Their
    # "Preamble" nodes quote the function's introduction and have no counterpart of ours.
    return str(r.notation)


# -- the EU AI Act: their library's numbering, and the rule that finds our provisions in it --
#
# Their ``ai-act`` library (version 2) gives a ref_id to paragraphs ("9.2"), points ("9.2.a")
# and sub-points ("13.3.b.i"), and none to chapter, article and annex headings, to an article's
# only paragraph, to an annex's points or to continuation subparagraphs: those carry
# generated URNs ("node324"), numbered by position in their file. Our notation finds its node
# by these rules, each checked against their id list and, for every provision our graph
# holds, against the text their node holds (tests/interop/test_ciso_assistant.py:
# EU_READ_TEXT_BY_TEXT). Their text is the Regulation's in a pre-publication version in
# places ("user" for "deployer" in 14(4)); their paragraph numbers are the Official
# Journal's for those provisions except in Art. 73 (rule 2).
#
# 1. "Art. N(p)", "Art. N(p)(x)", "Art. N(p)(x)(i)" and "Art. N(x)" (an article of points
#    only, Art. 16) are their ref_id "N.p", "N.p.x", "N.p.x.i", "N.x".
# 2. Except in the articles their file numbers otherwise (AI_ACT_RENUMBERED), where only
#    the provisions read text by text are mapped and any other is left out: their Art. 73
#    has no "73.4"; its "73.5" holds the Regulation's 73(4) (death of a person, ten days),
#    "73.6" its 73(5) (an initial incomplete report), "73.7" and the node after it 73(6);
#    "73.8" and "73.9" hold the same text and the Regulation's 73(7) is in neither. Their
#    Art. 3 numbers each definition one ahead (their "3.2" is the Regulation's 3(1)).
# 3. "Art. N", "Chapter N", "Annex N" are their heading nodes (AI_ACT_ARTICLES, _CHAPTERS,
#    _ANNEXES); an annex point "Annex N(n)" is the annex's n-th child, "Annex XI Section n"
#    the section of that heading. Art. 4, a single unnumbered paragraph, is their one node
#    under the heading, the assessable one; Art. 19(1) is their first, unnumbered, node
#    under Art. 19 (AI_ACT_UNNUMBERED).
# 4. Roll-up. Where their file splits one of our paragraphs over several sibling nodes (the
#    numbered first subparagraph and unnumbered continuations, AI_ACT_SPLIT), no node of
#    theirs is the paragraph, so the paragraph rolls up onto their article node, which holds
#    it; where their node holds our annex point together with the annex's opening words
#    (Annex III(1), Annex IV(1)), the point rolls up onto that node. A rolled-up node of
#    theirs holds everything ours holds and more, so a row "ours REL x" is written as
#    "theirs compose(superset-of, REL) x" by the composition table of
#    attestgraph.relationships (IR 8477): equal and superset-of stay superset-of, subset-of
#    and intersects-with become intersects-with, and a not-related row is left out (a part
#    disjoint from x says nothing of the whole). Rows that land on the same pair of nodes
#    are written once (see ``mapping_library``).
# 5. Their Annex I is one node under the heading, the whole list of Union harmonisation
#    legislation as published (Sections A and B, points 1 to 20): our Section A and points
#    2 to 20 (the same acts) roll up onto it as in rule 4.
# 6. Regulation (EU) 2026/1744. Their library is built from the 2024 text, so a provision the
#    amendment inserted has no node (AI_ACT_INSERTED_2026: Art. 5(1)(ba), (bb), 99(4)(da),
#    99(6a), 111(4), Annex I(21)), and where it changed a provision their node holds the text
#    as published, which is not ours and lacks what the amendment added (AI_ACT_CHANGED_2026: Art. 6(1),
#    43(3), Annex I Section B). Those get no URN; a row on them is left out with the reason
#    (``no_counterpart_reason``). Provisions the amendment left alone (Art. 6(2), 53(2),
#    54(6), Annex I points 2 to 20) are mapped by rules 1 to 5. A heading (Chapter XIII,
#    Art. 5, 111, Annex I) names the same chapter, article or annex of the same Regulation
#    and stays on their heading, which is not assessable; what the amendment added under it
#    is decided provision by provision.
#
# Their article and chapter headings are not assessable, and their mapping engine reads only
# assessable requirements of an audit: a rolled-up row is true and shown, but CISO Assistant
# infers no result through it.

#: Node numbers of their article headings, Articles 1 to 113 in order ("node324" is Article 9).
AI_ACT_ARTICLES = dict(enumerate((
    184, 187, 200, 270, 273, 302, 316, 321, 324, 343, 364, 368, 379, 396, 410, 421, 435, 453, 462, 465, 468, 472,
    483, 495, 502, 514, 535, 548, 556, 562, 568, 581, 583, 588, 592, 595, 616, 621, 625, 628, 632, 646, 649, 667,
    672, 679, 687, 693, 699, 706, 717, 723, 731, 745, 757, 765, 781, 799, 804, 823, 845, 853, 857, 862, 865, 874,
    876, 887, 893, 898, 909, 918, 924, 938, 953, 957, 963, 968, 975, 985, 994, 998, 1004, 1013, 1017, 1019, 1023,
    1026, 1029, 1032, 1036, 1042, 1050, 1054, 1057, 1062, 1068, 1075, 1079, 1091, 1099, 1107, 1109, 1111, 1113, 1115,
    1117, 1119, 1121, 1123, 1125, 1127, 1129,
), start=1))
_ROMAN_XIII = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII")
#: Node numbers of their chapter and annex headings, I to XIII.
AI_ACT_CHAPTERS = dict(zip(_ROMAN_XIII, (183, 272, 300, 705, 715, 780, 860, 908, 916, 1056, 1067, 1078, 1106),
                           strict=True))
AI_ACT_ANNEXES = dict(zip(_ROMAN_XIII, (1132, 1134, 1136, 1145, 1155, 1164, 1169, 1175, 1182, 1184, 1192, 1198, 1200),
                          strict=True))
#: Node numbers of the children of the annexes whose points or sections we model, in order.
AI_ACT_ANNEX_PARTS = {
    "III": (1137, 1138, 1139, 1140, 1141, 1142, 1143, 1144),  # points 1-8
    "IV": (1146, 1147, 1148, 1149, 1150, 1151, 1152, 1153, 1154),  # points 1-9
    "XI": (1193, 1196),  # Sections 1 and 2
}
#: Annex points their node holds together with the annex's opening words.
AI_ACT_WITH_CHAPEAU = frozenset({"Annex III(1)", "Annex IV(1)"})
#: Articles their file numbers otherwise: our provision -> their ref_id, for those read text
#: by text; any other paragraph or point of these articles has no counterpart.
AI_ACT_RENUMBERED: dict[int, dict[str, str]] = {
    3: {},
    73: {"Art. 73(1)": "73.1", "Art. 73(2)": "73.2", "Art. 73(3)": "73.3", "Art. 73(4)": "73.5", "Art. 73(5)": "73.6"},
}
AI_ACT_UNNUMBERED = {"Art. 4": "node271", "Art. 19(1)": "node463", "Art. 86(1)": "node1020"}
#: Annexes their file holds as one node under the heading: their Annex I is a single node
#: holding Sections A and B and points 1 to 20 as published in 2024. Our sections and points
#: roll up onto it where it holds them (rule 5).
AI_ACT_ANNEX_WHOLE = {"I": 1133}
#: Our paragraphs their file splits over a numbered node and unnumbered continuation
#: subparagraphs (the numbered node's next siblings without a ref_id; their 73.7 and the
#: node after it hold 73(6)).
AI_ACT_SPLIT = frozenset({
    "Art. 5(1)", "Art. 9(5)", "Art. 15(4)", "Art. 15(5)", "Art. 22(3)", "Art. 25(4)", "Art. 26(5)", "Art. 26(6)",
    "Art. 43(1)", "Art. 43(4)", "Art. 50(4)", "Art. 73(6)", "Art. 14(5)", "Art. 26(10)",
})
#: Our provisions inserted by Regulation (EU) 2026/1744 (rule 6). The graph records the
#: insertion only in prose (an rdfs:comment "Inserted by ..." or "Added by ...", Annex I(21)'s
#: definition), not as a link to the amending act, so the list is explicit here; the test
#: checks it against that prose both ways, so a provision the amendment section adds later
#: and describes so is caught.
AI_ACT_INSERTED_2026 = frozenset({
    "Art. 5(1)(ba)", "Art. 5(1)(bb)", "Art. 99(4)(da)", "Art. 99(6a)", "Art. 111(4)", "Annex I(21)",
    "Art. 4a", "Art. 4a(1)", "Art. 4a(2)",
})
#: Our provisions whose text Regulation (EU) 2026/1744 changed where their node holds the
#: text as published (rule 6): their node is not ours and does not hold ours (what the
#: amendment added is missing from it), so none is theirs exactly and none rolls up.
AI_ACT_CHANGED_2026 = {
    "Art. 6(1)": "ours reads Art. 6(1) with Art. 6(1a) to (1c), inserted by Regulation (EU) 2026/1744; their 6.1 "
                 "is Art. 6(1) as published",
    "Art. 43(3)": "replaced by Regulation (EU) 2026/1744, Art. 1(19) (the quality management system assessment and "
                  "Annex VII points 3 and 5 added); their 43.3 holds the paragraph as published",
    "Annex I Section B": "Regulation (EU) 2026/1744, Art. 1(41)(b), added point 21 (Regulation (EU) 2023/1230); their "
                         "Annex I node holds Section B as published",
    "Art. 4": "replaced by Regulation (EU) 2026/1744, Art. 1(5) (measures to support AI literacy, no guaranteed level); "
              "their node holds the duty of a sufficient level as published",
    "Art. 5(1)": "Regulation (EU) 2026/1744, Art. 1(7), added points (ba) and (bb); their 5.1 holds the paragraph as "
                 "published",
    "Art. 11(1)": "Regulation (EU) 2026/1744, Art. 1(10), extended the simplified documentation to small mid-caps; their "
                  "11.1 holds the paragraph as published",
    "Art. 25(2)": "replaced by Regulation (EU) 2026/1744, Art. 1(12) (points (a) to (c)); their 25.2 holds the paragraph "
                  "as published",
    "Art. 25(4)": "Regulation (EU) 2026/1744, Art. 1(12), added AI models and the open-source carve-out; their 25.4 "
                  "holds the paragraph as published",
    "Art. 27(4)": "Regulation (EU) 2026/1744, Art. 1(13)(a), made it a permission to cross-refer to the data protection "
                  "impact assessment; their 27.4 holds the paragraph as published",
    "Art. 72(3)": "Regulation (EU) 2026/1744, Art. 1(30), replaced the implementing act with Commission guidance; their "
                  "72.3 holds the paragraph as published",
}
INSERTED_2026 = "not in their library: inserted by Regulation (EU) 2026/1744"


def _ai_act_leaf(r: Requirement) -> tuple[str, str | None] | None:
    """Their URN leaf for one of our EU AI Act provisions, and why ours rolls up onto it
    (None when their node is ours exactly); None when their library has no such node."""
    notation = r.notation
    if notation in AI_ACT_INSERTED_2026 or notation in AI_ACT_CHANGED_2026:
        return None  # rule 6: see no_counterpart_reason
    article = re.fullmatch(r"Art\. (\d+)((?:\([0-9a-z]+\))*)", notation)
    if notation in AI_ACT_SPLIT and article:
        return (f"node{AI_ACT_ARTICLES[int(article.group(1))]}",
                f"their file splits {notation} over several nodes, so it is on their Article {article.group(1)}")
    if notation in AI_ACT_UNNUMBERED:
        return AI_ACT_UNNUMBERED[notation], None
    if article and article.group(2):
        renumbered = AI_ACT_RENUMBERED.get(int(article.group(1)))
        if renumbered is not None:
            return (renumbered[notation], None) if notation in renumbered else None
        return ".".join([article.group(1), *re.findall(r"\(([0-9a-z]+)\)", article.group(2))]), None
    if article:
        number = int(article.group(1))
        return (f"node{AI_ACT_ARTICLES[number]}", None) if number in AI_ACT_ARTICLES else None
    heading = re.fullmatch(r"(Chapter|Annex) ([IVX]+)(?:\((\d+)\)| Section ([0-9A-Z]+))?", notation)
    if heading is None:
        return None
    kind, roman, point, section = heading.groups()
    if kind == "Chapter":
        return (f"node{AI_ACT_CHAPTERS[roman]}", None) if roman in AI_ACT_CHAPTERS and not (point or section) else None
    if not (point or section):
        return (f"node{AI_ACT_ANNEXES[roman]}", None) if roman in AI_ACT_ANNEXES else None
    if roman in AI_ACT_ANNEX_WHOLE:
        return (f"node{AI_ACT_ANNEX_WHOLE[roman]}",
                f"their Annex {roman} is one node holding all its sections and points, so {notation} is on it")
    if section and not section.isdigit():
        return None  # a lettered section (Annex I's) outside an annex held as one node
    parts = AI_ACT_ANNEX_PARTS.get(roman, ())
    n = int(point or section)
    if not 1 <= n <= len(parts) or (section and roman != "XI") or (point and roman == "XI"):
        return None
    why = (f"their node for {notation} also holds the opening words of Annex {roman}"
           if notation in AI_ACT_WITH_CHAPEAU else None)
    return f"node{parts[n - 1]}", why


@dataclass(frozen=True)
class Counterpart:
    """Their node for one of our requirements. ``rolled_up`` says why, when their node holds
    ours and more (ours rolls up onto it); None when it is ours exactly."""

    urn: str
    rolled_up: str | None = None


Leaf = Callable[[Requirement], tuple[str, str | None] | None]


def by_ref_id(ref_of: Callable[[Requirement], str | None], exceptions: dict[str, str] | None = None) -> Leaf:
    """A leaf rule for a library whose URN leaf is its ref_id: lowercased by their loader, a
    space as a hyphen (NIST AI RMF), with ``exceptions`` (ref_id -> leaf) where their file
    spells a URN otherwise. Such a node is always ours exactly: no roll-up."""

    def leaf(r: Requirement) -> tuple[str, str | None] | None:
        ref = ref_of(r)
        if ref is None:
            return None
        return (exceptions or {}).get(ref, ref.lower().replace(" ", "-")), None

    return leaf


@dataclass(frozen=True)
class TheirFramework:
    """A framework CISO Assistant ships, and how our ids find their nodes: ``leaf_of`` gives
    our requirement's URN leaf in their library and, where ours rolls up onto a coarser node
    of theirs, why (None where their node is ours exactly); None where they have no node."""

    slug: str
    library_urn: str
    framework_urn: str
    source_file: str
    leaf_of: Leaf

    @property
    def node_prefix(self) -> str:
        return self.framework_urn.replace(":framework:", ":req_node:", 1) + ":"

    def counterpart(self, r: Requirement) -> Counterpart | None:
        found = self.leaf_of(r)
        return None if found is None else Counterpart(self.node_prefix + found[0], found[1])

    def node_urn(self, r: Requirement) -> str | None:
        found = self.counterpart(r)
        return None if found is None else found.urn


THEIRS = {
    f.slug: f
    for f in (
        TheirFramework("soc2", "urn:intuitem:risk:library:soc2-2017-rev-2022",
                       "urn:intuitem:risk:framework:soc2-2017-rev-2022", "soc2_2017_with_rev_2022.yaml",
                       # their only point of focus whose URN drops a letter of its ref_id
                       by_ref_id(_soc2_ref, {"CC6.5.1": "c6.5.1"})),
        TheirFramework("iso42001", "urn:intuitem:risk:library:iso42001-2023",
                       "urn:intuitem:risk:framework:iso42001-2023", "iso42001-2023.yaml", _iso42001_leaf),
        TheirFramework("iso27001", "urn:intuitem:risk:library:iso27001-2022",
                       "urn:intuitem:risk:framework:iso27001-2022", "iso27001-2022.yaml", by_ref_id(_iso27001_ref)),
        TheirFramework("dpdp-act", "urn:intuitem:risk:library:india-dpdpa-2023",
                       "urn:intuitem:risk:framework:india-dpdpa-2023", "india-dpdpa-2023.yaml",
                       by_ref_id(_dpdp_act_ref)),
        TheirFramework("nist-ai-rmf", "urn:intuitem:risk:library:nist-ai-rmf-1.0",
                       "urn:intuitem:risk:framework:nist-ai-rmf-1.0", "nist-ai-rmf-1.0.yaml",
                       by_ref_id(_nist_ai_rmf_ref)),
        TheirFramework("eu-ai-act", "urn:intuitem:risk:library:ai-act", "urn:intuitem:risk:framework:ai-act",
                       "ai-act.yaml", _ai_act_leaf),
    )
}

RULES_LIBRARY_URN = urn("library", RULES_REF)
RULES_FRAMEWORK_URN = urn("framework", RULES_REF)


def rules_node_urn(notation: str) -> str:
    """Our URN for a DPDP Rules requirement: ``R7(2)(b)`` -> ``...:req_node:dpdp-rules-2025:r7(2)(b)``."""
    return urn("req_node", RULES_REF, notation.lower())


def counterpart(r: Requirement) -> Counterpart | None:
    """The CISO Assistant node of one of our requirements, or None where their library has no node for it."""
    if r.slug == "dpdp-rules":
        return Counterpart(rules_node_urn(r.notation))
    if r.slug in THEIRS:
        return THEIRS[r.slug].counterpart(r)
    return None


def no_counterpart_reason(r: Requirement) -> str:
    """Why one of our requirements has no node in their library (for the export's ``left_out``)."""
    if r.slug == "eu-ai-act" and r.notation in AI_ACT_INSERTED_2026:
        return INSERTED_2026
    if r.slug == "eu-ai-act" and r.notation in AI_ACT_CHANGED_2026:
        return f"not in their library as amended: {AI_ACT_CHANGED_2026[r.notation]}"
    return "their library has no node for it"


def requirement_urn(r: Requirement) -> str | None:
    """The CISO Assistant URN of one of our requirements, or None where their library has no node for it."""
    found = counterpart(r)
    return None if found is None else found.urn


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
    rolled_up: list[dict[str, Any]] = field(default_factory=list)
    skipped_sets: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"files": self.files, "left_out": self.left_out, "left_out_count": len(self.left_out),
                "rolled_up": self.rolled_up, "rolled_up_count": len(self.rolled_up),
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
        one of whose ends has no node in CISO Assistant's library, with which end and why, or whose
        roll-up leaves no relationship), ``rolled_up`` (every row written onto a coarser
        node of theirs: our relationship, the one written, their URNs, and whether it was
        merged into another row on the same pair) and ``skipped_sets`` (crosswalks touching
        a framework whose CISO Assistant ids are not in ``THEIRS``).
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
        library, left_out, rolled_up = mapping_library(identifier, rows, catalog, version)
        result.left_out += left_out
        result.rolled_up += rolled_up
        written = len(library["objects"]["requirement_mapping_sets"][0]["requirement_mappings"])
        write(f"mapping-{identifier}.yaml", library,
              {"requirement_mappings": written, "left_out": len(left_out), "rolled_up": len(rolled_up)})
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
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """One curated requirement crosswalk as a CISO Assistant mapping library, the rows left
    out and the rows written onto a coarser node of theirs (rolled up).

    A row whose end rolls up (their node holds ours and more, see ``Counterpart``) is
    composed with that containment by IR 8477 (``attestgraph.relationships.compose``): a
    rolled-up source reads "theirs superset-of ours, ours REL target", a rolled-up target
    "source REL ours, ours subset-of theirs"; where the chain says nothing the row is left out.
    Rows that land on one pair of their nodes are written once: the strongest claim
    (relationship, then strength) is kept and the others named in its annotation.
    """
    rows = list(rows)
    first = rows[0]
    source = catalog.by_iri[first["from"]].slug
    target = catalog.by_iri[first["to"]].slug
    source_library, source_framework = framework_urns(source)
    target_library, target_framework = framework_urns(target)
    ref = f"mapping-{identifier}"
    by_pair: dict[tuple[str, str], dict[str, Any]] = {}
    kept: dict[tuple[str, str], tuple[str, dict[str, Any] | None]] = {}  # per pair: the kept row, its report entry
    merged: dict[tuple[str, str], list[str]] = {}  # per pair: the rows merged into it, in our ids
    left_out: list[dict[str, Any]] = []
    rolled_up: list[dict[str, Any]] = []
    for row in rows:
        a, b = catalog.by_iri[row["from"]], catalog.by_iri[row["to"]]
        a_node, b_node = counterpart(a), counterpart(b)
        ours = v.keyword(row["rel"])
        if a_node is None or b_node is None:
            missing = [r.ref for r, n in ((a, a_node), (b, b_node)) if n is None]
            left_out.append({"set": identifier, "from": a.ref, "to": b.ref, "relationship": ours,
                             "no_counterpart": missing,
                             "why": {r.ref: no_counterpart_reason(r) for r, n in ((a, a_node), (b, b_node))
                                     if n is None}})
            continue
        why = "; ".join(note for note in (a_node.rolled_up, b_node.rolled_up) if note)
        relationship = rolled_up_relationship(row["rel"], a_node, b_node)
        if relationship is None:
            left_out.append({"set": identifier, "from": a.ref, "to": b.ref, "relationship": ours,
                             "no_counterpart": [], "rolled_up": f"{why}: nothing follows by IR 8477"})
            continue
        written = v.keyword(relationship)
        annotation = f"{row['reason']} Source: {row['source']}."
        entry: dict[str, Any] | None = None
        if why:
            annotation += (f" Rolled up onto a coarser node of theirs ({why}): our row reads {a.ref} {ours} {b.ref}, "
                           f"which holds on their nodes as {written} (IR 8477 composition).")
            entry = {"set": identifier, "from": a.ref, "to": b.ref, "relationship": ours, "written": written,
                     "source_urn": a_node.urn, "target_urn": b_node.urn, "merged": False}
            rolled_up.append(entry)
        mapping = {
            "source_requirement_urn": a_node.urn,
            "target_requirement_urn": b_node.urn,
            "relationship": RELATIONSHIP[written],
            "rationale": RATIONALE[v.keyword(row["rat"])],
            "strength_of_relationship": int(row["strength"]),
            "annotation": annotation,
        }
        pair = (a_node.urn, b_node.urn)
        said = f"{a.ref} {ours} {b.ref} (strength {row['strength']})"
        if pair not in by_pair:
            by_pair[pair], kept[pair] = mapping, (said, entry)
            continue
        # Two of our rows on one pair of theirs (only after a roll-up): one row, the strongest
        # claim; the others are named in its annotation and marked merged in the report.
        if _claim(mapping) > _claim(by_pair[pair]):
            loser, loser_entry = kept[pair]
            by_pair[pair], kept[pair] = mapping, (said, entry)
        else:
            loser, loser_entry = said, entry
        merged.setdefault(pair, []).append(loser)
        if loser_entry is not None:
            loser_entry["merged"] = True
    for pair, others in merged.items():
        by_pair[pair] = dict(by_pair[pair], annotation=f"{by_pair[pair]['annotation']} Also rolled up onto this "
                             f"pair: {'; '.join(others)}.")
    mappings = list(by_pair.values())
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
    return library, left_out, rolled_up


def rolled_up_relationship(relationship: str, source: Counterpart, target: Counterpart) -> str | None:
    """What "ours REL target" says between their nodes, where either end rolls up onto a
    node of theirs that holds ours and more: the chain "theirs superset-of ours, ours REL
    target" (a rolled-up source) and "... REL ours, ours subset-of theirs" (a rolled-up
    target) composed by IR 8477; None where nothing follows."""
    found: str | None = relationship
    if source.rolled_up and found is not None:
        found = compose(SUP, found)
    if target.rolled_up and found is not None:
        found = compose(found, SUB)
    return found


def _claim(mapping: dict[str, Any]) -> tuple[int, int]:
    """How much a written row claims (the project's relationship rank, then strength), to keep
    the strongest of the rows that land on one pair."""
    iri = {RELATIONSHIP[v.keyword(r)]: r for r in RELATIONSHIPS}[mapping["relationship"]]
    return RELATIONSHIP_RANK[iri], mapping["strength_of_relationship"]


#: Set relationships read the other way (IR 8477: a subset of b is b superset of a).
REVERTED = {"subset": "superset", "superset": "subset", "equal": "equal", "intersect": "intersect",
            "not_related": "not_related"}


def revert(mapping: dict[str, Any]) -> dict[str, Any]:
    """One mapping read from its target to its source; rationale, strength and reason hold."""
    return dict(mapping, source_requirement_urn=mapping["target_requirement_urn"],
                target_requirement_urn=mapping["source_requirement_urn"],
                relationship=REVERTED[mapping["relationship"]])
