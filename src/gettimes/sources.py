"""The digest of every source file, reading only the files that changed.

A build needs to know, by content, what changed since the last one. Reading and
hashing every file of a large archive on each build costs more than the rest of a
no-change build, so, as git does for its index, each file's digest is kept with
its status (size, modification and change times, inode) and a file whose status
is the same is not read again. The change time (ctime) cannot be set back by any
tool, and a fresh clone gives every file a new one, so an edit is never missed by
trusting a status; a file changed within a second of the last scan is read anyway,
since two writes within the file system's clock tick leave the same times.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

SITE_INPUTS = ("gettimes.yaml", "content", "data", "templates", "static")
_RACY_NS = 1_000_000_000
Status = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


@dataclass(frozen=True, slots=True)
class SourceScan:
    """Every file of the site's inputs (site-relative path -> digest of its bytes)."""

    digests: Mapping[str, str]
    known: Mapping[str, tuple[Status, str]]  # to keep for the next scan

    def completed(self, found: Mapping[str, str]) -> SourceScan:
        """This scan with the digests of the files it left unread (`scan_sources`'s `unread`)
        as `found` gives them; a file still without one (it could not be read) is left out."""
        digests = {rel: value or found.get(rel, "") for rel, value in self.digests.items()}
        return SourceScan({rel: value for rel, value in digests.items() if value},
                          {rel: (status, digests[rel]) for rel, (status, _) in self.known.items() if digests.get(rel)})

    def digest(self) -> str:
        hasher = hashlib.blake2b(digest_size=20)
        for rel, value in sorted(self.digests.items()):
            hasher.update(f"{rel}\0{value}\0".encode())
        return hasher.hexdigest()


def scan_sources(root: Path, known: Mapping[str, tuple[Status, str]] | None = None,
                 folders: tuple[str, ...] = SITE_INPUTS, unread: str | None = None) -> SourceScan:
    """Digest every input file below `root`; `known` is the previous scan's `known`.

    Files below the folder `unread` that `known` does not hold are not read: their digest
    is left empty, for a build that reads them anyway (a first build, whose workers load
    every article) to fill in (`SourceScan.completed`)."""
    known = known if isinstance(known, Mapping) else {}
    racy_after = time.time_ns() - _RACY_NS
    digests: dict[str, str] = {}
    kept: dict[str, tuple[Status, str]] = {}
    base = str(root)
    for rel in _files(base, folders):
        path = f"{base}/{rel}"
        try:
            stat = os.stat(path)
        except OSError:
            continue  # gone since it was listed; the loaders report unreadable files
        status = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        previous = known.get(rel)
        if previous is not None and previous[0] == status and stat.st_ctime_ns < racy_after:
            value = previous[1]
        elif unread is not None and rel.startswith(unread):
            value = ""
        else:
            try:
                with open(path, "rb") as handle:
                    value = content_digest(handle.read())
            except OSError:
                continue
        digests[rel] = value
        kept[rel] = (status, value)
    return SourceScan(digests, kept)


def content_digest(data: bytes) -> str:
    """The digest of one file's bytes, as a scan gives it."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _files(base: str, folders: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for name in folders:
        path = os.path.join(base, name)
        if os.path.isfile(path):
            found.append(name)
            continue
        for folder, dirs, files in os.walk(path):
            dirs.sort()
            prefix = os.path.relpath(folder, base).replace(os.sep, "/") + "/"
            found.extend(prefix + file for file in sorted(files))
    return found
