"""Read a source file and split its front matter (YAML or TOML) from its body.

A common YAML header is read by frontmatter_simple, which gives the values the YAML
loader would; any other goes through the C YAML loader. The top-level key nodes of
that one parse are kept with the document, and the line of a key is counted from them
only when something asks for it (errors are rare, builds are frequent).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gettimes.diagnostics import Report
from gettimes.frontmatter_simple import simple_mapping

# The C loader is several times faster; PyYAML built without libyaml lacks it.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SafeLoader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, except that a timestamp which is no real date stays text.

    PyYAML raises a bare ValueError for `2025-02-30`; as text it reaches the
    field's own check, which reports it with its key and line.
    """

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        # Most values are text, which the general path (the constructed-object and
        # recursion bookkeeping, three calls down to the same `node.value`) slows.
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value
        return super().construct_object(node, deep)


_STR_TAG = "tag:yaml.org,2002:str"


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    try:
        return loader.construct_yaml_timestamp(node)
    except ValueError:
        return loader.construct_scalar(node)


SafeLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
_SCALARS: Any = None  # a loader to run the scalar constructors with: they read settings off it, not its text


def _construct_scalar(tag: str, text: str) -> Any:
    """A plain scalar's value, as SafeLoader makes it, for frontmatter_simple."""
    global _SCALARS
    if _SCALARS is None:
        _SCALARS = SafeLoader("")
    return SafeLoader.yaml_constructors[tag](_SCALARS, yaml.ScalarNode(tag, text))

_YAML_FENCE = re.compile(r"---[ \t]*")
_YAML_END = re.compile(r"(---|\.\.\.)[ \t]*")
_TOML_FENCE = re.compile(r"\+\+\+[ \t]*")
_TOML_WHERE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")


def read_text(path: Path, rel: str, report: Report) -> str | None:
    """The file's text (BOM dropped, CRLF folded), or None after reporting why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        report.error(rel, None, f"cannot read file: {exc.strerror}")
        return None
    return decode_text(data, rel, report)


def decode_text(data: bytes, rel: str, report: Report) -> str | None:
    """Text from a file's bytes (BOM dropped, CRLF folded), or None after reporting invalid UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.error(rel, line, "file is not valid UTF-8; save it with UTF-8 encoding")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


@dataclass(slots=True)
class Document:
    """Front matter values, the body, and where each came from in the file."""

    rel: str
    meta: dict[str, Any]
    body: str
    body_line: int
    header: str = ""
    header_line: int = 1
    header_format: str = "yaml"
    # The top-level key nodes of a YAML header as parsed, kept to find a key's line if asked.
    key_nodes: list[yaml.Node] | None = field(default=None, repr=False)
    _lines: dict[str, int] | None = field(default=None, repr=False)

    def line_of(self, key: str) -> int:
        """The 1-based file line of a top-level front matter key (the fence if unknown)."""
        offset = self._offset_of(key)
        if offset is None:
            return max(self.header_line - 1, 1)
        return self.header_line + offset

    def _offset_of(self, key: str) -> int | None:
        """The 0-based line of a top-level key within the header (its first, if written twice)."""
        if self.key_nodes is not None:  # only the key asked for is counted: most documents ask for one
            node = next((node for node in self.key_nodes
                         if isinstance(node, yaml.ScalarNode) and str(node.value) == key), None)
            return None if node is None else node_line(self.header, node) - 1
        if self._lines is None:
            self._lines = _key_lines(self.header, self.header_format)
        return self._lines.get(key)


def _key_lines(header: str, header_format: str) -> dict[str, int]:
    """Map each top-level key to its 0-based line within the header."""
    lines: dict[str, int] = {}
    if header_format == "toml":
        for number, text in enumerate(header.split("\n")):
            match = re.match(r"\s*([A-Za-z0-9_-]+|\"[^\"]+\")\s*=", text)
            if match:
                lines.setdefault(match.group(1).strip('"'), number)
        return lines
    try:
        node = yaml.compose(header, Loader=SafeLoader)
    except yaml.YAMLError:
        return lines
    for key_node in _top_keys(node):
        if isinstance(key_node, yaml.ScalarNode):
            lines.setdefault(str(key_node.value), node_line(header, key_node) - 1)
    return lines


def _top_keys(node: yaml.Node | None) -> list[yaml.Node]:
    """The key nodes of a mapping node, in the order written (none for another node)."""
    if isinstance(node, yaml.MappingNode):
        return [key_node for key_node, _ in node.value]
    return []


def parse_document(text: str, rel: str, report: Report, *, required: bool = True) -> Document | None:
    """Split `text` into front matter and body; report malformed front matter.

    Blank lines may precede the opening fence. Without a fence the whole text is
    the body, which is an error when `required` (articles need a title and date).
    """
    # Lines are cut off the text one by one up to the closing fence: the body, most of it, is never split.
    first = 0
    line, after = _line_at(text, 0)
    while not line.strip() and after < len(text):
        first += 1
        line, after = _line_at(text, after)
    if not (_YAML_FENCE.fullmatch(line) or _TOML_FENCE.fullmatch(line)):
        if required:
            report.error(rel, 1, "no front matter: the file must start with a '---' line, "
                         "then title, date and category, then another '---' line")
            return None
        return Document(rel, {}, text, 1)
    header_format = "toml" if _TOML_FENCE.fullmatch(line) else "yaml"
    end_pattern = _TOML_FENCE if header_format == "toml" else _YAML_END
    header_start, close = after, first + 1
    while True:
        if after > len(text):  # past the last line
            fence = "+++" if header_format == "toml" else "---"
            report.error(rel, first + 1, f"front matter opened here is never closed with '{fence}'")
            return None
        line_start = after
        line, after = _line_at(text, after)
        if end_pattern.fullmatch(line):
            break
        close += 1
    header = text[header_start:max(line_start - 1, header_start)]
    header_line = first + 2
    lines = None
    if header_format == "toml":
        meta = _parse_toml(header, header_line, rel, report)
        key_nodes = None
    elif (simple := simple_mapping(header, _construct_scalar)) is not None:
        (meta, lines), key_nodes = simple, None  # holds no control character: it reads none
    else:
        parsed = _parse_yaml(header, header_line, rel, report)
        meta, key_nodes = parsed if parsed is not None else (None, None)
    if meta is None:
        return None
    return Document(rel, meta, text[after:], close + 2, header, header_line, header_format, key_nodes, lines)


