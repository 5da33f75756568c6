"""Markdown bodies: CommonMark, tables, footnotes, heading anchors, safe links, summaries."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gettimes.markdown import SUMMARY_LENGTH, MarkdownRenderer, shorten

HTML = MarkdownRenderer(allow_html=True)
ESCAPED = MarkdownRenderer(allow_html=False)


def _hrefs(markup: str) -> list[str]:
    """Every URL-valued attribute as a browser would read it (entities decoded, whitespace dropped)."""
    values = re.findall(r"""(?:href|src|action|formaction|poster)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""",
                        markup, re.IGNORECASE)
    return [re.sub(r"[\x00-\x20]", "", html.unescape("".join(groups))).lower() for groups in values]


def _script_urls(markup: str) -> list[str]:
    return [v for v in _hrefs(markup) if v.startswith(("javascript:", "vbscript:"))
            or (v.startswith("data:") and not v.startswith("data:image/"))]


def test_commonmark_basics() -> None:
    body = HTML.render("Some *em* and **strong**, `code`.\n\n> quote\n\n- one\n- two\n\n```py\nx = 1\n```\n").html
    assert "<p>Some <em>em</em> and <strong>strong</strong>, <code>code</code>.</p>" in body
    assert "<blockquote>" in body and "<ul>\n<li>one</li>" in body
    assert '<pre><code class="language-py">x = 1\n</code></pre>' in body


def test_tables() -> None:
    body = HTML.render("| Item | Price |\n|:-----|------:|\n| Tea | 3 |\n").html
    assert "<table>" in body and "<th" in body and ">Tea</td>" in body and ">3</td>" in body


def test_footnotes() -> None:
    body = HTML.render("Growth slowed.[^1]\n\n[^1]: Bank of Korea, June 2025.\n").html
    assert 'class="footnote-ref"' in body
    assert "Bank of Korea, June 2025." in body and 'class="footnotes"' in body


def test_typographer_is_off_so_quotes_stay_as_written() -> None:
    assert HTML.render('"quoted" -- text').html == '<p>&quot;quoted&quot; -- text</p>\n'


@pytest.mark.parametrize(("heading", "anchor"), [
    ("## Market Outlook", "market-outlook"),
    ("### What's next?", "whats-next"),
    ("## 한국 경제 전망", "한국-경제-전망"),
    ("## 2025 Forecast", "2025-forecast"),
    ("## !!!", "section"),
])
def test_heading_anchors(heading: str, anchor: str) -> None:
    assert f'id="{anchor}"' in HTML.render(heading).html


def test_repeated_headings_get_distinct_anchors() -> None:
    ids = re.findall(r'id="([^"]+)"', HTML.render("## Outlook\n\n## Outlook\n\n## Outlook\n").html)
    assert len(ids) == 3 and len(set(ids)) == 3


def test_level_one_headings_have_no_anchor() -> None:
    # The article title is the page's h1; body headings start at h2.
    assert "id=" not in HTML.render("# Title").html


def test_raw_html_passes_through_by_default() -> None:
    embed = '<iframe src="https://www.youtube.com/embed/x" allowfullscreen></iframe>'
    assert embed in HTML.render(embed + "\n").html


def test_raw_html_is_escaped_when_html_is_off() -> None:
    body = ESCAPED.render('<script>alert(1)</script>\n\nText <b onclick="x()">bold</b>\n').html
    assert "<script>" not in body and "<b " not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b onclick=&quot;x()&quot;&gt;bold&lt;/b&gt;" in body


SCRIPT_LINKS_IN_MARKDOWN = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](  javascript:alert(1)  )",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "![x](data:text/html,<script>alert(1)</script>)",
    "[x](java&#115;cript:alert(1))",
    "[x](&#x6A;avascript:alert(1))",
]


@pytest.mark.parametrize("renderer", [HTML, ESCAPED], ids=["html-on", "html-off"])
@pytest.mark.parametrize("source", SCRIPT_LINKS_IN_MARKDOWN)
def test_script_links_in_markdown_never_become_hrefs(renderer: MarkdownRenderer, source: str) -> None:
    body = renderer.render(source).html
    assert _script_urls(body) == [], body


SCRIPT_LINKS_IN_RAW_HTML = [
    '<a href="javascript:alert(1)">x</a>',
    "<a href='JavaScript:alert(1)'>x</a>",
    "<a href=javascript:alert(1)>x</a>",
    '<a HREF = "javascript:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<a href="javascript:alert(\'a b\')">x</a>',
    "<a href='javascript:alert(\"1\")'>x</a>",
    '<a href="&#106;avascript:alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="&#106avascript:alert(1)">x</a>',
    '<a href="javas&#99;ript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="java&Tab;script:alert(1)">x</a>',
    '<a href="java&NewLine;script:alert(1)">x</a>',
    '<a\nhref="javascript:alert(1)">x</a>',
    '<a/href="javascript:alert(1)">x</a>',
    '<a title="x" href="javascript:alert(1)">x</a>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<img src="data:text/html,<b>">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(2)">b</button></form>',
    '<video poster="javascript:alert(1)"></video>',
    '<div>\n<a href="javascript:alert(1)">in a block</a>\n</div>',
]


@pytest.mark.parametrize("source", SCRIPT_LINKS_IN_RAW_HTML)
def test_script_links_in_raw_html_never_become_hrefs(source: str) -> None:
    body = HTML.render(source + "\n").html
    assert _script_urls(body) == [], body


@pytest.mark.parametrize("source", [
    "![chart](data:image/png;base64,iVBORw0KGgo=)",
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt="chart">',
    '<img src="data:image/jpeg;base64,/9j/4AAQ">',
])
def test_data_images_are_allowed(source: str) -> None:
    assert 'src="data:image/' in HTML.render(source + "\n").html


@pytest.mark.parametrize("source", [
    '<a href="https://example.com/a?b=1&amp;c=2">x</a>',
    '<a href="/article/x/">x</a>',
    '<a href="mailto:desk@example.com">x</a>',
    '<a href="#section">x</a>',
    '<a href="javascript-guide/">a relative path</a>',
])
def test_ordinary_links_in_raw_html_are_kept(source: str) -> None:
    assert source in HTML.render(source + "\n").html


def test_ordinary_markdown_links_are_kept() -> None:
    body = HTML.render("[site](https://example.com/a_b) and [page](/article/x/)").html
    assert '<a href="https://example.com/a_b">site</a>' in body and '<a href="/article/x/">page</a>' in body


# --- summaries ---------------------------------------------------------------

def test_summary_is_the_first_paragraph_as_plain_text() -> None:
    body = HTML.render("## Heading\n\nThe **central bank** held\nrates at `3.5%` — see [the note](/n/).\n\nMore.")
    assert body.summary == "The central bank held rates at 3.5% — see the note."


def test_summary_skips_paragraphs_without_text() -> None:
    assert HTML.render("![photo](/a.jpg)\n\n<div>embed</div>\n\nFirst words.\n").summary == "First words."


def test_summary_decodes_entities_once() -> None:
    assert HTML.render("Tom &amp; Jerry &lt;3\n").summary == "Tom & Jerry <3"


def test_summary_of_an_empty_body() -> None:
    assert HTML.render("").summary == "" and HTML.render("## Only a heading\n").summary == ""


def test_long_summary_is_cut_at_a_word_boundary() -> None:
    words = " ".join(f"word{n}" for n in range(100))
    summary = HTML.render(words).summary
    assert summary.endswith("…") and len(summary) <= SUMMARY_LENGTH + 1
    assert words.startswith(summary[:-1] + " ")


def test_shorten_keeps_short_text() -> None:
    assert shorten("  A  short\n text. ") == "A short text."


def test_shorten_trims_punctuation_before_the_ellipsis() -> None:
    assert shorten("one two, three four", limit=9) == "one two…"


def test_shorten_cuts_a_single_long_word() -> None:
    assert shorten("x" * 300, limit=10) == "x" * 10 + "…"


def test_rendering_is_deterministic() -> None:
    source = "## A\n\n## A\n\nText[^1].\n\n[^1]: Note.\n"
    assert HTML.render(source) == HTML.render(source) == MarkdownRenderer().render(source)


def test_line_endings_and_nul_are_normalized_as_markdown_it_does() -> None:
    from markdown_it import MarkdownIt
    stock = MarkdownIt("commonmark")
    for text in ("a\r\nb\rc\n\r\nd", "one\r\r\n\rtwo", "x\0y\r\n\0", "```\r\ncode\r\n```\r\n"):
        assert HTML.render(text).html == stock.render(text)


def test_shorten_takes_every_unicode_space_for_a_space() -> None:
    assert shorten("\u3000A\u00a0\u2028 B\x1c\x85C\u2009") == "A B C"


@pytest.mark.parametrize("url", [
    "/article/x/", "/a//b", "/A_b.c~d-e/", "/", "/a?x=1&y=2#h", "//host/x", "/a b", "/%41", "/ä", "/a:b@c",
    "https://example.com", "http://www.example.co.kr/a_b/?q=1#top", "https://a..b/", "https://-x-.y/",
    "https://Example.com/", "HTTPS://example.com/", "https://user@example.com/", "https://example.com:8080/",
    "https://" + "a" * 64 + ".com/", "https://" + ".".join(["a" * 63] * 4) + "/", "https://" + ".".join(["a" * 63] * 5),
    "https://한국.kr/", "https://xn--3e0b707e.kr/", "ftp://example.com/", "mailto:a@b.c",
])
def test_link_destinations_are_normalized_as_markdown_it_does(url: str) -> None:
    from markdown_it import MarkdownIt
    text = f"[a](<{url}>) ![b](<{url}>)\n\n[c]: <{url}>\n\n[c]\n"
    assert HTML.render(text).html == MarkdownIt("commonmark").render(text)


def _stock(renderer: MarkdownRenderer) -> MarkdownRenderer:
    """The same renderer with markdown-it's own block parser, which tries every rule on every
    line, its own inline rule, which runs the inline parser on every paragraph, and its own
    HTML renderer's loop (with the same rules: the plugins' and the raw HTML scrubbing), for
    every body (none through markdown_blocks)."""
    assert renderer._simple is not None  # the quick one is on
    renderer._simple = None
    from markdown_it.parser_block import ParserBlock
    from markdown_it.renderer import RendererHTML
    from markdown_it.rules_core import inline
    stock = ParserBlock()
    stock.ruler = renderer._md.block.ruler
    renderer._md.block = stock
    assert "_inline" in [rule.__name__ for rule in renderer._md.core.ruler.getRules("")]  # the quick one is on
    renderer._md.core.ruler.at("inline", inline)
    html = RendererHTML()
    assert type(renderer._md.renderer) is not RendererHTML  # the quick one is on
    html.rules = dict(renderer._md.renderer.rules)  # type: ignore[attr-defined]
    renderer._md.renderer = html
    return renderer


STOCK_HTML = _stock(MarkdownRenderer(allow_html=True))
STOCK_ESCAPED = _stock(MarkdownRenderer(allow_html=False))



def _with_anchors_plugin(renderer: MarkdownRenderer) -> MarkdownRenderer:
    """`renderer` giving heading ids through mdit_py_plugins' anchors plugin, as gettimes did
    before it numbered repeats itself (markdown._anchors)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.anchors import anchors_plugin

    from gettimes.markdown import _ANCHOR_LEVELS, _heading_slug
    donor = MarkdownIt("commonmark")
    donor.use(anchors_plugin, min_level=_ANCHOR_LEVELS.start, max_level=_ANCHOR_LEVELS.stop - 1,
              slug_func=_heading_slug)
    renderer._md.core.ruler.at("anchor", donor.core.ruler.getRules("")[-1])
    return renderer


