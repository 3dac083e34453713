"""Jumbo fields: a value over SWF's 32,768 characters travels through S3, transparently.

    SIMPLEFLOW_JUMBO_FIELDS_BUCKET=jumbo simpleflow workflow.start --local examples.jumbo_fields.BigWorkflow \\
        --input '[100000]'

The bucket must exist (``simpleflow dev-server`` serves S3 beside SWF: see docs/dev-server.md). ``make_text``
returns 100,000 characters: its result is written to S3 and the history holds a reference; ``measure`` gets
the text back as its argument.
"""

from __future__ import annotations

import hashlib

from simpleflow import Workflow, activity


@activity.with_attributes(task_list="example", version="example")
def make_text(size):
    line = "simpleflow keeps large values in S3. "
    return (line * (size // len(line) + 1))[:size]


@activity.with_attributes(task_list="example", version="example")
def measure(text):
    return {"characters": len(text), "sha256": hashlib.sha256(text.encode()).hexdigest()[:16]}


class BigWorkflow(Workflow):
    """Makes a large text with one activity and measures it with another."""

    name = "example_jumbo_fields"
    version = "example"
    task_list = "example"

    def run(self, size):
        return self.submit(measure, self.submit(make_text, size)).result