def _line_at(text: str, start: int) -> tuple[str, int]:
    """The line of `text` that starts at `start`, and where the next one starts (past the end after the last)."""
    end = text.find("\n", start)
    if end < 0:
        return text[start:], len(text) + 1
    return text[start:end], end + 1


def _parse_toml(header: str, header_line: int, rel: str, report: Report) -> dict[str, Any] | None:
    try:
        return _without_controls(tomllib.loads(header))
    except tomllib.TOMLDecodeError as exc:
        # tomllib ends its message with "(at line 3, column 7)" or "(at end of document)".
        match = _TOML_WHERE.search(str(exc))
        offset = int(match.group(1)) if match and match.group(1) else header.count("\n") + 1
        message = _TOML_WHERE.sub("", str(exc)).strip()
        report.error(rel, header_line + offset - 1, f"invalid TOML front matter: {message}")
        return None


def _parse_yaml(
    header: str, header_line: int, rel: str, report: Report
) -> tuple[dict[str, Any], list[yaml.Node]] | None:
    """The header's values and its top-level key nodes, or None after reporting."""
    try:
        value, key_nodes = _load_with_keys(header)
    except yaml.YAMLError as exc:
        report.error(rel, *_yaml_error(exc, header, header_line))
        return None
    if value is None:
        return {}, key_nodes
    if not isinstance(value, dict):
        report.error(rel, header_line - 1,
                     "front matter must be a mapping of keys to values (key: value lines)")
        return None
    return _without_controls({str(key): item for key, item in value.items()}), key_nodes


def _load_with_keys(text: str) -> tuple[Any, list[yaml.Node]]:
    """What `yaml.load` gives for `text`, and the top-level key nodes as written.

    One parse serves both the values and, should a message need one, a key's line.
    The keys are taken before construction, which rewrites a mapping that has a
    merge key (`<<`).
    """
    loader = SafeLoader(text)
    try:
        node = loader.get_single_node()
        key_nodes = _top_keys(node)
        return (None if node is None else loader.construct_document(node)), key_nodes
    finally:
        loader.dispose()


# Errors found only where YAML gives up (the end of the header, the next key) but made
# where something was opened: they are reported at the opening.
_OPENED_AT = ("while scanning a quoted scalar", "while parsing a flow sequence", "while parsing a flow mapping",
              "while scanning a simple key")


def _yaml_error(exc: yaml.YAMLError, text: str, first_line: int) -> tuple[int, str]:
    """The file line and a readable message for a YAML parse error in `text`.

    Lines are counted from the mark's character index: YAML also breaks lines at
    U+0085 and U+2028, which would push its own line numbers past the file's.
    """
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML refuses, e.g. a control character
        line = first_line + text.count("\n", 0, exc.position)
        return line, f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}"
    context = getattr(exc, "context", None)
    opened = getattr(exc, "context_mark", None)
    mark = getattr(exc, "problem_mark", None) or opened
    if context and context.startswith(_OPENED_AT) and opened is not None:
        mark = opened  # the quote or bracket left open, not where YAML gave up
    line = first_line + text.count("\n", 0, mark.index) if mark is not None else first_line
    problem = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, yaml.constructor.ConstructorError):
        tag = re.search(r"tag '([^']+)'", str(exc))
        if tag:
            return line, f"YAML tag '{tag.group(1)}' is not allowed (front matter holds plain values)"
    message = f"{context}, {problem}" if context else str(problem)
    return line, f"invalid YAML: {message}"


def load_yaml_file(path: Path, rel: str, report: Report) -> tuple[Any, str] | None:
    """Load a whole YAML data file (configuration, authors); None after reporting."""
    text = read_text(path, rel, report)
    if text is None:
        return None
    try:
        return yaml.load(text, Loader=SafeLoader), text  # noqa: S506
    except yaml.YAMLError as exc:
        report.error(rel, *_yaml_error(exc, text, 1))
        return None


def yaml_key_lines(text: str) -> dict[str, int]:
    """1-based lines of the top-level keys of a YAML mapping document."""
    return {key: line + 1 for key, line in _key_lines(text, "yaml").items()}


def node_line(text: str, node: yaml.Node) -> int:
    """The 1-based line of `node` in `text`, counting only "\n" as YAML also breaks at U+0085 and U+2028."""
    return text.count("\n", 0, node.start_mark.index) + 1


def yaml_node_lines(text: str) -> Any:
    """The composed node tree of a YAML document (for line numbers in nested data)."""
    try:
        return yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_controls(values: dict[str, Any]) -> dict[str, Any]:
    """Front-matter values without control characters, which HTML and XML may not carry."""
    return {key: _clean(item) for key, item in values.items()}


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, dict):
        return {key: _clean(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean(item) for item in value]
    return value
