"""The `gettimes` command as an editor runs it: through click's runner and the installed script.

Every test runs twice: in process (click's CliRunner) and as the real console script
in a subprocess, so the entry point, exit codes and streams are those a shell sees.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

import gettimes.cli as cli
from conftest import SiteFactory, article
from gettimes.cli import main

FIXED_EPOCH = "1751252400"  # 2025-06-30 03:00 UTC = 12:00 in Asia/Seoul (conftest.FIXED_NOW)
NEW_SLUG = "markets-rally-on-rate-hopes"


@dataclass(frozen=True, slots=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


Gettimes = Callable[..., Outcome]


def _script() -> list[str]:
    found = shutil.which("gettimes")
    return [found] if found else [sys.executable, "-m", "gettimes.cli"]


@pytest.fixture(params=["runner", "script"])
def gettimes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Gettimes:
    """Run `gettimes ARGS` in `cwd` at the fixed clock; the exit code and both streams."""

    def run_in_process(*args: str, cwd: Path, epoch: str = FIXED_EPOCH) -> Outcome:
        monkeypatch.chdir(cwd)
        result = CliRunner().invoke(main, list(args), env={"SOURCE_DATE_EPOCH": epoch})
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
        return Outcome(result.exit_code, result.stdout, result.stderr)

    def run_script(*args: str, cwd: Path, epoch: str = FIXED_EPOCH) -> Outcome:
        env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
        result = subprocess.run([*_script(), *args], cwd=cwd, env=env, capture_output=True, text=True,
                                check=False)
        assert "Traceback" not in result.stderr, result.stderr
        return Outcome(result.returncode, result.stdout, result.stderr)

    return run_in_process if request.param == "runner" else run_script


def tree_hash(folder: Path) -> dict[str, tuple[str, int]]:
    """Each file's content hash and modification time."""
    return {path.relative_to(folder).as_posix(): (hashlib.sha256(path.read_bytes()).hexdigest(),
                                                  path.stat().st_mtime_ns)
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def site(tmp_path: Path, gettimes: Gettimes) -> Path:
    """A site made by `gettimes init`."""
    result = gettimes("init", "site", cwd=tmp_path)
    assert result.code == 0, result.stderr
    return tmp_path / "site"


# --- the editor's round trip ---------------------------------------------------

def test_init_new_build_drafts_check(tmp_path: Path, gettimes: Gettimes) -> None:
    init = gettimes("init", "site", cwd=tmp_path)
    assert init.code == 0, init.stderr
    site = tmp_path / "site"
    assert (site / "gettimes.yaml").is_file()

    new = gettimes("new", "Markets Rally on Rate Hopes", "--category", "world", cwd=site)
    assert new.code == 0, new.stderr
    rel = f"content/articles/2025/06/{NEW_SLUG}.md"
    assert rel in new.stdout
    text = (site / rel).read_text("utf-8")
    assert 'title: "Markets Rally on Rate Hopes"' in text
    assert "date: 2025-06-30 12:00:00+09:00" in text  # the fixed clock in the site's zone
    assert 'category: "World"' in text  # the configured spelling
    assert "draft: true" in text.splitlines()

    build = gettimes("build", cwd=site)
    assert build.code == 0, build.stderr
    assert (site / "public" / "index.html").is_file()
    assert not (site / "public" / "article" / NEW_SLUG).exists()
    assert NEW_SLUG not in (site / "public" / "index.html").read_text("utf-8")

    drafts = gettimes("build", "--drafts", cwd=site)
    assert drafts.code == 0, drafts.stderr
    assert (site / "public" / "article" / NEW_SLUG / "index.html").is_file()

    check = gettimes("check", "--drafts", cwd=site)
    assert check.code == 0, check.stderr
    assert "0 errors" in check.stdout


def test_a_new_site_builds_without_warnings(site: Path, gettimes: Gettimes) -> None:
    """Every row of the sample stats file names a sample article."""
    result = gettimes("build", cwd=site)
    assert result.code == 0, result.stderr
    assert "warning" not in result.stderr


def test_new_dates_the_article_in_the_site_time_zone(site: Path, gettimes: Gettimes) -> None:
    """20:00 UTC on June 30 is already July 1 in Seoul: the folder and the date say so."""
    result = gettimes("new", "Overnight Markets", "--category", "Business", "--author", "JANE DOE",
                      "--tags", "Stocks, Bonds", cwd=site, epoch="1751313600")
    assert result.code == 0, result.stderr
    text = (site / "content/articles/2025/07/overnight-markets.md").read_text("utf-8")
    assert "date: 2025-07-01 05:00:00+09:00" in text
    assert 'author: "JANE DOE"' in text
    assert 'tags: ["Stocks", "Bonds"]' in text


# --- exit codes ------------------------------------------------------------------

def test_unknown_option_is_a_usage_error(site: Path, gettimes: Gettimes) -> None:
    result = gettimes("build", "--no-such-option", cwd=site)
    assert result.code == 2
    assert "--no-such-option" in result.stderr
    assert not (site / "public").exists()


@pytest.mark.parametrize("output", [".", "content", "content/articles/out", "..", "static"])
def test_output_over_the_sources_is_refused(site: Path, gettimes: Gettimes, output: str) -> None:
    before = tree_hash(site.parent)
    result = gettimes("build", "--output", output, cwd=site)
    assert result.code == 2, result.stderr
    assert "--output" in result.stderr
    assert tree_hash(site.parent) == before


def test_new_with_an_unknown_category_suggests_one(site: Path, gettimes: Gettimes) -> None:
    result = gettimes("new", "Some Title", "--category", "Wrold", cwd=site)
    assert result.code == 2
    assert 'unknown category \'Wrold\' (did you mean "World"?)' in result.stderr
    assert not list((site / "content/articles").rglob("some-title.md"))


def test_init_refuses_an_existing_site(site: Path, gettimes: Gettimes) -> None:
    (site / "gettimes.yaml").write_text("title: Mine\n", encoding="utf-8")
    result = gettimes("init", "site", cwd=site.parent)
    assert result.code == 2
    assert "already exists" in result.stderr
    assert (site / "gettimes.yaml").read_text("utf-8") == "title: Mine\n"


def test_init_overwrites_no_existing_file(tmp_path: Path, gettimes: Gettimes) -> None:
    """A folder without gettimes.yaml may still hold an editor's files: init refuses, writes nothing."""
    about = tmp_path / "site" / "content" / "pages" / "about.md"
    about.parent.mkdir(parents=True)
    about.write_text("Our own about page.\n", encoding="utf-8")
    before = tree_hash(tmp_path)
    result = gettimes("init", "site", cwd=tmp_path)
    assert result.code == 2
    assert "content/pages/about.md" in result.stderr
    assert tree_hash(tmp_path) == before


def test_init_keeps_an_existing_gitignore(tmp_path: Path, gettimes: Gettimes) -> None:
    (tmp_path / ".gitignore").write_text("node_modules/", encoding="utf-8")
    assert gettimes("init", ".", cwd=tmp_path).code == 0
    assert (tmp_path / ".gitignore").read_text("utf-8") == ("node_modules/\n"
                                                           "/public/\n/.gettimes-cache/\n/.*.gettimes-*/\n")
    assert (tmp_path / "gettimes.yaml").is_file()


@pytest.mark.parametrize("command", [["build"], ["check"], ["new", "A Title", "--category", "World"]])
def test_missing_configuration_is_a_content_error(tmp_path: Path, gettimes: Gettimes, command: list[str]) -> None:
    result = gettimes(*command, cwd=tmp_path)
    assert result.code == 1
    assert result.stderr.startswith("gettimes.yaml: no gettimes.yaml here")
    assert list(tmp_path.iterdir()) == []


def test_bad_base_url_option_is_a_usage_error(site: Path, gettimes: Gettimes) -> None:
    result = gettimes("build", "--base-url", "ftp://files.example.com", cwd=site)
    assert result.code == 2, result.stderr
    assert "--base-url" in result.stderr
    assert not (site / "public").exists()


@pytest.mark.parametrize("epoch", ["yesterday", "99999999999999999999"])
def test_bad_source_date_epoch_is_a_usage_error(site: Path, gettimes: Gettimes, epoch: str) -> None:
    result = gettimes("build", cwd=site, epoch=epoch)
    assert result.code == 2
    assert "SOURCE_DATE_EPOCH" in result.stderr


# --- build options ---------------------------------------------------------------

def test_base_url_option_overrides_the_configuration(site: Path, gettimes: Gettimes) -> None:
    result = gettimes("build", "--base-url", "https://staging.example.com/", cwd=site)
    assert result.code == 0, result.stderr
    files = [path.read_bytes() for path in (site / "public").rglob("*") if path.is_file()]
    assert b"https://staging.example.com/" in (site / "public" / "index.html").read_bytes()
    assert not any(b"https://www.example.com" in data for data in files)


def test_output_option_writes_there_only(site: Path, gettimes: Gettimes) -> None:
    result = gettimes("build", "--output", "../elsewhere", cwd=site)
    assert result.code == 0, result.stderr
    assert (site.parent / "elsewhere" / "index.html").is_file()
    assert not (site / "public").exists()
    assert sorted(p.name for p in site.parent.iterdir()) == ["elsewhere", "site"]


def test_future_option_publishes_future_articles(site: Path, gettimes: Gettimes) -> None:
    story = site / "content/articles/2025/07/rate-decision.md"
    story.parent.mkdir(parents=True)
    story.write_text(article("Rate Decision", date="2025-07-10 10:00:00+09:00"), encoding="utf-8")
    assert gettimes("build", cwd=site).code == 0
    assert not (site / "public/article/rate-decision").exists()
    assert gettimes("build", "--future", cwd=site).code == 0
    assert (site / "public/article/rate-decision/index.html").is_file()
    assert gettimes("build", cwd=site).code == 0
    assert not (site / "public/article/rate-decision").exists()


# --- check -----------------------------------------------------------------------

def test_check_creates_no_output_folder(site: Path, gettimes: Gettimes) -> None:
    before = tree_hash(site.parent)
    gettimes("check", cwd=site)
    assert tree_hash(site.parent) == before
    assert not (site / "public").exists()


def test_check_leaves_existing_output_untouched(site: Path, gettimes: Gettimes) -> None:
    assert gettimes("build", cwd=site).code == 0
    before = tree_hash(site / "public")
    story = next((site / "content/articles").rglob("*.md"))
    story.write_text(story.read_text("utf-8").replace("Edit it", "Change it"), encoding="utf-8")
    gettimes("check", cwd=site)
    assert tree_hash(site / "public") == before


def test_check_names_the_file_and_line_of_a_broken_link(site: Path, gettimes: Gettimes) -> None:
    body = "First paragraph.\n\nSee [the earlier story](/article/no-such-story/) for background.\n"
    story = site / "content/articles/2025/06/with-a-broken-link.md"
    story.write_text(article("With a Broken Link", date="2025-06-28 09:00:00+09:00", body=body), encoding="utf-8")
    result = gettimes("check", cwd=site)
    assert result.code == 1
    line = next(number for number, text in enumerate(story.read_text("utf-8").splitlines(), 1) if "no-such" in text)
    expected = f"content/articles/2025/06/with-a-broken-link.md:{line}: broken link to /article/no-such-story/"
    assert expected in result.stderr.splitlines()
    assert re.search(r"gettimes check: \d+ errors?", result.stderr)
    assert not (site / "public").exists()


def test_build_turns_the_cycle_collector_off_and_back_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build and its workers skip the cyclic collector's passes; the calling process gets it back."""
    seen: list[bool] = []
    real_build = cli.build_site

    def spying_build(*arguments: object, **keywords: object) -> object:
        seen.append(gc.isenabled())
        return real_build(*arguments, **keywords)  # type: ignore[arg-type]

    monkeypatch.setattr(cli, "build_site", spying_build)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "site"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "site")
    assert gc.isenabled()
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert seen == [False]
    assert gc.isenabled()


