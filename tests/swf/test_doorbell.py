"""standalone's doorbells: a process that answered a task rings the other side, which polls at once instead of
waiting for its next metronome tick."""

from __future__ import annotations

import threading
import time

from simpleflow.swf import poller
from simpleflow.swf.standalone import _Doorbells


class _Bell:
    def __init__(self) -> None:
        self.rings = 0
        self.pending = threading.Event()

    def ring(self) -> None:
        self.rings += 1

    def wait(self, timeout: float) -> bool:
        heard = self.pending.wait(timeout)
        self.pending.clear()
        return heard


def _until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_ring_starts_a_poll_between_metronome_ticks_and_a_handled_task_rings(monkeypatch):
    bell = _Bell()
    monkeypatch.setattr(poller, "doorbell", bell)
    polls: list[float] = []

    def poll_and_handle() -> bool:
        polls.append(time.monotonic())
        return len(polls) == 1  # the first poll finds a task

    stop = threading.Event()
    # Two slots over a 600 s cycle: the loop's second spaced poll would start 300 s after the first.
    loop = poller.PollLoop(poll_and_handle, stop, pollers=2, cycle=600.0)
    running = threading.Thread(target=loop.run)
    running.start()
    try:
        assert _until(lambda: len(polls) == 1 and bell.rings == 1)  # the task it handled rang the others
        bell.pending.set()  # another process answered a task
        assert _until(lambda: len(polls) == 2)
    finally:
        stop.set()
        running.join(5)
    assert not running.is_alive()


def test_deciders_ring_workers_and_workers_ring_deciders():
    bells = _Doorbells(nb_deciders=1, nb_workers=2)
    try:
        decider = bells.decider(0, print).args[0]
        workers = [bells.worker(i, print).args[0] for i in range(2)]
        decider.ring()
        assert [w.wait(1.0) for w in workers] == [True, True]
        assert not decider.wait(0.05)  # a decider does not ring itself
        assert [w.wait(0.05) for w in workers] == [False, False]  # one poll answers every ring so far
        workers[1].ring()
        assert decider.wait(1.0) and not workers[0].wait(0.05)
    finally:
        bells.close()
