"""The one poll loop of the SWF host: the decider, the worker and the one-task worker all run it.

SWF's polls are long polls: for PollForDecisionTask and PollForActivityTask "the service holds the HTTP
connection open and responds as soon as a task becomes available", for at most 60 seconds, after which
"the poll returns an empty result" (an empty ``taskToken``; the client's read timeout, 70 s, outlasts
the hold as SWF asks).
``PollLoop`` runs a ``poll`` callable (which polls and handles the task it got: True, or False when the
poll came back empty) until stopped:

- **Pace.** With one poller, the next poll starts at once after a task, and after an empty poll once a
  short pause has passed, 10 ms doubling to 250 ms, back to 10 ms after a task (``IDLE_PAUSE``). On SWF
  that pause follows a poll held for up to a minute and costs nothing; against an endpoint that answers
  an empty poll at once it keeps the loop from spinning. With several pollers, up to that many polls
  are in flight, started one every ``cycle / pollers`` seconds (a metronome: see ``PollLoop``).
- **Back off after a failure.** A poll that raises is a failed poll (botocore has already retried
  throttling, 5xx answers and connection errors ``SWF_CONNECTION_RETRIES`` times). After it no poll
  starts before ``Backoff.next()`` seconds (see ``Backoff``: exponential from 1 s to 30 s, jittered,
  reset by the next poll that returns, empty or not); polls already in flight that fail meanwhile do
  not lengthen the wait.
- **An unknown domain** ends the loop: it is raised, as waiting will not create the domain.
- **Stop.** The loop ends when its ``stop`` event is set; on the main thread, SIGTERM and SIGINT set it
  (``stop_on_signals``), and export the spans and metric points held at once. A poll in flight is let
  finish and the task it brings is handled and answered: nothing SWF handed out is dropped. The process
  then returns from its loop and exits 0. In the process a user started (``process.attended``) the stop
  is said on stderr at once (a poll may be held a minute), and a second signal quits at once
  (``process.quit_now``). In a process of a host that must run no user code once stopped (``standalone``,
  interrupted: ``drop_late_tasks``), an activity task a poll brings after the stop is dropped (``keep``) and
  the loop waits only for the tasks in hand, not for the polls in flight. A decision task is answered even
  then (``keep(..., late_ok=True)``): taken and dropped, it would hold the execution until its timeout.
  A signal ignored when the block begins stays ignored (a host that stops its processes itself).
"""

from __future__ import annotations

import contextlib
import logging
import random
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from simpleflow import settings, telemetry
from simpleflow.swf import process
from simpleflow.swf.client import UnknownDomain
from simpleflow.telemetry import names

__all__ = ["IDLE_PAUSE", "Backoff", "PollLoop", "keep", "stop_on_signals"]

logger = logging.getLogger(__name__)

# After an empty poll with one poller: (first pause, longest pause), in seconds.
IDLE_PAUSE = (0.01, 0.25)
# The longest SWF holds an empty poll, in seconds ("The maximum time the service holds on to the request
# before responding is 60 seconds": PollForDecisionTask, PollForActivityTask).
POLL_HOLD = 60.0
# How often a waiting loop looks at its stop event and its free poll slots.
_TICK = 0.2


class Backoff:
    """The wait after a failed poll: exponential from *base* to *cap* seconds, with jitter, reset on success.

    The n-th failure in a row (from 0) waits a time drawn evenly between half and all of
    ``min(cap, base * 2**n)``: 0.5-1 s, 1-2 s, 2-4 s ... up to 15-30 s with the defaults
    (``SIMPLEFLOW_POLL_BACKOFF_BASE`` 1 s, ``SIMPLEFLOW_POLL_BACKOFF_MAX`` 30 s). Why these:

    - a failure seen here already outlasted botocore's own retries (throttling, 5xx, connection errors),
      so a second or so before the next attempt is not a delay anyone notices;
    - SWF throttles applications that "make a large number of API calls in a very short period of time"
      (Amazon SWF Quotas): waits that double let the account's request budget refill instead of
      spending it on retries, and the jitter keeps a fleet that failed at the same moment (an outage,
      a deploy) from coming back in step;
    - after an outage, a poller resumes at most *cap* seconds after the endpoint is back: half the
      time SWF holds an empty poll.
    """

    def __init__(
        self, base: float | None = None, cap: float | None = None, *, rng: random.Random | None = None
    ) -> None:
        self.base = settings.get("SIMPLEFLOW_POLL_BACKOFF_BASE") if base is None else base
        self.cap = settings.get("SIMPLEFLOW_POLL_BACKOFF_MAX") if cap is None else cap
        self.failures = 0
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not a secret

    def next(self) -> float:
        """Count one more failure and return the seconds to wait after it."""
        ceiling = min(self.cap, self.base * 2**self.failures)
        if ceiling < self.cap:
            self.failures += 1
        return ceiling * (0.5 + 0.5 * self._rng.random())

    def reset(self) -> None:
        """A poll returned: the next failure waits from *base* again."""
        self.failures = 0


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Within the block, SIGTERM and SIGINT set *stop* (on the main thread only; elsewhere nothing changes).

    In the process a user started (``process.attended``), the first signal is said on stderr and a
    second one quits at once. The handlers in place before are put back on the way out.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    stops = 0

    def handler(signum: int, frame: Any) -> None:
        nonlocal stops
        stops += 1
        logger.info("got %s: stopping once the task in hand is answered", signal.Signals(signum).name)
        if process.is_attended():
            if stops > 1:
                process.quit_now(signum)
            process.say_stopping(signum, f"for the poll in flight (up to {POLL_HOLD:g} s) or the task in hand")
        # Event.set takes a lock the interrupted main thread may hold (inside stop.wait): set it
        # from another thread instead of deadlocking here.
        threading.Thread(target=_stopping, args=(stop,), daemon=True).start()

    wanted = [s for s in (signal.SIGTERM, signal.SIGINT) if signal.getsignal(s) is not signal.SIG_IGN]
    saved = {signum: signal.signal(signum, handler) for signum in wanted}
    try:
        yield
    finally:
        for signum, previous in saved.items():
            signal.signal(signum, previous)


