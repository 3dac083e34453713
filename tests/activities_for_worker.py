"""Activities the worker tests run: they succeed, raise, hang, crash or return too much."""

from __future__ import annotations

import os
import time

from simpleflow import activity


class Boom(Exception):
    """What the raising activity raises."""


@activity.with_attributes(name="tests.add")
def add(a: int, b: int = 0) -> int:
    return a + b


@activity.with_attributes(name="tests.raise")
def explode(message: str) -> None:
    raise Boom(message)


@activity.with_attributes(name="tests.context")
def show_context() -> dict:
    return show_context.context


@activity.with_attributes(name="tests.Multiplier")
class Multiplier:
    def __init__(self, x: int, y: int) -> None:
        self.x, self.y = x, y

    def execute(self) -> dict:
        return {"product": self.x * self.y, "activity_id": self.context["activity_id"]}


@activity.with_attributes(name="tests.hang")
def hang(pid_file: str, seconds: float = 30) -> str:
    """Writes its pid to *pid_file*, then sleeps: the test kills it."""
    with open(pid_file + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.replace(pid_file + ".tmp", pid_file)
    time.sleep(seconds)
    return "woke up"


@activity.with_attributes(name="tests.sleep")
def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


@activity.with_attributes(name="tests.big")
def big(size: int) -> str:
    return "x" * size


@activity.with_attributes(name="tests.unserializable")
def unserializable() -> object:
    return object()


@activity.with_attributes(name="tests.exit")
def hard_exit(code: int) -> None:
    os._exit(code)
