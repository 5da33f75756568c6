"""Staged output: all or nothing, unchanged files untouched, collisions refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gettimes.diagnostics import Report
from gettimes.output import StagedOutput, folders_unchanged, list_files, tree_of


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _build(output: Path, files: dict[str, bytes]) -> StagedOutput:
    staged = StagedOutput(output).open()
    report = Report()
    for rel, data in files.items():
        assert staged.claim(rel, f"source of {rel}", report)
        staged.write(rel, data)
    assert not report.items
    return staged


FIRST = {"index.html": b"<h1>home</h1>", "article/a/index.html": b"a", "article/b/index.html": b"b"}


def test_first_build_creates_the_output(tmp_path: Path) -> None:
    output = tmp_path / "public"
    counts = _build(output, FIRST).commit()
    assert _tree(output) == FIRST
    assert (counts.written, counts.unchanged, counts.removed) == (3, 0, 0)


def test_commit_swaps_in_exactly_the_new_site(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    (output / "stray.txt").write_text("left by hand")
    second = {"index.html": b"<h1>new home</h1>", "article/a/index.html": b"a"}
    counts = _build(output, second).commit()
    assert _tree(output) == second  # b's page and the stray file are gone
    assert (counts.written, counts.unchanged, counts.removed) == (1, 1, 2)
    # the staging folder now holds the previous site, to be brought up to date next time
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.gettimes-tmp", "public"]
    assert _tree(tmp_path / ".public.gettimes-tmp") == {**FIRST, "stray.txt": b"left by hand"}


@pytest.fixture(params=["exchange", "rename"])
def swap(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a test with the atomic exchange and again with the rename fallback of other systems."""
    if request.param == "rename":
        monkeypatch.setattr("gettimes.output._exchange", lambda first, second: False)
    return str(request.param)


def test_commit_without_atomic_exchange(tmp_path: Path, swap: str) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    _build(output, {"index.html": b"second"}).commit()
    assert _tree(output) == {"index.html": b"second"}
    expected = [".public.gettimes-tmp", "public"] if swap == "exchange" else ["public"]
    assert sorted(p.name for p in tmp_path.iterdir()) == expected


