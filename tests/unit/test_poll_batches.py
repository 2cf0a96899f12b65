"""How the dispatcher cuts due sources into poll tasks (workers.tasks.batch_size)."""

from __future__ import annotations

import pytest

from workers.tasks import POLL_BATCH_MIN, batch_size


@pytest.mark.parametrize(
    ("due", "processes", "expected"),
    [
        (0, 2, POLL_BATCH_MIN),
        (10, 2, POLL_BATCH_MIN),
        (1000, 2, 250),  # two tasks per process
        (1001, 2, 251),
        (1000, 8, 63),
        (1000, 0, 500),  # a nonsense process count still gives batches
    ],
)
def test_about_two_tasks_per_process(due: int, processes: int, expected: int) -> None:
    assert batch_size(due, processes) == expected
