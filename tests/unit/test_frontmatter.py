"""Reading source files and splitting front matter: cases in fixtures/frontmatter.txt."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from gettimes.diagnostics import Report
from gettimes.frontmatter import Document, load_yaml_file, parse_document, read_text, yaml_key_lines

from . import Case, case_ids, read_cases

CASES = read_cases("frontmatter.txt")
_ERROR = re.compile(r"error (\d+): (.+)")


def _load(case: Case, tmp_path: Path) -> tuple[Document | None, Report]:
    path = tmp_path / "article.md"
    path.write_bytes(case.input_bytes())
    report = Report()
    text = read_text(path, "article.md", report)
    document = parse_document(text, "article.md", report) if text is not None else None
    return document, report


def _check(document: Document, expectation: str) -> tuple[object, object]:
    """(actual, expected) for one expected line."""
    name, _, value = expectation.partition(": ")
    if name == "meta":
        return repr(document.meta), value
    if name.startswith("meta "):
        return repr(document.meta.get(name[5:])), value
    if name == "body":
        return repr(document.body), value
    if name == "body_line":
        return document.body_line, int(value)
    if name.startswith("line_of "):
        return document.line_of(name[8:]), int(value)
    raise ValueError(f"unknown expectation {expectation!r}")


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_front_matter_case(case: Case, tmp_path: Path) -> None:
    document, report = _load(case, tmp_path)
    expected_errors = [m.groups() for line in case.expected_lines if (m := _ERROR.fullmatch(line))]
    found = [f"{d.line}: {d.message}" for d in report]
    if expected_errors:
        assert document is None, f"{case.where}: expected errors, got a document"
        assert len(found) == len(expected_errors), f"{case.where}: got {found}"
        for (line, text), diagnostic in zip(expected_errors, report, strict=True):
            assert (diagnostic.line, text in diagnostic.message) == (int(line), True), \
                f"{case.where}: expected line {line} with {text!r}, got {found}"
            assert "\n" not in diagnostic.message, f"{case.where}: message spans lines: {found}"
            assert "column" not in diagnostic.message and "position" not in diagnostic.message, \
                f"{case.where}: message carries parser internals: {found}"
        return
    assert found == [], f"{case.where}: unexpected diagnostics {found}"
    assert document is not None
    for expectation in case.expected_lines:
        actual, expected = _check(document, expectation)
        assert actual == expected, f"{case.where}: {expectation.partition(': ')[0]}: {actual!r} != {expected!r}"


def test_every_case_file_case_was_read() -> None:
    # A mistyped separator would silently merge two cases; the file has one title per case.
    assert len(CASES) >= 40
    assert all(case.title and case.expected_lines for case in CASES)


def test_body_is_optional_for_pages_without_front_matter() -> None:
    report = Report()
    document = parse_document("Just text.\n", "content/pages/x.md", report, required=False)
    assert document is not None and document.meta == {} and document.body == "Just text.\n"
    assert not report.items


def test_unreadable_file_is_reported_not_raised(tmp_path: Path) -> None:
    report = Report()
    assert read_text(tmp_path / "missing.md", "missing.md", report) is None
    assert [d.path for d in report.errors] == ["missing.md"]
    assert "cannot read file" in report.errors[0].message


def test_lone_carriage_returns_become_newlines(tmp_path: Path) -> None:
    path = tmp_path / "old-mac.md"
    path.write_bytes(b"---\rtitle: Hello\r---\rBody\r")
    report = Report()
    text = read_text(path, "old-mac.md", report)
    assert text == "---\ntitle: Hello\n---\nBody\n"


def test_yaml_data_file_error_line(tmp_path: Path) -> None:
    path = tmp_path / "authors.yaml"
    path.write_text("- name: Kim\n- name: [Lee\n", encoding="utf-8")
    report = Report()
    assert load_yaml_file(path, "data/authors.yaml", report) is None
    assert [(d.path, d.line) for d in report.errors] == [("data/authors.yaml", 2)]  # where '[' opened


def test_yaml_data_file_refuses_python_tags(tmp_path: Path) -> None:
    path = tmp_path / "gettimes.yaml"
    path.write_text("title: !!python/object/apply:os.system [echo]\n", encoding="utf-8")
    report = Report()
    assert load_yaml_file(path, "gettimes.yaml", report) is None
    assert report.errors[0].line == 1 and "not allowed" in report.errors[0].message


def test_yaml_key_lines_are_one_based() -> None:
    assert yaml_key_lines("title: a\n\nbase_url: b\n") == {"title": 1, "base_url": 3}
    assert yaml_key_lines("[unclosed") == {}