def _stopping(stop: threading.Event) -> None:
    """Set *stop*, then export the spans and metric points held: what ended so far is not lost when the
    process waits for its polls (up to a minute) and is killed meanwhile (``standalone`` waits a second)."""
    stop.set()
    telemetry.flush()


# Set in each of its processes by a host whose processes hand each other their tasks (``standalone``):
# ``ring()`` after a poll handled a task (the other side may have one now), ``wait(timeout)`` True once
# rung. A ring starts a poll at once, beside the loop's spaced ones: on an endpoint that answers an empty
# poll only after a while (moto: 1 s), the task then waits for no spaced start.
doorbell: Any = None

# Set in each of its processes by a host that must start nothing once it stopped them (``standalone``: an
# interrupted run leaves its execution as it stands): a task a poll in flight brings after the stop is not
# handled, and a loop that stops waits for the tasks in hand only (a poll may be held a minute).
drop_late_tasks = False
_in_hand: set[threading.Thread] = set()  # the threads handling a task ``keep`` let through
_in_hand_lock = threading.Lock()
# How long a stopped loop that drops late tasks still waits for its polls in flight: one SWF answered just before
# the stop may be bringing a decision task, which is answered (see ``keep``).
_LATE_WINDOW = 0.5


def keep(stop: threading.Event, what: str, *, late_ok: bool = False) -> bool:
    """Whether to handle the task (*what*: its name in the log) a poll just brought, given the loop's *stop*.

    Always, unless this process drops late tasks (``drop_late_tasks``), *stop* is set and the task is not
    *late_ok*: it is then left to SWF, which hands it out again once its timeout ends. A decision task is
    *late_ok*: answering it runs no user code, and dropped it would hold the execution until its timeout.
    """
    if not drop_late_tasks:
        return True
    with _in_hand_lock:  # a loop that stops looks at _in_hand under this lock, after stop is set
        if stop.is_set() and not late_ok:
            logger.info("%s dropped: it came after the stop (SWF hands it out again once its timeout ends)", what)
            return False
        _in_hand.add(threading.current_thread())
    return True


def _join(threads: list[threading.Thread], stop: threading.Event) -> None:
    """Wait for *threads* to finish their polls and the tasks they bring; when late tasks are dropped and *stop*
    is set, only for those handling a task (the others' polls bring nothing to handle but a decision task, which
    one may be reading still: the others are waited for ``_LATE_WINDOW`` seconds first)."""
    settle = time.monotonic() + _LATE_WINDOW
    while True:
        with _in_hand_lock:  # looked at again each time: a late decision task may come in meanwhile
            dropping = drop_late_tasks and stop.is_set() and time.monotonic() >= settle
            waited = [t for t in threads if t.is_alive() and (not dropping or t in _in_hand)]
        if not waited:
            return
        waited[0].join(min(_TICK, _LATE_WINDOW))


