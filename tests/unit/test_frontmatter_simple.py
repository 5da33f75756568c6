"""frontmatter_simple reads common headers as the YAML loader would, or leaves them to it."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gettimes.diagnostics import Report
from gettimes.frontmatter import _construct_scalar, _parse_yaml, node_line, parse_document
from gettimes.frontmatter_simple import simple_mapping

DEMO_ARTICLES = Path(__file__).parents[2] / "content" / "articles"


def _by_yaml(header: str) -> tuple[str, dict[str, int]] | None:
    """The YAML loader's values (as their repr, which tells 1 from True and text from dates)
    and the line of each key's first mention; None when YAML refuses the header."""
    parsed = _parse_yaml(header, 1, "a.md", Report())
    if parsed is None:
        return None
    values, key_nodes = parsed
    lines: dict[str, int] = {}
    for node in key_nodes:
        lines.setdefault(str(node.value), node_line(header, node) - 1)
    return repr(values), lines


def _simple(header: str) -> tuple[str, dict[str, int]] | None:
    read = simple_mapping(header, _construct_scalar)
    return None if read is None else (repr(read[0]), read[1])


def _assert_read_as_yaml_reads(header: str) -> None:
    simple = _simple(header)
    if simple is not None:
        assert simple == _by_yaml(header), header


TYPICAL = """title: "Record Gas Closes Final Forecast Plan"
date: 2023-03-16 20:00:34+09:00
updated: 2023-03-18
category: Arts&Culture
tags:
  - "NE"
  - Rising Profit
  - '투자'
author: LEE YEON-SIL
featured: true
image: /images/2023/03/record-gas.jpg
# a note for the desk
slug: record-gas-closes-final"""


def test_a_typical_header_is_read_without_the_yaml_parser() -> None:
    read = simple_mapping(TYPICAL, _construct_scalar)
    assert read is not None
    values, lines = read
    assert values["tags"] == ["NE", "Rising Profit", "투자"]
    assert values["date"].isoformat() == "2023-03-16T20:00:34+09:00"
    assert values["featured"] is True
    assert lines["slug"] == 12
    assert _simple(TYPICAL) == _by_yaml(TYPICAL)


def test_flow_lists_are_read_without_the_yaml_parser() -> None:
    header = "tags: [\"Annual Alliance\", Volatile Tariff, 'it''s', 2025]\nauthor: A, B"
    assert _simple(header) is not None
    assert _simple(header) == _by_yaml(header)


def test_a_document_read_either_way_is_the_same() -> None:
    text = f"\n---\n{TYPICAL}\n---\n\nBody *text*.\n"
    simple = parse_document(text, "a.md", Report())
    assert simple is not None and simple.key_nodes is None  # read without the YAML parser
    assert (simple.body, simple.body_line, simple.header_line) == ("\nBody *text*.\n", 17, 3)
    assert simple.line_of("slug") == 15 and simple.line_of("nothing") == 2
    yaml_read = _by_yaml(simple.header)
    assert yaml_read is not None and repr(simple.meta) == yaml_read[0]


@pytest.mark.parametrize("header", [
    "title: a: b",  # a mapping where none may be: YAML's error
    "title: x # note",
    "title: x:",
    "tags:\n  - x:",
    "title: x\n  continued",
    "title: |\n  block",
    "title: >\n  folded",
    "title: &a x\nslug: *a",
    "title: !!str 12",
    'title: "a \\" b"',
    "title: 'a' b",
    "tags: [a, [b]]",
    "tags: [a, ]",
    "tags: [a: b]",
    "tags: [a,\n  b]",
    "tags: {a: b}",
    "tags:\n  - a\n - b",
    "tags:\n  - a\n    b",
    "tags:\n  - a: b",
    "tags:\n  -",
    "tags:\n  - - a",
    "title: x\ntitle: y",
    "on: x",
    "true: x",
    "title:\tx",
    "title: a\u2028b",
    "title: a\x85b",
    "title: \ufeffx",
    "- a\n- b",
    "  title: x",
    "title: <<",
    "title: =",
    "%YAML 1.1",
    "title: -1",
    "title: ? x",
    "title:x",
])
def test_headers_outside_the_simple_ones_are_left_to_yaml(header: str) -> None:
    assert _simple(header) is None


