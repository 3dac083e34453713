"""Tasks that run as programs: a command line (any language) and a function in another interpreter.

    simpleflow workflow.start --local examples.program_tasks.ProgramWorkflow --input '["world"]'

prints ``{"greeting": "hello, world!", "lengths": [6, 6]}``.
"""

from __future__ import annotations

from simpleflow import Workflow, activity, execute


@activity.with_attributes(task_list="example", version="example")
@execute.program(path="printf", timeout=30)
def printf(template, *values):
    """Runs ``printf TEMPLATE VALUE...``: the function only describes the command line."""


@activity.with_attributes(task_list="example", version="example")
@execute.python(interpreter="python3", timeout=60)
def word_lengths(text):
    """Runs in a python3 of its own (another virtualenv, pypy...): arguments and result as JSON."""
    return [len(word) for word in text.split()]


class ProgramWorkflow(Workflow):
    name = "program_tasks"
    version = "example"
    task_list = "example"

    def run(self, name):
        greeting = self.submit(printf, "%s, %s!", "hello", name)
        lengths = self.submit(word_lengths, greeting)
        return {"greeting": greeting.result, "lengths": lengths.result}
