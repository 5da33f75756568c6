"""Read common YAML front matter without the YAML parser, giving the values it would.

Most article headers are `key: value` lines: plain or quoted text, a date, a list of
tags written `[a, b]` or as `- a` lines. PyYAML's C parser calls back into Python to
resolve every scalar's type, and that made up most of the time of reading a header.
This reader takes such headers a line at a time and resolves each plain scalar with
YAML's own resolver and constructors, so a value comes out as YAML would give it.

Anything else (nested mappings, multi-line or escaped strings, anchors, tags, block
scalars, comments after a value, repeated keys, tabs or characters YAML treats
specially) gives None, and the header goes through the YAML parser as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

_KEY_LINE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +(.*))?")
_ITEM_LINE = re.compile(r"( *)-(?: +(.*))?")
_DOUBLE_QUOTED = re.compile(r'"([^"\\]*)"')
_SINGLE_QUOTED = re.compile(r"'((?:[^']|'')*)'")
# A flow sequence item: quoted, or plain text without the characters that mean something there.
_FLOW_ITEM = re.compile(r""" *(?:"([^"\\]*)"|'((?:[^']|'')*)'|([^-?:,\[\]{}#&*!|>'"%@` ][^,\[\]{}:#]*?)) *(,|$)""")
# Plain text may not start with an indicator character (some would be fine, followed by text: not worth it).
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
# Anything but line feeds and the characters YAML reads as printable, not as line breaks, and not as a
# byte order mark: tabs, carriage returns, controls, NEL, U+2028/U+2029, U+FEFF and surrogates.
_UNUSUAL = re.compile("[^\n -~\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_STR = "tag:yaml.org,2002:str"
# The other types a plain scalar may resolve to (not `<<` nor `=`, which only YAML's parser may read).
CONSTRUCTED = frozenset(f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp"))

Construct = Callable[[str, str], Any]  # a plain scalar's value from its resolved tag and its text
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers  # YAML's patterns by first character
_STR_KEYS: set[str] = set()  # keys known to read as text


def simple_mapping(header: str, construct: Construct) -> tuple[dict[str, Any], dict[str, int]] | None:
    """The values of a common front matter header and the 0-based line of each key, as the
    YAML parser would give them; None for a header outside what this reads. `construct`
    makes the value of a plain scalar whose tag is in `CONSTRUCTED`, as the YAML loader does."""
    if _UNUSUAL.search(header):
        return None
    values: dict[str, Any] = {}
    lines: dict[str, int] = {}
    open_key: str | None = None  # a key with nothing after its colon: its value may be a `- item` list
    items: list[Any] | None = None
    indent = -1
    for number, line in enumerate(header.split("\n")):
        text = line.rstrip(" ")
        if not text or text.lstrip(" ").startswith("#"):
            continue
        if open_key is not None:
            item = _ITEM_LINE.fullmatch(text)
            if item is not None and (items is None or len(item.group(1)) == indent):
                if items is None:
                    items, indent = [], len(item.group(1))
                    values[open_key] = items
                value = _scalar(item.group(2) or "", construct)
                if value is _NOT_SIMPLE:
                    return None
                items.append(value)
                continue
        found = _KEY_LINE.fullmatch(text)
        if found is None:
            return None  # an indented line (nested or continued), a list item where none may be...
        key, rest = found.group(1), found.group(2)
        if key in values or (key not in _STR_KEYS and _tag(key) != _STR):
            return None
        if len(_STR_KEYS) < 1000:
            _STR_KEYS.add(key)
        lines[key] = number
        if rest is None:
            values[key], open_key, items = None, key, None
            continue
        open_key = None
        value = _flow_sequence(rest, construct) if rest[0] == "[" else _scalar(rest, construct)
        if value is _NOT_SIMPLE:
            return None
        values[key] = value
    return values, lines


_NOT_SIMPLE: Any = object()


def _scalar(text: str, construct: Construct) -> Any:
    """The value of a one-line scalar in block context (`text` without the spaces around it)."""
    if not text:
        return _NOT_SIMPLE  # an empty list item: rare, and YAML's null
    first = text[0]
    if first == '"':
        quoted = _DOUBLE_QUOTED.fullmatch(text)
        return _NOT_SIMPLE if quoted is None else quoted.group(1)
    if first == "'":
        quoted = _SINGLE_QUOTED.fullmatch(text)
        return _NOT_SIMPLE if quoted is None else quoted.group(1).replace("''", "'")
    if first in _INDICATORS or ": " in text or " #" in text or text[-1] == ":":
        return _NOT_SIMPLE
    return _plain(text, construct)


def _flow_sequence(text: str, construct: Construct) -> Any:
    """The list a one-line `[a, "b", 'c']` holds, when each item is a scalar."""
    if text[-1] != "]":
        return _NOT_SIMPLE
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    values: list[Any] = []
    position = 0
    while position < len(inner):
        item = _FLOW_ITEM.match(inner, position)
        if item is None:
            return _NOT_SIMPLE
        double, single, plain, _ = item.groups()
        value = double if double is not None else single.replace("''", "'") if single is not None \
            else _plain(plain, construct)
        if value is _NOT_SIMPLE:
            return _NOT_SIMPLE
        values.append(value)
        position = item.end()
    return values


def _plain(text: str, construct: Construct) -> Any:
    """A plain scalar's value: text, or what YAML's resolver reads it as (a date, a number...)."""
    tag = _tag(text)
    if tag == _STR:
        return text
    return construct(tag, text) if tag in CONSTRUCTED else _NOT_SIMPLE


def _tag(text: str) -> str:
    """The tag YAML's resolver gives a plain scalar (`Resolver.resolve`, whose steps these are)."""
    for tag, pattern in (*_IMPLICIT.get(text[0], ()), *_IMPLICIT.get(None, ())):
        if pattern.match(text):
            return str(tag)
    return _STR
