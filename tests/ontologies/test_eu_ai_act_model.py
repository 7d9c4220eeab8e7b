"""The EU AI Act model: its counts and ids, who bears each duty, fines, and dates as amended."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from attestgraph.graph.store import GraphStore
from attestgraph.queries.catalog import Catalog

EU = "<https://w3id.org/attestgraph/id/eu-ai-act>"


# The merged model (review and amendment sections): 39 articles, 110 paragraphs, 204 leaves (the
# review's 177 and the amendment section's 29 new leaves, Art. 53(2) and 54(6) counted once). Then
# eu-finish: +1 article (Art. 4a, inserted by Regulation (EU) 2026/1744, Art. 1(6)), +2 of its
# paragraphs, -1 paragraph (Art. 10(5), deleted by Art. 1(9)(b)), +7 paragraphs behind the new
# engagement facts (Art. 12(3), 14(5), 22(2), 26(8), 26(10), 49(3), 54(2)): 204 + 2 - 1 + 7 = 212 leaves.
CHAPTERS, ARTICLES, PARAGRAPHS, POINTS, ANNEXES, ANNEXPOINTS = 8, 40, 118, 61, 5, 41
LEAVES = 212


@pytest.fixture(scope="module")
def catalog(shipped_store: GraphStore) -> Catalog:
    return Catalog(shipped_store)


def test_counts_by_level_and_leaves(catalog: Catalog) -> None:
    requirements = catalog.requirements("eu-ai-act")
    # The end section ("amendment and routes") adds Chapter XIII and Art. 111, seven paragraphs
    # (Art. 6(1), 6(2), 43(3), 53(2), 54(6), 99(6a), 111(4)), three points (Art. 5(1)(ba), (bb),
    # 99(4)(da)), and Annex I with its two sections and twenty points (2 to 21, as amended).
    assert Counter(r.level for r in requirements) == {
        "chapter": CHAPTERS, "article": ARTICLES, "paragraph": PARAGRAPHS, "point": POINTS, "annex": ANNEXES,
        "annex point": ANNEXPOINTS,
    }
    # 128 leaves at first; the provision review added 33 duty paragraphs and split Art. 14(4) and 17(1)
    # into their 5 and 13 points (+18 points, -2 paragraph leaves); the amendment section added
    # the provisions of Regulation (EU) 2026/1744, the Art. 6 routes and Annex I as amended.
    assert sum(1 for r in requirements if r.leaf) == LEAVES


def test_official_ids_as_cited(catalog: Catalog) -> None:
    notations = {r.notation for r in catalog.requirements("eu-ai-act")}
    assert {f"Art. 5(1)({p})" for p in "abcdefgh"} <= notations
    assert {f"Art. 9(2)({p})" for p in "abcd"} <= notations
    assert {f"Art. 16({p})" for p in "abcdefghijkl"} <= notations
    assert {f"Art. 53(1)({p})" for p in "abcd"} <= notations
    assert {f"Annex III({i})" for i in range(1, 9)} <= notations
    assert {f"Annex IV({i})" for i in range(1, 10)} <= notations
    assert {"Art. 4", "Art. 17(1)", "Art. 27(1)", "Art. 50(2)", "Art. 73(4)"} <= notations
    assert {"Annex XI Section 1", "Annex XI Section 2", "Annex XII"} <= notations
    # Added by the provision review against the OJ text.
    assert {f"Art. 14(4)({p})" for p in "abcde"} <= notations
    assert {f"Art. 17(1)({p})" for p in "abcdefghijklm"} <= notations
    assert {f"Art. 23({i})" for i in range(1, 8)} | {f"Art. 24({i})" for i in range(1, 7)} <= notations
    assert {"Art. 9(8)", "Art. 12(2)", "Art. 20(2)", "Art. 21(2)", "Art. 26(9)", "Art. 26(12)", "Art. 27(2)",
            "Art. 43(4)", "Art. 53(3)", "Art. 86(1)", "Art. 91(5)", "Art. 92(5)"} <= notations
    assert not {"Art. 26(3)", "Art. 26(13)", "Art. 14(4)(f)", "Art. 17(1)(n)"} & notations  # no such duty in the OJ
    assert catalog.by_ref["eu-ai-act:Art. 14(4)(e)"].parent == "Art. 14(4)"
    assert catalog.by_ref["eu-ai-act:Art. 9(2)(a)"].parent == "Art. 9(2)"


def _values(store: GraphStore, predicate: str) -> dict[str, object]:
    rows = store.query(f"SELECT ?n ?v WHERE {{ ?r skos:inScheme {EU} ; skos:notation ?n ; {predicate} ?v }}").records()
    return {str(row["n"]): row["v"] for row in rows}


def _bearers(store: GraphStore) -> dict[str, set[str]]:
    """The roles each provision names itself as binding (``ag:bearer``, not inherited), by notation."""
    rows = store.query(
        f"SELECT ?n ?b WHERE {{ ?r skos:inScheme {EU} ; skos:notation ?n ; ag:bearer/rdfs:label ?b }}"
    ).records()
    bearers: dict[str, set[str]] = {}
    for row in rows:
        bearers.setdefault(str(row["n"]), set()).add(str(row["b"]))
    return bearers


def _dates(store: GraphStore) -> dict[str, dt.date]:
    """Each dated provision's date of application (``ag:effectiveFrom``), by notation."""
    return {n: dt.date.fromisoformat(str(d)) for n, d in _values(store, "ag:effectiveFrom").items()}


