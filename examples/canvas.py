"""Canvas: simpleflow workflow.start --local examples.canvas.CanvasWorkflow --input '[3]'"""

from __future__ import annotations

from simpleflow import Workflow, activity
from simpleflow.canvas import Chain, FuncGroup, Group
from simpleflow.task import ActivityTask


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def square(x):
    return x * x


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def total(values):
    return sum(values)


@activity.with_attributes(task_list="example", version="example", idempotent=True)
def describe(n):
    return f"sum of squares is {n}"


def squares_of(values):
    """Built when the chain gets there: one task per value the previous task returned."""
    return Group(*[(square, v) for v in values], max_parallel=2)


class CanvasWorkflow(Workflow):
    """Squares of 1..n in a group, then a chain that totals and describes them."""

    name = "example_canvas"
    version = "example"
    task_list = "example"

    def run(self, n):
        squares = self.submit(Group(*[ActivityTask(square, i) for i in range(1, n + 1)], max_parallel=2))
        summary = self.submit(Chain((total, squares.result), (describe,), send_result=True))
        nested = self.submit(Chain(Group((square, 10), (square, 20)), FuncGroup(squares_of), send_result=True))
        return {"squares": squares.result, "summary": summary.result[-1], "nested": nested.result[-1]}
