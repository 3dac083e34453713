"""Workflows the inspection tests run on the moto server: chained activities, a failing one, a huge input."""

from __future__ import annotations

from simpleflow import Workflow, activity, futures


class Refused(Exception):
    """What ``refuse`` raises."""


@activity.with_attributes(name="inspect.add", version="1", task_list="inspect")
def add(a: int, b: int = 1) -> int:
    return a + b


@activity.with_attributes(name="inspect.triple", version="1", task_list="inspect")
def triple(x: int) -> dict:
    return {"value": 3 * x}


@activity.with_attributes(name="inspect.refuse", version="1", task_list="inspect", retry=1)
def refuse(message: str) -> None:
    raise Refused(message)


@activity.with_attributes(name="inspect.echo", version="1", task_list="inspect")
def echo(text: str) -> int:
    return len(text)


class InspectWorkflow(Workflow):
    """(x + 1) * 3 while a third task fails twice (it does not raise): completes with {"value": ...}."""

    name = "tests.inspect"
    version = "1"
    task_list = "inspect"
    tag_list = ["inspect", "cli"]

    def run(self, x: int) -> dict:
        total = self.submit(triple, self.submit(add, x))
        failed = self.submit(refuse, f"no {x}")
        futures.wait(total, failed)
        return total.result


class EchoWorkflow(Workflow):
    """Passes its (possibly huge) input to one activity: a history with jumbo fields."""

    name = "tests.inspect.echo"
    version = "1"
    task_list = "inspect"

    def run(self, text: str) -> int:
        return self.submit(echo, text).result
