"""`gettimes check FILE...`: the problems in some files, and in the files they affect.

The whole site is still checked, because the rules that span files (duplicate
slugs, renamed slugs, links, output collisions) need every file; the report is
then narrowed to what concerns the given files:

- a problem in a given file (or in a file inside a given folder);
- a problem elsewhere whose message names a given file: the other file of a
  duplicate slug, the article whose slug was numbered because of it, a page that
  collides with it;
- a problem in gettimes.yaml, or in an output made from every article (feeds,
  sitemaps): the given files cannot be checked, or published, without them.

Giving gettimes.yaml, a template or data/authors.yaml changes every page, so
then every problem is reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from gettimes.build import SOURCE_FOLDERS
from gettimes.config import CONFIG_FILE
from gettimes.content import AUTHORS_FILE
from gettimes.diagnostics import Diagnostic, Report, UsageError

WHOLE_SITE_FOLDERS = ("templates",)
WHOLE_SITE_FILES = (CONFIG_FILE, AUTHORS_FILE)
# Around a path named in a message: no path character before it, and after it either a
# "/" (a file in a given folder) or the end of the path (a full stop may end a sentence).
_BEFORE = r"(?<![\w./-])"
_AFTER = r"(?:/|(?![\w/-]|\.\w))"


@dataclass(frozen=True, slots=True)
class Focus:
    """Site-relative paths (files or folders) to report on; none means the whole site."""

    paths: tuple[str, ...] = ()

    @classmethod
    def of(cls, root: Path, given: Iterable[Path]) -> Focus:
        """The focus for paths given on the command line (relative to `root` or absolute)."""
        site = root.resolve()
        paths = []
        for path in given:
            resolved = (root / path).resolve()
            if not resolved.is_relative_to(site):
                raise UsageError(f"{path} is not inside the site folder {site}")
            paths.append(resolved.relative_to(site).as_posix())
        return cls(tuple(dict.fromkeys(paths)))

    @property
    def whole_site(self) -> bool:
        return not self.paths or any(
            path in (".", *WHOLE_SITE_FILES) or path.split("/")[0] in WHOLE_SITE_FOLDERS for path in self.paths
        )

    def covers(self, path: str) -> bool:
        return any(path == given or path.startswith(given + "/") for given in self.paths)

    def is_named_in(self, message: str) -> bool:
        """Whether the message names a given file (or a file in a given folder) as a whole path."""
        return any(re.search(_BEFORE + re.escape(given) + _AFTER, message)
                   for given in self.paths)

    def concerns(self, diagnostic: Diagnostic) -> bool:
        if self.whole_site or diagnostic.path == CONFIG_FILE or not _is_source(diagnostic.path):
            return True
        return self.covers(diagnostic.path) or self.is_named_in(diagnostic.message)

    def select(self, report: Report) -> Report:
        """The part of a whole-site report that concerns the focus."""
        return Report([diagnostic for diagnostic in report.items if self.concerns(diagnostic)])


def _is_source(path: str) -> bool:
    """A file of the site's sources, as opposed to an output such as feed.xml."""
    return path.split("/")[0] in SOURCE_FOLDERS
