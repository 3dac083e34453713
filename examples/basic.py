"""The README's first example: (x + 1) * 2, with a delay running beside it."""

from __future__ import annotations

import logging
import time

from simpleflow import Workflow, activity, futures

logger = logging.getLogger(__name__)


@activity.with_attributes(task_list="example", version="example")
def increment(x):
    return x + 1


@activity.with_attributes(task_list="example", version="example")
def double(x):
    return x * 2


@activity.with_attributes(task_list="example", version="example")
class Delay:
    """Sleeps a tenth of t seconds, at most 0.1 s (the example is about flow, not time), returns x."""

    def __init__(self, t, x):
        self.t = t
        self.x = x

    def execute(self):
        time.sleep(min(self.t, 1) / 10)
        return self.x


class BasicWorkflow(Workflow):
    name = "basic"
    version = "example"
    task_list = "example"

    def run(self, x, t=30):
        y = self.submit(increment, x)  # a future
        yy = self.submit(Delay, t, y)  # a class activity, run beside double
        z = self.submit(double, y)  # waits for y before it is scheduled
        logger.info("(%s + 1) * 2 = %s", x, z.result)  # the replay stops here until z is in the history
        futures.wait(yy, z)
        return z.result
