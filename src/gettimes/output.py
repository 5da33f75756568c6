"""Writing the site all or nothing.

Files go into a staging folder beside the output; only when the whole build has
succeeded is it swapped in (atomically where the OS can exchange two folders).
A file whose bytes did not change is hard-linked from the previous output, so
it keeps its modification time and `rsync` or a CDN upload moves nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from gettimes.diagnostics import Report

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True, slots=True)
class WriteCounts:
    written: int
    unchanged: int
    removed: int


class StagedOutput:
    """Collects the new site in a staging folder; `commit` swaps it in, `discard` drops it."""

    def __init__(self, output_dir: Path) -> None:
        self.final = output_dir
        self.staging = output_dir.parent / f".{output_dir.name}.gettimes-tmp"
        self._owners: dict[str, str] = {}
        self._dirs: set[Path] = set()
        self.written = 0
        self.unchanged = 0

    def open(self) -> StagedOutput:
        if self.staging.exists():  # left by a build that was killed
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def claim(self, rel: str, source: str, report: Report) -> bool:
        """Reserve an output file for `source`; two sources for one file is an error."""
        owner = self._owners.get(rel)
        if owner is not None:
            report.error(source, None, f"output file {rel} is also written by {owner}")
            return False
        self._owners[rel] = source
        return True

    def write(self, rel: str, data: bytes) -> None:
        target = self._prepare(rel)
        previous = self.final / rel
        if _same_bytes(previous, data):
            os.link(previous, target)
            self.unchanged += 1
            return
        with open(target, "wb") as handle:
            handle.write(data)
        self.written += 1

    def copy(self, rel: str, source: Path) -> None:
        target = self._prepare(rel)
        previous = self.final / rel
        if _same_file_content(previous, source):
            os.link(previous, target)
            self.unchanged += 1
            return
        shutil.copyfile(source, target)
        self.written += 1

    def _prepare(self, rel: str) -> Path:
        target = self.staging / rel
        parent = target.parent
        if parent not in self._dirs:
            parent.mkdir(parents=True, exist_ok=True)
            self._dirs.add(parent)
        return target

    def commit(self) -> WriteCounts:
        """Put the staged site in place of the previous output."""
        removed = self._count_removed()
        if not self.final.exists():
            os.rename(self.staging, self.final)
        elif _exchange(self.staging, self.final):
            shutil.rmtree(self.staging)
        else:
            retired = self.final.parent / f".{self.final.name}.gettimes-old"
            if retired.exists():
                shutil.rmtree(retired)
            os.rename(self.final, retired)
            os.rename(self.staging, self.final)
            shutil.rmtree(retired)
        return WriteCounts(self.written, self.unchanged, removed)

    def _count_removed(self) -> int:
        if not self.final.is_dir():
            return 0
        return sum(
            1 for path in self.final.rglob("*")
            if path.is_file() and path.relative_to(self.final).as_posix() not in self._owners
        )

    def discard(self) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _same_file_content(path: Path, source: Path) -> bool:
    try:
        if path.stat().st_size != source.stat().st_size:
            return False
        return path.read_bytes() == source.read_bytes()
    except OSError:
        return False


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where unsupported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    with contextlib.suppress(OSError):
        libc = ctypes.CDLL(name, use_errno=True)
        renameat2 = getattr(libc, "renameat2", None)
        if renameat2 is None:
            return False
        result = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                           _RENAME_EXCHANGE)
        return bool(result == 0)
    return False
