"""A benchmark workflow whose activities wait: what ``--workers`` buys on the local host.

Written against the public API only, so the released peer runs it too.
"""

import time

from simpleflow import Workflow, activity, futures


@activity.with_attributes(task_list="bench", version="1")
def nap(i, seconds):
    time.sleep(seconds)
    return i


class Sleepy(Workflow):
    """n independent activities that each sleep *seconds*, then one join (returns sum(range(n)))."""

    name = "bench-sleepy"
    version = "1"
    task_list = "bench"

    def run(self, n=100, seconds=0.1):
        fs = [self.submit(nap, i, seconds) for i in range(n)]
        futures.wait(*fs)
        return sum(f.result for f in fs)
