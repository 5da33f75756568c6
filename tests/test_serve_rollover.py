"""A build's child of `gettimes serve` stays to run the next build, with the build cache as it
left it in memory (`BuildCache.rolled_over`) instead of reading the files again."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SiteFactory
from gettimes import build as build_module
from gettimes import cache as cache_module
from gettimes import serve_worker
from gettimes.articles import unpack_ahead
from gettimes.build import BuildOptions, CacheAhead, build_site
from gettimes.cache import BuildCache
from gettimes.serve_worker import Built, Failed, Ready, next_build_job
from serve.support import alive, serving, wait_until
from test_incremental import clean_build, edit, tree
from test_prepared import STEPS, STORY, Uses, preview_options, stories


@pytest.fixture(autouse=True)
def collector_kept_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jobs turn the garbage collector off in their child; not in this test process."""
    monkeypatch.setattr(serve_worker, "_no_collections", lambda: None)


class Server:
    """The server's side of the pipes, scripted: before each build's options, the next change."""

    def __init__(self, output: Path, changes: list[Callable[[], None]]) -> None:
        self.output = output
        self.changes = changes
        self.sent: list[object] = []
        self.ready = False  # the child said `Ready`: it asks for the options to load ahead with

    def poll(self) -> bool:
        return False

    def recv(self) -> BuildOptions:
        """The options to build with, after the next change; after `Ready`, those to load ahead with."""
        if self.ready:
            self.ready = False
            return preview_options(self.output)
        if not self.changes:
            raise EOFError
        self.changes.pop(0)()
        return preview_options(self.output)

    def send(self, message: object) -> None:
        self.sent.append(message)
        self.ready = isinstance(message, Ready)


def read_again(site: Path, output: Path, like: BuildCache) -> BuildCache:
    """The build cache as a new child reads it from its files."""
    cache = BuildCache.open(site, like.salt.split(":", 2)[2], output)
    unpack_ahead(cache)
    return cache


def same(first: Any, second: Any) -> bool:
    return bool(first == second) or pickle.dumps(first) == pickle.dumps(second)


