"""The floor: a bare build of a bench corpus with gettimes' required libraries, and nothing else.

    python bench/floor.py CORPUS OUTPUT [--jobs 2]

It makes the page set the Hugo anchor makes (article pages; section, tag and reporter
pages with 20 articles each; the home page; /feed.xml; a five-item Most Viewed list on
every page) the plainest way: the C YAML loader, one MarkdownIt("commonmark") with
tables, small Jinja templates, a process pool. It checks nothing, keeps no cache, and
leaves out the theme (sidebars, menus, structured data), the sitemaps and everything
else a newsroom needs, so no real build can be quicker than this on the same machine.
bench/run.py times it beside gettimes and Hugo.
"""

from __future__ import annotations

import argparse
import csv
import os
import time
from collections import Counter, defaultdict
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import yaml
from feedgen.feed import FeedGenerator
from jinja2 import Environment
from markdown_it import MarkdownIt
from slugify import slugify

PER_PAGE = 20
HEAD = ("<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{{ title }}</title></head><body>"
        "<h1>{{ title }}</h1>")
MOST_VIEWED = ("<aside><h2>Most Viewed</h2><ol>{% for item in most_viewed %}"
               "<li><a href='{{ item.url }}'>{{ item.title }}</a></li>{% endfor %}</ol></aside></body></html>")
TEMPLATES = Environment(autoescape=True)
TEMPLATES.filters["slug"] = slugify
ARTICLE = TEMPLATES.from_string(
    HEAD + "<p>{{ authors | join(', ') }} · {{ date }} · "
    "<a href='/category/{{ category | slug }}/'>{{ category }}</a></p>"
    "<article>{{ body | safe }}</article><ul>{% for tag in tags %}<li><a href='/tag/{{ tag | slug }}/'>"
    "{{ tag }}</a></li>{% endfor %}</ul>" + MOST_VIEWED)
LISTING = TEMPLATES.from_string(
    HEAD + "<ul>{% for item in items %}<li><a href='{{ item.url }}'>{{ item.title }}</a> {{ item.date }}"
    "<p>{{ item.summary }}</p></li>{% endfor %}</ul>"
    "{% if previous %}<a href='{{ previous }}'>Newer</a>{% endif %}{% if next %}<a href='{{ next }}'>Older</a>"
    "{% endif %}" + MOST_VIEWED)
MARKDOWN = MarkdownIt("commonmark").enable("table")
_output = Path()
_shown_most_viewed: list[dict[str, Any]] = []


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    args = parser.parse_args()
    started = time.perf_counter()
    files = sorted(str(path) for path in (args.corpus / "content" / "articles").rglob("*.md"))
    most_viewed = _most_viewed(args.corpus / "data" / "stats.csv", files)
    with Pool(args.jobs, initializer=_remember, initargs=(args.output, most_viewed)) as pool:
        cards = pool.map(_article_page, files, chunksize=64)
        newest = sorted(cards, key=lambda card: card["date"], reverse=True)
        pages = len(cards) + sum(pool.map(_listing, _listings(newest), chunksize=16))
    _feed(args.output, newest[:PER_PAGE])
    print(f"Built {pages} pages in {time.perf_counter() - started:.2f} s")


def _split(path: str) -> tuple[dict[str, Any], str]:
    text = Path(path).read_text("utf-8")
    _, front, body = text.split("---\n", 2)
    return yaml.load(front, Loader=yaml.CSafeLoader), body


def _front_matter(path: str) -> dict[str, Any]:
    return _card(_split(path)[0])


def _card(meta: dict[str, Any]) -> dict[str, Any]:
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [tag.strip() for tag in tags.split(",")]
    return {"url": f"/article/{meta['slug']}/", "title": str(meta["title"]), "date": str(meta["date"]),
            "summary": meta.get("summary", ""), "category": meta["category"], "tags": [str(tag) for tag in tags],
            "authors": [str(name) for name in meta.get("authors") or [meta.get("author")]]}


def _most_viewed(stats: Path, files: list[str]) -> list[dict[str, Any]]:
    """The five most viewed articles, each file read once more (the corpus names a file by its slug)."""
    views: Counter[str] = Counter()
    with stats.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            views[row["path"]] += int(row["views"])
    by_slug = {Path(path).stem: path for path in files}
    found = [by_slug[url.strip("/").rpartition("/")[2]] for url, _ in views.most_common()
             if url.strip("/").rpartition("/")[2] in by_slug]
    return [_front_matter(path) for path in found[:5]]


def _remember(output: Path, most_viewed: list[dict[str, Any]]) -> None:
    global _output, _shown_most_viewed
    _output, _shown_most_viewed = output, most_viewed


def _write(url: str, html: str) -> None:
    folder = _output / url.strip("/")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "index.html").write_text(html, "utf-8")


def _article_page(path: str) -> dict[str, Any]:
    """Writes the article's page; its card, for the listings."""
    meta, body = _split(path)
    card = _card(meta)
    _write(card["url"], ARTICLE.render(card, title=card["title"], body=MARKDOWN.render(body),
                                       most_viewed=_shown_most_viewed))
    return card


def _listings(newest: list[dict[str, Any]]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    groups: defaultdict[str, list[dict[str, Any]]] = defaultdict(list)
    for card in newest:
        groups[f"/category/{slugify(card['category'])}/"].append(card)
        for tag in card["tags"]:
            groups[f"/tag/{slugify(tag)}/"].append(card)
        for author in card["authors"]:
            groups[f"/author/{slugify(author)}/"].append(card)
    return [("/", "Home", newest[:PER_PAGE])] + [(url, url, cards) for url, cards in sorted(groups.items())]


def _listing(group: tuple[str, str, list[dict[str, Any]]]) -> int:
    base, title, cards = group
    count = -(-len(cards) // PER_PAGE) if base != "/" else 1
    for number in range(1, count + 1):
        url = base if number == 1 else f"{base}page/{number}/"
        previous = None if number == 1 else base if number == 2 else f"{base}page/{number - 1}/"
        following = f"{base}page/{number + 1}/" if number < count else None
        _write(url, LISTING.render(title=title, items=cards[(number - 1) * PER_PAGE:number * PER_PAGE],
                                   previous=previous, next=following, most_viewed=_shown_most_viewed))
    return count


def _feed(output: Path, newest: list[dict[str, Any]]) -> None:
    feed = FeedGenerator()
    feed.title("Floor")
    feed.link(href="https://example.com/")
    feed.description("The latest articles")
    for card in reversed(newest):
        entry = feed.add_entry()
        entry.title(card["title"])
        entry.link(href="https://example.com" + card["url"])
        entry.guid("https://example.com" + card["url"], permalink=True)
    feed.rss_file(str(output / "feed.xml"))


if __name__ == "__main__":
    main()
