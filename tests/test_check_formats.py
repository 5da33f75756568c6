"""`gettimes check --format`: text for people, GitHub Actions annotations, JSON for other tools."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from conftest import SiteFactory, article
from gettimes.diagnostics import Diagnostic
from gettimes.report_format import github_annotations, json_document

FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW

# Several broken files, and names and messages that need escaping in a workflow command:
# a comma, a colon and a percent sign in a file name, a percent sign and a line break
# in a message.
BROKEN = {
    "content/articles/2025/06/first.md": article("Exports Record", slug="exports-record"),
    "content/articles/2025/06/second.md": article("Exports Again", date="2025-06-24 09:00:00+09:00",
                                                  slug="exports-record"),
    "content/articles/2025/06/when.md": article("When", date='"soon\\nor later"'),
    "content/articles/2025/06/rates,up:100%.md": article("Rates", category='"Sprots 100%"'),
    "content/articles/2025/06/byline.md": article("Byline", author="NOBODY"),
}

GITHUB = """\
::warning file=content/articles/2025/06/byline.md::reporter 'NOBODY' has no profile in data/authors.yaml \
(a typo?); a reporter page is made anyway
::error file=content/articles/2025/06/rates%2Cup%3A100%25.md,line=4::unknown category 'Sprots 100%25'; \
the categories are: World, Business, Arts&Culture
::error file=content/articles/2025/06/second.md,line=5::slug 'exports-record' is also used by \
content/articles/2025/06/first.md
::error file=content/articles/2025/06/when.md,line=3::'date' is not a date: 'soon%0Aor later' \
(use 2025-06-23 or 2025-06-23 17:05:06+09:00)
"""

JSON = """\
{
  "errors": 3,
  "warnings": 1,
  "diagnostics": [
    {
      "path": "content/articles/2025/06/byline.md",
      "line": null,
      "severity": "warning",
      "message": "reporter 'NOBODY' has no profile in data/authors.yaml (a typo?); a reporter page is made anyway"
    },
    {
      "path": "content/articles/2025/06/rates,up:100%.md",
      "line": 4,
      "severity": "error",
      "message": "unknown category 'Sprots 100%'; the categories are: World, Business, Arts&Culture"
    },
    {
      "path": "content/articles/2025/06/second.md",
      "line": 5,
      "severity": "error",
      "message": "slug 'exports-record' is also used by content/articles/2025/06/first.md"
    },
    {
      "path": "content/articles/2025/06/when.md",
      "line": 3,
      "severity": "error",
      "message": "'date' is not a date: 'soon\\nor later' (use 2025-06-23 or 2025-06-23 17:05:06+09:00)"
    }
  ]
}
"""


def check(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str, env: dict[str, str] | None = None) -> Result:
    from gettimes.cli import main

    monkeypatch.chdir(site)
    monkeypatch.delenv("GITHUB_WORKSPACE", raising=False)
    result = CliRunner().invoke(main, ["check", *args], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH, **(env or {})})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


@pytest.fixture
def broken(make_site: SiteFactory) -> Path:
    return make_site(BROKEN)


def test_github_annotations_exactly(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(broken, monkeypatch, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout == GITHUB
    assert result.stderr == "gettimes check: 3 errors, 1 warning\n"


def test_json_exactly(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(broken, monkeypatch, "--format", "json")
    assert result.exit_code == 1
    assert result.stdout == JSON
    assert result.stderr == ""
    assert list(json.loads(result.stdout)) == ["errors", "warnings", "diagnostics"]


def test_text_is_the_default_and_unchanged(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(broken, monkeypatch)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "content/articles/2025/06/byline.md: warning: reporter 'NOBODY' has no profile in data/authors.yaml "
        "(a typo?); a reporter page is made anyway",
        "content/articles/2025/06/rates,up:100%.md:4: unknown category 'Sprots 100%'; "
        "the categories are: World, Business, Arts&Culture",
        "content/articles/2025/06/second.md:5: slug 'exports-record' is also used by content/articles/2025/06/first.md",
        "content/articles/2025/06/when.md:3: 'date' is not a date: 'soon",
        "or later' (use 2025-06-23 or 2025-06-23 17:05:06+09:00)",
        "gettimes check: 3 errors, 1 warning",
    ]
    assert "\x1b[" not in result.stderr  # no colour codes when the output is not a terminal


@pytest.mark.parametrize("output_format", ["text", "github", "json"])
def test_a_clean_site_exits_zero_in_every_format(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch,
                                                 output_format: str) -> None:
    site = make_site({"content/articles/2025/06/fine.md": article("Fine")})
    result = check(site, monkeypatch, "--format", output_format)
    assert result.exit_code == 0, result.output
    if output_format == "json":
        assert json.loads(result.stdout) == {"errors": 0, "warnings": 0, "diagnostics": []}
    elif output_format == "github":
        assert result.stdout == ""


def test_warnings_alone_exit_zero(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({"content/articles/2025/06/byline.md": article("Byline", author="NOBODY")})
    result = check(site, monkeypatch, "--format", "github")
    assert result.exit_code == 0
    assert result.stdout.startswith("::warning file=content/articles/2025/06/byline.md::reporter 'NOBODY'")


def test_annotations_name_files_from_the_repository_root(tmp_path: Path, make_site: SiteFactory,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A site in a subfolder of the checkout: GitHub needs the path from the repository's root."""
    site = make_site({"content/articles/2025/06/when.md": article("When", date="someday")},
                     root=tmp_path / "repo" / "news site")
    result = check(site, monkeypatch, "--format", "github", env={"GITHUB_WORKSPACE": str(tmp_path / "repo")})
    assert result.stdout.splitlines() == [
        "::error file=news site/content/articles/2025/06/when.md,line=3::'date' is not a date: 'someday' "
        "(use 2025-06-23 or 2025-06-23 17:05:06+09:00)"
    ]
    at_root = check(site, monkeypatch, "--format", "github", env={"GITHUB_WORKSPACE": str(site)})
    assert at_root.stdout.startswith("::error file=content/articles/2025/06/when.md,line=3::")


