"""The common blocks of an article body, parsed without markdown-it's block parser.

Most news articles are paragraphs, headings, one-line list items, quotes, tables and
one-line footnotes, each set apart from the next by a blank line. `SimpleBodies.render`
turns such a body into HTML directly: it reads each line once, hands the text of each block
to markdown_inline (or markdown-it's inline parser, for text that is more than simple), and
names headings and numbers footnotes as the plugins do. A body with anything else in it (a
fence, an indented line, raw HTML blocks, a lazy continuation line, a link reference
definition...) gives None, and goes through markdown-it whole. Block parsing, the block
tokens and their rendering were half the time spent on a body; tests compare the two outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_core import StateCore, text_join
from markdown_it.token import Token

from gettimes.markdown_inline import Piece, pieces_html, pieces_text, simple_inline
from gettimes.slugs import Numbered

# Every character at which one of the renderer's inline rules can match (footnote_inline's
# `^[` holds a `[`). Text that holds none of these is a single text token, as the inline
# parser would make it: the parser stops at other characters too, but no rule matches there.
INLINE_RULE_START = re.compile(r"[\n\\`*_\[!<&]")

# Anything in a body that makes it more than simple blocks, wherever it is: an inline
# footnote, line endings or NUL characters markdown-it would first rewrite. (Looked for as
# substrings: a regular expression with these alternatives stepped through a body at a third
# of the time spent reading it.)
_NOT_SIMPLE = ("^[", "\r", "\0")
# A footnote's text, on one line: the only place a simple body may hold a `]:` (which would
# otherwise be a link reference definition).
_FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\]: (.*)")
# A table's delimiter row, and the characters its other rows may not hold here: those that
# escape a `|` or hide one in a code span, white space that markdown-it versions trim differently.
_TABLE_DELIMITERS = re.compile(r"\|(?:[ \t]*:?-+:?[ \t]*\|)+")
_TABLE_ROW_NOT_SIMPLE = re.compile(r"[\\`]|[^\S \t]")
_HEADING = re.compile(r"(#{1,6}) (.*)")
_BULLET = re.compile(r"([-*+]) (.*)")
_ORDERED = re.compile(r"([0-9]{1,9})([.)]) (.*)")
_ORDERED_START = re.compile(r"[0-9]{1,9}[.)](?:[ \t]|$)")
# A line's first character that can start no block but a paragraph, whatever follows it.
_PARAGRAPH_ONLY_START = re.compile(r"[^\s#>\-*+_=`~<|\[:0-9]")


def _starts_paragraph(line: str) -> bool:
    """True when `line` can only be (part of) a paragraph: no block rule matches it, so it
    neither starts another block nor ends a paragraph above it. False may still be one."""
    if "|" in line:
        return False  # it could be a table's first row
    first = line[0]
    if _PARAGRAPH_ONLY_START.match(first):
        return True
    if first.isspace():
        return False
    if first in "[:":
        return True  # `SimpleBodies.render` takes no body with a `]:` but in its footnotes
    if first.isdigit():
        return _ORDERED_START.match(line) is None
    if len(line) < 2 or line[1] in " \t":
        return False
    if first == "#":
        return line.lstrip("#")[:1] not in ("", " ", "\t")  # "#hashtag", not a heading
    if first in "*_-=":
        # not a rule (`***`, `- - -`) nor a setext underline (`---`, `===`)
        return line.strip(first + " \t") != ""
    if first in "`~":
        return not line.startswith(first * 3)  # not a fence
    return first == "+"  # "+1" (and "+ 1" was ruled out above)


@dataclass(slots=True)
class _Inline:
    """The inline text of a block, rendered once the whole body has been read."""

    content: str
    in_paragraph: bool = True  # False in a table cell
    as_tokens: bool = False  # parsed by markdown-it's inline parser, whatever it holds
    pieces: list[Piece] | None = None  # simple text read by simple_inline
    token: Token | None = None  # markdown-it's inline token for any other (neither: plain text)


@dataclass(slots=True)
class _Heading:
    level: int
    text: _Inline


@dataclass(slots=True)
class _Footnote:
    """A footnote's text, written after the body if the body refers to it."""

    label: str
    text: _Inline


Part = str | _Inline | _Heading | _Footnote