PLUGIN_ANCHORS = _with_anchors_plugin(_stock(MarkdownRenderer(allow_html=True)))
_HEADINGS = ["## Update", "## Update", "## Update 1", "## Update-1", "### Update", "#### `Update` 2",
             "## !!!", "## Section", "## Section-1", "##### Update", "# Update", "## 한국 경제", "## <b>Update</b>"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_HEADINGS), max_size=14))
def test_heading_ids_are_the_anchors_plugins(headings: list[str]) -> None:
    text = "".join(f"{heading}\n\nText.\n\n" for heading in headings)
    expected = PLUGIN_ANCHORS.render(text)
    assert STOCK_HTML.render(text) == expected
    assert HTML.render(text) == expected


def test_thousands_of_repeated_headings_get_ids_numbered_in_order() -> None:
    text = "".join("## Update\n\nThe count goes on.\n\n" for _ in range(3000))
    for renderer in (HTML, STOCK_HTML):
        ids = re.findall(r'<h2 id="([^"]+)">', renderer.render(text).html)
        assert ids == ["update", *(f"update-{number}" for number in range(1, 3000))]


# Line openings that start (or nearly start) each kind of block, at every indent that matters.
_OPENINGS = ["", " ", "  ", "   ", "    ", "\t", "> ", ">", "- ", "-", "* ", "+ ", "1. ", "2) ", "10. ", "1.",
             "# ", "### ", "####### ", "#", "```", "~~~", "``` py", "---", "***", "___", "* * *", "===", "- - -",
             "| ", "|---|---|", ":--|--:", "[a]: /x", "[a]:", "[^1]: ", "[^1]", "<div>", "</div>", "<!-- ",
             "<p>", "<script>", "<a href='/x'>", "[", "!", "&amp;", "\\", "`"]
