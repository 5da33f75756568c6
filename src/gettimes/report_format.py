"""Diagnostics for machines: GitHub Actions annotations and a JSON document.

The human format (`path:line: message`, coloured on a terminal) is printed by the
command line itself; these two are for the tools that run gettimes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from gettimes.diagnostics import Diagnostic

FORMATS = ("text", "github", "json")


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF would end or corrupt the command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: `,` and `:` also separate properties."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(diagnostics: Iterable[Diagnostic], prefix: str = "") -> list[str]:
    """One `::error file=PATH,line=N::message` (or `::warning`) line per diagnostic.

    GitHub shows each on the line of the file in the pull request. `prefix` is the
    site folder's path inside the repository ("" when the site is the repository).
    """
    lines = []
    for diagnostic in diagnostics:
        path = f"{prefix.strip('/')}/{diagnostic.path}" if prefix.strip("/") else diagnostic.path
        properties = [f"file={_escape_property(path)}"]
        if diagnostic.line:
            properties.append(f"line={diagnostic.line}")
        lines.append(f"::{diagnostic.severity} {','.join(properties)}::{_escape_data(diagnostic.message)}")
    return lines


def json_document(diagnostics: Iterable[Diagnostic]) -> str:
    """`{"errors": N, "warnings": N, "diagnostics": [{path, line, severity, message}]}`, keys in that order."""
    items = list(diagnostics)
    document = {
        "errors": sum(1 for d in items if d.severity == "error"),
        "warnings": sum(1 for d in items if d.severity == "warning"),
        "diagnostics": [
            {"path": d.path, "line": d.line, "severity": d.severity, "message": d.message} for d in items
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
