"""Cancelling what a workflow started:
simpleflow workflow.start --local examples.cancel.LookupWorkflow --workers 2 --input '["k"]'

A slow scan, a report child workflow and a reminder timer start; a quick cache lookup then finds the
answer, so the workflow cancels the three with ``future.cancel()``. The scan learns it through
``activity.heartbeat()`` (which raises TaskCanceled), the child through its ``should_cancel``.
"""

from __future__ import annotations

import time

from simpleflow import Workflow, activity, futures
from simpleflow.constants import DAY, HOUR


@activity.with_attributes(task_list="example", version="example")
def full_scan(key, seconds=30):
    """Scans everything for *key*, heartbeating its progress; stops at the heartbeat after a cancel."""
    for step in range(int(seconds * 10)):
        activity.heartbeat({"key": key, "step": step})  # raises TaskCanceled once the task is cancelled
        time.sleep(0.1)
    return f"scanned value for {key}"


@activity.with_attributes(task_list="example", version="example")
def cache_lookup(key):
    return f"cached value for {key}"


class ReportWorkflow(Workflow):
    """A child that would build a report in an hour; it accepts a cancellation (``should_cancel``)."""

    name = "example_report"
    version = "example"
    task_list = "example"
    execution_timeout = 2 * HOUR  # its hour fits
    raises_on_failure = False

    def run(self, key):
        futures.wait(self.submit(self.start_timer("build", HOUR)))
        return f"report for {key}"


def describe(future):
    """What became of a task: "cancelled", or its result."""
    try:
        return future.result
    except futures.CancelledError:
        return "cancelled"


class LookupWorkflow(Workflow):
    name = "example_cancel"
    version = "example"
    task_list = "example"

    def run(self, key):
        scan = self.submit(full_scan, key)
        report = self.submit(ReportWorkflow, key)
        reminder = self.submit(self.start_timer("reminder", DAY))
        answer = self.submit(cache_lookup, key).result
        if answer is not None:  # found: the rest is no longer needed
            for future in (scan, report, reminder):
                future.cancel()  # False if it had already finished (it keeps its result)
        return {"answer": answer, "scan": describe(scan), "report": describe(report), "reminder": describe(reminder)}
