"""The pre-commit hook and the check of given files it runs.

`gettimes check FILE...` reports the problems in those files and in what they
affect; the hook in .pre-commit-hooks.yaml runs it on the files being committed.
The hook is exercised through the real `pre-commit` tool in a scratch git
repository, once as a `repo: local` hook built from .pre-commit-hooks.yaml
(language: system, the gettimes installed here) and once installed by pre-commit
itself from this repository (language: python, as a newsroom uses it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from conftest import SiteFactory, article
from gettimes.cli import main
from gettimes.diagnostics import Diagnostic
from gettimes.focus import Focus

REPO = Path(__file__).resolve().parent.parent
INVALID = Path(__file__).parent / "sites" / "invalid"
FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW
JUNE = "content/articles/2025/06"
SUMMARY = re.compile(r"gettimes check: \d+ errors?, \d+ warnings?")


def check(site: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Result:
    monkeypatch.chdir(site)
    result = CliRunner().invoke(main, ["check", *args], env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    return result


def problems(result: Result) -> list[str]:
    """The lines on stderr but the closing count."""
    return [line for line in result.stderr.splitlines() if not SUMMARY.fullmatch(line)]


@pytest.fixture
def many_errors(tmp_path: Path) -> Path:
    site = tmp_path / "many-errors"
    shutil.copytree(INVALID / "many-errors", site, ignore=shutil.ignore_patterns("expected.txt"))
    return site


# --- which problems a check of given files reports -----------------------------------

def test_the_other_file_of_a_duplicate_slug_is_reported(many_errors: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The error is on port-strike-update.md; checking port-strike.md alone still shows it."""
    result = check(many_errors, monkeypatch, f"{JUNE}/port-strike.md")
    assert result.exit_code == 1
    assert problems(result) == [
        f"{JUNE}/port-strike-update.md:5: slug 'port-strike' is also used by {JUNE}/port-strike.md",
        "gettimes check: 8 more errors in other files, not shown (run 'gettimes check' without file names "
        "to list them; until they are fixed, links may go unchecked)",
    ]


