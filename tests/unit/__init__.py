"""Unit tests, one module per pipeline stage, and a reader for plain-text case files.

A case file holds cases of three sections, each ended by a line holding only ".":

    a title saying what the case shows
    .
    the input
    .
    the expected result
    .

Blank lines and lines starting with "#" between cases are ignored. Inputs spell
characters an editor cannot see as `<U+FEFF>` (any code point) and invalid bytes
as `<0xFF>`, so that every case stays readable in the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gettimes.config import SiteConfig, load_config
from gettimes.content import ARTICLES_DIR, ArticleLoader, LoadedArticle, discover, load_authors
from gettimes.diagnostics import Report

FIXTURES = Path(__file__).parent / "fixtures"

_CODE_POINT = re.compile(r"<U\+([0-9A-F]{4,6})>")
_BYTE = re.compile(rb"<0x([0-9A-F]{2})>")


@dataclass(frozen=True, slots=True)
class Case:
    file: Path
    line: int  # 1-based line of the title in the case file
    title: str
    input: str
    expected: str

    @property
    def where(self) -> str:
        """`fixtures/x.txt:12`, printed with every failure so the case is found at once."""
        return f"{self.file.relative_to(FIXTURES.parent.parent.parent).as_posix()}:{self.line}"

    def input_bytes(self) -> bytes:
        """The input as the bytes of a file: escapes decoded, invalid bytes kept invalid."""
        text = _CODE_POINT.sub(lambda m: chr(int(m.group(1), 16)), self.input)
        return _BYTE.sub(lambda m: bytes([int(m.group(1), 16)]), text.encode("utf-8"))

    @property
    def expected_lines(self) -> list[str]:
        return [line for line in self.expected.splitlines() if line.strip()]


def read_cases(name: str) -> list[Case]:
    """The cases of `fixtures/NAME`, each knowing the line it starts on."""
    path = FIXTURES / name
    lines = path.read_text(encoding="utf-8").splitlines()
    cases: list[Case] = []
    sections: list[str] = []
    title_line = 0
    start = 0
    for number, line in enumerate(lines):
        if line.rstrip() != ".":
            continue
        if not sections and title_line == 0:
            title_line = number  # the title is the line just above the first "."
        else:
            sections.append("\n".join(lines[start:number]) + ("\n" if number > start else ""))
        start = number + 1
        if len(sections) == 2:
            cases.append(Case(path, title_line, lines[title_line - 1].strip(), sections[0], sections[1]))
            sections, title_line = [], 0
    if sections or title_line:
        raise ValueError(f"{path}:{title_line}: unfinished case")
    return cases


def case_ids(cases: list[Case]) -> list[str]:
    return [f"L{case.line}-{re.sub(r'[^a-z0-9]+', '-', case.title.lower()).strip('-')}" for case in cases]


def load_articles(site: Path) -> tuple[list[LoadedArticle], Report, SiteConfig]:
    """Every article of the site at `site` as loaded from its file, with the report."""
    report = Report()
    config = load_config(site, report)
    assert config is not None, [str(d) for d in report]
    loader = ArticleLoader(site, config, load_authors(site, config, report))
    loaded = [item for path in discover(site / ARTICLES_DIR) if (item := loader.load(path, report))]
    return loaded, report, config
