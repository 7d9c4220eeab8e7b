"""Reading untrusted JSON and YAML documents within bounds, before they are built.

An engagement arrives from a file or an HTTP body. Decoding it naively lets a small
input cost a great deal: JSON or YAML nested 1,000+ deep exhausts Python's stack
(RecursionError), and a 4.7 KB YAML of nested aliases ("billion laughs") expands to
tens of MB. So both formats are measured first, on the text (JSON) or on the YAML
event stream (no Python object is built), and refused with a one-line
:class:`~attestgraph.errors.EngagementError` naming the line when they exceed:

- :data:`MAX_CHARS` characters;
- :data:`MAX_DEPTH` levels of nesting;
- (YAML) :data:`MAX_ALIASES` aliases, or :data:`MAX_NODES` nodes once every alias
  is expanded (an engagement needs none: the bound only admits a hand-written file
  that reuses a few blocks).

A YAML syntax error is raised as :class:`yaml.YAMLError` for the caller to word.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

from attestgraph.errors import EngagementError

MAX_CHARS = 2_000_000
MAX_DEPTH = 32
MAX_ALIASES = 32
MAX_NODES = 50_000


def _too_big(source: str, where: str, message: str) -> EngagementError:
    return EngagementError(source, where, message)


def json_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of arrays and objects in JSON ``text`` and the line where it
    is first reached; brackets inside strings do not count."""
    depth = deepest = 0
    line = deepest_line = 1
    in_string = escaped = False
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif char in "]}":
            depth -= 1
    return deepest, deepest_line


def load_json(text: str, source: str = "body") -> Any:
    """Decode a JSON document within the bounds; errors name the line and column."""
    if len(text) > MAX_CHARS:
        raise _too_big(source, "(document)", f"the document is {len(text)} characters; at most {MAX_CHARS} are read")
    deepest, line = json_depth(text)
    if deepest > MAX_DEPTH:
        raise _too_big(source, f"line {line}", f"the document nests {deepest} levels deep; at most {MAX_DEPTH} are read")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise EngagementError(source, f"line {exc.lineno}, column {exc.colno}", f"not valid JSON: {exc.msg}") from None
    except RecursionError:  # unreachable within MAX_DEPTH; kept so no input is ever a traceback
        raise _too_big(source, "(document)", "the document nests too deeply") from None


def check_yaml(text: str, source: str = "engagement") -> None:
    """Measure a YAML document on its event stream; raise :class:`EngagementError` past a bound."""
    if len(text) > MAX_CHARS:
        raise _too_big(source, "(document)", f"the document is {len(text)} characters; at most {MAX_CHARS} are read")
    depth = aliases = nodes = 0
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, aliases expanded
    open_nodes: list[tuple[str | None, int]] = []  # (anchor, node count when it opened)
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = f"line {event.start_mark.line + 1}" if event.start_mark else "(document)"
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_big(source, line, f"the document nests more than {MAX_DEPTH} levels deep")
            open_nodes.append((event.anchor, nodes))
            nodes += 1
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            anchor, start = open_nodes.pop()
            if anchor is not None:
                sizes[anchor] = nodes - start
        elif isinstance(event, yaml.ScalarEvent):
            nodes += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise _too_big(source, line, f"the document uses more than {MAX_ALIASES} aliases")
            nodes += sizes.get(event.anchor or "", 1)  # an alias to an unfinished anchor is an error the loader reports
        if nodes > MAX_NODES:
            raise _too_big(source, line, f"the document expands to more than {MAX_NODES} values (aliases included)")


def load_yaml(text: str, source: str = "engagement") -> Any:
    """Decode a YAML document (safe tags only) once it is known to be within the bounds."""
    check_yaml(text, source)
    return yaml.safe_load(text)
