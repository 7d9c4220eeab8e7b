"""Untrusted JSON and YAML are measured before they are built (issue 12.5, 12.6)."""

from __future__ import annotations

import pytest
import yaml

from attestgraph.errors import EngagementError
from attestgraph.queries.engagement.documents import MAX_ALIASES, MAX_DEPTH, load_json, load_yaml


def test_json_nested_beyond_the_bound_is_refused_with_its_line():
    with pytest.raises(EngagementError, match="nests 1000 levels"):
        load_json("[" * 1000 + "]" * 1000)
    assert load_json('{"a": [[["x"]]], "b": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}')["a"] == [[["x"]]]


def test_json_syntax_errors_name_line_and_column():
    with pytest.raises(EngagementError, match="line 2, column"):
        load_json('{"a": 1,\n "b": }')


def test_yaml_nested_beyond_the_bound_is_refused():
    with pytest.raises(EngagementError, match=f"more than {MAX_DEPTH} levels"):
        load_yaml("[" * 1000 + "]" * 1000)
    nested = "a:\n" + "".join("  " * i + f"  k{i}:\n" for i in range(40)) + "  " * 41 + "v"
    with pytest.raises(EngagementError, match="levels"):
        load_yaml(nested)


def test_billion_laughs_is_refused_before_it_is_built():
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "\n".join(lines)
    assert len(text) < 5000
    with pytest.raises(EngagementError, match="aliases|expands"):
        load_yaml(text)


def test_a_few_aliases_are_fine():
    document = load_yaml("base: &b {x: 1}\none: *b\ntwo: *b\n")
    assert document == {"base": {"x": 1}, "one": {"x": 1}, "two": {"x": 1}}
    many = "base: &b 1\n" + "".join(f"k{i}: *b\n" for i in range(MAX_ALIASES + 1))
    with pytest.raises(EngagementError, match="aliases"):
        load_yaml(many)


def test_yaml_syntax_errors_stay_yaml_errors():
    with pytest.raises(yaml.YAMLError):
        load_yaml("a: [1, 2\nb: 3")


def test_the_engagement_loader_uses_the_bounds():
    from attestgraph.queries.engagement.file import parse_engagement_text

    with pytest.raises(EngagementError, match="levels"):
        parse_engagement_text("[" * 5000 + "]" * 5000, "file.yaml")
