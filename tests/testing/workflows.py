"""Workflows of tests/testing/test_env.py (the plugin's own project-style tests use examples/testing)."""

from __future__ import annotations

import itertools

from simpleflow import RetryPolicy, Workflow, activity, cached, futures, query
from simpleflow.canvas import Chain
from simpleflow.constants import DAY, HOUR
from simpleflow.task import ActivityTask

TASK_LIST = "kit"


@activity.with_attributes(task_list=TASK_LIST, version="1")
def fetch(key):
    return f"value of {key}"


@activity.with_attributes(task_list=TASK_LIST, version="1", raises_on_failure=True)
def notify(who, message="hello"):
    return f"{message}, {who}"


@activity.with_attributes(task_list=TASK_LIST, version="1")
def risky(n):
    return n * 2


class Reminder(Workflow):
    """Waits a week, then for the signal "go" (or cancellation), then notifies."""

    name = "kit.reminder"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = 30 * DAY  # its week, then a signal in the weeks after
    stage = "new"

    def run(self, who):
        self.stage = "waiting a week"
        futures.wait(self.submit(self.start_timer("week", 7 * DAY)))
        self.stage = "waiting for go"
        go = self.submit(self.wait_signal("go")).result
        self.stage = "notifying"
        return self.submit(notify, who, message=go["kwargs"].get("message", "hello")).result

    @query
    def where(self):
        return self.stage


class Tolerant(Workflow):
    """Submits ``risky``; a failure of it is a value, not the end."""

    name = "kit.tolerant"
    version = "1"
    task_list = TASK_LIST

    def run(self, n):
        future = self.submit(risky, n)
        if future.exception is not None:
            return {"failed": future.exception.reason}
        return {"doubled": future.result}


class Careless(Workflow):
    """Reads ``risky``'s result as if it had one: once it failed (its result is None), ``run`` raises."""

    name = "kit.careless"
    version = "1"
    task_list = TASK_LIST

    def run(self, n):
        return self.submit(risky, n).result["doubled"]


@activity.with_attributes(name="kit.payments.charge", task_list=TASK_LIST, version="1")
def charge(amount):
    raise RuntimeError(f"the real card was charged {amount}")  # a test that replaced it never gets here


class Pay(Workflow):
    """Charges through an activity declared under a name of its own (not its function's dotted path)."""

    name = "kit.pay"
    version = "1"
    task_list = TASK_LIST

    def run(self, amount):
        return self.submit(charge, amount).result


_draws = itertools.count()


class Drawing(Workflow):
    """Not deterministic: reads a counter outside its history, so a replay asks for another input."""

    name = "kit.drawing"
    version = "1"
    task_list = TASK_LIST

    def run(self):
        first = self.submit(risky, 1).result
        return self.submit(risky, next(_draws)).result + first


class Choosing(Workflow):
    """Not deterministic: a counter outside its history picks its second activity, so every other replay of it
    fits its history and the others submit another activity there."""

    name = "kit.choosing"
    version = "1"
    task_list = TASK_LIST

    def run(self):
        first = self.submit(risky, 1).result
        chosen = risky if next(_draws) % 2 else fetch
        return [first, self.submit(chosen, 2).result]


class DrawingParent(Workflow):
    """Deterministic itself; its child ``Drawing`` is not. Waits for "done" once the child closed."""

    name = "kit.drawing-parent"
    version = "1"
    task_list = TASK_LIST

    def run(self):
        drawn = self.submit(Drawing).result
        futures.wait(self.submit(self.wait_signal("done")))
        return drawn


class Strict(Workflow):
    """``notify`` raises on failure: its failure fails the workflow."""

    name = "kit.strict"
    version = "1"
    task_list = TASK_LIST

    def run(self, who):
        return self.submit(notify, who).result


class Parent(Workflow):
    """Two children, each fetching a key; an hour's timer between them."""

    name = "kit.parent"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = 2 * HOUR  # its hour fits

    def run(self, keys):
        first = self.submit(Child, keys[0]).result
        futures.wait(self.submit(self.start_timer("pause", HOUR)))
        return [first, self.submit(Child, keys[1]).result]


class Child(Workflow):
    name = "kit.child"
    version = "1"
    task_list = TASK_LIST

    def run(self, key):
        return self.submit(fetch, key).result


class Sleeper(Workflow):
    """Sleeps *hours* on its timer."""

    name = "kit.sleeper"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = DAY

    def run(self, hours):
        futures.wait(self.submit(self.start_timer("nap", hours * HOUR)))
        return hours


class Sleepers(Workflow):
    """Two Sleepers side by side, of 2 and 3 hours."""

    name = "kit.sleepers"
    version = "1"
    task_list = TASK_LIST
    execution_timeout = DAY

    def run(self):
        return [future.result for future in [self.submit(Sleeper, 2), self.submit(Sleeper, 3)]]


class Countdown(Workflow):
    """Continues as new until *n* reaches 0."""

    name = "kit.countdown"
    version = "1"
    task_list = TASK_LIST

    def run(self, n):
        if n > 0:
            futures.wait(self.submit(fetch, n))
            self.submit(self.continue_as_new(n - 1))
        return "liftoff"


