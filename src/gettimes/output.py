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
import functools
import os
import shutil
import stat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from gettimes.diagnostics import Report

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


FolderStatus = tuple[int, int, int]  # mtime_ns, ctime_ns, inode: any entry added or removed changes it


@dataclass(frozen=True, slots=True)
class Tree:
    """What a folder held when last seen: its files and the status of each folder in it.

    A folder whose status is unchanged holds the same entries, so listing a large
    tree again costs a stat per folder instead of reading every folder.
    """

    files: tuple[tuple[str, int, int], ...]  # path, size, mtime_ns; sorted
    folders: tuple[tuple[str, FolderStatus], ...]  # "" for the top folder


@dataclass(frozen=True, slots=True)
class WriteCounts:
    written: int
    unchanged: int
    removed: int
    tree: Tree = Tree((), ())  # the output now


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

    def __init__(self, output_dir: Path, spare: Tree | None = None, fresh: bool = False) -> None:
        """`spare` is what the staging folder held when last seen, if known (see Tree). `fresh` marks
        a worker process's view of a staging folder that its parent opened fresh (see `open`)."""
        self.final = output_dir
        self.staging = output_dir.parent / f".{output_dir.name}.gettimes-tmp"
        self._spare = spare
        self._present: set[str] = set()  # files in the staging folder before this build wrote any
        # After open_as: what the staging folder is known to hold, and what this build changed in it.
        self._known: Tree | None = None
        self._known_files: dict[str, tuple[int, int]] = {}
        self._changed: set[str] = set()
        self._owners: dict[str, str] = {}
        self._dirs: set[Path] = set()
        # Opened where neither the staging folder nor the output was (a first build): nothing
        # to compare with, link or remove, so files are simply written (`_write_new`).
        self.fresh = fresh
        self._fresh_dirs: set[str] = set()
        self.written = 0
        self.unchanged = 0

    def open(self) -> StagedOutput:
        if self.staging.exists() and not self.staging.is_dir():
            self.staging.unlink()
        self.fresh = not os.path.lexists(self.staging) and not os.path.lexists(self.final)
        self.staging.mkdir(parents=True, exist_ok=True)
        # Files below may be written over in place (see write), which leaves their folders'
        # times alone: changing the top folder's tells open_as not to trust an old record of it.
        marker = self.staging / ".gettimes-writing"
        marker.touch()
        marker.unlink()
        self._present = set(list_files(self.staging, self._spare))
        return self

    def open_as(self, spare: Tree | None, current: Tree, checked: bool = False) -> bool:
        """Open the staging folder as a copy of the current output, knowing what both hold.

        Only the files that differ between the two records are linked or removed, so this
        costs a stat per folder rather than per file. It needs the spare exactly as `spare`
        records it (a killed build or a hand in it changes some folder's status), or no
        spare at all when `spare` is None: if not, nothing is touched and the answer is False.
        `checked`: the caller has just found the spare as `spare` records it.
        The caller must know that the output holds just what `current` records (`tree_matches`):
        `reuse` then takes its files by the record alone. Every file it holds becomes an
        unclaimed leftover unless claimed, or kept by `keep_previous`.
        """
        if spare is None:
            if os.path.lexists(self.staging):
                return False
            self.staging.mkdir()
            spare = Tree((), ())
        elif not checked and not folders_unchanged(self.staging, spare):
            return False
        spare_files = {rel: (size, mtime_ns) for rel, size, mtime_ns in spare.files}
        current_files = {rel: (size, mtime_ns) for rel, size, mtime_ns in current.files}
        for rel, status in current_files.items():
            if spare_files.get(rel) != status:
                self._link_output_file(rel, rel in spare_files)
        gone = [rel for rel in spare_files if rel not in current_files]
        _remove(self.staging, gone)
        self._changed.update(gone)
        self._present = set(current_files)
        self._known = Tree(current.files, spare.folders)
        self._known_files = current_files
        return True

    def _link_output_file(self, rel: str, staged: bool) -> None:
        """Make the staged `rel` a hard link to the output's file. `staged`: a file stands there
        (as recorded), replaced here in two system calls; a build after one that changed every
        page does this for every page, and `_replace` costs three times as much."""
        source = f"{self.final}/{rel}"
        if staged:
            target = f"{self.staging}/{rel}"
            try:
                os.unlink(target)
                os.link(source, target)
            except OSError:
                pass  # not as recorded after all: the careful way below
            else:
                self._changed.add(rel)
                return
        os.link(source, self._replace(rel))

    @property
    def is_copy(self) -> bool:
        """Opened as a copy of the current output (`open_as`)."""
        return self._known is not None

    def keep_previous(self) -> None:
        """Keep every file of the current output that nothing claims (after `open_as`)."""
        for rel in self._present:
            self._owners.setdefault(rel, "the previous build")

    def claim(self, rel: str, source: str, report: Report) -> bool:
        """Reserve an output file for `source`; two sources for one file is an error."""
        owner = self._owners.get(rel)
        if owner is not None:
            report.error(source, None, f"output file {rel} is also written by {owner}")
            return False
        self._owners[rel] = source
        return True

    def write(self, rel: str, data: bytes) -> os.stat_result:
        """Stage `data` as `rel`; gives the staged file's status (its size and modification
        time go into the cache)."""
        if self.fresh:
            status = self._write_new(rel, data)
            if status is not None:
                return status
        previous = self.final / rel
        if _same_bytes(previous, data):
            self._link_previous(rel)
            return self.stat(rel)
        if not self._write_over(rel, data):
            with open(self._replace(rel), "wb") as handle:
                handle.write(data)
        self.written += 1
        return self.stat(rel)

    def _write_new(self, rel: str, data: bytes) -> os.stat_result | None:
        """Write `rel` into a staging folder that held nothing; None if something stands in the way."""
        path = f"{self.staging}/{rel}"
        folder = path.rpartition("/")[0]
        try:
            if folder not in self._fresh_dirs:
                try:
                    os.mkdir(folder)  # most pages have a folder of their own, in one that is there
                except FileNotFoundError:
                    os.makedirs(folder, exist_ok=True)
                except FileExistsError:
                    pass
                self._fresh_dirs.add(folder)
            status = _create(path, data)
        except OSError:  # a file where a folder must be, or the other way round: the careful way
            return None
        self._changed.add(rel)
        self.written += 1
        return status

    def _write_over(self, rel: str, data: bytes) -> bool:
        """Write over the staged file in place if it has no other name (no link to the live site).

        Freeing a file and taking new space costs far more than writing over the old
        space on some disks (those that pass each freed block on to the device), and a
        rebuild that changes every page does it once per page.
        """
        try:
            descriptor = os.open(f"{self.staging}/{rel}", os.O_WRONLY | os.O_NOFOLLOW)
        except OSError:
            return False
        with open(descriptor, "wb") as handle:
            status = os.fstat(descriptor)
            if not stat.S_ISREG(status.st_mode) or status.st_nlink != 1:
                return False
            handle.write(data)
            handle.truncate()
        self._changed.add(rel)
        return True

    def copy(self, rel: str, source: Path) -> None:
        previous = self.final / rel
        if _same_file_content(previous, source):
            self._link_previous(rel)
            return
        shutil.copyfile(source, self._replace(rel))
        self.written += 1

    def reuse(self, rel: str, size: int, mtime_ns: int) -> bool:
        """Take `rel` from the current output if it is still the file we wrote there."""
        if self._known is not None:  # open_as: the staged file is the output's, as recorded
            if self._known_files.get(rel) != (size, mtime_ns):
                return False
            self.unchanged += 1
            return True
        previous = f"{self.final}/{rel}"  # strings, not Paths: this runs for every page
        try:
            stat = os.stat(previous)
        except OSError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
            return False
        with contextlib.suppress(OSError):
            if os.path.samestat(os.stat(f"{self.staging}/{rel}"), stat):
                self.unchanged += 1  # the spare tree already holds this very file
                return True
        os.link(previous, self._replace(rel))
        self.unchanged += 1
        return True

    def written_elsewhere(self, rels: Iterable[str]) -> None:
        """Note files that another process wrote into the staging folder (a worker)."""
        self._changed.update(rels)

    def stat(self, rel: str) -> os.stat_result:
        """The staged file's status (its size and modification time go into the cache)."""
        return os.stat(f"{self.staging}/{rel}")

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
        self._changed.add(rel)
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
        leftovers = self._present.difference(self._owners)
        _remove(self.staging, leftovers)
        self._changed.update(leftovers)  # their folders' statuses change
        if leftovers:
            self._dirs.clear()  # folders left empty are gone
        self._present -= leftovers

    def commit(self, previous_files: Iterable[str] | None = None) -> WriteCounts:
        """Drop what the new site no longer has, then put it in place of the current output.

        `previous_files` lists the current output's files when they are known (from the
        last build's record), which spares a walk through it to count what goes away.
        """
        self.prune()
        listed = list_files(self.final) if previous_files is None else previous_files
        removed = sum(1 for rel in listed if rel not in self._owners)
        if not self.final.exists():
            os.rename(self.staging, self.final)
        elif not _exchange(self.staging, self.final):
            retired = self.final.parent / f".{self.final.name}.gettimes-old"
            if retired.exists():
                shutil.rmtree(retired)
            os.rename(self.final, retired)
            os.rename(self.staging, self.final)
            shutil.rmtree(retired)
        return WriteCounts(self.written, self.unchanged, removed, tree_of(self.final, self._owners, *self._unchanged()))

    def _unchanged(self) -> tuple[dict[str, tuple[int, int]], dict[str, FolderStatus]]:
        """Files and folders of the staging folder known as they were when it was opened (open_as)."""
        if self._known is None:
            return {}, {}
        touched = {""}  # the top folder: renamed by the swap
        for rel in self._changed:
            parent = rel.rpartition("/")[0]
            while parent not in touched:
                touched.add(parent)
                parent = parent.rpartition("/")[0]
        files = {rel: (size, mtime_ns) for rel, size, mtime_ns in self._known.files if rel not in self._changed}
        return files, {folder: status for folder, status in self._known.folders if folder not in touched}

    def record(self, written: Mapping[str, tuple[int, int]] | None = None) -> Tree:
        """What the staging folder holds now, after `open_as` and the writes since (which `commit`
        has not swapped in): the files and folders known as they were, the others looked at
        but for those `written` gives the size and modification time of (as statted after writing)."""
        assert self._known is not None
        known, folders = self._unchanged()
        return tree_of(self.staging, [rel for rel, _, _ in self._known.files], {**known, **(written or {})}, folders)

    def discard(self) -> None:
        """Give up this build: the output is untouched; the staging folder is checked next time."""