_WORDS = ["word", "a | b", "*em*", "**strong**", "[link](/x)", "[a]", "[^1]", "`code`", "<span>", "-->", "|", "1.",
          "#", ">", "=", "-", "\\", "&", "한국어", "  ", "K-League", "a: b", "50%", "~x~", "{$}", "@", "+", "\"q\"",
          "]", "^[note]", "^", "&amp;", "x_y", "!", "'", ".", ",", "![img](/i.png)", "[t](/x \"T\")", "end  ",
          "<img src='/a.png'>", "**[b](/y)**", "`<tag>`"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_OPENINGS), st.lists(st.sampled_from(_WORDS), max_size=4),
                          st.booleans()), max_size=14))
def test_skipping_rules_that_cannot_match_renders_as_markdown_it_does(
        lines: list[tuple[str, list[str], bool]]) -> None:
    text = "".join(opening + " ".join(words) + ("\n\n" if blank else "\n") for opening, words, blank in lines)
    assert HTML.render(text) == STOCK_HTML.render(text)
    assert ESCAPED.render(text) == STOCK_ESCAPED.render(text)


def test_block_parser_renders_every_kind_of_block_as_markdown_it_does() -> None:
    text = ("# Title\n\nPara *one*\nstill one\n===\n\n> quote\n> > nested\n- item\n  - sub\n\n  loose\n"
            "1. first\n2) second\n\n    code\n\n```py\nfenced\n```\n\n| a | b |\n|---|:-:|\n| 1 | 2 |\n\n"
            "[ref]: /x 'T'\n\n[ref] and [^n]\n\n[^n]: A note.\n\n<div>\nraw\n</div>\n\n***\n- - -\n\ttab\n"
            "\n- tight\n  - nested\n  > quoted\n- ![img](/i.png 'T')  \n  broken\n")
    assert HTML.render(text) == STOCK_HTML.render(text)
    assert "<table>" in HTML.render(text).html and "<blockquote>" in HTML.render(text).html