def test_unchanged_files_keep_their_inode_and_mtime(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    same = output / "article/a/index.html"
    os.utime(same, (1_000_000_000, 1_000_000_000))
    before = same.stat()
    _build(output, {**FIRST, "index.html": b"<h1>changed</h1>"}).commit()
    after = (output / "article/a/index.html").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert (output / "index.html").read_bytes() == b"<h1>changed</h1>"


def test_a_file_of_the_same_size_but_other_bytes_is_rewritten(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, {"a.html": b"one"}).commit()
    counts = _build(output, {"a.html": b"two"}).commit()
    assert (output / "a.html").read_bytes() == b"two" and counts.written == 1


def test_copy_links_unchanged_static_files(tmp_path: Path) -> None:
    source = tmp_path / "static.css"
    source.write_bytes(b"body{}")
    output = tmp_path / "public"
    for _ in range(2):
        staged = StagedOutput(output).open()
        staged.claim("assets/site.css", "static/site.css", Report())
        staged.copy("assets/site.css", source)
        counts = staged.commit()
    assert (counts.written, counts.unchanged) == (0, 1)
    source.write_bytes(b"body{color:red}")
    staged = StagedOutput(output).open()
    staged.claim("assets/site.css", "static/site.css", Report())
    staged.copy("assets/site.css", source)
    assert staged.commit().written == 1 and (output / "assets/site.css").read_bytes() == b"body{color:red}"


def test_discard_leaves_the_previous_output_byte_identical(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    before = {rel: (data, (output / rel).stat().st_mtime_ns) for rel, data in _tree(output).items()}
    staged = _build(output, {"index.html": b"broken build", "new/index.html": b"x"})
    staged.discard()
    assert {rel: (data, (output / rel).stat().st_mtime_ns) for rel, data in _tree(output).items()} == before


def test_discard_after_a_first_failed_build_leaves_no_output(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).discard()
    assert not output.exists()
    _build(output, {"index.html": b"x"}).commit()
    assert _tree(output) == {"index.html": b"x"}  # what the failed build staged never shows


def test_a_failed_build_never_writes_through_to_the_live_site(tmp_path: Path, swap: str) -> None:
    # Staged files may share an inode with the live site's unchanged files; a new
    # build must replace them, never write into them.
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    _build(output, {**FIRST, "index.html": b"second home"}).commit()
    live = _tree(output)
    _build(output, {rel: b"broken " + data for rel, data in FIRST.items()}).discard()
    assert _tree(output) == live
    _build(output, {**FIRST, "article/a/index.html": b"third a"}).commit()
    assert _tree(output) == {**FIRST, "article/a/index.html": b"third a"}


def test_a_stale_staging_folder_from_a_killed_build_never_shows(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    stale = StagedOutput(output).staging
    (stale / "half").mkdir(parents=True)
    (stale / "half/written.html").write_bytes(b"from a killed build")
    _build(output, {"index.html": b"home"}).commit()
    assert _tree(output) == {"index.html": b"home"}
    assert not (stale / "half").exists()


def test_the_staging_folder_sits_beside_the_output(tmp_path: Path) -> None:
    staged = StagedOutput(tmp_path / "public")
    assert staged.staging.parent == tmp_path and staged.staging.name.startswith(".")


def test_two_sources_for_one_file_is_an_error_naming_both(tmp_path: Path) -> None:
    staged = StagedOutput(tmp_path / "public").open()
    report = Report()
    assert staged.claim("about/index.html", "content/pages/about.md", report)
    assert not staged.claim("about/index.html", "content/articles/old.md (alias /about/)", report)
    [error] = report.errors
    assert error.path == "content/articles/old.md (alias /about/)"
    assert "about/index.html" in error.message and "content/pages/about.md" in error.message
    staged.discard()


def test_claims_are_per_build(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    report = Report()
    staged = StagedOutput(output).open()
    assert staged.claim("index.html", "home", report) and not report.items
    staged.discard()


@pytest.mark.parametrize("name", ["public", "out dir", "사이트"])
def test_output_folder_names(tmp_path: Path, name: str) -> None:
    output = tmp_path / name
    _build(output, {"index.html": b"x"}).commit()
    assert _tree(output) == {"index.html": b"x"}


def _write_files(root: Path, files: list[str]) -> None:
    for rel in files:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel, encoding="utf-8")


def test_a_recorded_tree_lists_what_is_there_after_changes(tmp_path: Path) -> None:
    files = ["index.html", "article/a/index.html", "article/b/index.html", "tag/x/page/2/index.html"]
    _write_files(tmp_path, files)
    tree = tree_of(tmp_path, files)
    assert sorted(list_files(tmp_path, tree)) == sorted(files)
    _write_files(tmp_path, ["article/b/extra.txt", "tag/x/page/3/index.html"])  # added deep down
    (tmp_path / "article/a/index.html").unlink()
    (tmp_path / "index.html").unlink()
    (tmp_path / "index.html").mkdir()  # a file became a folder
    _write_files(tmp_path, ["index.html/inside.html"])
    assert sorted(list_files(tmp_path, tree)) == sorted(list_files(tmp_path)) == [
        "article/b/extra.txt", "article/b/index.html", "index.html/inside.html",
        "tag/x/page/2/index.html", "tag/x/page/3/index.html"]


def test_a_file_slipped_into_the_spare_does_not_reach_the_site(tmp_path: Path) -> None:
    output = tmp_path / "public"
    first = _build(output, FIRST)
    first_counts = first.commit()
    second = _build(output, {**FIRST, "index.html": b"second"})
    second_counts = second.commit()
    # The spare now holds the first site; someone adds a file to it before the next build.
    (second.staging / "article/a/stray.html").write_bytes(b"stray")
    third = StagedOutput(output, first_counts.tree).open()
    report = Report()
    for rel, data in {**FIRST, "index.html": b"third"}.items():
        third.claim(rel, "source", report)
        third.write(rel, data)
    counts = third.commit([rel for rel, _, _ in second_counts.tree.files])
    assert _tree(output) == {**FIRST, "index.html": b"third"}
    assert [rel for rel, _, _ in counts.tree.files] == sorted(FIRST)


def test_a_staged_file_with_no_other_name_is_written_over_in_place(tmp_path: Path) -> None:
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    _build(output, {**FIRST, "article/a/index.html": b"second a, longer"}).commit()
    spare = StagedOutput(output).staging / "article/a/index.html"  # the first build's file, now only here
    assert spare.stat().st_nlink == 1
    with spare.open("rb") as before:  # still reads the old file if a new one took its name
        staged = _build(output, {**FIRST, "article/a/index.html": b"3rd"})
        assert before.read() == spare.read_bytes() == b"3rd"  # shorter: the rest is cut off
    staged.commit()
    assert _tree(output) == {**FIRST, "article/a/index.html": b"3rd"}


def test_opening_the_staging_folder_voids_an_old_record_of_it(tmp_path: Path) -> None:
    # A build killed after writing over staged files in place leaves their folders' times
    # alone; the top folder's time must still tell that the folder is not as recorded.
    output = tmp_path / "public"
    _build(output, FIRST).commit()
    _build(output, FIRST).commit()
    staging = StagedOutput(output).staging
    record = tree_of(staging, {rel: "" for rel in FIRST})
    assert folders_unchanged(staging, record)
    StagedOutput(output).open()
    assert not folders_unchanged(staging, record)


def test_a_first_build_writes_what_a_build_into_an_empty_staging_folder_writes(tmp_path: Path) -> None:
    # A file where a later one needs a folder, and the other way round: the last writer wins
    # either way, with the folder's other files kept.
    files = {"news": b"file", "news/index.html": b"page", "a/b/index.html": b"deep", "a/b": b"flat",
             "index.html": b"home", "a/c.html": b"c"}
    fresh = tmp_path / "fresh"
    first = _build(fresh, files)
    assert first.written == len(files)
    first.commit()
    staged = tmp_path / "staged"
    (tmp_path / ".staged.gettimes-tmp").mkdir()  # a staging folder already there: the careful path
    _build(staged, files).commit()
    assert _tree(fresh) == _tree(staged) == {"news/index.html": b"page", "a/b": b"flat", "index.html": b"home",
                                             "a/c.html": b"c"}


def test_a_first_build_leaves_a_live_output_alone(tmp_path: Path) -> None:
    output = tmp_path / "public"
    output.mkdir()
    (output / "index.html").write_bytes(b"live")
    staged = _build(output, {"index.html": b"new"})
    assert (output / "index.html").read_bytes() == b"live"
    staged.discard()
    assert _tree(output) == {"index.html": b"live"}