@pytest.mark.parametrize(("args", "code"), [(["--version"], 0), (["build"], 1), (["build", "--jobs", "0"], 2)])
def test_the_program_leaves_with_the_exit_code_of_its_command(
        args: list[str], code: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    left: list[object] = []
    monkeypatch.setattr(cli.atexit, "_run_exitfuncs", lambda: left.append("exit handlers"))
    monkeypatch.setattr(cli.os, "_exit", left.append)  # the program leaves without the interpreter's shutdown
    monkeypatch.setattr(sys, "argv", ["gettimes", *args])
    monkeypatch.chdir(tmp_path)  # no site here
    try:
        cli.run()
    except SystemExit as exc:  # another thread is running: the interpreter's own exit, which waits for it
        left += ["exit handlers", exc.code]
    assert left == ["exit handlers", code]
    said = capsys.readouterr()
    assert ("version" in said.out) if code == 0 else ("gettimes.yaml" in said.err or "--jobs" in said.err)


def test_progress_reports_the_rate_and_time_left_of_the_pages_since_rendering_started(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    clock = iter([100.0, 100.1, 100.5, 101.0])
    monkeypatch.setattr(cli.time, "perf_counter", lambda: next(clock))
    progress = cli._TerminalProgress()
    progress(200, 1200)  # rendering starts; 200 pages were kept from the last build
    progress(250, 1200)  # within a fifth of a second of the last line: not shown
    progress(600, 1200)
    progress(1200, 1200)
    lines = capsys.readouterr().err.split("\r")[1:]
    assert [line.rstrip() for line in lines] == [
        "Rendering 200/1200 pages",
        "Rendering 600/1200 pages, 800 pages/s, ETA 1 s",
        "Rendering 1200/1200 pages, 1,000 pages/s, ETA 0 s",
    ]
    assert lines[-1].endswith("\n") and not any(line.endswith("\n") for line in lines[:-1])


def test_a_build_on_a_terminal_shows_its_progress_and_is_quiet_into_a_pipe(make_site: SiteFactory) -> None:
    files = {f"content/articles/story-{number}.md": article(title=f"Story {number}") for number in range(40)}
    site = make_site(files)
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    command = [*_script(), "build", "--no-cache"]
    primary, secondary = os.openpty()  # standard error on a terminal, as an editor's shell has it
    with subprocess.Popen(command, cwd=site, env=env, stdout=subprocess.PIPE, stderr=secondary) as process:
        os.close(secondary)
        said = b""
        with contextlib.suppress(OSError):  # EIO once the build has closed the terminal
            while chunk := os.read(primary, 4096):
                said += chunk
        os.close(primary)
        assert process.wait() == 0
    shown = said.decode().replace("\r\n", "\n")
    pages = re.search(r"\rRendering (\d+)/\1 pages, [\d,]+ pages/s, ETA 0 s +\n", shown)
    assert pages is not None, shown
    assert int(pages.group(1)) > 40  # the articles, their listings, the home page...
    piped = subprocess.run(command, cwd=site, env=env, capture_output=True, text=True, check=True)
    assert "Rendering" not in piped.stderr and "Rendering" not in piped.stdout