# A typical article body: every block of it is one markdown_blocks and markdown_inline read
# themselves, so the tests below compare their output, not markdown-it's with itself.
_TYPICAL_BODY = """Prices rose *sharply* in May, the [statistics office](/article/may-prices/) said, \
while S&P futures slipped (see **below**).

## Outlook for the second half

Analysts at [one bank](https://www.example.com/research/2025?q=1&r=2#top) expect growth to slow.
It was the _third_ cut this year.

- Exports fell 3.2 percent.
- Imports rose, led by *energy*.

1. First, rates.
2. Then, the won.

> Growth will pick up late in the year,
> the minister said.
>
> — Finance Ministry

| Region | Exports | Change |
|---|---:|:-:|
| Asia | 4,553 | -3.3% |
| Europe | *1,204* |

![A port at dusk](/images/2025/port.jpg)

### Outlook for the second half

#hashtag and 2025. was a year; +1 for -3.3%, `code` and __strong__.
"""


_FOOTNOTED_BODY = """Exports rose[^1] in May, the ministry said.[^2]

- Chips led the rise[^1].

## Outlook[^2]

A [second look](/article/second-look/)[^1] at the [^1] figures.

[^1]: Customs data, seasonally adjusted.

[^2]: Preliminary.
"""


def test_footnote_references_are_read_without_markdown_its_inline_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    stock = STOCK_HTML.render(_FOOTNOTED_BODY)
    simple = HTML._simple
    assert simple is not None
    parsed: list[str] = []
    parse = simple._md.inline.parse
    monkeypatch.setattr(simple._md.inline, "parse", lambda src, *rest: (parsed.append(src), parse(src, *rest))[1])
    rendered = HTML.render(_FOOTNOTED_BODY)
    assert sorted(parsed) == ["Customs data, seasonally adjusted.", "Preliminary."]  # the notes' own text only
    assert rendered == stock
    assert 'href="#fn1" id="fnref1:3">[1:3]</a>' in rendered.html and 'id="fnref2:1"' in rendered.html


