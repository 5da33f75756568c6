"""`gettimes init` (a new working site) and `gettimes new` (a new draft article)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from gettimes.config import CONFIG_FILE, SiteConfig, did_you_mean, load_config
from gettimes.content import load_authors
from gettimes.diagnostics import Report, SiteError
from gettimes.slugs import fallback_slug, make_slug
from gettimes.workflows import site_workflows


class ScaffoldError(Exception):
    """A command-line request that cannot be carried out (exit 2)."""

    def __init__(self, message: str, option: str | None = None) -> None:
        super().__init__(message)
        self.option = option


def _quote(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


_CONFIG = """\
title: My News Site
base_url: https://www.example.com
language: en
timezone: Asia/Seoul
description: Independent reporting on business and the economy.
categories:
  - World
  - Business
  - ICT
  - Opinion
  - {name: Arts&Culture, slug: culture}
paginate: 20
feed_items: 20
sidebar_items: 5
publisher:
  company: My News Company
  ceo: Your Name
  publisher: Your Name
  address: 1 Example Street, Seoul
  phone: +82-2-0000-0000
  email: newsroom@example.com
  copyright: Copyright © My News Company. All rights reserved.
"""

_AUTHORS = """\
- name: JANE DOE
  title: Business Reporter
  bio: Covers markets, trade and the companies that move them.
  email: jane.doe@example.com
- name: KIM MIN-SEO
  title: ICT Reporter
  bio: Writes about chips, networks and the software industry.
  email: minseo.kim@example.com
"""

_ARTICLES = (
    ("welcome-to-your-news-site", "Welcome to Your News Site", "World", "JANE DOE",
     "[Welcome, Getting started]", True,
     "This is a sample article. Edit it, or delete it, and add your own under "
     "`content/articles/`.\n\n## Writing an article\n\nEach article is a Markdown file with "
     "front matter between two `---` lines: a title, a date and a category are required.\n"),
    ("exporters-watch-shipping-rates", "Exporters Watch Shipping Rates as Peak Season Nears",
     "Business", "JANE DOE", "[Trade, Shipping]", False,
     "Freight costs are the number to watch this quarter, exporters said.\n\n"
     "- Container rates rose for a third week.\n- Port congestion eased.\n"),
    ("chipmakers-expand-testing-lines", "Chipmakers Expand Testing Lines", "ICT", "KIM MIN-SEO",
     "[Semiconductors, Trade]", False,
     "Two chipmakers announced new testing lines this week.\n\n| Company | Lines |\n|---|---|\n"
     "| Example Chips | 3 |\n| Sample Semi | 2 |\n"),
)

# The build output, the build cache, and the staging folders beside the output (left by a killed build).
_GITIGNORE = "/public/\n/.gettimes-cache/\n/.*.gettimes-*/\n"

_ABOUT = """\
---
title: About Us
---

Tell your readers who you are, how to reach the newsroom and how to send a correction.
"""


def init_site(directory: Path, now: datetime) -> list[Path]:
    """Write a site that builds as it is; refuse to touch an existing site."""
    if (directory / CONFIG_FILE).exists():
        raise ScaffoldError(f"{directory / CONFIG_FILE} already exists: this folder holds a site")
    files: dict[str, str] = {
        CONFIG_FILE: _CONFIG,
        "data/authors.yaml": _AUTHORS,
        "content/pages/about.md": _ABOUT,
        ".gitignore": _GITIGNORE,
        "static/images/.gitkeep": "",
        "templates/.gitkeep": "",
        **site_workflows(),
    }
    stats = ["path,views,date"]
    for number, (slug, title, category, author, tags, featured, body) in enumerate(_ARTICLES):
        date = now - timedelta(days=number + 1)
        stamp = date.strftime("%Y-%m-%d %H:%M:%S%z")
        header = [f"title: {_quote(title)}", f"date: {stamp[:-2]}:{stamp[-2:]}",
                  f"category: {category}", f"tags: {tags}", f"author: {author}"]
        if featured:
            header.append("featured: true")
        files[f"content/articles/{date:%Y/%m}/{slug}.md"] = "---\n" + "\n".join(header) + "\n---\n\n" + body
        # The article's URL comes from its title, not from the file name.
        stats.append(f"/article/{make_slug(title)}/,{(3 - number) * 120},{date:%Y-%m-%d}")
    files["data/stats.csv"] = "\n".join(stats) + "\n"
    # A folder may already be a git checkout; anything else there is someone's work.
    kept = (".gitignore", "static/images/.gitkeep", "templates/.gitkeep")
    clashes = [rel for rel in files if rel not in kept and (directory / rel).exists()]
    if clashes:
        raise ScaffoldError(f"{directory} already holds {', '.join(clashes)}: "
                            "init writes a new site only where it overwrites nothing")
    written = []
    for rel, text in files.items():
        path = directory / rel
        if rel in kept and path.exists():
            existing = path.read_text("utf-8")
            missing = [line for line in text.splitlines() if line not in existing.splitlines()]
            if rel == ".gitignore" and missing:
                path.write_text(existing + ("\n" if existing and not existing.endswith("\n") else "")
                                + "".join(line + "\n" for line in missing), encoding="utf-8")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


@dataclass(frozen=True, slots=True)
class ArticleChoices:
    """What `gettimes new` offers: the configured categories and the known reporters, in file order."""

    categories: tuple[str, ...]
    reporters: tuple[str, ...]


def _site_config(root: Path) -> SiteConfig:
    report = Report()
    config = load_config(root, report)
    if config is None:
        raise SiteError(report)
    return config


def article_choices(root: Path) -> ArticleChoices:
    """The categories of gettimes.yaml and the reporters of data/authors.yaml (problems there are left to check)."""
    config = _site_config(root)
    authors = load_authors(root, config, Report())
    return ArticleChoices(tuple(c.name for c in config.categories), tuple(a.name for a in authors.values()))


def new_article(root: Path, title: str, category: str, author: str, tags: str, now: datetime,
                summary: str = "") -> Path:
    """Write content/articles/YYYY/MM/{slug}.md as a draft dated now in the site's time zone."""
    config = _site_config(root)
    if not title.strip():
        raise ScaffoldError("the title is empty")
    found = config.category_named(category)
    if found is None:
        names = [c.name for c in config.categories]
        raise ScaffoldError(f"unknown category '{category}'{did_you_mean(category, names)}; "
                            f"the categories are: {', '.join(names)}", option="category")
    local = now.astimezone(config.timezone)
    slug = make_slug(title, config.slugs) or fallback_slug(title)
    path = root / "content" / "articles" / f"{local:%Y}" / f"{local:%m}" / f"{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{path.relative_to(root)} already exists; choose another title")
    stamp = local.strftime("%Y-%m-%d %H:%M:%S%z")
    header = [f"title: {_quote(title.strip())}", f"date: {stamp[:-2]}:{stamp[-2:]}",
              f"category: {_quote(found.name)}"]
    if author.strip():
        header.append(f"author: {_quote(author.strip())}")
    tag_list = [t.strip() for t in tags.split(",") if t.strip()]
    if tag_list:
        header.append("tags: [" + ", ".join(_quote(t) for t in tag_list) + "]")
    if summary.strip():
        header.append(f"summary: {_quote(summary.strip())}")
    header.append("draft: true")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\n" + "\n".join(header) + "\n---\n\nWrite the article here.\n", encoding="utf-8")
    return path.relative_to(root)
