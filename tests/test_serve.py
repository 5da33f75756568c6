"""`gettimes serve`: the real server on a free loopback port, with real files edited under it.

An editor saves a file and expects the open page to show it; a broken save must
never take the preview down; the server must be safe to run on a laptop.
"""

from __future__ import annotations

import html
import os
import re
import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import BASIC_CONFIG, FIXED_NOW, SiteFactory, article, options
from gettimes.build import build_site
from gettimes.cache import CACHE_DIR
from gettimes.devserver import url_segments
from gettimes.diagnostics import SiteError
from gettimes.reload import EVENTS_PATH, OVERLAY_ID, inject, snippet
from gettimes.serve import DevServer, ServeOptions, describe
from gettimes.serve_worker import build_job
from serve.support import (
    EventStream,
    alive,
    crashing_build,
    endless_build,
    failing_index,
    fetch,
    fresh_build,
    indexed_pages,
    served_tree,
    serving,
    strip_reload,
    tree,
    wait_until,
)

STORY = "content/articles/2025/06/story.md"
STORY_URL = "/article/story/"
OVERLAY = f'<div id="{OVERLAY_ID}"'


def story(title: str = "Original Headline", **extra: str) -> str:
    fields = {"slug": "story", "author": "KIM MIN-SEO", "tags": "[Markets, Chips]", **extra}
    return article(title, **fields)


SITE = {
    STORY: story(),
    "content/articles/2025/06/second.md": article("Second Story", date="2025-06-24 09:00:00+09:00",
                                                  category="Business", slug="second"),
    "content/articles/2025/06/third.md": article("Third Story", date="2025-06-25 09:00:00+09:00",
                                                 slug="third", tags="[Markets]"),
    "content/pages/about.md": "---\ntitle: About Us\n---\n\nWho we are.\n",
    "data/authors.yaml": "- name: KIM MIN-SEO\n  slug: kim-min-seo\n  title: Markets reporter\n",
    "static/files/data.json": '{"views": 1}\n',
    "static/images/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
    "static/images/pic.webp": b"RIFF\x1a\x00\x00\x00WEBPVP8 ",
    "static/js/app.js": "console.log('hello');\n",
}


@pytest.fixture
def site(make_site: SiteFactory) -> Path:
    return make_site(SITE)


def expected_errors(site: Path) -> list[str]:
    """What `gettimes build` says about the site as it is now, line by line."""
    with pytest.raises(SiteError) as failure:
        build_site(site, options(output=site.parent / "expected-errors"))
    return [str(error) for error in failure.value.report.errors]


# --- serving the build -----------------------------------------------------------------


def test_served_pages_are_the_build_plus_the_reload_script(site: Path, tmp_path: Path) -> None:
    with serving(site) as running:
        served = running.get(STORY_URL)
        assert served.status == 200
        assert served.headers["content-type"] == "text/html; charset=utf-8"
        running.indexed()
        served = running.get(STORY_URL)
        on_disk = (running.folder / "article/story/index.html").read_bytes()
        assert served.body == inject(on_disk, snippet(running.server.preview.current().live))
        assert served.body.index(EVENTS_PATH.encode()) < served.body.rindex(b"</body>")
        # The private folder and the search index hold exactly what `gettimes build` writes,
        # and no page in them has the script.
        built = fresh_build(site, tmp_path / "public")
        assert served_tree(running) == built
        assert "pagefind/pagefind.js" in built
        assert not [name for name, data in built.items() if b"__gettimes" in data]
        css = running.get("/assets/gettimes.css")
        assert css.status == 200 and b"__gettimes" not in css.body
        assert running.get("/feed.xml").body == built["feed.xml"]
        assert not (site / "public").exists(), "serve must never write the deploy folder"


def test_saving_an_article_updates_the_served_page(site: Path) -> None:
    with serving(site) as running:
        assert "Original Headline" in running.get(STORY_URL).text
        running.write(STORY, story("Revised Headline"))
        page = running.page_with(STORY_URL, "Revised Headline")
        assert "Original Headline" not in strip_reload(page.body).decode()
        line = running.printed("Rebuilt")
        # The search index's content-named files are replaced, so some files may be removed.
        assert re.fullmatch(rf"Rebuilt \({re.escape(STORY)} changed\): \d+ pages, \d+ files updated"
                            rf"(, \d+ removed)?, in \d+ ms\.", line), line


