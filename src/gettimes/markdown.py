"""Markdown bodies to HTML: CommonMark + tables + footnotes, with heading anchors.

One `MarkdownIt` instance is built per build and reused for every article.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt, rules_block
from markdown_it.common.utils import escapeHtml
from markdown_it.parser_block import ParserBlock
from markdown_it.renderer import RendererHTML
from markdown_it.ruler import Ruler
from markdown_it.rules_block import StateBlock
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.footnote.index import footnote_def

from gettimes.markdown_blocks import INLINE_RULE_START, SimpleBodies, collapse_spaces, plain_text
from gettimes.markdown_inline import PLAIN_LINK, pieces_tokens, simple_inline
from gettimes.slugs import Numbered

SUMMARY_LENGTH = 200
_ANCHOR_LEVELS = range(2, 5)  # headings given an id to link to: ## to ####

# Attributes in raw HTML whose value is followed when clicked or loaded, with the value
# in any of HTML's three quotings.
_URL_ATTRIBUTE = re.compile(
    r"""(?<![\w:-])((?:href|src|action|formaction|xlink:href|poster)\s*=\s*)"""
    r"""("[^"]*"|'[^']*'|[^\s"'=<>`]+)""",
    re.IGNORECASE,
)
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:")
# Browsers drop tabs, newlines and control characters from a URL before reading its scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_DATA_IMAGE = re.compile(r"data:image/(?:png|gif|jpe?g|webp);")
# Block rules that match only a line whose first character (after its indent) is one of these;
# any other rule may match a line starting with anything.
_BLOCK_RULE_STARTS: dict[object, str] = {
    rules_block.fence: "`~",
    rules_block.blockquote: ">",
    rules_block.hr: "*-_",
    rules_block.list_block: "*+-0123456789",
    rules_block.reference: "[",
    footnote_def: "[",
    rules_block.html_block: "<",
    rules_block.heading: "#",
}
BlockRule = Callable[[StateBlock, int, int, bool], bool]

# The inline rules the renderer has, in markdown-it's order: those `INLINE_RULE_START` is made for.
_INLINE_RULES = ["text", "newline", "escape", "backticks", "emphasis", "link", "image", "footnote_inline",
                 "footnote_ref", "autolink", "html_inline", "entity"]
_INLINE_RULES_AFTER = ["balance_pairs", "emphasis", "fragments_join"]


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    summary: str  # plain text of the first paragraph, shortened


def _heading_slug(text: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).strip().replace(" ", "-")
    return slug or "section"


def _anchors(state: StateCore) -> None:
    """Give headings of `_ANCHOR_LEVELS` an id, as mdit_py_plugins' anchors plugin does: the slug
    of their text and code, numbered `-1`, `-2`... when taken, never an id a heading already has.

    The plugin counts a repeated slug from 1 at each repeat, which made a body of a few
    thousand identical headings (a live blog's "Update") take seconds, and 17 s at 20,000;
    `Numbered` goes on from the last number. Tests compare the two."""
    tokens = state.tokens
    given = {str(value) for token in tokens if token.type == "heading_open" and (value := token.attrGet("id"))}
    ids = Numbered(1, given)
    for index, token in enumerate(tokens):
        if token.type != "heading_open" or int(token.tag[1]) not in _ANCHOR_LEVELS or token.attrGet("id"):
            continue
        children = tokens[index + 1].children or ()
        title = "".join(child.content for child in children if child.type in ("text", "code_inline"))
        token.attrSet("id", ids.take(_heading_slug(title)))


def _normalize(state: StateCore) -> None:
    """markdown-it's own `normalize` rule (line endings to "\\n", NUL to U+FFFD) without its
    regular expressions, which step through the whole body one character at a time."""
    text = state.src
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    state.src = text


def _inline(state: StateCore) -> None:
    """markdown-it's `inline` rule, without its inline parser for text in which no inline
    rule can match: most paragraphs of a news article, whose parsing was a third of the time
    spent on a body."""
    md = state.md
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            content = token.content
            if content and INLINE_RULE_START.search(content) is None:
                text = Token("text", "", 0)
                text.content = content
                token.children.append(text)
            elif (pieces := simple_inline(content)) is not None:
                token.children += pieces_tokens(pieces)
            else:
                md.inline.parse(content, md, state.env, token.children)


