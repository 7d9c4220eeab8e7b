"""The relationship vocabulary: DESIGN.md's composition table cell by cell, inverses,
and the one rule for when a link counts."""

from __future__ import annotations

import pytest

from attestgraph import vocabulary as v
from attestgraph.relationships import (
    COMPOSITION,
    COMPOSITION_REASONS,
    EQ,
    INT,
    INVERSE,
    NOT,
    PARTIAL_MIN_STRENGTH,
    SUB,
    SUP,
    compose,
    counts,
)

# DESIGN.md's table, row by row (r1 \ r2 in the order equal, subset, superset,
# intersects, not-related); None is its "—".
ORDER = (EQ, SUB, SUP, INT, NOT)
TABLE = [
    (EQ, SUB, SUP, INT, NOT),
    (SUB, SUB, None, None, NOT),
    (SUP, INT, SUP, INT, None),
    (INT, INT, None, None, None),
    (NOT, None, NOT, None, None),
]
CELLS = [(r1, r2, TABLE[i][j]) for i, r1 in enumerate(ORDER) for j, r2 in enumerate(ORDER)]


@pytest.mark.parametrize("first, second, expected", CELLS, ids=[f"{v.keyword(a)}.{v.keyword(b)}" for a, b, _ in CELLS])
def test_composition_table_cell(first, second, expected):
    assert compose(first, second) == expected


def test_the_table_has_25_cells_each_with_its_reason():
    assert len(CELLS) == 25 == len(COMPOSITION) == len(COMPOSITION_REASONS)
    for cell, result in COMPOSITION.items():
        reason = COMPOSITION_REASONS[cell]
        assert reason.endswith(".")
        assert ("nothing follows" in reason) == (result is None), cell


def test_reading_a_chain_backwards_gives_the_inverse():
    # a r1 p r2 b read from b is b inv(r2) p inv(r1) a: the result must be inv(result).
    for (r1, r2), result in COMPOSITION.items():
        back = compose(INVERSE[r2], INVERSE[r1])
        assert back == (INVERSE[result] if result else None), (r1, r2)


def test_a_link_counts_when_related_and_strong_enough():
    assert counts(INT, PARTIAL_MIN_STRENGTH) and counts(SUP, 10)
    assert not counts(INT, PARTIAL_MIN_STRENGTH - 1)
    # Not related says the source does none of the target's work, whatever the strength.
    assert not counts(NOT, 10)
    assert counts(SUB, 3, threshold=3) and not counts(NOT, 3, threshold=0)
