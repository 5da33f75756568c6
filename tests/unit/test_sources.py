"""The source scan: digests by content, files re-read only when their status changed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gettimes import sources
from gettimes.sources import content_digest, scan_sources


def _site(root: Path) -> None:
    (root / "content/articles").mkdir(parents=True)
    (root / "gettimes.yaml").write_text("title: T\n", encoding="utf-8")
    (root / "content/articles/a.md").write_text("first", encoding="utf-8")
    (root / "static").mkdir()
    (root / "static/x.css").write_bytes(b"body{}")


def test_every_input_file_is_digested_by_its_bytes(tmp_path: Path) -> None:
    _site(tmp_path)
    (tmp_path / "public").mkdir()
    (tmp_path / "public/index.html").write_text("not an input", encoding="utf-8")
    scan = scan_sources(tmp_path)
    assert dict(scan.digests) == {
        "gettimes.yaml": content_digest(b"title: T\n"),
        "content/articles/a.md": content_digest(b"first"),
        "static/x.css": content_digest(b"body{}"),
    }


def test_a_file_with_the_same_status_is_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    monkeypatch.setattr(sources, "_RACY_NS", 0)  # the files were written just now
    first = scan_sources(tmp_path)
    status, _ = first.known["content/articles/a.md"]
    planted = {**first.known, "content/articles/a.md": (status, "planted")}
    assert scan_sources(tmp_path, planted).digests["content/articles/a.md"] == "planted"


def test_an_edit_that_keeps_size_and_mtime_is_still_seen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path)
    monkeypatch.setattr(sources, "_RACY_NS", 0)
    article = tmp_path / "content/articles/a.md"
    first = scan_sources(tmp_path)
    before = article.stat()
    article.write_text("fixed", encoding="utf-8")  # same size
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))  # and the old mtime, as a checkout may leave
    assert scan_sources(tmp_path, first.known).digests["content/articles/a.md"] == content_digest(b"fixed")


def test_a_file_changed_within_the_last_second_is_read_again(tmp_path: Path) -> None:
    _site(tmp_path)
    first = scan_sources(tmp_path)
    status, _ = first.known["content/articles/a.md"]
    planted = {**first.known, "content/articles/a.md": (status, "planted")}
    assert scan_sources(tmp_path, planted).digests["content/articles/a.md"] == content_digest(b"first")