class Fails(Workflow):
    name = "kit.fails"
    version = "1"
    task_list = TASK_LIST

    def run(self):
        raise ValueError("bad input")


# -- pairs of versions, for replay reports (test_reports.py) ------------------------------------------


@activity.with_attributes(task_list=TASK_LIST, version="1")
def step(n):
    return n + 1


@activity.with_attributes(task_list=TASK_LIST, version="1")
def other_step(n):
    return n + 10


class Chained(Workflow):
    """A canvas chain: its second task is submitted by the chain once the first finished."""

    name = "kit.chained"
    version = "1"
    task_list = TASK_LIST

    def run(self, n):
        return self.submit(Chain(ActivityTask(step, n), ActivityTask(step, n + 1))).result


class ChainedMoved(Chained):
    """The same workflow under another type name (moved to another module, renamed)."""

    name = "kit.chained-moved"


class ChainedOtherwise(Chained):
    def run(self, n):
        return self.submit(Chain(ActivityTask(step, n), ActivityTask(other_step, n + 1))).result


class ChainedRaises(Chained):
    """Now raises before it submits the chain its history holds."""

    def run(self, n):
        raise ValueError(f"{n} is not accepted any more")


class NotifiesAndFetches(Workflow):
    """Submits a notification that raises on failure and a fetch side by side: a replay of the whole history meets
    the notification's failure at its submit, before the fetch is submitted again."""

    name = "kit.notifies-and-fetches"
    version = "1"
    task_list = TASK_LIST

    def run(self, who):
        notified = self.submit(notify, who)
        fetched = self.submit(fetch, who)
        futures.wait(notified, fetched)
        return fetched.result


class Retried(Workflow):
    """A flaky activity retried after a wait: the retry timers are simpleflow's, not the code's."""

    name = "kit.retried"
    version = "1"
    task_list = TASK_LIST

    def run(self):
        return self.submit(flaky).result


@activity.with_attributes(task_list=TASK_LIST, version="1", retry=RetryPolicy(maximum_attempts=3, initial_interval=60))
def flaky():
    return "ok"


class FailsNoMore(Fails):
    def run(self):
        return "fixed"


class LongResult(Workflow):
    """A result too long to show whole, whose last field changes in ``LongResultChanged``."""

    name = "kit.long_result"
    version = "1"
    task_list = TASK_LIST
    last = "before"

    def run(self):
        return {"padding": "x" * 100, "signal": self.last}


class LongResultChanged(LongResult):
    last = "after"


@cached
def label(n):
    return f"batch {n}"


class Napper(Workflow):
    """A marker and a timer of its own, beside simpleflow's own: the markers of now(), @cached and a patch,
    its status, a retried task's wait."""

    name = "kit.napper"
    version = "1"
    task_list = TASK_LIST

    def run(self, n):
        started = self.now()
        self.set_status({"stage": "napping"})
        futures.wait(self.submit(self.record_marker("phase", label(n))))
        if self.patched("nap-first"):
            futures.wait(self.submit(self.start_timer("nap", 60)))
        return [self.submit(flaky).result, started.year > 2000]


class NapperWithoutMarker(Napper):
    def run(self, n):
        started = self.now()
        self.set_status({"stage": "napping"})
        label(n)
        if self.patched("nap-first"):
            futures.wait(self.submit(self.start_timer("nap", 60)))
        return [self.submit(flaky).result, started.year > 2000]


class NapperWithoutTimer(Napper):
    def run(self, n):
        started = self.now()
        self.set_status({"stage": "napping"})
        futures.wait(self.submit(self.record_marker("phase", label(n))))
        self.patched("nap-first")
        return [self.submit(flaky).result, started.year > 2000]


class NapperLonger(Napper):
    def run(self, n):
        started = self.now()
        self.set_status({"stage": "napping"})
        futures.wait(self.submit(self.record_marker("phase", label(n))))
        if self.patched("nap-first"):
            futures.wait(self.submit(self.start_timer("nap", 7200)))  # longer
        return [self.submit(flaky).result, started.year > 2000]


class NapperRenamed(Napper):
    def run(self, n):
        started = self.now()
        self.set_status({"stage": "napping"})
        futures.wait(self.submit(self.record_marker("phase", label(n))))
        if self.patched("nap-first"):
            futures.wait(self.submit(self.start_timer("snooze", 60)))
        return [self.submit(flaky).result, started.year > 2000]


@activity.with_attributes(task_list=TASK_LIST, version="1", start_to_close_timeout=1)
def pause(seconds):
    return seconds


class Pauses(Workflow):
    """Pauses for each of *durations* in turn; a pause that timed out is a value, not the end."""

    name = "kit.pauses"
    version = "1"
    task_list = TASK_LIST

    def run(self, durations):
        results = []
        for seconds in durations:
            future = self.submit(pause, seconds)
            results.append(repr(future.exception) if future.exception else future.result)
        return results