class SimpleBodies:
    """Renders bodies made only of simple blocks; `render` gives None for any other."""

    def __init__(self, md: MarkdownIt, heading_slug: Callable[[str], str], anchor_levels: range) -> None:
        self._md = md
        self._heading_slug = heading_slug
        self._anchor_levels = anchor_levels

    def render(self, text: str) -> tuple[str, str] | None:
        """The body's HTML and the plain text of its first paragraph, or None."""
        if any(part in text for part in _NOT_SIMPLE):
            return None
        blocks = _read_blocks(text.split("\n"))
        if blocks is None:
            return None
        notes = {part.label: part.text for part in blocks if isinstance(part, _Footnote)}
        if text.count("]:") != len(notes):
            return None  # a `]:` elsewhere: a link reference definition, or one markdown-it reads so
        inlines = [part if isinstance(part, _Inline) else part.text for part in blocks if not isinstance(part, str)]
        env: dict[str, Any] = {}
        if notes:
            env["footnotes"] = {"refs": {f":{label}": -1 for label in notes}, "list": {}}
        self._parse_inline(inlines, text, env, notes)
        html = self._render(blocks, env)
        used_notes = [notes[note["label"]] for note in env["footnotes"]["list"].values()] if notes else []
        if used_notes:
            html += self._render_footnotes(used_notes, env)
        return html, _first_paragraph(blocks, used_notes)

    def _parse_inline(self, inlines: list[_Inline], text: str, env: dict[str, Any],
                      notes: Mapping[str, _Inline]) -> None:
        """Parse the inline text of the blocks in order, as markdown-it does: footnote references
        are numbered in the order they are read (`env`, as the footnote plugin keeps it)."""
        md = self._md
        tokens: list[Token] = []
        for inline in inlines:
            if INLINE_RULE_START.search(inline.content) is None and not inline.as_tokens:
                continue
            inline.pieces = None if inline.as_tokens else simple_inline(inline.content, notes)
            if inline.pieces is not None and notes:
                inline.pieces = [self._footnote_ref(piece[1], env) if piece[0] == "fnref" else piece
                                 for piece in inline.pieces]
            if inline.pieces is None:
                token = inline.token = Token("inline", "", 0, content=inline.content, children=[])
                md.inline.parse(inline.content, md, env, token.children)  # type: ignore[arg-type]
                tokens.append(token)
        if tokens:
            text_join(StateCore(text, md, env, tokens))

    def _footnote_ref(self, label: str, env: dict[str, Any]) -> Piece:
        """A reference to footnote `label`, numbered and rendered as the footnote plugin's
        `footnote_ref` rule and renderer do it."""
        data = env["footnotes"]
        number = data["refs"].get(":" + label, -1)
        if number < 0:
            number = len(data["list"])
            data["list"][number] = {"label": label, "count": 0}
            data["refs"][":" + label] = number
        sub = data["list"][number]["count"]
        data["list"][number]["count"] += 1
        token = Token("footnote_ref", "", 0, meta={"id": number, "subId": sub, "label": label})
        render = self._md.renderer.rules["footnote_ref"]  # type: ignore[attr-defined]
        return "fnref", label, str(render([token], 0, self._md.options, env))

    def _render(self, blocks: list[Part], env: dict[str, object]) -> str:
        md = self._md
        render_inline = md.renderer.renderInline  # type: ignore[attr-defined]
        options = md.options
        slugs = Numbered(1)

        def inline_html(inline: _Inline) -> str:
            if inline.token is not None:
                return str(render_inline(inline.token.children, options, env))
            if inline.pieces is not None:
                return pieces_html(inline.pieces)
            return escapeHtml(inline.content)

        out: list[str] = []
        for part in blocks:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, _Inline):
                out.append(inline_html(part))
            elif isinstance(part, _Heading):
                tag = f"h{part.level}"
                if part.level in self._anchor_levels:
                    slug = slugs.take(self._heading_slug(_heading_title(part.text)))
                    out.append(f'<{tag} id="{escapeHtml(slug)}">')
                else:
                    out.append(f"<{tag}>")
                out.append(inline_html(part.text))
                out.append(f"</{tag}>\n")
            # (a _Footnote is written after the body, by _render_footnotes)
        return "".join(out)

    def _render_footnotes(self, notes: list[_Inline], env: dict[str, Any]) -> str:
        """The footnotes the body refers to, in the order it first does, as the footnote
        plugin writes them after the body: the same tokens, through the same renderer."""
        md = self._md
        tokens = [Token("footnote_block_open", "", 1)]
        for number, (note, data) in enumerate(zip(notes, env["footnotes"]["list"].values(), strict=True)):
            assert note.token is not None  # (as_tokens)
            tokens += [Token("footnote_open", "", 1, meta={"id": number, "label": data["label"]}),
                       Token("paragraph_open", "p", 1, block=True), note.token]
            tokens += [Token("footnote_anchor", "", 0, meta={"id": number, "subId": sub, "label": data["label"]})
                       for sub in range(max(data["count"], 1))]
            tokens += [Token("paragraph_close", "p", -1, block=True), Token("footnote_close", "", -1)]
        tokens.append(Token("footnote_block_close", "", -1))
        return str(md.renderer.render(tokens, md.options, env))


