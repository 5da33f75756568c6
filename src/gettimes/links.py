"""The internal link check of `gettimes check`: every root-relative link must lead to a file."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from gettimes import urls
from gettimes.diagnostics import Report
from gettimes.render import PageJob
from gettimes.search import INDEX_DIR

_LINK = re.compile(rb"""\s(?:href|src)="(/[^"]*)\"""")


def check_links(root: Path, base_url: str, rendered: Iterable[tuple[PageJob, bytes]], files: set[str],
                report: Report) -> None:
    """Report root-relative links in the rendered pages that lead to no output file.

    A broken link written in a source file is reported there, with its line; one
    that comes from a template is reported once, with the number of pages it is on.
    """
    base_path = urlsplit(base_url).path.rstrip("/")
    # The search page is planned exactly when search is on; its index is made by Pagefind
    # after the pages are written, so check (which does not run Pagefind) takes it on trust.
    index_folder = f"/{INDEX_DIR}/" if urls.output_path(urls.SEARCH_URL) in files else None
    broken: dict[str, list[PageJob]] = {}
    for job, html in rendered:
        for match in _LINK.finditer(html):
            link = match.group(1).decode("utf-8", "replace").replace("&amp;", "&")
            if link.startswith("//"):
                continue
            path = unquote(urlsplit(link).path)
            if base_path and path.startswith(base_path + "/"):
                path = path[len(base_path):]
            if index_folder and path.startswith(index_folder):
                continue
            target = urls.output_path(path)
            if target is None or not (target in files or f"{target}/index.html" in files):
                pages = broken.setdefault(link, [])
                if job not in pages:
                    pages.append(job)
    for link, jobs in sorted(broken.items()):
        from_templates = []
        for job in jobs:
            line = _line_of(root / job.source, link) if job.source.endswith(".md") else None
            if line is None:
                from_templates.append(job)
            else:
                report.error(job.source, line, f"broken link to {link}")
        if from_templates:
            first = from_templates[0]
            count = f"{len(from_templates)} pages" if len(from_templates) > 1 else "1 page"
            report.error("templates", None,
                         f"broken link to {link} on {count} (first: {first.url}, from {first.source})")


def _line_of(path: Path, needle: str) -> int | None:
    try:
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if needle in line:
                return number
    except (OSError, UnicodeDecodeError):
        return None
    return None