def test_a_missing_configuration_is_an_annotation_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(tmp_path, monkeypatch, "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.startswith("::error file=gettimes.yaml::no gettimes.yaml here")


def test_an_unknown_format_is_a_usage_error(broken: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(broken, monkeypatch, "--format", "xml")
    assert result.exit_code == 2
    assert "'xml' is not one of" in result.stderr


def test_the_console_script_prints_the_same(broken: Path) -> None:
    """Through the installed command, as a CI step runs it: same bytes, same exit code."""
    env = {key: value for key, value in os.environ.items() if key != "GITHUB_WORKSPACE"}
    env.update(SOURCE_DATE_EPOCH=FIXED_EPOCH, PYTHONIOENCODING="utf-8")
    script = Path(sys.executable).parent / "gettimes"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "gettimes.cli"]
    for output_format, expected in (("github", GITHUB), ("json", JSON)):
        result = subprocess.run([*command, "check", "--format", output_format], cwd=broken, env=env,
                                capture_output=True, text=True, encoding="utf-8", stdin=subprocess.DEVNULL,
                                check=False)
        assert (result.returncode, result.stdout) == (1, expected), result.stderr


# --- the escaping rules themselves ---------------------------------------------------

@pytest.mark.parametrize(("path", "line", "message", "expected"), [
    ("a.md", 3, "plain", "::error file=a.md,line=3::plain"),
    ("a.md", None, "no line", "::error file=a.md::no line"),
    ("a,b:c%d.md", 1, "m", "::error file=a%2Cb%3Ac%25d.md,line=1::m"),
    ("a.md", 1, "50% off, a: b", "::error file=a.md,line=1::50%25 off, a: b"),
    ("a.md", 1, "one\r\ntwo\nthree", "::error file=a.md,line=1::one%0D%0Atwo%0Athree"),
    ("a.md", 1, "%0A stays text", "::error file=a.md,line=1::%250A stays text"),
    ("a.md", 1, "::error::inside", "::error file=a.md,line=1::::error::inside"),
])
def test_workflow_command_escaping(path: str, line: int | None, message: str, expected: str) -> None:
    assert github_annotations([Diagnostic(path, line, message)]) == [expected]


def test_warning_severity_and_prefix() -> None:
    lines = github_annotations([Diagnostic("content/a.md", 2, "w", "warning")], prefix="site/")
    assert lines == ["::warning file=site/content/a.md,line=2::w"]


def test_json_keeps_non_ascii_text_readable() -> None:
    text = json_document([Diagnostic("content/기사.md", 1, "'title' is required")])
    assert '"path": "content/기사.md"' in text
    assert json.loads(text)["diagnostics"][0]["path"] == "content/기사.md"
