"""The one poll loop: back-off after failed polls (the decider, the worker and the one-task worker alike),
an unknown domain ending it, SIGTERM letting the task in hand finish."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid

import pytest

from simpleflow.swf import client
from simpleflow.swf.decider import Decider
from simpleflow.swf.poller import Backoff, PollLoop, stop_on_signals
from simpleflow.swf.worker import Worker
from tests.proxy import CuttableProxy


def test_the_backoff_doubles_from_its_base_to_its_cap_each_wait_jittered_between_half_and_all_of_it():
    backoff = Backoff(0.5, 4.0, rng=random.Random(7))
    waits = [backoff.next() for _ in range(7)]
    ceilings = [0.5, 1.0, 2.0, 4.0, 4.0, 4.0, 4.0]
    assert all(c / 2 <= w <= c for w, c in zip(waits, ceilings)), waits
    assert len({round(w / c, 6) for w, c in zip(waits, ceilings)}) > 1  # jittered, not a fixed fraction
    backoff.reset()
    assert 0.25 <= backoff.next() <= 0.5


def test_the_backoff_defaults_come_from_the_settings(monkeypatch):
    assert (Backoff().base, Backoff().cap) == (1.0, 30.0)
    monkeypatch.setenv("SIMPLEFLOW_POLL_BACKOFF_BASE", "0.2")
    monkeypatch.setenv("SIMPLEFLOW_POLL_BACKOFF_MAX", "5")
    assert (Backoff().base, Backoff().cap) == (0.2, 5.0)


def test_a_failed_poll_holds_back_the_next_one_and_a_poll_that_returns_resets_the_wait():
    stop = threading.Event()
    starts: list[float] = []
    script = ["fail", "fail", "fail", "empty", "fail", "task"]

    def poll() -> bool:
        starts.append(time.monotonic())
        step = script[len(starts) - 1]
        if step == "task":
            stop.set()
        if step == "fail":
            raise ConnectionError("endpoint down")
        return step == "task"

    PollLoop(poll, stop, backoff=Backoff(0.1, 1.0)).run()
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    assert len(starts) == len(script)
    # After the 1st, 2nd, 3rd failure: at least half of 0.1, 0.2, 0.4 s; the empty poll reset the back-off,
    # so the failure after it waits from the base again (and the empty poll's own pause is 10 ms).
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2, gaps
    assert gaps[3] < 0.2 and 0.05 <= gaps[4] < 0.4, gaps


def test_polls_in_flight_that_fail_together_count_as_one_failure():
    stop = threading.Event()
    barrier = threading.Barrier(4, timeout=10)
    calls = []

    def poll() -> bool:
        calls.append(time.monotonic())
        if len(calls) <= 4:
            barrier.wait()  # four polls in flight, then the endpoint goes away under all of them
            raise ConnectionError("connection reset")
        stop.set()
        return False

    backoff = Backoff(0.2, 10.0)
    counted = []
    next_wait = backoff.next
    backoff.next = lambda: counted.append(1) or next_wait()  # type: ignore[method-assign]
    PollLoop(poll, stop, pollers=4, backoff=backoff, cycle=0.04).run()
    assert len(calls) == 5 and calls[4] - max(calls[:4]) >= 0.1, calls  # the fifth poll waited out the back-off
    assert len(counted) == 1  # one failure counted: the others were in flight when it was seen
    assert backoff.failures == 0  # and the poll that returned reset it


@pytest.mark.parametrize("pollers", [1, 3])
def test_an_unknown_domain_ends_the_loop(pollers):
    stop = threading.Event()

    def poll() -> bool:
        raise client.UnknownDomain("gone")

    with pytest.raises(client.UnknownDomain):
        PollLoop(poll, stop, pollers=pollers, backoff=Backoff(0.01, 0.02)).run()
    assert not stop.is_set()


def test_sigterm_lets_the_task_in_hand_finish_then_ends_the_loop_and_puts_the_handlers_back():
    stop = threading.Event()
    handled = []
    before = signal.getsignal(signal.SIGTERM)

    def poll() -> bool:
        os.kill(os.getpid(), signal.SIGTERM)  # while a task is in hand
        time.sleep(0.2)
        handled.append(stop.is_set())  # the stop is asked, the task goes on
        return True

    with stop_on_signals(stop):
        PollLoop(poll, stop).run()
    assert handled == [True]
    assert signal.getsignal(signal.SIGTERM) is before


def _decider(domain: str, stop: threading.Event) -> None:
    Decider(domain, f"decisions-{uuid.uuid4().hex[:6]}", [], sticky_timeout=0).run(stop)


def _worker(domain: str, stop: threading.Event) -> None:
    Worker(domain, f"activities-{uuid.uuid4().hex[:6]}").run(stop)


def _one_task_worker(domain: str, stop: threading.Event) -> None:
    Worker(domain, f"activities-{uuid.uuid4().hex[:6]}").run_one(stop)


@pytest.mark.parametrize("serve", [_decider, _worker, _one_task_worker], ids=["decider", "worker", "one-task"])
def test_polls_back_off_while_the_endpoint_is_down_and_resume_once_it_is_back(
    serve, swf_domain, moto_server, monkeypatch
):
    proxy = CuttableProxy(moto_server.port)
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", "0")  # no retry in botocore: each failure reaches the loop
    monkeypatch.setenv("SIMPLEFLOW_POLL_BACKOFF_BASE", "0.05")
    monkeypatch.setenv("SIMPLEFLOW_POLL_BACKOFF_MAX", "0.4")
    client.reset_clients()
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(swf_domain, stop), daemon=True)
    try:
        thread.start()
        deadline = time.monotonic() + 8  # through the proxy: checking the domain, then polling
        while proxy.served_since_mended == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.4)
        proxy.cut()
        deadline = time.monotonic() + 8  # a loaded machine runs the poller late: wait for the failures themselves
        while len(proxy.refused) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        proxy.mend()
        refused = list(proxy.refused)
        deadline = time.monotonic() + 5
        while proxy.served_since_mended == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proxy.served_since_mended > 0, "no poll once the endpoint was back"
    finally:
        stop.set()
        thread.join(10)
        proxy.close()
        client.reset_clients()
    assert not thread.is_alive()
    # Polls kept coming while it was down, the k-th failure followed by at least half of 0.05, 0.1, 0.2, 0.4,
    # 0.4... s (more if a poll in flight failed first, unseen by the proxy).
    assert len(refused) >= 3, refused
    gaps = [b - a for a, b in zip(refused, refused[1:])]
    assert all(gap >= min(0.4, 0.05 * 2**k) / 2 * 0.9 for k, gap in enumerate(gaps)), gaps
