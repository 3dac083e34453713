"""Workflows and activities the engine tests replay (never run: the tests write their histories)."""

from __future__ import annotations

import logging
import random

from simpleflow import Workflow, activity, futures

logger = logging.getLogger(__name__)


@activity.with_attributes(task_list="tl", version="1")
def inc(x):
    return x + 1


@activity.with_attributes(task_list="tl", version="1", retry=2)
def flaky(x):
    return x * 10


@activity.with_attributes(task_list="tl", version="1", raises_on_failure=True)
def strict(x):
    return x


@activity.with_attributes(task_list="tl", version="1", idempotent=True)
def pure(x, y=0):
    return x + y


class Chain(Workflow):
    name = "chain"
    version = "1"
    task_list = "tl"

    def run(self, n):
        x = 0
        for _ in range(n):
            x = self.submit(inc, x).result
        return x


class FanOut(Workflow):
    name = "fanout"
    version = "1"
    task_list = "tl"

    def run(self, n):
        fs = [self.submit(inc, i) for i in range(n)]
        futures.wait(*fs)
        return sum(f.result for f in fs)


class Dataflow(Workflow):
    """Futures passed as arguments: later tasks wait for earlier ones."""

    name = "dataflow"
    version = "1"
    task_list = "tl"

    def run(self, x):
        a = self.submit(inc, x)
        b = self.submit(inc, a)
        c = self.submit(pure, a, y=1)
        d = self.submit(inc, b)
        logger.info("dataflow reached the end of its submits")
        return [d.result, c.result]


class Retrying(Workflow):
    name = "retrying"
    version = "1"
    task_list = "tl"

    def run(self, n):
        fs = [self.submit(flaky, i) for i in range(n)]
        futures.wait(*fs)
        return [None if f.exception else f.result for f in fs]


class Strict(Workflow):
    name = "strict"
    version = "1"
    task_list = "tl"

    def run(self, n):
        fs = [self.submit(strict, i) for i in range(n)]
        return [f.result for f in fs]


class Polling(Workflow):
    """Looks at states without waiting: its path depends on when it is replayed."""

    name = "polling"
    version = "1"
    task_list = "tl"

    def run(self, n):
        fs = [self.submit(inc, i) for i in range(n)]
        extra = []
        for f in fs:
            if f.finished:
                extra.append(self.submit(inc, 100 + f.result))
        futures.wait(*fs)
        futures.wait(*extra)
        return len(extra)


class Mixed(Workflow):
    """A bit of everything, driven by its input so random tests cover many shapes."""

    name = "mixed"
    version = "1"
    task_list = "tl"

    def run(self, seed, width):
        rng = random.Random(seed)
        total = 0
        pending = []
        for step in range(width):
            choice = rng.randrange(4)
            if choice == 0:
                total += self.submit(inc, step).result
            elif choice == 1:
                pending.append(self.submit(flaky, step))
            elif choice == 2:
                pending.append(self.submit(pure, step, y=rng.randrange(3)))
            else:
                previous = pending[-1] if pending else step
                pending.append(self.submit(inc, previous))
        for f in pending:
            total += f.result or 0
        return total
