"""The workflows of bench/devserver_fanout.py: a fan-out of activities spread over child workflows.

Every run of ``square`` appends one line to ``<workdir>/runs.log`` (its child's workflow id and its
number): the benchmark counts the lines to check that every activity ran exactly once.
"""

from __future__ import annotations

import os

from simpleflow import Workflow, activity, futures

TASK_LIST = "fanout"


@activity.with_attributes(task_list=TASK_LIST, version="1")
def square(workdir, x):
    line = f"{square.context['workflow_id']} {x}\n".encode()
    fd = os.open(os.path.join(workdir, "runs.log"), os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line)  # one write of an O_APPEND file: lines of several processes never interleave
    finally:
        os.close(fd)
    return x * x


class SquaresChild(Workflow):
    """Squares *count* numbers from *first* at once; their sum."""

    name = "bench-fanout-child"
    version = "1"
    task_list = TASK_LIST

    def run(self, workdir, first, count):
        squares = [self.submit(square, workdir, x) for x in range(first, first + count)]
        futures.wait(*squares)
        return sum(f.result for f in squares)


class FanOutWithChildren(Workflow):
    """*children* child workflows of *per_child* activities each, all at once; the sum of their results."""

    name = "bench-fanout-children"
    version = "1"
    task_list = TASK_LIST

    def run(self, workdir, children, per_child):
        parts = [self.submit(SquaresChild, workdir, k * per_child, per_child) for k in range(children)]
        futures.wait(*parts)
        return sum(f.result for f in parts)
