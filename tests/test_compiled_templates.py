"""Compiled templates kept in the build cache: reused while valid, never a cause of different output.

Jinja folds `'key' | t` and `'/x' | url` into the compiled code with the configured
language and base URL, so a folder of compiled templates belongs to one configuration.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest

from conftest import SiteFactory, options
from gettimes.build import build_site, check_site
from gettimes.cache import CACHE_DIR
from gettimes.diagnostics import SiteError
from gettimes.render import COMPILED_PREFIX, THEME_DIR
from test_incremental import clean_build, edit, stories, tree


def compiled_folders(site: Path) -> list[Path]:
    return sorted((site / CACHE_DIR).glob(f"{COMPILED_PREFIX}*"))


def count_compiles(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    names: list[str] = []
    compile_template = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args: object,
                 **kwargs: object) -> object:
        names.append(name or "")
        return compile_template(self, source, name, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    return names


def test_a_later_build_compiles_no_template(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    (folder,) = compiled_folders(site)
    assert len(list(folder.iterdir())) == len(list((THEME_DIR / "templates").rglob("*.html")))
    compiled = count_compiles(monkeypatch)
    edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")
    build_site(site, options())
    assert compiled == []
    assert tree(site / "public") == clean_build(site)


@pytest.mark.parametrize(("old", "new"), [
    ("language: en", "language: ko"),
    ("base_url: https://news.example.com", "base_url: https://news.example.com/edition"),
])
def test_a_new_configuration_compiles_its_own_templates(make_site: SiteFactory, old: str, new: str) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    before = compiled_folders(site)
    edit(site / "gettimes.yaml", old, new)
    build_site(site, options())
    after = compiled_folders(site)
    assert tree(site / "public") == clean_build(site)
    assert len(after) == 1 and after != before  # the other configuration's folder is gone
    edit(site / "gettimes.yaml", new, old)  # and back again
    build_site(site, options())
    assert tree(site / "public") == clean_build(site)


def test_a_base_url_given_on_the_command_line_counts_too(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    build_site(site, options(base_url="https://other.example/news/"))
    assert tree(site / "public") == clean_build(site, base_url="https://other.example/news/")


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "folder deleted", "file for folder"])
def test_damaged_compiled_templates_are_harmless(make_site: SiteFactory, damage: str) -> None:
    site = make_site(stories(8))
    build_site(site, options())
    (folder,) = compiled_folders(site)
    files = sorted(folder.iterdir())
    assert files
    if damage == "folder deleted":
        shutil.rmtree(folder)
    elif damage == "file for folder":
        shutil.rmtree(folder)
        folder.write_text("not a folder")
    for path in files if folder.is_dir() else []:
        data = path.read_bytes()
        path.write_bytes({"garbage": b"\x00not bytecode" * 50, "truncated": data[: len(data) // 2],
                          "empty": b""}[damage])
    edit(site / "content/articles/2025/06/story-5.md", "Story 5", "Story Five")
    build_site(site, options())
    assert tree(site / "public") == clean_build(site)
    build_site(site, options())  # and the next build still works from whatever was kept
    assert tree(site / "public") == clean_build(site)


def test_an_edited_site_template_is_compiled_again(make_site: SiteFactory) -> None:
    site = make_site({**stories(8), "templates/tag.html": "<h1>{{ tag.name }}</h1>\n"})
    build_site(site, options())
    edit(site / "templates/tag.html", "<h1>", "<h1 class=tag>")
    build_site(site, options())
    assert tree(site / "public") == clean_build(site)
    assert "<h1 class=tag>" in next((site / "public/tag").rglob("index.html")).read_text("utf-8")


def test_a_failed_build_keeps_nothing_it_compiled(make_site: SiteFactory) -> None:
    site = make_site({**stories(8), "templates/tag.html": "{{ tag.name | no_such_filter }}\n"})
    with pytest.raises(SiteError):
        build_site(site, options())
    assert compiled_folders(site) == []


def test_files_in_templates_that_are_no_templates_are_left_alone(make_site: SiteFactory) -> None:
    # What no page uses is not read as a template, whatever its bytes: not by the check, nor
    # when a first build works out what every template reads.
    site = make_site({**stories(8), "templates/.DS_Store": b"\x00\x00\x00\x01Bud1\xff\xfe",
                      "templates/masthead.psd": b"8BPS\x00\x01\xff\xd8"})
    build_site(site, options())
    assert tree(site / "public") == clean_build(site)


def test_without_the_cache_nothing_is_kept(make_site: SiteFactory) -> None:
    site = make_site(stories(8))
    build_site(site, options(cache=False))
    check_site(site, options())
    assert compiled_folders(site) == []
