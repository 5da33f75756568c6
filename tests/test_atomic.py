"""All or nothing: a build that fails or is killed leaves the previous output as it was.

The site's output folder changes only when a build succeeds; the build writes
nowhere but that folder and its staging sibling, whatever the content says.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, SiteFactory, article, options
from gettimes.build import build_site
from gettimes.diagnostics import SiteError

FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW as SOURCE_DATE_EPOCH
STAGING = ".public.gettimes-tmp"


def snapshot(folder: Path, skip: Path | None = None) -> dict[str, tuple[str, int]]:
    """Every file and folder under `folder` (except `skip`, its staging sibling and the build cache):
    content hash and modification time."""
    skipped = [] if skip is None else [skip, skip.parent / f".{skip.name}.gettimes-tmp"]
    result: dict[str, tuple[str, int]] = {}
    for path in sorted(folder.rglob("*")):
        if any(path == s or path.is_relative_to(s) for s in skipped) or ".gettimes-cache" in path.parts:
            continue
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        result[path.relative_to(folder).as_posix()] = (digest, path.stat().st_mtime_ns if path.is_file() else 0)
    return result


def stories(count: int, edition: str = "first") -> dict[str, str]:
    return {
        f"content/articles/2025/06/story-{n:03d}.md": article(
            f"Story {n:03d}", date=f"2025-06-{1 + n % 28:02d} {n % 24:02d}:{n % 60:02d}:00+09:00",
            category=("World", "Business", "Arts&Culture")[n % 3], tags=f"[Topic {n % 11}]",
            body=f"The {edition} edition of story {n}.\n\n" + "A paragraph of reporting. " * 40 + "\n")
        for n in range(count)
    }


@pytest.fixture
def built_site(make_site: SiteFactory) -> Path:
    site = make_site(stories(12))
    build_site(site, options())
    assert (site / "public" / "index.html").is_file()
    return site


def test_failed_build_leaves_previous_output_untouched(built_site: Path) -> None:
    before = snapshot(built_site / "public")
    (built_site / "content/articles/2025/06/story-003.md").write_text(
        article("Story 003", date="not a date"), encoding="utf-8")
    with pytest.raises(SiteError):
        build_site(built_site, options())
    assert snapshot(built_site / "public") == before


def test_build_failing_while_rendering_leaves_previous_output_untouched(built_site: Path) -> None:
    """The error comes after the staging folder is filled: it is dropped, the output kept."""
    before = snapshot(built_site / "public")
    (built_site / "templates").mkdir()
    (built_site / "templates" / "article.html").write_text(
        "{{ article.title }} {{ article.no_such_field.deeper }}\n", encoding="utf-8")
    with pytest.raises(SiteError) as failure:
        build_site(built_site, options())
    assert any(d.path == "templates/article.html" for d in failure.value.report.errors)
    assert snapshot(built_site / "public") == before


def _staged_pages(staging: Path) -> bool:
    return (staging / "article").is_dir() and any((staging / "article").iterdir())


@pytest.mark.slow
def test_killed_build_leaves_previous_output_untouched(make_site: SiteFactory) -> None:
    site = make_site(stories(300))
    build_site(site, options())
    before = snapshot(site / "public")
    for rel, text in stories(300, "second").items():
        (site / rel).write_text(text, encoding="utf-8")
    staging = site / STAGING

    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH}
    process = subprocess.Popen([sys.executable, "-m", "gettimes.cli", "build"], cwd=site, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while process.poll() is None and not _staged_pages(staging):
            time.sleep(0.002)  # only to yield the processor to the build
        assert process.poll() is None, "the build ended before it could be killed: make the site bigger"
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert staging.is_dir(), "the build was killed midway, with its staging folder in place"
    assert snapshot(site / "public") == before

    result = build_site(site, options())
    assert result.written > 0
    assert "second edition" in (site / "public/article/story-007/index.html").read_text("utf-8")
    assert contents(site / "public") == contents(fresh_build(site))
    assert sorted(p.name for p in site.iterdir() if p.name.startswith(".")) == [".gettimes-cache", STAGING]


def test_build_writes_only_into_its_output_folder(tmp_path: Path, make_site: SiteFactory) -> None:
    site = make_site(stories(6), root=tmp_path / "newsroom" / "site")
    output = tmp_path / "web" / "public"
    output.parent.mkdir()
    before = snapshot(tmp_path)
    build_site(site, options(output=output))
    assert snapshot(tmp_path, skip=output) == before
    edited = site / "content/articles/2025/06/story-002.md"
    edited.write_text(edited.read_text("utf-8") + "\nA correction.\n", encoding="utf-8")
    before = snapshot(tmp_path, skip=output)
    build_site(site, options(output=output))  # a second build swaps folders: still nothing else
    assert snapshot(tmp_path, skip=output) == before
    assert sorted(p.name for p in output.parent.iterdir()) == [".public.gettimes-tmp", "public"]
    assert sorted(p.name for p in site.iterdir()) == [".gettimes-cache", "content", "gettimes.yaml"]


def test_explicit_slug_cannot_leave_the_output(tmp_path: Path, make_site: SiteFactory) -> None:
    site = make_site({
        "content/articles/2025/06/escape.md": article("Escape Attempt", slug="../../escape"),
        "content/articles/2025/06/escape-2.md": article("Another Attempt", slug="/tmp/escape-two"),
    })
    before = snapshot(tmp_path)
    result = build_site(site, options())
    assert snapshot(tmp_path, skip=site / "public") == before
    assert any("../../escape" in d.message for d in result.warnings)
    written = [p.relative_to(site / "public").as_posix() for p in (site / "public").rglob("*") if p.is_file()]
    assert all(not rel.startswith("..") for rel in written)
    assert not (tmp_path / "escape").exists() and not (site / "escape").exists()


@pytest.mark.parametrize("files", [
    {"content/articles/2025/06/alias.md": article("Alias Attempt", aliases="[/../../escape/]")},
    {"content/pages/escape.md": "---\ntitle: Page Attempt\nslug: ../../escape\n---\n\nText.\n"},
], ids=["alias", "page-slug"])
def test_paths_that_leave_the_site_are_refused(tmp_path: Path, make_site: SiteFactory,
                                               files: dict[str, str]) -> None:
    site = make_site(files)
    before = snapshot(tmp_path)
    with pytest.raises(SiteError) as failure:
        build_site(site, options())
    assert snapshot(tmp_path) == before
    assert [d.path for d in failure.value.report.errors] == list(files)


def test_config_output_dir_may_not_hold_the_sources(make_site: SiteFactory) -> None:
    site = make_site(stories(1), config=BASIC_CONFIG + "output_dir: content\n")
    before = snapshot(site)
    with pytest.raises(SiteError) as failure:
        build_site(site, options())
    assert [d.path for d in failure.value.report.errors] == ["gettimes.yaml"]
    assert snapshot(site) == before


def test_leftovers_in_the_staging_folder_never_reach_the_output(built_site: Path) -> None:
    """A crash can leave anything in the staging folder: extra pages, half-written ones."""
    staging = built_site / STAGING
    (staging / "article" / "stale").mkdir(parents=True)
    (staging / "article" / "stale" / "index.html").write_text("half-written", encoding="utf-8")
    page = staging / "article" / "story-004" / "index.html"
    page.unlink(missing_ok=True)
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text("half-written", encoding="utf-8")
    (staging / "index.html").unlink(missing_ok=True)
    (staging / "index.html").mkdir()
    build_site(built_site, options())
    assert not (built_site / "public" / "article" / "stale").exists()
    assert contents(built_site / "public") == contents(fresh_build(built_site))


def test_the_live_site_is_never_written_in_place(built_site: Path) -> None:
    """Unchanged files are hard links shared with the staging folder; a changed one is a new file."""
    page = built_site / "public" / "article" / "story-005" / "index.html"
    before = page.read_bytes()
    build_site(built_site, options())  # the staging folder now holds links to the live files
    (built_site / "content/articles/2025/06/story-005.md").write_text(
        article("Story 005", date="2025-06-06 05:05:00+09:00", body="Rewritten.\n"), encoding="utf-8")
    old_inode = page.stat().st_ino
    build_site(built_site, options())
    assert b"Rewritten." in page.read_bytes()
    assert page.stat().st_ino != old_inode
    spare = built_site / STAGING / "article" / "story-005" / "index.html"
    assert spare.read_bytes() == before  # the previous version, untouched


def contents(folder: Path) -> dict[str, str]:
    return {rel: digest for rel, (digest, _) in snapshot(folder).items()}


def fresh_build(site: Path) -> Path:
    """The same site built from nothing, without cache, into a folder of its own."""
    output = site.parent / f"fresh-{len(list(site.parent.iterdir()))}"
    build_site(site, options(output=output, cache=False))
    return output