def test_a_typical_body_is_read_without_markdown_its_parsers() -> None:
    simple = HTML._simple
    assert simple is not None and simple.render(_TYPICAL_BODY) is not None
    from gettimes.markdown_inline import simple_inline
    paragraphs = [p for p in _TYPICAL_BODY.split("\n\n") if p[0] not in "-1>|#" and "\n" not in p]
    assert all(simple_inline(p) is not None for p in paragraphs[:2])


def test_a_typical_body_renders_as_markdown_it_does() -> None:
    for renderer, stock in ((HTML, STOCK_HTML), (ESCAPED, STOCK_ESCAPED)):
        rendered = renderer.render(_TYPICAL_BODY)
        assert rendered == stock.render(_TYPICAL_BODY)
    assert rendered.html.count('id="outlook-for-the-second-half') == 2  # ids kept unique
    assert '<td style="text-align:right"><em>1,204</em></td>' in rendered.html
    assert rendered.summary.startswith("Prices rose sharply in May, the statistics office said")


# Line openings and words near the edges of what markdown_blocks and markdown_inline read
# themselves: bodies of these are mostly theirs, or just miss being so.
_SIMPLE_OPENINGS = ["", "", "", "## ", "### ", "# ", "#", "- ", "* ", "+ ", "-", "1. ", "2) ", "3. ", "> ", ">",
                    ">  ", "| ", "|---|---|", "|:-|-:|", "| a | b |", ":-|-:", "a | ", "+", "=", "***", "` ", "[x] ",
                    "1.5 ", " ", "[^1]: ", "[^2]: ", "[^1]:", "[^a b]: ", "[a]: /x ", "[^a-b]: "]