def test_problems_in_the_given_files_only(many_errors: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(many_errors, monkeypatch, f"{JUNE}/two-problems.md", "content/pages/tag.md")
    assert result.exit_code == 1
    assert problems(result) == [
        f"{JUNE}/two-problems.md:3: 'date' is not a date: 'yesterday' (use 2025-06-23 or 2025-06-23 17:05:06+09:00)",
        f"{JUNE}/two-problems.md:4: unknown category 'Sprots'; the categories are: World, Business, Arts&Culture",
        "content/pages/tag.md:1: slug 'tag' is a built-in path of the site; choose another slug",
        "gettimes check: 6 more errors in other files, not shown (run 'gettimes check' without file names "
        "to list them; until they are fixed, links may go unchecked)",
    ]
    assert "gettimes check: 3 errors, 0 warnings" in result.stderr


def test_a_good_file_passes_although_others_are_broken(many_errors: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(many_errors, monkeypatch, f"{JUNE}/working.md")
    assert result.exit_code == 0
    assert result.stdout == "gettimes check: 0 errors, 0 warnings\n"
    assert "9 more errors in other files, not shown" in result.stderr


@pytest.mark.parametrize("given", ["gettimes.yaml", "templates/article.html", "data/authors.yaml", ".", "content/.."])
def test_files_every_page_depends_on_mean_the_whole_site(many_errors: Path, monkeypatch: pytest.MonkeyPatch,
                                                         given: str) -> None:
    whole = check(many_errors, monkeypatch)
    result = check(many_errors, monkeypatch, given)
    assert result.exit_code == 1
    assert result.stderr == whole.stderr
    assert len(problems(result)) == 9


def test_a_folder_covers_the_files_in_it(many_errors: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = check(many_errors, monkeypatch, "content/pages")
    assert problems(result)[0] == ("content/pages/tag.md:1: slug 'tag' is a built-in path of the site; "
                                   "choose another slug")
    assert "gettimes check: 1 error, 0 warnings" in result.stderr


def test_every_file_alone_reports_exactly_its_part_of_the_whole(many_errors: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    whole = problems(check(many_errors, monkeypatch))
    files = sorted(path.relative_to(many_errors).as_posix() for path in (many_errors / "content").rglob("*.md"))
    for rel in files:
        shown = [line for line in problems(check(many_errors, monkeypatch, rel)) if "not shown" not in line]
        expected = [line for line in whole if line.startswith(rel + ":") or f" {rel}" in line]
        assert shown == expected, rel


def test_a_broken_link_in_the_given_file_is_reported_with_its_line(make_site: SiteFactory,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    body = "First paragraph.\n\nSee [the story](/article/no-such-story/).\n"
    site = make_site({
        f"{JUNE}/linking.md": article("Linking", body=body),
        f"{JUNE}/also-linking.md": article("Also Linking", body=body),
        f"{JUNE}/fine.md": article("Fine"),
    })
    result = check(site, monkeypatch, f"{JUNE}/linking.md")
    assert problems(result)[0] == f"{JUNE}/linking.md:9: broken link to /article/no-such-story/"
    assert "gettimes check: 1 error, 0 warnings" in result.stderr
    assert check(site, monkeypatch, f"{JUNE}/fine.md").exit_code == 0


def test_a_renamed_slug_warns_in_both_files(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """A second "Weather" article gets weather-2: committing the older one shows the warning on the newer."""
    site = make_site({
        f"{JUNE}/weather.md": article("Weather", date="2025-06-20 09:00:00+09:00"),
        f"{JUNE}/weather-today.md": article("Weather", date="2025-06-28 09:00:00+09:00"),
    })
    result = check(site, monkeypatch, f"{JUNE}/weather.md")
    assert result.exit_code == 0
    assert problems(result) == [
        f"{JUNE}/weather-today.md: warning: the slug 'weather' is already used by {JUNE}/weather.md; "
        "this article is published at 'weather-2' (set 'slug:' to choose)",
        f'{JUNE}/weather.md:2: warning: the title "Weather" is also the title of {JUNE}/weather-today.md:2; '
        "give each article its own title"]


def test_paths_outside_the_site_or_missing_are_usage_errors(make_site: SiteFactory, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site({f"{JUNE}/fine.md": article("Fine")})
    (tmp_path / "elsewhere.md").write_text("x", encoding="utf-8")
    outside = check(site, monkeypatch, "../elsewhere.md")
    assert outside.exit_code == 2
    assert "is not inside the site folder" in outside.stderr
    missing = check(site, monkeypatch, f"{JUNE}/no-such.md")
    assert missing.exit_code == 2
    assert "does not exist" in missing.stderr


@pytest.mark.parametrize(("message", "named"), [
    (f"slug 'x' is also used by {JUNE}/a.md", True),
    (f"output file a/index.html is also written by {JUNE}/a.md.", True),  # a full stop ends the sentence
    (f"slug 'x' is also used by {JUNE}/a.md2", False),
    (f"slug 'x' is also used by {JUNE}/a.md.bak", False),
    (f"slug 'x' is also used by old/{JUNE}/a.md", False),
    (f"slug 'x' is also used by {JUNE}/b.md", False),
])
def test_a_file_is_named_only_as_a_whole_path(message: str, named: bool) -> None:
    focus = Focus((f"{JUNE}/a.md",))
    assert focus.is_named_in(message) is named
    assert focus.concerns(Diagnostic(f"{JUNE}/other.md", 1, message)) is named


def test_configuration_and_outputs_always_concern_the_given_files() -> None:
    focus = Focus((f"{JUNE}/a.md",))
    assert focus.concerns(Diagnostic("gettimes.yaml", 4, "unknown time zone"))
    assert focus.concerns(Diagnostic("feed.xml", None, "invalid feed"))
    assert not focus.concerns(Diagnostic("templates", None, "broken link to /x/ on 3 pages"))
    assert not focus.concerns(Diagnostic("data/stats.csv", 3, "no article at '/x/'", "warning"))


# --- the hook through the real pre-commit tool ----------------------------------------------

def _bin_dir() -> Path:
    """Where this Python's console scripts are (gettimes, pre-commit), also inside a virtualenv not on PATH."""
    return Path(sys.executable).parent


def _environment(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PATH=f"{_bin_dir()}{os.pathsep}{env.get('PATH', '')}",
        PRE_COMMIT_HOME=str(home / "pre-commit-cache"),
        SOURCE_DATE_EPOCH=FIXED_EPOCH,
        GIT_AUTHOR_NAME="Desk Editor", GIT_AUTHOR_EMAIL="desk@example.com",
        GIT_COMMITTER_NAME="Desk Editor", GIT_COMMITTER_EMAIL="desk@example.com",
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
    )
    return env


def _run(command: list[str], cwd: Path, env: dict[str, str], timeout: int = 300) -> subprocess.CompletedProcess[str]:
    # No standard input: nothing may wait for an answer.
    return subprocess.run(command, cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, check=False)


def _hook() -> dict[str, Any]:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    assert isinstance(hook, dict)
    return hook


def test_the_hook_definition() -> None:
    hook = _hook()
    assert hook["id"] == "gettimes-check"
    assert hook["entry"] == "gettimes check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    assert hook["require_serial"] is True
    assert hook["files"] == r"^(content/|data/|templates/|gettimes\.yaml)"


@pytest.fixture
def newsroom(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository holding a new site, with pre-commit's tools found."""
    require_pre_commit()
    env = _environment(tmp_path)
    repo = tmp_path / "newsroom"
    assert _run([str(_gettimes()), "init", str(repo)], tmp_path, env).returncode == 0
    for command in (["git", "init", "-q", "-b", "main"], ["git", "config", "commit.gpgsign", "false"]):
        assert _run(command, repo, env).returncode == 0
    return repo, env


def require_pre_commit() -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    pytest.importorskip("pre_commit", reason="pre-commit is in the test extra: pip install -e '.[test]'")


def _gettimes() -> Path:
    script = _bin_dir() / "gettimes"
    if not script.is_file():
        pytest.skip("the gettimes console script is not installed next to this Python")
    return script


def _pre_commit(*args: str) -> list[str]:
    return [sys.executable, "-m", "pre_commit", *args]


def _commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess[str]:
    assert _run(["git", "add", "-A"], repo, env).returncode == 0
    return _run(["git", "commit", "-q", "-m", message], repo, env)


def _broken_then_fixed(repo: Path, env: dict[str, str]) -> None:
    """The editor's experience: a broken article is refused with its line; fixed, it commits."""
    story = repo / JUNE / "port-strike.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(article("Port Strike Ends", category="Wrold"), encoding="utf-8")
    refused = _commit(repo, env, "Port strike story")
    output = refused.stdout + refused.stderr
    assert refused.returncode != 0, output
    assert "gettimes check" in output and "Failed" in output
    assert (f"{JUNE}/port-strike.md:4: unknown category 'Wrold' (did you mean \"World\"?); "
            "the categories are: World, Business, ICT, Opinion, Arts&Culture") in output
    log = _run(["git", "log", "--format=%s"], repo, env).stdout.splitlines()
    assert "Port strike story" not in log

    story.write_text(article("Port Strike Ends", category="World"), encoding="utf-8")
    accepted = _commit(repo, env, "Port strike story")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert _run(["git", "log", "-1", "--format=%s"], repo, env).stdout.strip() == "Port strike story"


def test_a_local_hook_blocks_a_broken_article_and_lets_a_good_one_through(
        newsroom: tuple[Path, dict[str, str]]) -> None:
    repo, env = newsroom
    hook = {**_hook(), "language": "system"}  # the gettimes installed here, found on PATH
    config = {"repos": [{"repo": "local", "hooks": [hook]}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    installed = _run(_pre_commit("install"), repo, env)
    assert installed.returncode == 0, installed.stderr
    first = _commit(repo, env, "A new site")
    assert first.returncode == 0, first.stdout + first.stderr
    _broken_then_fixed(repo, env)


def test_the_hook_checks_only_the_committed_files(newsroom: tuple[Path, dict[str, str]]) -> None:
    """An unfinished article left out of the commit does not stop another from being committed."""
    repo, env = newsroom
    hook = {**_hook(), "language": "system"}
    (repo / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, sort_keys=False), encoding="utf-8")
    assert _run(_pre_commit("install"), repo, env).returncode == 0
    assert _commit(repo, env, "A new site").returncode == 0
    (repo / JUNE).mkdir(parents=True, exist_ok=True)
    (repo / JUNE / "unfinished.md").write_text("---\ntitle: Half written\n", encoding="utf-8")
    (repo / JUNE / "ready.md").write_text(article("Ready to Go"), encoding="utf-8")
    assert _run(["git", "add", f"{JUNE}/ready.md"], repo, env).returncode == 0
    result = _run(["git", "commit", "-q", "-m", "Ready"], repo, env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 more error in other files, not shown" in result.stdout + result.stderr


@pytest.mark.slow
def test_pre_commit_installs_the_hook_from_this_repository(newsroom: tuple[Path, dict[str, str]]) -> None:
    """`pre-commit try-repo` builds the hook as a newsroom gets it: language python, in its own virtualenv.

    It installs gettimes and its dependencies from the package index into that virtualenv
    (about a minute); the local-hook tests above cover the rest of the editor's experience.
    """
    repo, env = newsroom
    if _run(["git", "rev-parse", "--git-dir"], REPO, env).returncode != 0:
        pytest.skip("this copy of gettimes is not a git checkout")
    assert _commit(repo, env, "A new site").returncode == 0
    story = repo / JUNE / "port-strike.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(article("Port Strike Ends", category="Wrold"), encoding="utf-8")
    assert _run(["git", "add", "-A"], repo, env).returncode == 0
    refused = _run(_pre_commit("try-repo", str(REPO), "gettimes-check"), repo, env, timeout=900)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 1, output
    assert "gettimes check" in output and "Failed" in output
    assert f"{JUNE}/port-strike.md:4: unknown category 'Wrold'" in output


def test_checking_one_article_renders_only_its_pages(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """The pre-commit fast path: every file is loaded, but only the given article's page is drawn."""
    from gettimes.render import PageRenderer

    site = make_site({f"content/articles/2025/06/story-{n}.md": article(f"Story {n}") for n in range(6)})
    drawn: list[str] = []
    original = PageRenderer.render

    def counting(self: PageRenderer, job: Any, report: Any) -> bytes | None:
        drawn.append(job.url)
        return original(self, job, report)

    monkeypatch.setattr(PageRenderer, "render", counting)
    result = check(site, monkeypatch, "content/articles/2025/06/story-3.md")
    assert result.exit_code == 0, result.output
    assert drawn == ["/article/story-3/"]
    drawn.clear()
    assert check(site, monkeypatch).exit_code == 0
    assert len(drawn) > 6  # the whole site: every article, listing and page
