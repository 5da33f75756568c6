"""The inline text of most news paragraphs, read without markdown-it's inline parser.

A paragraph of a news article is mostly plain words with a link or two (`[text](url)`)
and a word in emphasis (`*text*`, `**text**`), or a picture alone (`![text](url)`).
`simple_inline` splits such text into its pieces with one regular expression where
markdown-it's parser steps through it a character at a time (each such paragraph took it
some 30 µs). It gives None for text with anything
else in it, or where one of these is used in a way whose reading depends on the CommonMark
rules for delimiter runs; that text goes through markdown-it's parser. Tests compare the
two on such text and on its near misses.
"""

from __future__ import annotations

import re
from collections.abc import Container

from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

# A path on the site, or an http(s) URL with a lowercase ASCII host name (at most four labels
# of at most 63 characters: no longer than URL parsing allows), in characters that URL
# normalizing leaves as they are.
PLAIN_LINK = re.compile(r"(?:https?://[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){0,3}(?=[/?#]|$)|/(?!/))[A-Za-z0-9_.~/?=&#-]*")

# Runs of characters at which no inline rule matches: none of those that start one (`ends`
# are left out too), and an `&` that starts no character reference. Written as an unrolled
# loop, which the regular expression engine steps through fast and never backtracks into.
def _plain(ends: str) -> str:
    return rf"[^\n\\`*_\[!<&{ends}]*(?:&(?![#]|[A-Za-z0-9]+;)[^\n\\`*_\[!<&{ends}]*)*"


_LABEL = _plain(r"\]")
_PIECE = re.compile(
    rf"(?P<image>!?)\[(?P<label>{_LABEL})\]\((?P<url>[^\s()<>\\]+)\)"
    r"|\[\^(?P<note>[A-Za-z0-9-]+)\]"  # after links: `[^1](/x)` is a link, as markdown-it reads it
    rf"|(?P<marker>\*\*|\*|__|_)(?P<inner>{_plain('')})(?P=marker)"
    rf"|(?P<text>{_plain('')})"  # last: it matches the empty string too
)
# Around a piece in emphasis, characters that leave its reading to the simple case: its
# first marker can only open it and its last can only close it.
_BEFORE_OPENER = " ("
_AFTER_CLOSER = " .,;:?)"

# (kind, text, extra): kind is "text", "em" or "strong" (extra: the marker), "a" (a link: its
# label and URL), "img" (an image: its alternative text and URL) or "fnref" (a footnote
# reference: its label, and once the caller has numbered it, its HTML)
Piece = tuple[str, str, str]


def simple_inline(content: str, notes: Container[str] = ()) -> list[Piece] | None:
    """The pieces of `content`, or None if it is not made only of plain text, links and
    images with plain labels to plain URLs, emphasis around plain words, and references
    to the footnotes labelled in `notes` (which the caller numbers: see markdown_blocks)."""
    pieces: list[Piece] = []
    end = len(content)
    position = 0
    match = _PIECE.match
    while position < end:
        found = match(content, position)
        assert found is not None
        if found.end() == position:  # (the text alternative can be empty)
            return None
        text, image, label, url, note, marker, inner = found.group("text", "image", "label", "url", "note", "marker",
                                                                   "inner")
        if text is not None:
            pieces.append(("text", text, ""))
        elif note is not None:
            if note not in notes:
                return None  # no such footnote: markdown-it reads the brackets otherwise
            pieces.append(("fnref", note, ""))
        elif label is not None:
            if not PLAIN_LINK.fullmatch(url):
                return None
            if not label or (not image and content[position - 1:position] == "^"):
                return None  # `^[...]` is an inline footnote
            pieces.append(("img" if image else "a", label, url))
        else:
            before = content[position - 1] if position else " "
            after = content[found.end()] if found.end() < end else " "
            if not (inner and before in _BEFORE_OPENER and after in _AFTER_CLOSER
                    and inner[0].isalnum() and inner[-1].isalnum()):
                return None
            pieces.append(("em" if len(marker) == 1 else "strong", inner, marker))
        position = found.end()
    return pieces


def pieces_html(pieces: list[Piece]) -> str:
    """The HTML markdown-it renders for the text the pieces came from."""
    out: list[str] = []
    for kind, text, url in pieces:
        if kind == "text":
            out.append(escapeHtml(text))
        elif kind == "a":
            out.append(f'<a href="{escapeHtml(url)}">{escapeHtml(text)}</a>')
        elif kind == "img":  # as the commonmark preset (xhtmlOut) writes it
            out.append(f'<img src="{escapeHtml(url)}" alt="{escapeHtml(text)}" />')
        elif kind == "fnref":
            out.append(url)  # (as numbered and rendered by the caller)
        else:
            out.append(f"<{kind}>{escapeHtml(text)}</{kind}>")
    return "".join(out)


def pieces_text(pieces: list[Piece]) -> str:
    """The text of the pieces without their markup (what markdown-it's text tokens hold)."""
    return "".join(text for kind, text, _url in pieces if kind != "img" and kind != "fnref")


def pieces_tokens(pieces: list[Piece]) -> list[Token]:
    """The tokens markdown-it's inline parser makes of the text the pieces came from."""
    tokens: list[Token] = []
    for kind, text, extra in pieces:
        if kind == "text":
            tokens.append(Token("text", "", 0, content=text))
            continue
        if kind == "img":
            tokens.append(Token("image", "img", 0, attrs={"src": extra, "alt": ""}, content=text,
                                children=[Token("text", "", 0, content=text)]))
            continue
        if kind == "a":
            tokens.append(Token("link_open", "a", 1, attrs={"href": extra}))
        else:
            tokens.append(Token(f"{kind}_open", kind, 1, markup=extra))
        tokens.append(Token("text", "", 0, content=text))
        tokens.append(Token("link_close" if kind == "a" else f"{kind}_close", kind, -1,
                            markup="" if kind == "a" else extra))
    return tokens