def _date_changes(store: GraphStore) -> dict[str, tuple[str, str]]:
    """Each ``ag:DateChange`` record: the provision's notation -> (previous date, new date)."""
    rows = store.query(
        "SELECT ?n ?old ?new WHERE { ?c a ag:DateChange ; ag:changesDateOf/skos:notation ?n ; "
        "ag:previousDate ?old ; ag:newDate ?new }"
    ).records()
    return {str(r["n"]): (str(r["old"]), str(r["new"])) for r in rows}


def test_fines_with_turnover_alternative_and_sme_rule(shipped_store: GraphStore) -> None:
    eur = _values(shipped_store, "ag:maxPenaltyEUR")
    percent = _values(shipped_store, "ag:maxPenaltyTurnoverPercent")
    cap = _values(shipped_store, "ag:penaltyCap/rdfs:label")
    assert (eur["Art. 99(3)"], percent["Art. 99(3)"], cap["Art. 99(3)"]) == (35_000_000, 7, "whichever is higher")
    assert (eur["Art. 99(4)"], percent["Art. 99(4)"]) == (15_000_000, 3)
    assert (eur["Art. 99(5)"], percent["Art. 99(5)"]) == (7_500_000, 1)
    assert (eur["Art. 101(1)"], percent["Art. 101(1)"]) == (15_000_000, 3)
    assert cap["Art. 99(6)"] == "whichever is lower" and "Art. 99(6)" not in eur
    # Art. 99(4)(b)-(d): authorised representatives, importers, distributors; not the provider's Art. 22(1).
    for notation in ("Art. 22(3)", "Art. 22(4)", "Art. 23", "Art. 24", "Art. 26", "Art. 50"):
        assert (eur[notation], percent[notation], cap[notation]) == (15_000_000, 3, "whichever is higher")
    assert "Art. 22" not in eur and "Art. 22(1)" not in eur and "Art. 27" not in eur and "Art. 4" not in eur
    # Art. 101(1): the Commission's fine on general-purpose AI model providers.
    assert {eur[n] for n in ("Art. 52", "Art. 53", "Art. 55", "Art. 91(5)", "Art. 92(5)")} == {15_000_000}


def test_dates_of_application_as_amended(shipped_store: GraphStore) -> None:
    dates = _dates(shipped_store)
    assert dates["Art. 4"] == dates["Art. 5"] == dt.date(2025, 2, 2)
    assert dates["Art. 53"] == dates["Art. 55"] == dates["Art. 99"] == dt.date(2025, 8, 2)
    assert dates["Art. 50"] == dates["Art. 101"] == dt.date(2026, 8, 2)
    assert dates["Art. 9"] == dates["Art. 26"] == dates["Art. 73"] == dt.date(2027, 12, 2)
    rows = shipped_store.query(
        "SELECT ?n ?old ?new ?act ?status WHERE { ?c a ag:DateChange ; ag:changesDateOf ?r ; ag:previousDate ?old ; "
        "ag:newDate ?new ; ag:amendedBy/dct:identifier ?act ; ag:legalStatus ?status . ?r skos:notation ?n }"
    ).records()
    changes = {str(r["n"]): r for r in rows}
    assert changes["Art. 9"]["old"] == "2026-08-02" and changes["Art. 9"]["new"] == "2027-12-02"
    assert {str(r["act"]) for r in rows} == {"Regulation (EU) 2026/1744"}
    assert {str(r["status"]).rsplit("#", 1)[1] for r in rows} == {"Adopted"}
    assert "Art. 50" not in changes and "Art. 5" not in changes  # not moved by the amendment