@pytest.mark.parametrize("header", [
    "title: 2025-02-30",  # no real date: text, as SafeLoader keeps it
    "title: 12:30:00",  # sexagesimal: an int in YAML 1.1
    "a: 012\nb: 0x1F\nc: 1_000\nd: 0b101\ne: +12\nf: 1.5e+3\ng: .inf\nh: .NaN\ni: 1e3",
    "a: ~\nb: null\nc: Null\nd:\ne: NULL",
    "a: yes\nb: No\nc: on\nd: OFF\ne: True\nf: y\ng: n",
    "a: C#\nb: x:y\nc: a [b] {c}, d\nd: say \"hi\"\ne: it's\nf: K-League\ng: S&P 500",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2001-12-14 21:59:43.10 -5\nc: 2002-12-14",
    "tags:\n- a\n- b\n\ntitle: x",
    "tags:\n  # the desk's\n  - a\n\n  - b\nslug: s",
    "tags: [a,]\ncats: [a, b,]\nslug: '[a,]'",
    "tags: []\nauthors: [ ]\nkeys: [a,b , 'c, d' ,\"e\"]",
    "title: '  spaced  '\nslug: \"\"",
    "title: \xa0nbsp\xa0",
    "title:    many   spaces   ",
    "",
    "# only a comment",
])
def test_headers_near_the_edges_read_as_yaml_reads_them(header: str) -> None:
    _assert_read_as_yaml_reads(header)


_KEYS = ["title", "date", "tags", "slug", "og-image", "_x", "on", "yes", "y", "null", "True", "1a", "<<"]
_VALUES = [
    "plain text", "2023-03-16 20:00:34+09:00", "2025-02-30", "2025-06-23", "12", "012", "0x1F", "1_000",
    "1.5", ".inf", "-5", "~", "null", "yes", "No", "on", "true", "12:30:00", "+12", "0o17", "1e3",
    "'single ''quoted'''", "'x' y", '"double"', '"esc \\" x"', '""', "''", "a: b", "a #c", "a#b", "x:",
    "[a, b]", "[a,b]", "[ ]", "[]", "[a, 'b, c', \"d\"]", "[a, ]", "[a: b]", "[-1, 2]", "[1, yes, ~]",
    "[a [b]]", "{a: b}", "&anchor x", "*alias", "!tag x", "|", ">", "%x", "@x", "`x", "- x", "-x", "?x",
    ":x", "K-League", "S&P 500", "투자", "Hello, world", "a [b] {c}", "x ' y", 'x " y', "\xa0nbsp",
    "tab\there", "a\u2028b", "\ufeffbom", "a\x85b", "=", "<<", "a\\b", "#", "x  ", "  x",
]
_COMMON = ["plain text", "2023-03-16 20:00:34+09:00", "[a, \"b c\"]", "'quoted'", "x"]
_VALUE = st.one_of(st.sampled_from(_COMMON), st.sampled_from(_VALUES))  # mostly simple lines around an edge
_LINES = st.one_of(
    st.tuples(st.sampled_from(_KEYS[:5]), st.just(": "), _VALUE).map("".join),
    st.tuples(st.sampled_from(_KEYS), st.sampled_from([": ", ":", ":   ", " : "]), _VALUE).map("".join),
    st.tuples(st.sampled_from(_KEYS), st.just(":")).map("".join),
    st.tuples(st.sampled_from(["", "  ", "    ", " "]), st.sampled_from(["- ", "-", "-  "]), _VALUE).map("".join),
    st.sampled_from(["", "   ", "# a comment", "  # indented comment", "  nested: x", "  continued",
                     "---", "...", "%YAML 1.1"]),
)


_CONTEXTS = ["title: {}", "title:   {}  ", "tags:\n  - {}", "tags:\n- {}\n- x", "tags: [{}]", "tags: [a, {} ,b]",
             "{}: x", "tags:\n  - x\n{}", "title: x\n{}"]


@pytest.mark.parametrize("context", _CONTEXTS)
def test_each_edge_value_in_each_place_reads_as_yaml_reads_it(context: str) -> None:
    for value in [*_VALUES, *_KEYS]:
        _assert_read_as_yaml_reads(context.format(value))


@settings(max_examples=1000, deadline=None)
@given(st.lists(_LINES, max_size=8))
def test_headers_built_near_the_edges_read_as_yaml_reads_them(lines: list[str]) -> None:
    _assert_read_as_yaml_reads("\n".join(lines))


def test_the_demo_articles_read_as_yaml_reads_them() -> None:
    files = sorted(DEMO_ARTICLES.rglob("*.md"))
    simple = 0
    for path in files:
        document = parse_document(path.read_text("utf-8"), path.name, Report())
        assert document is not None, path
        if document.key_nodes is None:
            simple += 1
            assert (repr(document.meta), document._lines) == _by_yaml(document.header), path
    assert simple > len(files) * 0.8  # the common headers take the quick way