def _trimmed(line: str) -> str | None:
    """`line` without trailing spaces and tabs, or None where it ends in other white space,
    which versions of markdown-it trim differently."""
    line = line.rstrip(" \t")
    return None if line and line[-1].isspace() else line


def _read_blocks(lines: list[str]) -> list[Part] | None:
    """The body as HTML pieces, inline text and headings in order, or None if not simple."""
    out: list[Part] = []
    count = len(lines)
    index = 0
    while index < count:
        line = _trimmed(lines[index])
        if line is None:
            return None
        if not line:
            index += 1
            continue
        if line[0] == "#" and (heading := _HEADING.fullmatch(line)):
            hashes, content = heading.groups()
            if not content or content[0].isspace() or content.endswith("#"):
                return None
            out.append(_Heading(len(hashes), _Inline(content)))
            index += 1
        elif line[0] == ">":
            index = _read_quote(lines, index, out)
        elif line[0] == "|":
            index = _read_table(lines, index, out)
        elif line.startswith("[^"):
            index = _read_footnote(lines, index, out)
        elif (item := _list_item(line)) is not None:
            index = _read_list(lines, index, item[0], out)
        elif _starts_paragraph(line):
            index = _read_paragraph(lines, index, out)
        else:
            return None
        if index < 0:
            return None
    return out


def _block_of(lines: list[str], index: int) -> list[str] | None:
    """The lines from `index` up to the next blank line, as written; None if one of them
    ends in white space other than spaces and tabs (see `_trimmed`)."""
    block: list[str] = []
    while index < len(lines):
        line = lines[index]
        trimmed = _trimmed(line)
        if trimmed is None:
            return None
        if not trimmed:
            break
        block.append(line)
        index += 1
    return block


def _read_paragraph(lines: list[str], index: int, out: list[Part]) -> int:
    """Reads the paragraph starting at `index`: lines that can only continue it, up to a
    blank line. Gives the index after it, or -1 if it ends any other way."""
    block = _block_of(lines, index)
    if block is None or not all(_starts_paragraph(line.rstrip(" \t")) for line in block):
        return -1
    # (trailing spaces within a paragraph are a line break)
    out += ["<p>", _Inline("\n".join(block).rstrip(" \t")), "</p>\n"]
    return index + len(block)


def _read_quote(lines: list[str], index: int, out: list[Part]) -> int:
    """Reads a quote of paragraphs up to a blank line: every line of it "> " and a line of
    a paragraph, or ">" alone between two paragraphs."""
    block = _block_of(lines, index)
    if block is None:
        return -1
    paragraphs: list[list[str]] = [[]]
    for written in block:
        line = written.rstrip(" \t")
        if line == ">" and paragraphs[-1]:
            paragraphs.append([])
        elif line.startswith("> ") and _starts_paragraph(line[2:]):
            paragraphs[-1].append(written[2:])
        else:
            return -1
    if not paragraphs[-1]:
        return -1
    out.append("<blockquote>\n")
    for taken in paragraphs:
        out += ["<p>", _Inline("\n".join(taken).rstrip(" \t")), "</p>\n"]
    out.append("</blockquote>\n")
    return index + len(block)


def _read_footnote(lines: list[str], index: int, out: list[Part]) -> int:
    """Reads a footnote's text on one line, followed by a blank line or another footnote."""
    line = _trimmed(lines[index])
    note = _FOOTNOTE.fullmatch(line or "")
    if note is None or not note.group(2) or not _starts_paragraph(note.group(2)) or "[^" in note.group(2):
        return -1  # (a footnote in a footnote would be numbered in the order markdown-it reads them)
    label = note.group(1)
    if any(isinstance(part, _Footnote) and part.label == label for part in out):
        return -1
    index += 1
    if index < len(lines) and lines[index].strip(" \t") and not lines[index].startswith("[^"):
        return -1  # a lazy continuation line
    out.append(_Footnote(label, _Inline(note.group(2), as_tokens=True)))
    return index