def test_one_child_builds_a_whole_editing_session_as_clean_builds_do(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    kept_by_a_build = set(read_again(site, output, BuildCache.empty(site, "")).derived)
    uses = Uses(monkeypatch)
    trusted: list[bool] = []
    carried: list[bool] = []
    read_cache_ahead = build_module.read_cache_ahead

    def reading(root: Path, out: Path, trust: bool = False, cache: BuildCache | None = None) -> CacheAhead | None:
        trusted.append(trust)
        carried.append(cache is not None)
        return read_cache_ahead(root, out, trust, cache)

    monkeypatch.setattr(serve_worker, "read_cache_ahead", reading)
    rolled_over: list[BuildCache] = []
    carry = serve_worker._carried

    def rolling(root: Path, ahead: tuple[CacheAhead, serve_worker.CacheStatus]) -> BuildCache | None:
        rolled = carry(root, ahead)
        if rolled is not None:  # the files just saved, read as a new child would read them
            again = read_again(site, output, rolled)
            unpack_ahead(rolled)  # as read_cache_ahead does next: the edited articles only
            for name in ("pages", "freshness", "articles", "unpacked"):
                assert same(getattr(rolled, name), getattr(again, name)), f"{name} after build {len(checked)}"
            assert rolled.derived.keys() == again.derived.keys() >= kept_by_a_build  # none to work out again
            # A build with nothing to do saves nothing: the spare made ahead is known only in memory.
            learnt = set() if ahead[0].cache.saved else {"spare"}
            files = sorted(path.relative_to(site).as_posix() for path in (site / "content").rglob("*.md"))
            assert sorted(row[0] for row in rolled.articles.values()) == files  # one row each, none dropped
            differ = [key for key in again.derived.keys() - learnt if not same(rolled.derived[key], again.derived[key])]
            assert differ == []
            rolled_over.append(rolled)
        return rolled

    monkeypatch.setattr(serve_worker, "_carried", rolling)
    loading: list[str] = []  # the steps before which the site was loaded ahead, not taken from the last build
    prepare_site = serve_worker.prepare_site
    monkeypatch.setattr(serve_worker, "prepare_site", lambda *args, **kwargs: (
        loading.append(checked[-1] if checked else "start"), prepare_site(*args, **kwargs))[1])
    checked: list[str] = []

    def step(name: str, change: Callable[[Path], None]) -> Callable[[], None]:
        def run() -> None:
            if checked:
                assert tree(output) == clean_build(site, search_index=False), f"after the step: {checked[-1]}"
            checked.append(name)
            change(site)
        return run

    server = Server(output, [step(name, change) for name, change, _ in STEPS])
    next_build_job(site, output, True, preview_options(output), server, server)  # type: ignore[arg-type]
    assert checked == [name for name, _, _ in STEPS]  # one child built every step
    assert tree(output) == clean_build(site, search_index=False), f"after the step: {checked[-1]}"
    assert all(isinstance(message, Built | Ready) for message in server.sent)
    assert sum(isinstance(message, Ready) for message in server.sent) == len(STEPS) - 1 == len(rolled_over)
    # the configuration step, last, saves a cache of other settings: the child ends there
    assert carried == [False] + [True] * (len(STEPS) - 1)
    assert trusted == [True, False] + [True] * (len(STEPS) - 2)  # after "nothing", nothing was swapped in
    assert uses.taken == [taken for _, _, each in STEPS for taken in each]  # as with a new child for each
    # Loaded once: then taken from each build, or kept from the last when the build loaded none
    # (one with nothing to do, the quick rebuild of a body edit).
    assert loading == ["start"]


def test_the_cache_files_are_read_once_by_a_child(make_site: SiteFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    read: list[str] = []
    real_read = cache_module._read

    def reading(path: Path) -> Any:
        read.append(path.name.split("-")[0])
        return real_read(path)

    monkeypatch.setattr(cache_module, "_read", reading)
    titles = [lambda n=n: edit(site / STORY, f"Story 5{'' if n == 0 else f' v{n}'}\"", f"Story 5 v{n + 1}\"")
              for n in range(3)]
    server = Server(output, titles)
    next_build_job(site, output, True, preview_options(output), server, server)  # type: ignore[arg-type]
    assert sum(isinstance(message, Built) for message in server.sent) == 3
    assert read.count("pages") == 1 and read.count("articles") == 16  # at the start: every shard, once
    assert tree(output) == clean_build(site, search_index=False)


def test_a_child_ends_after_a_failed_build_and_after_its_last(make_site: SiteFactory,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    broken = Server(output, [lambda: edit(site / STORY, "Story 5", "Story Five"),
                             lambda: edit(site / STORY, 'title: "Story Five"', "title: [Story Five"),
                             lambda: pytest.fail("a child ran on after a failed build")])
    next_build_job(site, output, True, preview_options(output), broken, broken)  # type: ignore[arg-type]
    assert [type(message) for message in broken.sent] == [Built, Ready, Failed]
    edit(site / STORY, "title: [Story Five", 'title: "Story Five"')
    monkeypatch.setattr(serve_worker, "BUILDS_PER_CHILD", 2)
    capped = Server(output, [lambda: edit(site / STORY, "Story Five", "Story Six"),
                             lambda: edit(site / STORY, "Story Six", "Story Seven"),
                             lambda: pytest.fail("a child ran on after its last build")])
    next_build_job(site, output, False, preview_options(output), capped, capped)  # type: ignore[arg-type]
    assert [type(message) for message in capped.sent] == [Built, Ready, Built]


@pytest.mark.parametrize("builds_per_child", [20, 1])
def test_a_child_whose_cache_was_not_saved_ends_with_an_error(make_site: SiteFactory,
                                                              monkeypatch: pytest.MonkeyPatch,
                                                              builds_per_child: int) -> None:
    """The output is in place but the cache files may not record it: the next child, a new
    one, must not trust them (the server trusts a child that ended cleanly), even when the
    child would have ended after that build anyway."""
    monkeypatch.setattr(serve_worker, "BUILDS_PER_CHILD", builds_per_child)
    site = make_site(stories())
    output = site.parent / "preview"
    build_site(site, preview_options(output))
    def no_space(self: BuildCache) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(BuildCache, "_save_articles", no_space)
    server = Server(output, [lambda: edit(site / "content/articles/2025/06/story-6.md", "Story 6", "Story Six")])
    with pytest.raises(SystemExit) as ended:
        next_build_job(site, output, True, preview_options(output), server, server)  # type: ignore[arg-type]
    assert ended.value.code == 1
    assert [type(message) for message in server.sent] == [Built]


def test_the_server_keeps_the_build_child_for_the_next_save(make_site: SiteFactory) -> None:
    site = make_site(stories())
    with serving(site) as running:
        preview = running.server.preview
        first = wait_until(lambda: preview._next, "a child waiting for the next save")
        for title in ("Story Five", "Story Six"):
            running.write(STORY, (site / STORY).read_text("utf-8").replace("Story 5", title).replace("Story Five",
                                                                                                      title))
            running.page_with("/article/story-5/", title)
            wait_until(lambda: preview._next is first, "the same child waiting for the next save")
        running.write(STORY, (site / STORY).read_text("utf-8").replace("category:", "category: [", 1))
        second = wait_until(lambda: preview._next is not first and preview._next, "a new child after a broken save")
        assert first.pid is not None and not alive(first.pid)
        running.write(STORY, (site / STORY).read_text("utf-8").replace("category: [", "category:", 1))
        running.page_with("/article/story-5/", "Story Six")
        wait_until(lambda: preview._next is second, "the new child kept for the next save")
    assert second.pid is not None and not alive(second.pid)
