"""The dev server's clock: what is due runs on time, whatever an earlier entry did."""

from __future__ import annotations

import threading

from simpleflow.devserver._clock import Clock


def _fail() -> None:
    raise ValueError("could not convert string to float: '5m'")


def test_an_entry_that_raises_is_logged_and_the_later_ones_still_run_on_the_clock_thread(caplog):
    lock = threading.Lock()
    clock = Clock(lock)
    fired = threading.Event()
    try:
        clock.call_later(0.0, _fail)
        clock.call_later(0.05, fired.set)
        assert fired.wait(2.0), "the clock thread stopped after an entry raised"
    finally:
        clock.stop()
    assert "'5m'" in caplog.text and "the clock goes on" in caplog.text


def test_an_entry_that_raises_during_a_request_does_not_stop_the_ones_due_after_it(caplog):
    lock = threading.Lock()
    clock = Clock(lock)
    ran: list[str] = []
    try:
        with lock:  # as a request holds it: the clock thread waits
            clock.call_at(0.0, _fail)
            clock.call_at(0.0, lambda: ran.append("next"))
            clock.run_due()  # what a request does first (it must not answer 500 for another execution's entry)
    finally:
        clock.stop()
    assert ran == ["next"]
