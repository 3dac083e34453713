"""The workflows the benchmark times, written only against the public API.

Both implementations (ours and the released 0.36.0) import this same module,
so every figure compares the same workflow code.
"""

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="bench", version="1")
def inc(x):
    return x + 1


class Chain(Workflow):
    """``n`` activities in a row: each one takes the previous one's result."""

    name = "bench-chain"
    version = "1"
    task_list = "bench"

    def run(self, n):
        value = 0
        for _ in range(n):
            value = self.submit(inc, value).result
        return value


class FanOut(Workflow):
    """``n`` activities submitted at once, then their results summed."""

    name = "bench-fanout"
    version = "1"
    task_list = "bench"

    def run(self, n):
        submitted = [self.submit(inc, i) for i in range(n)]
        futures.wait(*submitted)
        return sum(f.result for f in submitted)


@activity.with_attributes(task_list="bench", version="1", raises_on_failure=True)
def check(n):
    raise ValueError(f"{n} refused")


class CheckedChain(Workflow):
    """A check that raises on failure beside a chain of ``n``: the check's failure, which the history holds at its
    end, raises at its submit when the whole history is replayed (before every task of the chain)."""

    name = "bench-checkedchain"
    version = "1"
    task_list = "bench"

    def run(self, n):
        checked = self.submit(check, n)
        value = 0
        for _ in range(n):
            value = self.submit(inc, value).result
        return checked.result, value