def make_spare(output_dir: Path, current: Tree) -> Tree | None:
    """Make the staging folder a copy of the output in hard links, if there is none; its record.

    The first build after a cold one (or after the staging folder was deleted) links
    every file it keeps into a new staging folder: a second or more at 10,000 articles.
    `gettimes serve` does it here, while the editor types. Nothing is made unless the
    output holds just what `current` records; the record returned is what the staging
    folder holds now, for the next build to trust (`StagedOutput(output_dir, spare)`).
    """
    staged = StagedOutput(output_dir)
    if os.path.lexists(staged.staging) or not tree_matches(output_dir, current):
        return None
    if not staged.open_as(None, current):
        return None
    return tree_of(staged.staging, [rel for rel, _, _ in current.files])


def update_spare(output_dir: Path, spare: Tree, current: Tree) -> Tree | None:
    """Bring the spare staging folder, found as `spare` records it, up to date with the output,
    which holds what `current` records: the record of what it holds then, or None if it could
    not be opened as a copy of the output.

    After a build that changed most files (a new sidebar box in every page), the spare is the
    output before it, and the next build would link every file again. `gettimes serve` does
    that here, while the editor types.
    """
    staged = StagedOutput(output_dir, spare)
    if not staged.open_as(spare, current, checked=True):
        return None
    return staged.record()


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


