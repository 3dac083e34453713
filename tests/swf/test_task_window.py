"""How long a worker may wait for S3 on a task's behalf, and how often it heartbeats meanwhile."""

from __future__ import annotations

import time

import pytest

from simpleflow.swf.activity_task import UNBOUNDED_TASK_WINDOW, TaskWindow


@pytest.mark.parametrize(
    ("start_to_close", "heartbeat_timeout", "worker_every", "window", "every"),
    [
        ("30", "NONE", 60.0, 27.0, 60.0),  # a tenth of the window kept to answer
        ("300", "9", None, 295.0, 3.0),  # at most 5 s kept; a third of the heartbeat timeout
        ("300", "9", 1.0, 295.0, 1.0),  # the worker's own period when shorter
        ("NONE", None, None, UNBOUNDED_TASK_WINDOW - 5.0, None),
    ],
)
def test_the_window_ends_before_swf_times_the_task_out(start_to_close, heartbeat_timeout, worker_every, window, every):
    before = time.monotonic()
    task = TaskWindow.start("token", start_to_close, heartbeat_timeout, worker_every)
    assert before + window - 0.5 <= task.deadline <= time.monotonic() + window
    assert task.beat_every == every