class _MarkdownIt(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        # Most links in news articles are such; normalizing one gives it back unchanged after
        # parsing it and encoding it a character at a time.
        if PLAIN_LINK.fullmatch(url):
            return url
        return super().normalizeLink(url)


class _BlockParser(ParserBlock):
    """markdown-it's block parser, trying on each line only the rules that can match how it starts.

    markdown-it tries every block rule in turn on every line. Most lines of an article
    are paragraphs, whose rule comes last: trying the ten before it was a quarter of
    the time spent on a body. A rule in `_BLOCK_RULE_STARTS` gives up at once on a line
    that starts with a character not its own, and the code-block rule on a line indented
    less than four columns, so skipping them there changes nothing. `tokenize` is
    markdown-it's own loop otherwise (tests compare the two on every kind of block).
    """

    def __init__(self, ruler: Ruler[BlockRule]) -> None:
        super().__init__()
        self.ruler = ruler
        self._rules: list[BlockRule] = []
        self._by_start: dict[str, list[BlockRule]] = {}

    def _rules_for(self, start: str) -> list[BlockRule]:
        rules = self.ruler.getRules("")
        if rules is not self._rules:  # the rules were changed: start again
            self._rules, self._by_start = rules, {}
        found = self._by_start.get(start)
        if found is None:
            found = self._by_start[start] = [
                rule for rule in rules if rule is not rules_block.code
                and (rule not in _BLOCK_RULE_STARTS or start in _BLOCK_RULE_STARTS[rule])]
        return found

    def tokenize(self, state: StateBlock, startLine: int, endLine: int) -> None:
        all_rules = self.ruler.getRules("")
        src, starts, shifts, columns = state.src, state.bMarks, state.tShift, state.sCount
        line = startLine
        max_nesting = state.md.options.maxNesting
        has_empty_lines = False
        while line < endLine:
            state.line = line = state.skipEmptyLines(line)
            if line >= endLine:
                break
            if columns[line] < state.blkIndent:
                break  # the end of a nested block (a list item, a quote)
            if state.level >= max_nesting:
                state.line = endLine
                break
            if columns[line] - state.blkIndent < 4:
                rules = self._rules_for(src[starts[line] + shifts[line]])
            else:
                rules = all_rules
            for rule in rules:
                if rule(state, line, endLine, False):
                    if state.line <= line:
                        raise RuntimeError("block rule didn't increment state.line")
                    break
            else:
                raise RuntimeError("none of the block rules matched")
            # tight unless a blank line came before this block (one after it does not count)
            state.tight = not has_empty_lines
            line = state.line
            if line - 1 < endLine and state.isEmpty(line - 1):
                has_empty_lines = True  # a paragraph may take one blank line after it, in a list
            if line < endLine and state.isEmpty(line):
                has_empty_lines = True
                line += 1
                state.line = line


class _Renderer(RendererHTML):
    """markdown-it's HTML renderer, with its `text` rule and its default rendering of a tag
    (`renderToken`) done in the loop over the tokens rather than by a method call or three for
    each (a body has some 150 tokens, and rendering them was a sixth of the time spent on it).
    The output is the same (tests compare the two)."""

    def render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        return self._render(tokens, options, env, True)

    def renderInline(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType) -> str:
        return self._render(tokens, options, env, False)

    def _render(self, tokens: Sequence[Token], options: OptionsDict, env: EnvType, blocks: bool) -> str:
        rules = self.rules
        plain_text = getattr(rules.get("text"), "__func__", None) is RendererHTML.text
        xhtml = options["xhtmlOut"]
        last = len(tokens) - 1
        out: list[str] = []
        for index, token in enumerate(tokens):
            kind = token.type
            if blocks and kind == "inline":
                if token.children:
                    out.append(self._render(token.children, options, env, False))
            elif kind == "text" and plain_text:
                out.append(escapeHtml(token.content))
            elif kind in rules:
                out.append(rules[kind](tokens, index, options, env))
            elif not token.hidden:  # renderToken, as it is
                nesting = token.nesting
                tag = "</" + token.tag if nesting == -1 else "<" + token.tag
                if token.block and nesting != -1 and index and tokens[index - 1].hidden:
                    tag = "\n" + tag
                if token.attrs:
                    tag += self.renderAttrs(token)
                if nesting == 0 and xhtml:
                    tag += " /"
                if not token.block:
                    tag += ">"
                elif nesting == 1 and index < last and (
                        (following := tokens[index + 1]).type == "inline" or following.hidden
                        or (following.nesting == -1 and following.tag == token.tag)):
                    tag += ">"  # around inline content, or an empty element such as <li></li>
                else:
                    tag += ">\n"
                out.append(tag)
        return "".join(out)


def _scrub_raw_html(markup: str) -> str:
    """Drop script-bearing URLs (javascript:, vbscript:, non-image data:) from raw HTML.

    The value is read the way a browser reads it: character references decoded
    (`&#106;avascript:`, `&colon;`) and whitespace inside the scheme ignored.
    """
    def replace(match: re.Match[str]) -> str:
        name, value = match.groups()
        if value[0] in "\"'":
            value = value[1:-1]
        url = _URL_NOISE.sub("", html.unescape(value)).lower()
        if not url.startswith(_SCRIPT_SCHEMES):
            return match.group(0)
        if name.lower().startswith("src") and _DATA_IMAGE.match(url):
            return match.group(0)
        return f'{name}"#"'
    return _URL_ATTRIBUTE.sub(replace, markup)


class MarkdownRenderer:
    """Renders article bodies; `allow_html=False` escapes raw HTML instead of passing it.

    `simple_bodies=False` sends every body through markdown-it's block parser, which bodies
    of only simple blocks skip otherwise (tests compare the two)."""

    def __init__(self, allow_html: bool = True, simple_bodies: bool = True) -> None:
        md = _MarkdownIt("commonmark", {"html": allow_html, "typographer": False}, renderer_cls=_Renderer)
        md.block = _BlockParser(md.block.ruler)
        md.core.ruler.at("normalize", _normalize)
        md.enable("table")
        md.use(footnote_plugin)
        md.core.ruler.push("anchor", _anchors)
        if allow_html:
            rules = md.renderer.rules  # type: ignore[attr-defined]
            for rule in ("html_block", "html_inline"):
                default = rules[rule]

                # add_render_rule binds the function to the renderer, hence `renderer`.
                def scrubbed(renderer: object, tokens: list[Token], idx: int, options: object,
                             env: object, _default: object = default) -> str:
                    return _scrub_raw_html(_default(tokens, idx, options, env))  # type: ignore[operator]

                md.add_render_rule(rule, scrubbed)
        if md.inline.ruler.get_active_rules() == _INLINE_RULES \
                and md.inline.ruler2.get_active_rules() == _INLINE_RULES_AFTER:
            md.core.ruler.at("inline", _inline)
        else:
            simple_bodies = False  # the inline shortcut in markdown_blocks assumes these rules
        self._md = md
        # markdown_blocks writes images as xhtmlOut does, and so does the commonmark preset
        simple_bodies = simple_bodies and md.options["xhtmlOut"]
        self._simple = SimpleBodies(md, _heading_slug, _ANCHOR_LEVELS) if simple_bodies else None

    def render(self, text: str) -> RenderedBody:
        if self._simple is not None:
            simple = self._simple.render(text)
            if simple is not None:
                return RenderedBody(simple[0], shorten(simple[1]))
        env: dict[str, object] = {}
        tokens = self._md.parse(text, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        return RenderedBody(html, _first_paragraph(tokens))


def _first_paragraph(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = plain_text(tokens[index + 1])
            if text:
                return shorten(text)
    return ""


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, adding an ellipsis."""
    text = collapse_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:.-") + "…"
