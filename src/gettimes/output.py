"""Writing the site all or nothing, touching only what changed.

The new site is put together in a staging folder beside the output
(`.public.gettimes-tmp` for `public/`) and swapped in only when the whole build
has succeeded: in one atomic step where the OS can exchange two folders (Linux),
else by two renames. A file whose bytes did not change is a hard link to the one
in the current output, so it keeps its modification time and `rsync` or a CDN
upload moves nothing.

After the swap the staging folder holds the previous site (hard links, so it
costs little space). The next build brings that spare tree up to date instead of
making a new one: creating and deleting thousands of folders is the slowest part
of writing a site on many file systems, and with a spare an unchanged rebuild
creates and deletes none. Nothing in the spare is trusted: every file is checked
against the current output or written anew, and leftovers are removed, so a spare
left by a killed build is as good as an empty one. It is safe to delete.
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


def output_problem(root: Path, output: Path, source_folders: tuple[str, ...]) -> str | None:
    """Why `output` cannot be the output folder (it is, holds or sits in the sources), or None."""
    output = output.resolve()
    site = root.resolve()
    if output == site or site.is_relative_to(output):
        return f"the output folder {output} is the site folder or contains it"
    for folder in source_folders:
        source = site / folder
        if output.is_relative_to(source) or source.is_relative_to(output):
            return f"the output folder {output} overlaps the site's {folder}/ folder"
    if output.exists() and not output.is_dir():
        return f"the output path {output} is a file, not a folder"
    return None


class StagedOutput:
    """Collects the new site in the staging folder; `commit` swaps it in, `discard` gives up."""

    def __init__(self, output_dir: Path) -> None:
        self.final = output_dir
        self.staging = output_dir.parent / f".{output_dir.name}.gettimes-tmp"
        self._owners: dict[str, str] = {}
        self._dirs: set[Path] = set()
        self.written = 0
        self.unchanged = 0

    def open(self) -> StagedOutput:
        if self.staging.exists() and not self.staging.is_dir():
            self.staging.unlink()
        self.staging.mkdir(parents=True, exist_ok=True)
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
        previous = self.final / rel
        if _same_bytes(previous, data):
            self._link_previous(rel)
            return
        target = self._replace(rel)
        with open(target, "wb") as handle:
            handle.write(data)
        self.written += 1

    def copy(self, rel: str, source: Path) -> None:
        previous = self.final / rel
        if _same_file_content(previous, source):
            self._link_previous(rel)
            return
        shutil.copyfile(source, self._replace(rel))
        self.written += 1

    def reuse(self, rel: str, size: int, mtime_ns: int) -> bool:
        """Take `rel` from the current output if it is still the file we wrote there."""
        try:
            stat = (self.final / rel).stat()
        except OSError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
            return False
        self._link_previous(rel)
        return True

    def stat(self, rel: str) -> os.stat_result:
        """The staged file's status (its size and modification time go into the cache)."""
        return (self.staging / rel).stat()

    def _link_previous(self, rel: str) -> None:
        """Make the staged `rel` the very file of the current output (a hard link)."""
        previous = self.final / rel
        target = self.staging / rel
        try:
            if os.path.samestat(target.stat(), previous.stat()):
                self.unchanged += 1
                return
        except OSError:
            pass
        os.link(previous, self._replace(rel))
        self.unchanged += 1

    def _replace(self, rel: str) -> Path:
        """The staged path for `rel`, with its folders made and any old entry removed.

        An old file is unlinked rather than overwritten: it may be a hard link to a
        file of the live site, which must never change.
        """
        target = self.staging / rel
        parent = target.parent
        if parent not in self._dirs:
            _make_folders(self.staging, parent)
            self._dirs.add(parent)
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()
        return target

    def prune(self) -> None:
        """Remove from the staging folder every file this build has not claimed."""
        _prune(self.staging, set(self._owners))

    def commit(self) -> WriteCounts:
        """Drop what the new site no longer has, then put it in place of the current output."""
        self.prune()
        removed = sum(1 for rel in _files(self.final) if rel not in self._owners)
        if not self.final.exists():
            os.rename(self.staging, self.final)
        elif not _exchange(self.staging, self.final):
            retired = self.final.parent / f".{self.final.name}.gettimes-old"
            if retired.exists():
                shutil.rmtree(retired)
            os.rename(self.final, retired)
            os.rename(self.staging, self.final)
            shutil.rmtree(retired)
        return WriteCounts(self.written, self.unchanged, removed)

    def discard(self) -> None:
        """Give up this build: the output is untouched; the staging folder is checked next time."""


def _make_folders(root: Path, folder: Path) -> None:
    """mkdir -p inside `root`, replacing a file that stands where a folder must be."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        current = root
        for part in folder.relative_to(root).parts:
            current = current / part
            if current.exists() and not current.is_dir():
                current.unlink()
        folder.mkdir(parents=True, exist_ok=True)


def _files(root: Path) -> list[str]:
    """Every file below `root`, as output-relative POSIX paths."""
    found: list[str] = []
    if not root.is_dir():
        return found
    pending = [(root, "")]
    while pending:
        folder, prefix = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append((Path(entry.path), f"{prefix}{entry.name}/"))
                else:
                    found.append(prefix + entry.name)
    return found


def _prune(root: Path, keep: set[str]) -> None:
    """Remove files below `root` not in `keep`, then the folders that became empty."""
    emptied: set[Path] = set()
    for rel in _files(root):
        if rel not in keep:
            path = root / rel
            path.unlink()
            emptied.add(path.parent)
    for folder in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        while folder != root and folder.is_relative_to(root):
            try:
                folder.rmdir()
            except OSError:
                break
            folder = folder.parent


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
