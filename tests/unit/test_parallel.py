"""Spreading work over processes: the same results as in order, and the parent's own work meanwhile."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from gettimes.parallel import run_tasks


def _squares(offset: int, chunk: Sequence[int]) -> list[int]:
    return [offset + number * number for number in chunk]


@pytest.mark.parametrize("jobs", [1, 2])
def test_meanwhile_runs_once_before_any_result_is_taken(jobs: int) -> None:
    results: list[int] = []
    seen: list[int] = []
    run_tasks(_squares, 100, [[1, 2], [3], [4, 5]], jobs, results.extend, lambda: seen.append(len(results)))
    assert seen == [0]  # the workers (or this process, with one job) had not been asked for anything yet
    assert sorted(results) == [101, 104, 109, 116, 125]