def test_bearers_and_risk_classes(shipped_store: GraphStore) -> None:
    bearers = _bearers(shipped_store)
    assert bearers["Art. 26"] == {"AI deployer"} and bearers["Art. 16"] == {"AI provider"}
    assert bearers["Art. 53"] == {"general-purpose AI model provider"}
    assert bearers["Art. 55"] == {"systemic-risk general-purpose AI model provider"}
    assert bearers["Art. 50(3)"] == {"AI deployer"} and bearers["Art. 22(3)"] == {"authorised representative"}
    assert bearers["Art. 5"] == {"AI provider", "AI deployer", "AI importer"}  # importers place on the market
    assert bearers["Art. 54(3)"] == bearers["Art. 22(4)"] == {"authorised representative"}
    assert bearers["Art. 86"] == {"AI deployer"} and bearers["Art. 91"] == {"general-purpose AI model provider"}
    classes = _values(shipped_store, "ag:riskClass/rdfs:label")
    assert classes["Art. 5"] == "prohibited practice" and classes["Art. 50"] == "transparency"
    assert classes["Art. 9"] == "high-risk" and classes["Art. 53"] == "general-purpose AI"


def test_the_amendment_as_adopted(shipped_store: GraphStore, catalog: Catalog) -> None:
    """What Regulation (EU) 2026/1744 changed, as its OJ text reads: the Annex I route moved a year,
    two prohibitions from 2 December 2026, the Art. 50(2) grace for systems already on the market,
    the Art. 43(3) procedure, Annex I amended, and the SMC fine rule."""
    dates = _dates(shipped_store)
    assert dates["Art. 6(2)"] == dt.date(2027, 12, 2) and dates["Art. 6(1)"] == dt.date(2028, 8, 2)
    assert dates["Art. 5(1)(ba)"] == dates["Art. 5(1)(bb)"] == dates["Art. 111(4)"] == dt.date(2026, 12, 2)
    assert dates["Art. 43(3)"] == dt.date(2028, 8, 2) and dates["Art. 50"] == dt.date(2026, 8, 2)
    changes = _date_changes(shipped_store)
    assert changes["Art. 6(1)"] == changes["Art. 43(3)"] == ("2027-08-02", "2028-08-02")
    assert changes["Art. 6(2)"] == ("2026-08-02", "2027-12-02")
    assert "Art. 111(4)" not in changes and "Art. 5(1)(ba)" not in changes  # new provisions, not moved dates
    act = shipped_store.query(
        "SELECT ?oj ?force WHERE { ?a a ag:AmendingAct ; dct:identifier \"Regulation (EU) 2026/1744\" ; "
        "ag:publishedInOJ ?oj ; ag:inForceFrom ?force ; ag:legalStatus ag:Adopted }"
    ).records()
    assert [(str(a["oj"]), str(a["force"])) for a in act] == [("2026-07-24", "2026-07-27")]
    # Annex I as amended: Section A point 1 (the machinery directive) deleted, machinery now point 21 of B.
    notations = {r.notation for r in catalog.requirements("eu-ai-act")}
    assert {f"Annex I({n})" for n in range(2, 22)} <= notations and "Annex I(1)" not in notations
    assert catalog.by_ref["eu-ai-act:Annex I(11)"].parent == "Annex I Section A"
    assert catalog.by_ref["eu-ai-act:Annex I(21)"].parent == "Annex I Section B"
    # Still duties of the company, as adopted: AI literacy (Art. 4) and the Art. 49(2) registration.
    assert _bearers(shipped_store)["Art. 4"] == {"AI provider", "AI deployer"} and "Art. 49(2)" in notations
    kinds = _values(shipped_store, "ag:provisionKind/rdfs:label")
    assert kinds["Art. 53(2)"] == kinds["Art. 54(6)"] == "exemption"
    cap = _values(shipped_store, "ag:penaltyCap/rdfs:label")
    assert cap["Art. 99(6a)"] == "whichever is lower"