def list_files(root: Path, known: Tree | None = None) -> list[str]:
    """Every file below `root`, as output-relative POSIX paths.

    With `known`, a folder whose status is the one recorded there is not read: its
    entries are the recorded ones.
    """
    found: list[str] = []
    if not root.is_dir():
        return found
    recorded = _recorded_entries(known) if known is not None else {}
    pending = [""]
    while pending:
        folder = pending.pop()
        path = f"{root}/{folder}" if folder else str(root)
        entry = recorded.get(folder)
        if entry is not None:
            try:
                status = os.stat(path)
            except OSError:
                continue
            if (status.st_mtime_ns, status.st_ctime_ns, status.st_ino) == entry[0]:
                found.extend(entry[1])
                pending.extend(entry[2])
                continue
        prefix = f"{folder}/" if folder else ""
        with os.scandir(path) as entries:
            for item in entries:
                if item.is_dir(follow_symlinks=False):
                    pending.append(prefix + item.name)
                else:
                    found.append(prefix + item.name)
    return found


def _recorded_entries(tree: Tree) -> dict[str, tuple[FolderStatus, list[str], list[str]]]:
    """Each recorded folder: its status, the files in it and the folders in it."""
    entries: dict[str, tuple[FolderStatus, list[str], list[str]]] = {
        folder: (status, [], []) for folder, status in tree.folders}
    for rel, _, _ in tree.files:
        parent = rel.rpartition("/")[0]
        if parent in entries:
            entries[parent][1].append(rel)
    for folder in entries:
        if folder:
            parent = folder.rpartition("/")[0]
            if parent in entries:
                entries[parent][2].append(folder)
    return entries