def test_saves_show_when_the_watcher_has_to_poll(site: Path) -> None:
    """Where the OS has no watches left (inotify's limit), the watcher polls the files instead."""

    def polling(server: DevServer) -> None:
        server.watcher._polling = True

    with serving(site, prepare=polling) as running:
        before = (site / STORY).stat().st_mtime_ns
        running.write(STORY, story("Revised Headline"))
        # Polling compares modification times, which a fast machine can leave equal for two writes
        # in one clock tick; an editor's saves are further apart.
        os.utime(site / STORY, ns=(before + 2_000_000_000, before + 2_000_000_000))
        running.page_with(STORY_URL, "Revised Headline")
        running.write("content/articles/2025/06/fourth.md", article("Fourth Story", slug="fourth"))
        running.page_with("/article/fourth/", "Fourth Story")


def test_each_rebuild_is_announced_on_the_event_stream(site: Path) -> None:
    with serving(site) as running:
        stream = EventStream(running.port)
        try:
            first = stream.next()
            assert first["errors"] == []
            page = running.get(STORY_URL)
            assert first["token"].encode() in page.body  # the page knows which build it shows
            running.write(STORY, story("Revised Headline"))
            second = stream.until(lambda state: state["token"] != first["token"])  # not an index update
            assert second["errors"] == []
            assert "Revised Headline" in running.get(STORY_URL).text  # the event follows the new build
        finally:
            stream.close()