class PollLoop:
    """Runs *poll* (True: it got and handled a task; False: the poll came back empty) until *stop* is set.

    *pollers* polls may be in flight at once. With one, each poll runs on the calling thread. With
    several, each runs on a thread of its own and the polls start one every ``cycle / pollers``
    seconds (while a slot is free). On an endpoint that holds every empty poll a fixed *cycle* seconds
    instead of answering when a task comes, a task that comes while every poll is in flight waits for
    the next one to start: about ``cycle / (2 * pollers)``. Pollers left to themselves would drift into
    step (each task shifts the phase of the poll that took it); the metronome keeps them apart. On SWF,
    which answers a held poll as soon as a task comes, the spacing only staggers the polls' starts.

    *name* prefixes the log lines. See the module's docstring for the pace, the back-off and the stop.
    """

    def __init__(
        self,
        poll: Callable[[], bool],
        stop: threading.Event,
        *,
        pollers: int = 1,
        backoff: Backoff | None = None,
        cycle: float = 1.0,
        name: str = "poller",
    ) -> None:
        self.poll = poll
        self.stop = stop
        self.pollers = max(1, pollers)
        self.backoff = backoff if backoff is not None else Backoff()
        self.cycle = cycle
        self.name = name
        self._slots = threading.Semaphore(self.pollers)
        self._lock = threading.Lock()
        self._resume_at = 0.0  # no poll starts before (time.monotonic()): the back-off after a failure
        self._failed_at = 0.0  # when the latest failure counted in the back-off was seen
        self._fatal: BaseException | None = None
        self._finished = False
        self._idle = IDLE_PAUSE[0]

    def run(self) -> None:
        """Poll until stopped; raises what ends the loop for good (an unknown domain)."""
        running: list[threading.Thread] = []
        ringing = None
        if doorbell is not None and self.pollers > 1:
            ringing = threading.Thread(target=self._answer_rings, args=(doorbell,), name=f"{self.name}-bell")
            ringing.start()
        try:
            while not self._ended():
                delay = self._resume_at - time.monotonic()
                if delay > 0:
                    self.stop.wait(min(delay, _TICK))
                    continue
                if not self._slots.acquire(timeout=_TICK):
                    continue
                if self.pollers == 1:
                    pause = self._idle_pause(self._one())
                    if pause:
                        self.stop.wait(pause)
                    continue
                thread = threading.Thread(target=self._one, name=f"{self.name}-poll", daemon=True)
                thread.start()
                running[:] = [t for t in running if t.is_alive()] + [thread]
                self.stop.wait(self.cycle / self.pollers)
        finally:
            if ringing is not None:  # it ends with the loop, once its own polls are done
                ringing.join()
            _join(running, self.stop)  # each finishes its poll, and the task it brings
        if self._fatal is not None:
            raise self._fatal

    def _answer_rings(self, bell: Any) -> None:
        """Start a poll each time *bell* rings, when a slot is free, until the loop ends; then wait for those
        polls (and the tasks they bring) to finish."""
        rung: list[threading.Thread] = []
        while not self._ended():
            if bell.wait(0.2) and not self._ended() and self._slots.acquire(blocking=False):
                thread = threading.Thread(target=self._one, name=f"{self.name}-rung", daemon=True)
                thread.start()
                rung[:] = [t for t in rung if t.is_alive()] + [thread]
        _join(rung, self.stop)

    def finish(self) -> None:
        """End the loop once the polls in flight are done, without setting *stop* (from a poll: one task is enough)."""
        self._finished = True

    def _ended(self) -> bool:
        return self._finished or self.stop.is_set() or self._fatal is not None

    def _idle_pause(self, busy: bool | None) -> float:
        """With one poller: the pause before the next poll (none after a task or a failure)."""
        if busy is None or busy:
            self._idle = IDLE_PAUSE[0]
            return 0.0
        pause = self._idle
        self._idle = min(pause * 2, IDLE_PAUSE[1])
        return pause

    def _one(self) -> bool | None:
        """One poll: whether it brought a task, None when it failed."""
        started = time.monotonic()
        try:
            busy = bool(self.poll())
            if busy and doorbell is not None:
                doorbell.ring()
        except UnknownDomain as err:
            self._fatal = err
            return None
        except Exception as err:
            kind, _, task_list = self.name.partition(" ")  # "decider <list>", "worker <list>"
            attributes = {names.POLLER: kind, names.TASK_LIST: task_list, names.ERROR_TYPE: type(err).__name__}
            telemetry.count(names.M_POLL_ERRORS, 1, attributes)
            self._failed(err, started)
            return None
        finally:
            self._slots.release()
            _in_hand.discard(threading.current_thread())
        with self._lock:
            self.backoff.reset()
            self._resume_at = 0.0
        return busy

    def _failed(self, err: Exception, started: float) -> None:
        with self._lock:
            if started < self._failed_at:
                return  # in flight when an earlier failure was counted: it says nothing new about the endpoint
            self._failed_at = time.monotonic()
            delay = self.backoff.next()
            self._resume_at = self._failed_at + delay
        logger.warning("%s: poll failed (%s: %s), polling again in %.1fs", self.name, type(err).__name__, err, delay)
        logger.debug("%s: the failed poll", self.name, exc_info=err)
