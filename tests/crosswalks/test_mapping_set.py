"""Reading crosswalk TSVs: every fault names the file, the line and the field."""

from __future__ import annotations

import pytest

from attestgraph.crosswalks.mapping_set import read_mapping_set
from attestgraph.errors import DataFileSyntaxError

HEADER = """# mapping_set_id: x-y
# title: t
# from_set: x
# to_set: y
# author: a
# date: 2024-01-01
# license: CC0-1.0
# method: m
from\tto\trelationship\trationale\tstrength\treason\tsource_kind\tsource
"""


def write(tmp_path, body: str, name: str = "x-y.tsv"):
    path = tmp_path / name
    path.write_text(HEADER + body)
    return path


def test_reads_rows_with_line_numbers(tmp_path):
    parsed = read_mapping_set(write(tmp_path, "x:1\ty:1\tequal\tsyntactic\t10\tSame.\tstructural\tHS\n"))
    assert parsed.set_id == "x-y"
    assert parsed.rows[0].line == 10 and parsed.rows[0].strength == 10


@pytest.mark.parametrize(
    "row, expected",
    [
        ("x:1\ty:1\tsame-as\tsyntactic\t10\tr\tstructural\ts\n", "field 'relationship' is 'same-as'"),
        ("x:1\ty:1\tequal\tvibes\t10\tr\tstructural\ts\n", "field 'rationale' is 'vibes'"),
        ("x:1\ty:1\tequal\tsyntactic\t7\tr\tstructural\ts\n", "does not fit relationship 'equal'"),
        ("x:1\ty:1\tnot-related\tsemantic\t3\tr\tjudgement\ts\n", "does not fit relationship 'not-related'"),
        ("x:1\ty:1\tsubset-of\tsemantic\t10\tr\tjudgement\ts\n", "does not fit relationship 'subset-of'"),
        ("x:1\ty:1\tsubset-of\tsemantic\tseven\tr\tjudgement\ts\n", "expected an integer 0-10"),
        ("x:1\ty:1\tsubset-of\tsemantic\t5\t\tjudgement\ts\n", "field 'reason' is empty"),
        ("x:1\ty:1\tsubset-of\tsemantic\t5\tr\tjudgement\n", "expected 8 tab-separated fields"),
        ("x:1\ty:1\tsubset-of\tsemantic\t5\tr\tguess\ts\n", "field 'source_kind' is 'guess'"),
    ],
)
def test_bad_rows_are_refused_with_line_and_field(tmp_path, row, expected):
    with pytest.raises(DataFileSyntaxError) as caught:
        read_mapping_set(write(tmp_path, row))
    assert str(caught.value).startswith(f"{tmp_path / 'x-y.tsv'}:10: ")
    assert expected in str(caught.value)


def test_duplicate_pair_names_the_first_line(tmp_path):
    row = "x:1\ty:1\tsubset-of\tsemantic\t5\tr\tjudgement\ts\n"
    with pytest.raises(DataFileSyntaxError, match=r"x-y.tsv:11: x:1 -> y:1 repeats line 10"):
        read_mapping_set(write(tmp_path, row + row))


def test_set_id_must_match_file_name(tmp_path):
    with pytest.raises(DataFileSyntaxError, match="must equal the file name 'other'"):
        read_mapping_set(write(tmp_path, "", name="other.tsv"))


def test_a_byte_that_is_not_utf8_names_file_and_line(tmp_path):
    path = tmp_path / "x-y.tsv"
    path.write_bytes(HEADER.encode() + b"control:A\tx:1\tequal\tsemantic\t10\tsame caf\xe9\tdoc\tx\n")
    with pytest.raises(DataFileSyntaxError) as caught:
        read_mapping_set(path)
    assert str(caught.value).startswith(f"{path}:10:")
    assert "not UTF-8" in str(caught.value) and "0xe9" in str(caught.value)