def test_served_site_equals_a_full_build_after_edits_deletions_renames_and_new_files(
        site: Path, tmp_path: Path) -> None:
    with serving(site) as running:
        running.write(STORY, story("Revised Headline", summary="A new summary."))
        (site / "content/articles/2025/06/second.md").unlink()
        (site / "content/articles/2025/05").mkdir()
        (site / "content/articles/2025/06/third.md").rename(site / "content/articles/2025/05/third.md")
        running.write("content/articles/2025/06/fourth.md",
                      article("Fourth Story", date="2025-06-26 08:00:00+09:00", slug="fourth", category="World"))
        running.write("static/images/new.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="1"/>\n')
        (site / "static/js/app.js").unlink()
        running.write("data/authors.yaml", "- name: KIM MIN-SEO\n  slug: kim-min-seo\n  title: Editor\n")
        running.write("templates/page.html",  # a new folder: the watcher must pick it up too
                      '{% extends "base.html" %}{% block content %}<h1>{{ page.title }}</h1>'
                      "<p>custom page template</p>{% endblock %}")
        config = (site / "gettimes.yaml").read_text(encoding="utf-8").replace("Test Times", "Test Daily")
        (site / "gettimes.yaml").write_text(config, encoding="utf-8")

        expected = fresh_build(site, tmp_path / "public")
        assert "article/fourth/index.html" in expected and "article/second/index.html" not in expected
        wait_until(lambda: served_tree(running) == expected, "the served tree to equal a full build")
        for name, data in expected.items():
            served = running.get("/" + name)
            assert served.status == 200, name
            assert (strip_reload(served.body) if name.endswith(".html") else served.body) == data, name
        assert running.get("/article/second/").status == 404
        assert running.get("/js/app.js").status == 404
        assert "custom page template" in running.get("/about/").text


def test_a_title_in_a_sidebar_box_reloads_its_page_first_then_every_page(make_site: SiteFactory,
                                                                         tmp_path: Path) -> None:
    """Hot Issue is on every page: the saved article's page reloads first, the rest follow."""
    site = make_site({**SITE, STORY: story(featured="true")})
    with serving(site) as running:
        stream = EventStream(running.port)
        try:
            first = stream.next()
            running.write(STORY, story("Revised Headline", featured="true"))
            second = stream.until(lambda state: state["token"] != first["token"])
            third = stream.until(lambda state: state["token"] not in (first["token"], second["token"]))
            assert third["errors"] == []
        finally:
            stream.close()
        running.printed("more followed in")
        assert "Revised Headline" in running.get("/about/").text  # in the sidebar box
        expected = fresh_build(site, tmp_path / "public")
        wait_until(lambda: served_tree(running) == expected, "the served tree to equal a full build")


def test_a_burst_of_saves_becomes_one_rebuild(site: Path, make_site: SiteFactory) -> None:
    """Files saved while a rebuild runs (a save-all, a git checkout) are built together, once."""
    burst = [f"content/articles/2025/06/burst-{n:02d}.md" for n in range(10)]
    with serving(site) as running:
        gate, started = threading.Event(), threading.Event()
        build = running.server.preview.build

        def held_build() -> object:
            started.set()
            assert gate.wait(60)
            return build()

        seen: set[str] = set()
        notify = running.server.watcher._notify

        def spy(changes: frozenset[tuple[str, str]]) -> None:
            seen.update(path for _, path in changes)
            notify(changes)

        running.server.preview.build = held_build  # type: ignore[method-assign]
        running.server.watcher._notify = spy
        running.write(STORY, story("First Save"))
        wait_until(started.is_set, "the first rebuild to start")
        for n, rel in enumerate(burst):
            running.write(rel, article(f"Burst {n}", slug=f"burst-{n}"))
        wait_until(lambda: set(burst) <= seen, "the watcher to report every file of the burst")
        gate.set()
        line = running.printed("burst-00.md and")
        assert re.match(r"Rebuilt \(content/articles/2025/06/burst-00\.md and (9|10) more files changed\)", line)
        assert sum("burst-" in line for line in running.lines) == 1
        assert "Burst 9" in running.get("/article/burst-9/").text


@pytest.mark.parametrize("flags", [{}, {"drafts": True}, {"future": True}], ids=["default", "drafts", "future"])
def test_drafts_and_future_articles_show_only_when_asked(make_site: SiteFactory, flags: dict[str, bool]) -> None:
    site = make_site({**SITE,
                      "content/articles/2025/06/draft.md": article("Draft Story", slug="draft", draft="true"),
                      "content/articles/2025/07/later.md": article("Later Story", slug="later",
                                                                   date="2025-07-30 09:00:00+09:00")})
    with serving(site, **flags) as running:
        assert running.get("/article/draft/").status == (200 if flags.get("drafts") else 404)
        assert running.get("/article/later/").status == (200 if flags.get("future") else 404)


def test_warnings_are_printed_once_not_on_every_save(site: Path) -> None:
    (site / STORY).write_text(story(author="NEW REPORTER"), encoding="utf-8")
    with serving(site) as running:
        warning = next(line for line in running.lines if "NEW REPORTER" in line)
        assert warning.startswith(f"{STORY}: warning: ")
        running.write("content/articles/2025/06/third.md", article("Third, Revised", slug="third"))
        running.printed("Rebuilt")
        assert sum("NEW REPORTER" in line for line in running.lines) == 1


# --- broken saves ------------------------------------------------------------------------

BREAKAGES = {
    "bad-yaml": (STORY, '---\ntitle: "Unclosed\ndate: 2025-06-23\ncategory: World\n---\nBody\n'),
    "unknown-category": (STORY, story(category="<script>alert(1)</script>")),
    "template-syntax": ("templates/article.html", '{% extends "base.html" %}\n{% block content %}\n'
                        "{% if article.title %}<h1>{{ article.title }}</h1>\n{% endblock %}\n"),
}


@pytest.mark.parametrize("kind", sorted(BREAKAGES))
def test_a_broken_save_shows_an_overlay_and_keeps_the_last_good_site(site: Path, kind: str) -> None:
    rel, broken = BREAKAGES[kind]
    with serving(site) as running:
        stream = EventStream(running.port)
        try:
            assert stream.next()["errors"] == []
            running.write(rel, broken)
            errors = expected_errors(site)
            assert errors
            event = stream.until(lambda state: state["errors"] == errors)
            page = running.page_with(STORY_URL, OVERLAY)
            for error in errors:
                assert html.escape(error) in page.text
                assert running.printed(error) == error
            assert "<script>alert(1)</script>" not in page.text
            assert "Original Headline" in page.text  # the last good build is still served
            assert running.printed("Rebuild failed").endswith("still serving the last good build.")

            if rel.startswith("templates/"):
                (site / rel).unlink()
                running.write(STORY, story("Fixed Headline"))
            else:
                running.write(rel, story("Fixed Headline"))
            fixed = stream.until(lambda state: not state["errors"])
            assert fixed["token"] != event["token"]
            page = running.page_with(STORY_URL, "Fixed Headline")
            assert OVERLAY not in page.text
        finally:
            stream.close()


def test_a_site_broken_at_start_is_served_as_its_errors_until_fixed(site: Path) -> None:
    (site / STORY).write_text(story(category="Nowhere"), encoding="utf-8")
    errors = expected_errors(site)
    with serving(site) as running:
        page = running.get(STORY_URL)
        assert page.status == 500
        assert all(html.escape(error) in page.text for error in errors)
        running.write(STORY, story("Fixed Headline"))
        page = running.page_with(STORY_URL, "Fixed Headline")
        assert OVERLAY not in page.text


def test_serve_without_a_site_is_the_usual_error(tmp_path: Path) -> None:
    server = DevServer(tmp_path, ServeOptions(port=0), clock=lambda: FIXED_NOW)
    with pytest.raises(SiteError) as failure:
        server.start()
    assert str(failure.value.report.errors[0]).startswith("gettimes.yaml: no gettimes.yaml here")


# --- a safe local server ---------------------------------------------------------------

SECRET = "TOP-SECRET-CONTENT"


def _traversals(outside: Path) -> list[str]:
    absolute = outside.as_posix()
    return [
        "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E%2Fsecret.txt", "/..%2fsecret.txt",
        "/.%2e/secret.txt", "/article/../../secret.txt", "/..\\secret.txt", "/%5c..%5csecret.txt",
        "/article/%5c..%5c..%5csecret.txt", "//" + absolute.lstrip("/"), "/%2F" + absolute.lstrip("/"),
        "/C:/secret.txt", "/leak.txt", "/leaks/secret.txt", "/leaks/", "/%00secret.txt",
        "/gettimes.yaml", "/content/articles/2025/06/story.md",
    ]


def test_requests_cannot_leave_the_served_folder(site: Path) -> None:
    with serving(site) as running:
        outside = running.folder.parent / "secret.txt"
        outside.write_text(SECRET, encoding="utf-8")
        (running.folder / "leak.txt").symlink_to(outside)
        (running.folder / "leaks").symlink_to(running.folder.parent, target_is_directory=True)
        not_found = running.get("/no-such-page/")
        for path in _traversals(outside):
            for method in ("GET", "HEAD"):
                response = running.get(path, method)
                assert response.status == 404, (method, path, response.status)
                assert SECRET not in response.body.decode("utf-8", "replace"), path
                if method == "GET":
                    assert response.body == not_found.body, path


@pytest.mark.parametrize(("path", "segments"), [
    ("/", []), ("/article/story/", ["article", "story"]), ("/feed.xml", ["feed.xml"]),
    ("/tag/r%26d/", ["tag", "r&d"]), ("/%ED%95%9C/", ["한"]), ("/.well-known/x.txt", [".well-known", "x.txt"]),
    ("/../x", None), ("/a/%2e%2e/x", None), ("/a%2f..%2f..%2fx", None), ("/a\\b", None), ("/a%5cb", None),
    ("/a//b", None), ("/C:/x", None), ("/a%00", None), ("x", None),
])
def test_url_paths_map_to_segments_inside_the_folder(path: str, segments: list[str] | None) -> None:
    assert url_segments(path) == segments


def test_content_types(site: Path) -> None:
    expected = {
        "/": "text/html; charset=utf-8",
        "/feed.xml": "application/xml; charset=utf-8",
        "/sitemap.xml": "application/xml; charset=utf-8",
        "/robots.txt": "text/plain; charset=utf-8",
        "/assets/gettimes.css": "text/css; charset=utf-8",
        "/js/app.js": "text/javascript; charset=utf-8",
        "/files/data.json": "application/json",
        "/images/logo.svg": "image/svg+xml",
        "/images/pic.webp": "image/webp",
    }
    with serving(site) as running:
        for path, content_type in expected.items():
            response = running.get(path)
            assert (response.status, response.headers["content-type"]) == (200, content_type), path
            assert response.headers["x-content-type-options"] == "nosniff"


def test_folders_redirect_to_their_index_and_are_never_listed(site: Path) -> None:
    with serving(site) as running:
        moved = running.get("/article/story?from=feed")
        assert moved.status == 301 and moved.headers["location"] == "/article/story/?from=feed"
        assert running.get("/article/story/").status == 200
        assert running.get("/article/story/index.html").status == 200
        assert running.get("/article/story/index.html/").status == 404
        listing = running.get("/assets/")
        assert listing.status == 404 and listing.body == running.get("/no-such-page/").body


def test_misses_get_the_sites_404_page(site: Path) -> None:
    with serving(site) as running:
        missing = running.get("/no/such/page/")
        assert missing.status == 404
        assert strip_reload(missing.body) == (running.folder / "404.html").read_bytes()
        assert EVENTS_PATH in missing.text  # it reloads too, when the page appears


def test_head_sends_the_headers_of_get_without_a_body(site: Path) -> None:
    with serving(site) as running:
        for path in (STORY_URL, "/feed.xml", "/images/logo.svg", "/missing/"):
            get, head = running.get(path), running.get(path, "HEAD")
            assert head.status == get.status and head.body == b""
            assert head.headers["content-length"] == str(len(get.body)), path
            assert head.headers["content-type"] == get.headers["content-type"]


def test_a_base_url_with_a_path_is_served_under_that_path(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG.replace("https://news.example.com", "https://news.example.com/edition/")
    site = make_site(SITE, config=config)
    with serving(site) as running:
        assert running.server.url.endswith("/edition/")
        assert running.get("/edition/article/story/").status == 200
        home = running.get("/")
        assert (home.status, home.headers["location"]) == (302, "/edition/")
        assert running.get("/edition").headers["location"] == "/edition/"
        assert running.get("/article/story/").status == 404


def test_a_burst_of_200_concurrent_requests_all_succeed(site: Path) -> None:
    paths = [STORY_URL, "/", "/feed.xml", "/assets/gettimes.css", "/images/logo.svg", "/missing/"] * 34
    paths = paths[:200]
    with serving(site) as running:
        expected = {path: running.get(path) for path in set(paths)}
        barrier = threading.Barrier(len(paths), timeout=60)

        def request(path: str) -> tuple[str, int, bytes]:
            barrier.wait()
            response = fetch(running.port, path)
            return path, response.status, response.body

        with ThreadPoolExecutor(max_workers=len(paths)) as pool:
            results = list(pool.map(request, paths, timeout=120))
        assert len(results) == 200
        for path, status, body in results:
            assert (status, body) == (expected[path].status, expected[path].body), path


def test_a_busy_port_moves_to_the_next_free_one(site: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        with serving(site, port=busy) as running:
            assert running.port != busy
            assert f"Port {busy} is in use; serving on port {running.port} instead." in running.lines
            assert running.get(STORY_URL).status == 200


def test_close_ends_every_thread_and_removes_the_private_folder(site: Path) -> None:
    before = set(threading.enumerate())
    with serving(site) as running:
        folder = running.folder
        stream = EventStream(running.port)
        stream.next()
        scratch = folder.parent
        assert scratch.is_dir()
    try:
        with pytest.raises(EOFError):
            stream.next()  # the server ended the stream when it stopped
    finally:
        stream.close()
    assert not scratch.exists()
    assert not list((site / CACHE_DIR).glob("pages-*")), "no build-cache record is left for the removed folder"
    assert set(threading.enumerate()) <= before
    with pytest.raises(OSError):
        fetch(running.port, "/", timeout=5)


def test_stopping_abandons_a_build_in_progress_and_keeps_the_served_site(site: Path) -> None:
    with serving(site) as running:
        before = tree(running.folder)
        running.server.preview.stop()  # as Ctrl-C does first
        (site / STORY).write_text(story("Never Built"), encoding="utf-8")
        outcome = running.server.preview.build()
        assert outcome.stopped and not outcome.errors
        assert tree(running.folder) == before
        assert "Original Headline" in running.get(STORY_URL).text


def test_describe_names_what_changed() -> None:
    assert describe({("modified", "content/a.md")}) == "content/a.md changed"
    assert describe({("added", "static/x.png")}) == "static/x.png added"
    assert describe({("deleted", "content/b.md"), ("added", "content/a.md")}) == \
        "content/a.md and 1 more file changed"
    assert describe({("modified", f"content/{n}.md") for n in range(5)}) == "content/0.md and 4 more files changed"


# --- builds in child processes, and the search index made in the background ------------


def test_the_search_index_follows_each_save(site: Path) -> None:
    with serving(site) as running:
        before = indexed_pages(running)
        assert set(before) == {STORY_URL, "/article/second/", "/article/third/"}
        index = running.server.preview.current().live.search
        running.write("content/articles/2025/06/fourth.md",
                      article("Fourth Story", slug="fourth", body="Divers found a zeppelin off the coast.\n"))
        (site / "content/articles/2025/06/second.md").unlink()
        running.page_with("/article/fourth/", "Fourth Story")
        running.indexed(after=index)
        after = indexed_pages(running)
        assert set(after) == {STORY_URL, "/article/third/", "/article/fourth/"}
        assert "zeppelin" in after["/article/fourth/"]
        assert running.get("/search/").status == 200
        assert running.get("/pagefind/pagefind-ui.js").status == 200


def test_a_page_that_used_the_search_index_is_told_of_a_new_one(site: Path) -> None:
    with serving(site) as running:
        stream = EventStream(running.port)
        try:
            first = stream.next()
            assert first["search"] == running.server.preview.current().live.search != ""
            running.write(STORY, story("Revised Headline"))
            built = stream.until(lambda state: state["token"] != first["token"])
            assert built["search"] == first["search"]  # the reload comes before the index
            indexed = stream.until(lambda state: state["search"] != first["search"])
            assert indexed["token"] == built["token"] and indexed["errors"] == []
        finally:
            stream.close()
        page = running.get(STORY_URL)
        assert f'search = "{indexed["search"]}"'.encode() in page.body
        assert b'"/pagefind/"' in page.body  # what the script looks for among the page's requests


def test_an_index_that_fails_is_reported_once_and_the_last_index_stays(site: Path) -> None:
    with serving(site) as running:
        served = running.server.preview.current().search
        running.server.preview.index.job = failing_index
        running.write(STORY, story("Revised Headline"))
        running.page_with(STORY_URL, "Revised Headline")
        line = running.printed("The search index was not updated")
        assert line.endswith("Pagefind failed (exit status 1): no such file; is `pagefind[bin]` installed?")
        running.write(STORY, story("Revised Again"))
        running.page_with(STORY_URL, "Revised Again")
        wait_until(running.server.preview.index.idle, "the index run to end")
        assert sum("The search index was not updated" in line for line in running.lines) == 1
        assert running.server.preview.current().search == served
        assert running.get("/pagefind/pagefind.js").status == 200
        assert "Original Headline" in indexed_pages(running)[STORY_URL]


def test_search_is_served_under_the_base_path(make_site: SiteFactory) -> None:
    config = BASIC_CONFIG.replace("https://news.example.com", "https://news.example.com/edition/")
    with serving(make_site(SITE, config=config)) as running:
        assert running.get("/edition/pagefind/pagefind.js").status == 200
        assert running.get("/pagefind/pagefind.js").status == 404


def test_a_site_without_search_gets_no_index(make_site: SiteFactory) -> None:
    with serving(make_site(SITE, config=BASIC_CONFIG + "search: false\n")) as running:
        running.write(STORY, story("Revised Headline"))
        running.page_with(STORY_URL, "Revised Headline")
        assert running.server.preview.current().search == ()
        assert running.get("/pagefind/pagefind.js").status == 404


def test_a_build_process_that_crashes_is_reported_and_the_server_carries_on(site: Path) -> None:
    with serving(site) as running:
        stream = EventStream(running.port)
        try:
            first = stream.next()
            running.server.preview.build_job = crashing_build
            running.write(STORY, story("Never Built"))
            failed = stream.until(lambda state: bool(state["errors"]))
            assert failed["errors"] == ["gettimes: the build stopped: its process ended without a result "
                                        "(killed by SIGKILL; out of memory?); save again to retry"]
            assert running.printed("Rebuild failed").endswith("still serving the last good build.")
            page = running.page_with(STORY_URL, OVERLAY)
            assert "Original Headline" in page.text
            assert running.get("/pagefind/pagefind.js").status == 200

            running.server.preview.build_job = build_job
            running.write(STORY, story("Fixed Headline"))
            fixed = stream.until(lambda state: not state["errors"])
            assert fixed["token"] != first["token"]
            assert OVERLAY not in running.page_with(STORY_URL, "Fixed Headline").text
        finally:
            stream.close()


@pytest.mark.skipif(sys.platform != "linux", reason="looks processes up in /proc")
def test_stopping_the_server_ends_a_build_and_every_process_it_started(site: Path) -> None:
    pids = site.parent / "endless.pids"
    with serving(site) as running:
        running.server.preview.build_job = endless_build
        running.write(STORY, story("Never Built"))
        def started() -> str:
            return pids.read_text(encoding="utf-8") if pids.is_file() else ""

        build, helper = map(int, wait_until(started, "the build to start").split())
        assert alive(build) and alive(helper)
    assert not alive(build) and not alive(helper)
    assert not (site.parent / "endless.finished").exists()
    assert not list((site / CACHE_DIR).glob("*.tmp"))
