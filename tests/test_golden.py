"""The whole pipeline against a known answer: tests/sites/basic built at the fixed clock.

tests/golden/basic/ is the expected output tree, file for file and byte for byte.
The site brings its own deliberately plain templates, so this compares what the
pipeline feeds the templates (URLs, dates, slugs, listings, bodies), not the theme.

After an intended change to the output, rewrite the expected tree and review it:

    python3 -m pytest tests/test_golden.py --update-golden
    git diff --stat tests/golden/
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import options
from gettimes.build import BuildResult, build_site
from gettimes.render import THEME_DIR

TESTS = Path(__file__).parent
SITE = TESTS / "sites" / "basic"
GOLDEN = TESTS / "golden" / "basic"
FIXED_EPOCH = "1751252400"  # conftest.FIXED_NOW as SOURCE_DATE_EPOCH
THEME_STATIC = THEME_DIR / "static"


def theme_static_files() -> set[str]:
    """Theme assets the basic site does not override: copied verbatim, kept out of the golden tree."""
    return {path.relative_to(THEME_STATIC).as_posix() for path in THEME_STATIC.rglob("*")
            if path.is_file() and not (SITE / "static" / path.relative_to(THEME_STATIC)).exists()}


def build_basic(folder: Path) -> tuple[Path, BuildResult]:
    """Copy the basic site into `folder` and build it into its public/ at the fixed clock."""
    site = folder / "site"
    shutil.copytree(SITE, site)
    result = build_site(site, options())
    return site / "public", result


def read_tree(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def tree_differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> list[str]:
    """Readable differences between two trees: missing, extra, then changed files with a diff."""
    problems = [f"missing: {rel}" for rel in sorted(expected.keys() - actual.keys())]
    problems += [f"extra: {rel}" for rel in sorted(actual.keys() - expected.keys())]
    for rel in sorted(expected.keys() & actual.keys()):
        if expected[rel] == actual[rel]:
            continue
        problems.append(f"different: {rel}")
        try:
            old, new = expected[rel].decode("utf-8"), actual[rel].decode("utf-8")
        except UnicodeDecodeError:
            continue
        diff = difflib.unified_diff(old.splitlines(), new.splitlines(), "expected", "built", n=1, lineterm="")
        problems += ["    " + line for line in list(diff)[2:14]]
    return problems


def test_basic_site_matches_golden_output(tmp_path: Path, update_golden: bool) -> None:
    output, _ = build_basic(tmp_path)
    theme_files = theme_static_files()
    for rel in theme_files:
        (output / rel).unlink()
    # The search index is Pagefind's own format, which changes with its releases;
    # tests/test_search.py checks what it holds and that it is reproducible.
    shutil.rmtree(output / "pagefind")
    built = read_tree(output)
    if update_golden:
        shutil.rmtree(GOLDEN, ignore_errors=True)
        shutil.copytree(output, GOLDEN)
        pytest.skip(f"rewrote {GOLDEN.relative_to(TESTS.parent)} ({len(built)} files); review it with git diff")
    assert GOLDEN.is_dir(), "no golden output yet: run pytest tests/test_golden.py --update-golden"
    problems = tree_differences(read_tree(GOLDEN), built)
    assert not problems, (
        "the build differs from tests/golden/basic "
        "(if intended: pytest tests/test_golden.py --update-golden, then review git diff):\n"
        + "\n".join(problems))


def test_theme_assets_are_copied_unless_the_site_overrides_them(tmp_path: Path) -> None:
    output, _ = build_basic(tmp_path)
    for rel in theme_static_files():
        assert (output / rel).read_bytes() == (THEME_STATIC / rel).read_bytes(), rel
    assert (output / "assets" / "gettimes.css").read_bytes() == (SITE / "static/assets/gettimes.css").read_bytes()


def test_golden_output_has_every_kind_of_page() -> None:
    """Guards the fixture itself: the expected tree covers each feature of the basic site."""
    files = set(read_tree(GOLDEN))
    expected = {
        "index.html", "404.html", "search/index.html", "about/index.html", "contact-us/index.html",
        "article/trade-ministers-agree-on-digital-customs-pilot/index.html",  # co-authors, image, footnote
        "article/chip-exports-record/index.html",  # explicit slug, table, tags as a string
        "article/bandoce-sucul-6weol-sasang-coedae/index.html",  # Korean title, transliterated
        "article/port-congestion-eases/index.html",  # TOML front matter, BOM, CRLF
        "article/weather/index.html", "article/weather-2/index.html",  # colliding derived slugs
        "old/customs-pilot/index.html", "2025/06/customs.html",  # aliases
        "articles/page/3/index.html", "category/world/page/2/index.html", "category/culture/index.html",
        "tag/trade/index.html", "author/jane-doe/index.html", "author/minseo-kim/index.html",
        "author/park-ji-woo/index.html",  # a reporter without a profile
        "assets/gettimes.css", "images/customs.svg",
    }
    assert expected <= files
    assert not any("merger-talks" in rel or "quarterly-outlook" in rel for rel in files)


def _cli_build(site: Path, hash_seed: str) -> None:
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "PYTHONHASHSEED": hash_seed}
    result = subprocess.run([sys.executable, "-m", "gettimes.cli", "build"], cwd=site, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    """Different folders and hash seeds: nothing depends on where or in which process it ran."""
    trees = []
    for number, seed in enumerate(("1", "2")):
        site = tmp_path / f"copy{number}" / "site"
        shutil.copytree(SITE, site)
        _cli_build(site, seed)
        trees.append(read_tree(site / "public"))
    assert tree_differences(trees[0], trees[1]) == []
    assert not any(str(tmp_path).encode() in data for data in trees[0].values())


def test_second_build_writes_nothing_and_keeps_mtimes(tmp_path: Path) -> None:
    output, first = build_basic(tmp_path)
    assert first.written > 0 and first.unchanged == 0
    before = {path: path.stat().st_mtime_ns for path in output.rglob("*") if path.is_file()}
    second = build_site(tmp_path / "site", options())
    assert (second.written, second.unchanged, second.removed) == (0, first.written, 0)
    after = {path: path.stat().st_mtime_ns for path in output.rglob("*") if path.is_file()}
    assert after == before
