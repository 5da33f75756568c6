"""Markdown bodies to HTML: CommonMark + tables + footnotes, with heading anchors.

One `MarkdownIt` instance is built per build and reused for every article.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

SUMMARY_LENGTH = 200

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
# A path on the site, or an http(s) URL with a lowercase ASCII host name (at most four labels
# of at most 63 characters: no longer than URL parsing allows), in characters that URL
# normalizing leaves as they are.
_PLAIN_LINK = re.compile(r"(?:https?://[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,3}(?=[/?#]|$)|/(?!/))[A-Za-z0-9_.~/?=&#-]*")


@dataclass(frozen=True, slots=True)
class RenderedBody:
    html: str
    summary: str  # plain text of the first paragraph, shortened


def _heading_slug(text: str) -> str:
    slug = re.sub(r"[^\w\- ]", "", text.strip().lower()).strip().replace(" ", "-")
    return slug or "section"


def _normalize(state: StateCore) -> None:
    """markdown-it's own `normalize` rule (line endings to "\\n", NUL to U+FFFD) without its
    regular expressions, which step through the whole body one character at a time."""
    text = state.src
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\0" in text:
        text = text.replace("\0", "\ufffd")
    state.src = text


class _MarkdownIt(MarkdownIt):
    def normalizeLink(self, url: str) -> str:
        # Most links in news articles are such; normalizing one gives it back unchanged after
        # parsing it and encoding it a character at a time.
        if _PLAIN_LINK.fullmatch(url):
            return url
        return super().normalizeLink(url)


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
    """Renders article bodies; `allow_html=False` escapes raw HTML instead of passing it."""

    def __init__(self, allow_html: bool = True) -> None:
        md = _MarkdownIt("commonmark", {"html": allow_html, "typographer": False})
        md.core.ruler.at("normalize", _normalize)
        md.enable("table")
        md.use(footnote_plugin)
        md.use(anchors_plugin, min_level=2, max_level=4, slug_func=_heading_slug)
        if allow_html:
            rules = md.renderer.rules  # type: ignore[attr-defined]
            for rule in ("html_block", "html_inline"):
                default = rules[rule]

                # add_render_rule binds the function to the renderer, hence `renderer`.
                def scrubbed(renderer: object, tokens: list[Token], idx: int, options: object,
                             env: object, _default: object = default) -> str:
                    return _scrub_raw_html(_default(tokens, idx, options, env))  # type: ignore[operator]

                md.add_render_rule(rule, scrubbed)
        self._md = md

    def render(self, text: str) -> RenderedBody:
        env: dict[str, object] = {}
        tokens = self._md.parse(text, env)
        html = self._md.renderer.render(tokens, self._md.options, env)
        return RenderedBody(html, _first_paragraph(tokens))


def _first_paragraph(tokens: list[Token]) -> str:
    for index, token in enumerate(tokens):
        if token.type == "paragraph_open" and index + 1 < len(tokens):
            text = _plain_text(tokens[index + 1])
            if text:
                return shorten(text)
    return ""


def _plain_text(inline: Token) -> str:
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return _collapse_spaces("".join(parts))


def _collapse_spaces(text: str) -> str:
    """`text` with each run of whitespace made one space and none at either end.

    The same as `re.sub(r"\\s+", " ", text).strip()` (str.split and \\s take the same
    characters for whitespace), several times quicker.
    """
    return " ".join(text.split())


def shorten(text: str, limit: int = SUMMARY_LENGTH) -> str:
    """Cut `text` at a word boundary to at most `limit` characters, adding an ellipsis."""
    text = _collapse_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(",;:.-") + "…"