_INLINE_WORDS = ["word", "word", "Seoul", "한국", "*em*", "**strong**", "_u_", "__uu__", "*a b*", "* a*", "*a *",
                 "*a*b", "a*b*", "**a*", "*", "_", "[link](/x)", "[l](https://example.com/a?b=1&c=2#d)",
                 "[l](/a b)", "[l](javascript:x)", "[l]", "[l](<x>)", "![i](/p.png)", "![](/p.png)", "[](/x)",
                 "(*p*)", "*p*.", "*p*,", "*p*)", "*p*!", "S&P", "&amp;", "&#35;", "&x", "AT&T;", "\\*", "`c`",
                 "<b>", "a | b", "]", "(", ")", "!", ".", "50%", "—", "x_y_z", "[*a*](/x)", "*[a](/x)*", "^",
                 "[^1]", "[^2]", "[^3]", "]:", "end  ", "[^1](/x)", "![^1]", "[^1][^2]", "[^a-b]", "[^]", "*a*[^1]",
                 "[^1]*a*", "([^2])"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(_SIMPLE_OPENINGS), st.lists(st.sampled_from(_INLINE_WORDS), max_size=5),
                          st.sampled_from(["\n", "\n\n", "\n\n", " \n", "\n \n"])), max_size=10))
def test_bodies_of_simple_blocks_render_as_markdown_it_does(lines: list[tuple[str, list[str], str]]) -> None:
    text = "".join(opening + " ".join(words) + end for opening, words, end in lines)
    assert HTML.render(text) == STOCK_HTML.render(text)
    assert ESCAPED.render(text) == STOCK_ESCAPED.render(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_INLINE_WORDS + [" ", " ", "a"]), min_size=1, max_size=8))
def test_simple_inline_text_renders_as_markdown_it_does(words: list[str]) -> None:
    for text in ("".join(words), "## " + "".join(words), "Intro [^1] then: " + "".join(words) + "\n\n[^1]: Note.\n"):
        assert HTML.render(text) == STOCK_HTML.render(text)


@pytest.mark.parametrize("text", [
    "a_u_ and a*b* and _a_b and *a*_b_ and (*p*) and (_p_)", "***bold*** **a** **b** *a* *b* __a__b", "a | b\n:-|-:\n",
    "para\n- item\n", "- a\n\n- b\n\n1. c\n", "- a\n2. b\n", "- a\n\n\n- b\n", "* a\n- b\n", "1) a\n1. b\n",
    "> a\nlazy\n", "> a\n>\n> b\n", ">\n> a\n", "> a\n>\n", "> a\n\n> b\n", "| a |\n|---|\n| b |\nc\n",
    "| a | b |\n|---|\n", "| a | b |\n|:-|-:|\n", "| a |\n|---|\n| b | c |\n|\n", "## a #\n", "## a\\#\n",
    "#5 ranked\n", "##\n", "text  \nbreak\n", "a\u00a0\n", "a\u3000\nb\n", "[a](/x)[b](/y)", "![a](/p.png 'T')",
    "[a](/x) *b*", "*[a](/x)*", "&copy; S&P &#35; AT&T; &x;", "[a] (/x)", "[a](/x\ty)", "![a](/x) ![b](/y)",
    "## [Link](/x) and *em*\n\n## Link and em\n", "# One\n## One\n### One\n#### One\n##### One\n",
    "A[^2] b[^1] c[^2].\n\n[^1]: One.\n[^2]: *Two*.\n[^3]: Unused.\n", "A[^1].\n\n[^1]: One.\nlazy\n",
    "A[^1].\n[^1]: One.\n", "## Only[^1]\n\n[^1]: Note text.\n", "[^1]: Only a note.\n", "A[^x]\n\n[^1]: One.\n",
    "A[^1]\n\n[^1]: One[^1].\n", "A[^1]\n\n[^1]: One.\n[^1]: Two.\n", "A[^1]\n\n[^1]: One.\n\n[b]: /x\n\n[b]\n",
])
def test_edges_of_simple_bodies_render_as_markdown_it_does(text: str) -> None:
    assert HTML.render(text) == STOCK_HTML.render(text)
    assert ESCAPED.render(text) == STOCK_ESCAPED.render(text)
