"""Broken sites: `gettimes build` lists every problem as `path:line: message` and writes nothing.

Each folder in tests/sites/invalid/ is one broken site; its expected.txt holds the
exact error lines the build prints on stderr, in order (warnings are not compared).
A line ending in `*` matches any line that starts with the text before the `*`;
it is used only where the wording is left to whoever fixes a known problem.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from gettimes.cli import main

INVALID = Path(__file__).parent / "sites" / "invalid"
CASES = sorted(path.name for path in INVALID.iterdir() if path.is_dir())
FIXED_EPOCH = "1751252400"  # 2025-06-30 03:00 UTC, the clock of conftest.FIXED_NOW

# Cases whose current output is wrong; each flips to a failure once the bug is fixed.
KNOWN_BUGS: dict[str, str] = {}


def _matches(expected: str, actual: str) -> bool:
    if expected.endswith("*"):
        return actual.startswith(expected[:-1])
    return expected == actual


def _tree(folder: Path) -> set[str]:
    return {path.relative_to(folder).as_posix() for path in folder.rglob("*")}


def run_build(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, int, str]:
    """Build a copy of the case in a scratch folder; the exit code and stderr."""
    site = tmp_path / case
    shutil.copytree(INVALID / case, site, ignore=shutil.ignore_patterns("expected.txt"))
    monkeypatch.chdir(site)
    before = _tree(tmp_path)
    result = CliRunner().invoke(main, ["build"], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert "Traceback" not in result.output
    assert _tree(tmp_path) == before, "a failed build wrote files"
    return site, result.exit_code, result.stderr


@pytest.mark.parametrize("case", [
    pytest.param(case, marks=pytest.mark.xfail(strict=True, reason=KNOWN_BUGS[case]))
    if case in KNOWN_BUGS else case
    for case in CASES
])
def test_invalid_site_lists_every_error_and_writes_nothing(
        case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (INVALID / case / "expected.txt").read_text("utf-8").splitlines()
    site, exit_code, stderr = run_build(case, tmp_path, monkeypatch)
    lines = stderr.splitlines()
    assert exit_code == 1, stderr
    assert not (site / "public").exists()
    errors = [line for line in lines[:-1] if ": warning: " not in line]
    assert len(errors) == len(expected) and all(map(_matches, expected, errors)), (
        "expected:\n" + "\n".join(expected) + "\n\ngot:\n" + "\n".join(errors))
    count = len(expected)
    assert lines[-1] == f"gettimes: {count} error{'s' if count != 1 else ''}; nothing was written"


def test_every_case_has_an_expected_file() -> None:
    assert len(CASES) >= 18
    missing = [case for case in CASES if not (INVALID / case / "expected.txt").is_file()]
    assert missing == []


def test_expected_lines_are_path_line_message() -> None:
    shape = re.compile(r"[\w./-]+(:\d+)?: \S.*")
    for case in CASES:
        for line in (INVALID / case / "expected.txt").read_text("utf-8").splitlines():
            assert shape.fullmatch(line), f"{case}/expected.txt: {line!r}"


@pytest.mark.parametrize("case", ["python-tag", "config-python-tag"])
def test_python_yaml_tag_is_never_executed(case: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`!!python/object/apply:os.system ["echo hi > executed.txt"]` is refused, not run."""
    site, exit_code, stderr = run_build(case, tmp_path, monkeypatch)
    assert exit_code == 1
    assert "python/object/apply:os.system" in stderr
    assert not (site / "executed.txt").exists()


def test_many_errors_are_reported_in_one_run_across_stages(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Articles, pages, reporter profiles and templates are all checked before the build stops."""
    _, _, stderr = run_build("many-errors", tmp_path, monkeypatch)
    files = {line.split(":", 1)[0] for line in stderr.splitlines()[:-1]}
    assert {"content/articles/2025/06/latin1.md", "content/articles/2025/06/no-title.md",
            "content/pages/tag.md", "data/authors.yaml", "templates/article.html"} <= files
    two_problems = [line for line in stderr.splitlines() if "two-problems.md" in line]
    assert len(two_problems) == 2, "both problems of one file are listed"


def test_check_reports_the_same_errors_and_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "many-errors"
    shutil.copytree(INVALID / "many-errors", site)
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["check"], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    expected = (site / "expected.txt").read_text("utf-8").splitlines()
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:-1] == expected
    assert result.stderr.splitlines()[-1] == f"gettimes check: {len(expected)} errors, 0 warnings"
