"""A build's child of `gettimes serve` stays to run the next build, with the build cache as it
left it in memory (`BuildCache.rolled_over`) instead of reading the files again."""

from __future__ import annotations

import dataclasses
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXED_NOW, SiteFactory
from gettimes import build as build_module
from gettimes import cache as cache_module
from gettimes import serve_worker
from gettimes.articles import unpack_ahead
from gettimes.build import BuildOptions, CacheAhead, build_site
from gettimes.cache import BuildCache
from gettimes.serve import Preview, ServeOptions
from gettimes.serve_worker import Built, Failed, Ready, StopLater, next_build_job
from serve.support import alive, serving, wait_until
from test_incremental import clean_build, edit, tree
from test_later import Renders, featured_site
from test_prepared import STEPS, STORY, Uses, preview_options, stories


@pytest.fixture(autouse=True)
def collector_kept_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """The jobs turn the garbage collector off in their child; not in this test process."""
    monkeypatch.setattr(serve_worker, "_no_collections", lambda: None)


class Server:
    """The server's side of the pipes, scripted: before each build's options, the next change."""

    def __init__(self, output: Path, changes: list[Callable[[], None]]) -> None:
        self.output = output
        self.options = preview_options(output)
        self.changes = changes
        self.sent: list[object] = []
        self.ready = False  # the child said `Ready`: it asks for the options to load ahead with

    def poll(self) -> bool:
        return False

    def recv(self) -> BuildOptions:
        """The options to build with, after the next change; after `Ready`, those to load ahead with."""
        if self.ready:
            self.ready = False
            return self.options
        if not self.changes:
            raise EOFError
        self.changes.pop(0)()
        return self.options

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


class SavingAgain(Server):
    """A server whose editor saves again while each of the first `stops` builds writes the pages
    it left for a second swap: it sends StopLater once the child has asked `polls` times."""

    def __init__(self, output: Path, changes: list[Callable[[], None]], stops: int, polls: int) -> None:
        super().__init__(output, changes)
        self.options = dataclasses.replace(self.options, splice_later=True)
        self.stops = stops
        self.polls = polls
        self.asked: int | None = None  # the child's polls since the StopLater was sent, if one is on its way
        self.first_built = False  # the next Built is a build's first

    def poll(self) -> bool:
        if self.asked is None:
            return False
        self.asked += 1
        return self.asked > self.polls

    def recv(self) -> BuildOptions | StopLater:  # type: ignore[override]
        if self.asked is not None:  # the child reads the pipe again only after the second swap
            self.asked = None
            return StopLater()
        self.first_built = not self.ready
        return super().recv()

    def send(self, message: object) -> None:
        super().send(message)
        if isinstance(message, Built) and self.first_built:
            self.first_built = False
            if message.later and self.stops:
                self.stops -= 1
                self.asked = 0


def test_a_save_stops_the_second_swap_and_the_next_build_finishes_it(make_site: SiteFactory,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Three saves of a title in the Hot Issue box, on every page: each of the first two comes
    while the pages left for a second swap are written. The child leaves them to the next
    build, which starts as the server's next options come, and splices its partials into them."""
    site = featured_site(make_site)
    output = site.parent / "preview"
    build_site(site, dataclasses.replace(preview_options(output), splice_later=True))
    renders = Renders(monkeypatch)
    titles = [lambda old=old, new=new: edit(site / STORY, old, new)
              for old, new in (("Story 5", "Story Five"), ("Story Five", "Story Six"), ("Story Six", "Story Seven"))]
    server = SavingAgain(output, titles, stops=2, polls=3)
    next_build_job(site, output, True, server.options, server, server)  # type: ignore[arg-type]
    built = [message for message in server.sent if isinstance(message, Built)]
    assert [type(message) for message in server.sent] == [Built, Built, Ready] * 3
    first, left = built[0], built[1]
    assert left.later == first.later > 0 and left.written == 0  # stopped: nothing swapped in
    assert built[-1].later == 0 and built[-1].written > 0
    assert server.stops == 0 and server.asked is None  # both StopLater read, none left in the pipe
    assert len(renders.take()) < first.later  # the pages left by the stopped swaps were spliced, not rendered
    assert tree(output) == clean_build(site, search_index=False)


class WritingLater:
    """A build's child, scripted: its build leaves pages for a second swap, which it stops
    when told (StopLater); it then says `Ready`."""

    pid = None
    exitcode = None

    def __init__(self) -> None:
        self.orders: list[object] = []
        self.told_to_stop = threading.Event()
        self.messages = [Built(40, 3, 0, (), swapped=True, later=37), "second", Ready()]

    def order(self, value: object) -> bool:
        self.orders.append(value)
        if isinstance(value, StopLater):
            self.told_to_stop.set()
        return True

    def result(self, wait_for_exit: bool = True) -> object | None:
        if not self.messages:
            return None  # stopped (by `Preview.close`)
        message = self.messages.pop(0)
        if message == "second":
            assert self.told_to_stop.wait(10), "no StopLater came"
            return Built(40, 0, 0, (), swapped=True, later=37)  # stopped: all 37 still left
        return message

    def stop(self) -> None:
        self.messages.clear()

    def join(self) -> None:
        pass


def test_a_save_during_the_second_swap_tells_the_child_to_stop_it(make_site: SiteFactory) -> None:
    site = make_site(stories())
    preview = Preview(site, ServeOptions(), lambda: FIXED_NOW, say=lambda line: None)
    child = WritingLater()
    preview._next = child  # type: ignore[assignment]
    outcomes: list[object] = []
    building = threading.Thread(target=lambda: outcomes.append(preview.build()))
    try:
        building.start()
        wait_until(lambda: preview._writing_later is child, "the child writing the pages left for later")
        preview.saved()  # the watcher's call on a save
        building.join(10)
        assert not building.is_alive()
        [outcome] = outcomes
        assert outcome.later == 0 and outcome.pages == 40  # left to the next build: no "more followed"
        assert preview._builds == 1  # the open pages reloaded once, for the first swap
        assert child.orders == [preview._build_options(), StopLater(), preview._build_options()]
        assert preview._next is child  # kept, Ready, for the next build
        preview.saved()  # no second swap in progress: nothing is sent
        assert len(child.orders) == 3
    finally:
        preview.close()


def test_the_watcher_tells_the_preview_of_each_save(make_site: SiteFactory) -> None:
    site = make_site(stories())
    saves: list[None] = []
    with serving(site, prepare=lambda server: setattr(server.preview, "saved", lambda: saves.append(None))) \
            as running:
        running.write(STORY, (site / STORY).read_text("utf-8").replace("Story 5", "Story Five"))
        running.page_with("/article/story-5/", "Story Five")
        assert saves