def folders_unchanged(root: Path, tree: Tree) -> bool:
    """True when every folder `tree` records still has the recorded status (the top one
    is renamed by each swap, so only its modification time and inode count)."""
    base = str(root)
    for folder, (mtime_ns, ctime_ns, inode) in tree.folders:
        try:
            stat = os.stat(f"{base}/{folder}" if folder else base)
        except OSError:
            return False
        if stat.st_mtime_ns != mtime_ns or stat.st_ino != inode or (folder and stat.st_ctime_ns != ctime_ns):
            return False
    return bool(tree.folders)


def tree_matches(root: Path, tree: Tree) -> bool:
    """True when `root` holds exactly the files `tree` records, with their sizes and times."""
    if not folders_unchanged(root, tree):
        return False  # a file added or removed changes its folder's status
    base = str(root)
    for rel, size, mtime_ns in tree.files:
        try:
            stat = os.stat(f"{base}/{rel}")
        except OSError:
            return False
        if stat.st_size != size or stat.st_mtime_ns != mtime_ns:
            return False
    return True


def tree_of(root: Path, files: Iterable[str], known_files: Mapping[str, tuple[int, int]] | None = None,
            known_folders: Mapping[str, FolderStatus] | None = None) -> Tree:
    """The record of `root` holding `files` (those that exist) and the folders they are in.

    Files and folders in `known_files` and `known_folders` are taken as they are given there.
    """
    base = str(root)
    known_files = known_files or {}
    known_folders = known_folders or {}
    found: list[tuple[str, int, int]] = []
    folders: set[str] = {""}
    for rel in files:
        known = known_files.get(rel)
        if known is not None:
            found.append((rel, *known))
        else:
            try:
                stat = os.stat(f"{base}/{rel}")
            except OSError:
                continue
            found.append((rel, stat.st_size, stat.st_mtime_ns))
        parent = rel.rpartition("/")[0]
        while parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    statuses = []
    for folder in sorted(folders):
        status = known_folders.get(folder)
        if status is None:
            stat = os.stat(f"{base}/{folder}" if folder else base)
            status = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        statuses.append((folder, status))
    return Tree(tuple(sorted(found)), tuple(statuses))


def _remove(root: Path, files: Iterable[str]) -> None:
    """Remove `files` below `root`, then the folders that became empty."""
    emptied: set[Path] = set()
    for rel in files:
        path = root / rel
        with contextlib.suppress(FileNotFoundError):
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


@functools.cache
def renameat2() -> Callable[..., int] | None:
    """libc's renameat2 (Linux), or None; looked up once per process, since finding libc
    runs `ldconfig` (tens of milliseconds)."""
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
    except OSError:
        return None
    call: Callable[..., int] | None = getattr(libc, "renameat2", None)
    return call


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where unsupported."""
    call = renameat2()
    if call is None:
        return False
    with contextlib.suppress(OSError):
        result = call(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second), _RENAME_EXCHANGE)
        return bool(result == 0)
    return False


def _create(path: str, data: bytes) -> os.stat_result:
    """Write `data` to a new file at `path` (an error if it exists), and give the file's status.

    Without Python's file objects, which cost more than the system calls themselves for a page."""
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(handle, view):]
        return os.fstat(handle)
    finally:
        os.close(handle)
