"""Spreading work over processes: the same results as in order, and the parent's own work meanwhile."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from gettimes.parallel import forked, run_tasks, tapered


def _squares(offset: int, chunk: Sequence[int]) -> list[int]:
    return [offset + number * number for number in chunk]


@pytest.mark.parametrize("jobs", [1, 2])
def test_meanwhile_runs_once_before_any_result_is_taken(jobs: int) -> None:
    results: list[int] = []
    seen: list[int] = []
    run_tasks(_squares, 100, [[1, 2], [3], [4, 5]], jobs, results.extend, lambda: seen.append(len(results)))
    assert seen == [0]  # the workers (or this process, with one job) had not been asked for anything yet
    assert sorted(results) == [101, 104, 109, 116, 125]


def test_forked_work_is_done_by_another_process_and_its_result_taken_here(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)  # as in a build; other tests may leave threads
    parent = os.getpid()
    with forked(lambda: (os.getpid(), [n * n for n in range(50_000)])) as work:
        worker, squares = work.result()
    assert squares[-1] == 49_999 ** 2  # a result larger than a pipe holds at once
    assert worker != parent if sys.platform == "linux" else worker == parent


def test_forked_work_is_done_here_when_forking_is_not_wanted() -> None:
    with forked(os.getpid, fork=False) as work:
        assert work.result() == os.getpid()


def test_forked_work_that_fails_fails_here_with_its_own_error() -> None:
    def broken() -> int:
        raise KeyError("no such article")

    with forked(broken) as work, pytest.raises(KeyError, match="no such article"):
        work.result()


def test_forked_work_whose_result_is_not_taken_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    with forked(lambda: time.sleep(30)) as work:
        child = work._child
    if sys.platform == "linux":
        assert child is not None
        with pytest.raises(ChildProcessError):  # already waited for: no process left behind
            os.waitpid(child, os.WNOHANG)


@pytest.mark.parametrize(("count", "workers"), [(0, 2), (7, 2), (10_000, 2), (10_000, 8), (500, 1)])
def test_work_is_cut_into_slices_that_shrink_towards_the_end(count: int, workers: int) -> None:
    slices = tapered(range(count), workers, smallest=25)
    assert [item for piece in slices for item in piece] == list(range(count))  # all, once, in order
    sizes = [len(piece) for piece in slices]
    assert sizes == sorted(sizes, reverse=True)
    assert all(size >= 25 for size in sizes[:-1])
    if count >= 10_000:
        assert sizes[0] == count // (2 * workers) and sizes[-1] <= 25  # the last slice is short
        assert len(slices) < 40 * workers  # yet few slices to pass back


_ORPHAN_SCRIPT = """
import os, sys, time
from pathlib import Path
from gettimes.parallel import forked, run_tasks

folder = Path(sys.argv[1])

def work(_state, chunk):
    (folder / f"{os.getpid()}.pid").write_text("")
    time.sleep(60)  # what a worker would go on writing, were it left running
    return chunk

def forked_work():
    (folder / f"{os.getpid()}.pid").write_text("")
    time.sleep(60)

with forked(forked_work):
    run_tasks(work, None, [[1], [2], [3], [4]], 2, lambda result: None)
"""


def _running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped has ended)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(sys.platform != "linux", reason="processes are forked on Linux only")
def test_workers_end_when_the_build_that_forked_them_is_killed(tmp_path: Path) -> None:
    # A build killed midway must leave no worker writing into the staging folder the next build opens.
    process = subprocess.Popen([sys.executable, "-c", _ORPHAN_SCRIPT, str(tmp_path)])
    try:
        deadline = time.monotonic() + 30
        while len(list(tmp_path.glob("*.pid"))) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        children = [int(path.stem) for path in tmp_path.glob("*.pid")]
        assert len(children) == 3, "two workers and the forked process should have started"
    finally:
        process.kill()
        process.wait()
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in children) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(_running(pid) for pid in children)