def _read_table(lines: list[str], index: int, out: list[Part]) -> int:
    """Reads a table whose every row starts and ends with "|", up to a blank line."""
    if index + 1 >= len(lines):
        return -1
    header = _table_cells(lines[index])
    delimiters = _trimmed(lines[index + 1])
    if header is None or delimiters is None or not _TABLE_DELIMITERS.fullmatch(delimiters):
        return -1
    styles = []
    for delimiter in delimiters[1:-1].split("|"):
        delimiter = delimiter.strip(" \t")
        align = {(True, True): "center", (False, True): "right", (True, False): "left"}.get(
            (delimiter[0] == ":", delimiter[-1] == ":"))
        styles.append(f' style="text-align:{align}"' if align else "")
    if len(header) != len(styles):
        return -1
    out.append("<table>\n<thead>\n<tr>\n")
    for cell, style in zip(header, styles, strict=True):
        out += [f"<th{style}>", _Inline(cell, in_paragraph=False), "</th>\n"]
    out.append("</tr>\n</thead>\n")
    index += 2
    body = False
    while index < len(lines) and lines[index].strip(" \t"):
        row = _table_cells(lines[index])
        if row is None:
            return -1
        if not body:
            out.append("<tbody>\n")
            body = True
        out.append("<tr>\n")
        for column, style in enumerate(styles):
            cell = row[column] if column < len(row) else ""
            out += [f"<td{style}>", _Inline(cell, in_paragraph=False), "</td>\n"]
        out.append("</tr>\n")
        index += 1
    out.append("</tbody>\n</table>\n" if body else "</table>\n")
    return index


def _table_cells(line: str) -> list[str] | None:
    """The cells of a table row that starts and ends with "|", or None for any other line."""
    line = line.rstrip(" \t")
    if len(line) < 2 or line[0] != "|" or line[-1] != "|" or _TABLE_ROW_NOT_SIMPLE.search(line):
        return None
    return [cell.strip(" \t") for cell in line[1:-1].split("|")]


def _list_item(line: str) -> tuple[str, int, str] | None:
    """(marker, first number, content) of a one-line list item whose content is a paragraph;
    the marker is the bullet, or the delimiter after an ordered item's number."""
    first = line[0]
    if first in "-*+":
        bullet = _BULLET.fullmatch(line)
        if bullet and bullet.group(2) and _starts_paragraph(bullet.group(2)):
            return bullet.group(1), 1, bullet.group(2)
    elif first.isdigit():
        ordered = _ORDERED.fullmatch(line)
        if ordered and ordered.group(3) and _starts_paragraph(ordered.group(3)):
            return ordered.group(2), int(ordered.group(1)), ordered.group(3)
    return None


def _read_list(lines: list[str], index: int, marker: str, out: list[Part]) -> int:
    """Reads the list starting at `index`: items with the same marker, each one line, set
    apart by blank lines or none (a loose list or a tight one)."""
    items: list[str] = []
    start = 1
    loose = False
    count = len(lines)
    while index < count:
        line = _trimmed(lines[index])
        if line is None:
            return -1
        item = _list_item(line)
        if item is None or item[0] != marker:
            return -1
        if not items:
            start = item[1]
        items.append(item[2])
        index += 1
        after = index
        while after < count and not lines[after].strip(" \t"):
            after += 1
        if after == count:
            index = after
            break
        following = _trimmed(lines[after])
        if following is None:
            return -1
        next_item = _list_item(following)
        if next_item is None or next_item[0] != marker:
            if after == index:
                return -1  # a lazy continuation line, or a list of another kind right after
            index = after
            break
        loose = loose or after > index
        index = after
    ordered = marker in ".)"
    tag = "ol" if ordered else "ul"
    out.append(f'<{tag} start="{start}">\n' if ordered and start != 1 else f"<{tag}>\n")
    for content in items:
        if loose:
            out += ["<li>\n<p>", _Inline(content), "</p>\n</li>\n"]
        else:
            out += ["<li>", _Inline(content), "</li>\n"]
    out.append(f"</{tag}>\n")
    return index


def _first_paragraph(blocks: list[Part], notes: list[_Inline]) -> str:
    """The plain text of the first paragraph (in a list or quote too, or else in a footnote
    written after the body) that has any."""
    for part in [*blocks, *notes]:
        if isinstance(part, _Inline) and part.in_paragraph:
            if part.token is not None:
                text = plain_text(part.token)
            else:
                text = collapse_spaces(part.content if part.pieces is None else pieces_text(part.pieces))
            if text:
                return text
    return ""


def _heading_title(inline: _Inline) -> str:
    """The text the anchors plugin makes a heading's id of."""
    if inline.pieces is not None:
        return pieces_text(inline.pieces)
    if inline.token is None:
        return inline.content
    return "".join(child.content for child in inline.token.children or ()
                   if child.type in ("text", "code_inline"))


def plain_text(inline: Token) -> str:
    """The text of an inline token's children, without markup, white space runs made one space."""
    parts: list[str] = []
    for child in inline.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return collapse_spaces("".join(parts))


def collapse_spaces(text: str) -> str:
    """`text` with each run of whitespace made one space and none at either end.

    The same as `re.sub(r"\\s+", " ", text).strip()` (str.split and \\s take the same
    characters for whitespace), several times quicker.
    """
    return " ".join(text.split())
