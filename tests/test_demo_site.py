"""The repository's own demo site (the repository root) checks clean and builds as documented."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from gettimes import urls
from gettimes.build import BuildOptions, build_site, load_site
from gettimes.cli import main
from gettimes.diagnostics import Report

ROOT = Path(__file__).resolve().parent.parent
SITE_PARTS = ("gettimes.yaml", "content", "data", "static", "templates")
# A fixed clock just after the demo's newest published article; its 2030 article stays in the future.
DEMO_NOW = datetime(2026, 11, 30, 3, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo site, so that building it never touches the repository."""
    site = tmp_path_factory.mktemp("demo") / "site"
    site.mkdir()
    for part in SITE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, site / part)
        elif source.is_file():
            shutil.copy2(source, site / part)
    return site


@pytest.fixture(scope="module")
def demo_output(demo: Path) -> Path:
    build_site(demo, BuildOptions(DEMO_NOW))
    return demo / "public"


def test_demo_site_passes_check(demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(demo)
    result = CliRunner().invoke(main, ["check"], env={"SOURCE_DATE_EPOCH": str(int(DEMO_NOW.timestamp()))})
    assert result.exit_code == 0, result.stderr


def _output_text(output: Path) -> str:
    return "\n".join(path.read_text("utf-8", "replace") for path in output.rglob("*")
                     if path.suffix in (".html", ".xml", ".json", ".txt"))


def test_demo_drafts_and_future_articles_are_not_published(demo: Path, demo_output: Path) -> None:
    site = load_site(demo, BuildOptions(DEMO_NOW), Report())
    assert site is not None
    hidden = [a for a in site.articles if a.draft or a.date > DEMO_NOW]
    assert any(a.draft for a in hidden) and any(a.date > DEMO_NOW for a in hidden), "the demo shows both"
    everything = _output_text(demo_output)
    for article in hidden:
        assert not (demo_output / str(urls.output_path(article.url))).exists(), article.source
        assert article.title not in everything, article.source
    published = [a for a in site.articles if a not in hidden]
    assert all((demo_output / str(urls.output_path(a.url))).is_file() for a in published)


def test_demo_alias_redirects_to_its_article(demo: Path, demo_output: Path) -> None:
    site = load_site(demo, BuildOptions(DEMO_NOW), Report())
    assert site is not None
    with_aliases = [a for a in site.articles if a.aliases and not a.draft and a.date <= DEMO_NOW]
    assert with_aliases, "the demo shows an alias"
    for article in with_aliases:
        for alias in article.aliases:
            page = (demo_output / str(urls.output_path(alias))).read_text("utf-8")
            assert article.url in page, alias
