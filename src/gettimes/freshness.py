"""Is the output already what a build would write? Then a build has nothing to do.

A successful build records a digest of everything it read (every source file's
bytes, the theme, gettimes' own code, the options) and the moment its output goes
stale by the clock alone: the next future article's publication, an article
leaving the news sitemap's 48-hour window, or midnight in the site's time zone
(Weekly Hot Issue counts days). A later build with the same digest, before that
moment, onto an output that still holds exactly the files it left, changes nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from gettimes.diagnostics import Diagnostic
from gettimes.models import Article
from gettimes.output import Tree, tree_matches
from gettimes.sitemaps import NEWS_WINDOW
from gettimes.sources import SourceScan

_PACKAGE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Freshness:
    inputs: str  # digest of everything the build read, and its options
    built_at: datetime  # the build time it was made at
    valid_until: datetime  # when the clock alone changes the output
    tree: Tree  # the output's files as the build left them
    pages: int
    warnings: tuple[Diagnostic, ...]
    # Pages left for a second swap that has not happened (BuildResult.later): their files and
    # records are the last build's, so the output is not yet all that the inputs make.
    left: int = 0


def input_digest(sources: SourceScan, options_key: str) -> str:
    """A hash of the site's sources, the theme and gettimes' code, by their bytes."""
    hasher = hashlib.blake2b(digest_size=20)
    hasher.update(options_key.encode() + b"\0" + sources.digest().encode() + b"\0")
    hasher.update(package_digest().encode())
    return hasher.hexdigest()


@functools.cache
def package_digest() -> str:
    """A hash of gettimes' own code, strings and theme."""
    hasher = hashlib.blake2b(digest_size=20)
    for path in _files(_PACKAGE):
        hasher.update(str(path.relative_to(_PACKAGE)).encode() + b"\0")
        hasher.update(path.read_bytes())
        hasher.update(b"\0")
    return hasher.hexdigest()


def _files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if not path.is_dir():
        return []
    found: list[Path] = []
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found.extend(Path(folder) / name for name in sorted(files) if not name.endswith(".pyc"))
    return found


def valid_until(articles: Iterable[Article], now: datetime, zone: ZoneInfo, drafts: bool) -> datetime:
    """The first moment after `now` at which the same sources would give another site."""
    local = now.astimezone(zone)
    moments = [datetime.combine(local.date() + timedelta(days=1), time(), zone)]
    for article in articles:
        if article.draft and not drafts:
            continue
        if article.date > now:
            moments.append(article.date)  # published from then on
        elif article.date + NEWS_WINDOW >= now:
            moments.append(article.date + NEWS_WINDOW + timedelta(microseconds=1))  # leaves the news sitemap
    return min(moments)


def is_fresh(record: Freshness | None, inputs: str, now: datetime, output: Path) -> bool:
    return (record is not None and record.inputs == inputs and record.built_at <= now < record.valid_until
            and not record.left and tree_matches(output, record.tree))