def test_exemptions_and_rights_are_not_duties(shipped_store: GraphStore) -> None:
    kinds = _values(shipped_store, "ag:provisionKind/rdfs:label")
    assert kinds["Art. 53(2)"] == kinds["Art. 54(6)"] == "exemption"  # open-source models without systemic risk
    assert kinds["Art. 86(1)"] == "right" and kinds["Art. 26(9)"] == "obligation"


def _definitions(store: GraphStore) -> dict[str, str]:
    return {n: str(v) for n, v in _values(store, "skos:definition").items()}


def test_the_amendments_rewrites_of_existing_provisions(shipped_store: GraphStore, catalog: Catalog) -> None:
    """Regulation (EU) 2026/1744, Art. 1, as it rewrites provisions the file held as published."""
    notations = {r.notation for r in catalog.requirements("eu-ai-act")}
    definitions = _definitions(shipped_store)
    kinds = _values(shipped_store, "ag:provisionKind/rdfs:label")
    # Art. 1(5): Art. 4 is a duty to take measures, with no level to guarantee.
    assert "sufficient level" not in definitions["Art. 4"] and "need not guarantee" in definitions["Art. 4"]
    assert kinds["Art. 4"] == "obligation"
    # Art. 1(9)(b) deletes Art. 10(5); Art. 1(6) moves it to Art. 4a, a permission, not a duty.
    assert "Art. 10(5)" not in notations
    assert {"Art. 4a", "Art. 4a(1)", "Art. 4a(2)"} <= notations
    assert kinds["Art. 4a"] == kinds["Art. 4a(1)"] == kinds["Art. 4a(2)"] == "exemption"
    assert catalog.by_ref["eu-ai-act:Art. 4a"].parent == "Chapter I"
    # Art. 1(7)(a): Art. 5(1) lists the two new points; Art. 1(13)(a): Art. 27(4) only lets the deployer
    # build on its data protection impact assessment.
    assert "(ba) and (bb)" in definitions["Art. 5(1)"]
    assert kinds["Art. 27(4)"] == "exemption" and kinds["Art. 27(1)"] == "obligation"
    # Art. 1(12) and 1(30): the new wording of Art. 25(2), 25(4) and 72(3).
    assert "known limitations and failure modes" in definitions["Art. 25(2)"]
    assert "an AI model" in definitions["Art. 25(4)"]
    assert "2 September 2027" in definitions["Art. 72(3)"]


def test_art_86_is_dated_like_the_other_chapter_iii_dependent_duties(shipped_store: GraphStore) -> None:
    dates = _dates(shipped_store)
    assert dates["Art. 86"] == dates["Art. 72"] == dt.date(2027, 12, 2) and "Art. 86(1)" not in dates
    changes = _date_changes(shipped_store)
    assert changes["Art. 86"] == changes["Art. 72"] == ("2026-08-02", "2027-12-02")


def test_duties_behind_engagement_facts_and_their_bearers(shipped_store: GraphStore, catalog: Catalog) -> None:
    bearers = _bearers(shipped_store)

    def borne(notation: str) -> set[str]:  # the nearest ancestor's bearers hold
        node = catalog.by_ref[f"eu-ai-act:{notation}"]
        while node.notation not in bearers:
            node = catalog.by_ref[f"eu-ai-act:{node.parent}"]
        return bearers[node.notation]

    assert borne("Art. 12(3)") == borne("Art. 14(5)") == borne("Art. 22(2)") == {"AI provider"}
    assert borne("Art. 26(8)") == borne("Art. 49(3)") == borne("Art. 26(10)") == {"AI deployer"}
    assert borne("Art. 49(1)") == {"AI provider"}
    assert borne("Art. 54(2)") == {"general-purpose AI model provider"}

