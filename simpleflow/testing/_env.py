"""``WorkflowEnv``: workflows run for a test on the local host's virtual clock, activities replaceable.

An environment starts executions (``start``, or ``run`` to the end) on the local host: the engine the SWF
host uses, SWF's events, timers that take no time, activity timeouts kept as SWF keeps them. Activities
can be replaced by name (``override``) without touching the workflow, and every call is recorded. Jumbo
fields go to an in-memory store (``jumbo``) unless the test asks for S3 (``use_s3``). Each run that closes is
replayed with its code (``replay_check``): code that does not fit its own history fails the test.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from simpleflow import format
from simpleflow.exceptions import UsageError
from simpleflow.local import LocalExecution
from simpleflow.runtime.loader import check_signature
from simpleflow.runtime.middleware import Middlewares, from_option
from simpleflow.runtime.outcome import Outcome
from simpleflow.testing._decisions import Decision, decisions_in
from simpleflow.testing._determinism import ReplayMismatch, check_closed
from simpleflow.testing._jumbo import MemoryStore, Routing
from simpleflow.testing._limits import DEFAULT_MAX_RUNS, check_runs, max_runs_option
from simpleflow.testing._overrides import Activities, ActivityCall, Override
from simpleflow.testing._run import Run
from simpleflow.testing._tasks import Reading
from simpleflow.workflow import Workflow

if TYPE_CHECKING:
    from simpleflow.local import RunHost

_ENDED = "its with block or test ended; a new WorkflowEnv starts afresh"


def _seconds(seconds: Any, minutes: Any, hours: Any, days: Any) -> float:
    """The seconds in that much time: each a number, or a timer's duration as text (``"30"``)."""
    given = {"seconds": seconds, "minutes": minutes, "hours": hours, "days": days}
    total = sum(_number("advance", name, value) * _UNIT[name] for name, value in given.items())
    if total < 0:
        raise ValueError(f"time only goes forward: {total} s")
    return total


_UNIT = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def _number(call: str, name: str, value: Any) -> float:
    """*value* if a number, else a timer's duration (``format.duration``: whole seconds as text), in one line."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if math.isfinite(value):  # (an int too large for a float: OverflowError)
                return value
            raise ValueError()
        return int(format.duration(value, unlimited=False))
    except (ValueError, OverflowError):
        raise ValueError(
            f"{call}: {name}={value!r} is not a number of {name} (for an hour: advance(hours=1), advance(3600))"
        ) from None


def _workers(workers: Any) -> int:
    """*workers* if a positive integer, else a one-line refusal in the words of the CLI's ``--workers``."""
    if isinstance(workers, bool) or not isinstance(workers, int):
        raise UsageError(f"WorkflowEnv: workers={workers!r} is not a valid integer")
    if workers < 1:
        raise UsageError(f"WorkflowEnv: workers={workers} is not in the range x>=1")
    return workers


class Execution:
    """An execution started in a ``WorkflowEnv``: let its virtual time pass, signal it, query it, finish it.

    ``start`` ran it as far as it goes without time passing; ``advance`` lets time pass (timers fire, signals
    and activities come in), ``finish`` to its end.
    """

    def __init__(self, env: WorkflowEnv, workflow_class: type, input: dict[str, Any]) -> None:
        self.workflow_class = workflow_class
        self._env = env
        self._replayed: set[int] = set()  # its runs already replayed (ids of the local host's runs)
        self._local = LocalExecution(
            workflow_class, input, workers=env.workers, middlewares=env.middlewares, lookup=env.activities.lookup
        )
        self._local.family.max_continued = env.max_runs
        self._outcome: Outcome | None = None

    def __repr__(self) -> str:
        state = self._outcome.status if self._outcome else "open"
        return f"<Execution {self.workflow_id} {state} at {self.elapsed:g}s>"

    @property
    def workflow_id(self) -> str:
        """Its workflow id."""
        return self._local.workflow_id

    @property
    def run_id(self) -> str:
        """Its open run's (its last run's once closed)."""
        return self._local.family.current.run_id

    @property
    def elapsed(self) -> float:
        """Seconds since its start on its (virtual) clock."""
        return self._local.elapsed

    @property
    def closed(self) -> bool:
        """Whether it has closed (after which ``finish`` gives its ``Run`` at once)."""
        return self._outcome is not None

    @property
    def history(self) -> list[dict[str, Any]]:
        """The events of its open (else last) run so far."""
        return self._local.family.current.events

    @property
    def decisions(self) -> list[Decision]:
        """The decisions its open (else last) run took so far (simpleflow's bookkeeping ones left out)."""
        return [d for d in decisions_in(self.history) if not d.is_bookkeeping]

    @property
    def status(self) -> Any:
        """What the workflow last set with ``set_status`` (None before)."""
        return self._local.status

    def advance(self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0) -> Execution:
        """Let that much time pass on its clock (at once, unless an activity runs meanwhile: its time is real).

        Everything due by then happens: timers fire, signals sent with ``signal`` arrive, activities run. Each
        amount is a number, or a whole number as text as a timer's timeout takes it (``"30"``; ``"1h"`` is refused).
        """
        return self.advance_to(self.elapsed + _seconds(seconds, minutes, hours, days))

    def advance_to(self, seconds: float) -> Execution:
        """Let time pass until *seconds* after its start (or until it closes).

        Raises:
            ValueError: *seconds* is already past (time only goes forward).
            ReplayMismatch: it closed, and the code does not replay the history of a run of it (unless
                ``replay_check`` is off).
        """
        self._check_env("advance")
        seconds = _number("advance_to", "seconds", seconds)
        now = self.elapsed
        # Its clock runs in real time between steps (the test's own code, activities): within a second is now.
        if seconds < now - 1:
            raise ValueError(f"time only goes forward: {seconds:g} s is before {int(now)} s, where the execution is")
        if self._outcome is None:
            self._env.activities.check_names()
            with self._env._routing.during():
                self._outcome = self._local.execute_until(seconds)
                check_runs(self._local, self.workflow_class.__name__, "start() or advance()")
                self._check_replay()
        return self

    def signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """Send it the signal *name* now, with input ``{"args": args, "kwargs": kwargs}`` (as a workflow's
        ``self.signal(name, *args, **kwargs)`` sends it); its workflow sees it at the next ``advance``."""
        self._check_env("signal")
        self._check_open("signal")
        self._local.deliver_signal(name, format.dumps({"args": list(args), "kwargs": kwargs}))

    def cancel(self) -> None:
        """Ask for its cancellation now (its ``should_cancel`` decides at the next ``advance``)."""
        self._check_env("cancel")
        self._check_open("cancel")
        self._local.request_cancel()

    def query(self, name: str, *args: Any, **kwargs: Any) -> Any:
        """What its ``@query`` *name* answers now (its history replayed afresh, as ``workflow.query`` does).

        Raises:
            UnknownQuery, QueryRefused, QueryFailed: as ``simpleflow workflow.query``.
        """
        self._check_env("query")
        with self._env._routing.during():
            return self._local.query(name, *args, **kwargs)

    def finish(self) -> Run:
        """Let it run to its end (a workflow waiting for what can never come fails as stuck): its ``Run``."""
        if self._outcome is None:
            self._check_env("finish")
            self._env.activities.check_names()
            with self._env._routing.during():
                self._outcome = self._local.execute()
                check_runs(self._local, self.workflow_class.__name__, "run() or finish()")
                self._check_replay()
        family = self._local.family
        root = [member for member in family.members if member.workflow_id == self.workflow_id]
        reading = self._env._routing.during
        children = _children_of(family.members, root, family.now(), reading)
        stuck = _runs_of(self._local.stuck_children, children)
        return Run(self._outcome, elapsed=family.elapsed, children=children, stuck_children=stuck, reading=reading)

    def shut_down(self) -> None:
        """Release its threads (an execution left open by its test)."""
        if self._outcome is None:
            self._local.family.shut_down()

    def _check_replay(self, *, closed_only: bool = False) -> None:
        """Once it closed (or, with *closed_only*, whatever it is), replay each of its runs that closed."""
        if not self._env.replay_check or (self._outcome is None and not closed_only):
            return
        differing = check_closed(self._local.family.members, self._replayed)
        if differing:
            raise ReplayMismatch(differing)

    def _check_env(self, what: str) -> None:
        """Refuse to go on once its environment closed: its threads are released, its settings put back."""
        self._env._check_usable(f"{what} {self.workflow_id}", "it was shut down when its with block or test ended")

    def _check_open(self, what: str) -> None:
        if self._outcome is not None:
            raise RuntimeError(f"cannot {what} {self.workflow_id}: it closed ({self._outcome.status})")


def _path_of(target: Any) -> str:
    """How to name *target* in a line: an activity's name, a function's or class's dotted path, else its repr."""
    name = getattr(target, "name", None)
    if isinstance(name, str) and not isinstance(target, type):
        return name
    module, qualname = getattr(target, "__module__", None), getattr(target, "__qualname__", None)
    return f"{module}.{qualname}" if module and qualname else repr(target)


def _children_of(members: list[RunHost], parents: list[RunHost], now: float, reading: Reading) -> list[Run]:
    """The runs of the children *parents* started, each child by its last run, in the order they started; each
    took from its first run's start to its last run's close (to *now*, the family's clock, if still open)."""
    children: dict[str, list[RunHost]] = {}
    for member in members:
        if member.parent is not None and any(member.parent is parent for parent in parents):
            children.setdefault(member.workflow_id, []).append(member)
    runs = []
    for chain in children.values():
        last = chain[-1]
        outcome = last.closed or Outcome("open", events=last.events, workflow_id=last.workflow_id, run_id=last.run_id)
        first, ended = chain[0].events, (last.events[-1]["eventTimestamp"] if last.closed and last.events else now)
        elapsed = ended - first[0]["eventTimestamp"] if first else 0.0
        runs.append(Run(outcome, elapsed, _children_of(members, chain, now, reading), reading=reading))
    return runs


def _runs_of(outcomes: list[Outcome], children: list[Run]) -> list[Run]:
    """The runs, among *children* and theirs, whose outcomes are *outcomes*, in that order."""
    found: dict[int, Run] = {}
    pending = list(children)
    while pending:
        run = pending.pop()
        found[id(run.outcome)] = run
        pending += run.children
    return [found.get(id(outcome)) or Run(outcome) for outcome in outcomes]


class WorkflowEnv:
    """Where a test runs workflows (the ``workflow_env`` fixture): the local host, on a virtual clock.

    Args:
        workers: activities run at once (1: one at a time, in the order scheduled).
        middlewares: called around each activity, as ``{"pre": [paths], "post": [paths]}`` or ``Middlewares``.
        replay_check: replay each run that closes with its code, and raise ``ReplayMismatch`` (an
            AssertionError: the test fails with its report) when the code does not fit the run's history, as a
            decider that replays it would find (False: for a test that breaks determinism on purpose).
        max_runs: runs of an execution (its children's too) that may continue as new in one ``run``, ``finish``
            or ``advance``; past them it stops with ``TooManyRuns`` (one that does so for ever never ends).

    Use it as a context manager (the fixture does): jumbo fields go to ``jumbo``, an in-memory store, while
    it is open, and what it changed is put back when it closes. Used without ``with``, it changes those
    process-wide settings during its own calls only, so an environment nobody closes leaves nothing behind.
    """

    def __init__(
        self,
        *,
        workers: int = 1,
        middlewares: Middlewares | dict[str, list[str]] | None = None,
        replay_check: bool = True,
        max_runs: int = DEFAULT_MAX_RUNS,
    ) -> None:
        self.workers = _workers(workers)
        self.max_runs = max_runs_option(max_runs)
        self.replay_check = replay_check
        self.middlewares = from_option(middlewares, "WorkflowEnv: middlewares")
        self.activities = Activities()
        self.jumbo = MemoryStore()
        self._routing = Routing(self.jumbo)
        self._executions: list[Execution] = []
        self._closed = False

    @property
    def replay_check(self) -> bool:
        """Whether each run that closes is replayed with its code (see the class)."""
        return self._replay_check

    @replay_check.setter
    def replay_check(self, value: bool) -> None:
        if not isinstance(value, bool):
            raise UsageError(f"WorkflowEnv: replay_check={value!r} is not True or False")
        self._replay_check = value

    # -- what a test sets up ---------------------------------------------------------------------

    def override(self, activity: Any, replacement: Any) -> Override:
        """Answer the tasks of *activity* (the activity, its function or its name) with *replacement*, without
        touching the workflow: a callable given the task's arguments (its return value is the result; what it
        raises fails the task as the activity's own error would), an exception (class or instance) to raise,
        or a value to return. Its calls are recorded in the ``Override`` returned (and in ``calls``)."""
        self._check_usable("override", _ENDED)
        return self.activities.override(activity, replacement)

    def calls(self, activity: Any = None) -> list[ActivityCall]:
        """The activity calls made so far (of *activity* only, when given), in the order they started."""
        if activity is None:
            return list(self.activities.calls)
        return self.activities.calls_of(activity)

    def use_s3(self, location: str) -> None:
        """Write jumbo fields to S3, at *location* (``bucket`` or ``bucket/prefix``; boto3's own settings say
        which endpoint and credentials), instead of the in-memory store."""
        self._check_usable("use_s3", _ENDED)
        if not location.strip("/ "):
            raise UsageError("use_s3 needs a bucket: 'bucket' or 'bucket/prefix'")
        self._routing.s3_location = location
        self._routing.moved()

    # -- running workflows -------------------------------------------------------------------------

    def start(self, workflow_class: type, *args: Any, **kwargs: Any) -> Execution:
        """Start an execution of *workflow_class* with these arguments, and run it as far as it goes at its
        start (its first decisions, the activities they schedule...) before any time passes.

        Raises:
            UsageError: this environment is closed, *workflow_class* is not a Workflow subclass, the arguments do
                not fit its ``run``, or a replacement was given under a name no activity is declared under.
        """
        self._check_usable("start an execution", _ENDED)
        if isinstance(workflow_class, str):
            raise UsageError(f"{workflow_class!r} is not a Workflow subclass (a string: give the class)")
        if not (isinstance(workflow_class, type) and issubclass(workflow_class, Workflow)):
            raise UsageError(f"{_path_of(workflow_class)!r} is not a Workflow subclass")
        payload = {"args": list(args), "kwargs": dict(kwargs)}
        check_signature(workflow_class, payload)
        self.activities.check_names()
        with self._routing.during():
            execution = Execution(self, workflow_class, payload)
            self._executions.append(execution)
            return execution.advance_to(0)

    def run(self, workflow_class: type, *args: Any, **kwargs: Any) -> Run:
        """Run an execution of *workflow_class* with these arguments to its end: its ``Run`` (``run.result``
        raises ``WorkflowFailed`` if it did not complete). Timers take no time."""
        return self.start(workflow_class, *args, **kwargs).finish()

    # -- opening and closing ---------------------------------------------------------------------

    def open(self) -> WorkflowEnv:
        """Route jumbo fields to this environment's store until ``close`` (what ``with`` does on entering).

        Not opened, it routes them during its own calls only (``start``, ``run``, ``advance``, ``finish``,
        ``query``...): the process is left as it was between them, even by an environment nobody closes.

        Raises:
            UsageError: it is closed (closing is for good: a new ``WorkflowEnv`` starts afresh).
        """
        self._check_usable("open it again", _ENDED)
        self._routing.hold()
        return self

    def _check_usable(self, what: str, why: str) -> None:
        """Refuse *what* once closed: what ran in it is released, its settings put back (*why*: the hint)."""
        if self._closed:
            raise UsageError(f"this WorkflowEnv is closed: cannot {what} ({why})")

    def close(self, *, check: bool = True) -> None:
        """Release the executions left open, put the jumbo settings and store back; it runs nothing more
        (``calls`` and ``jumbo`` still tell what ran).

        Raises:
            ReplayMismatch: the code does not replay a run that closed in an execution left open (its
                children's, its earlier runs'), unless ``replay_check`` is off (or *check* is False).
        """
        self._closed = True
        executions, self._executions = self._executions, []
        for execution in executions:
            execution.shut_down()
        try:
            with self._routing.during():
                for execution in executions if check else ():
                    execution._check_replay(closed_only=True)
        finally:
            self._routing.put_back()

    def __enter__(self) -> WorkflowEnv:
        return self.open()

    def __exit__(self, *exc_info: Any) -> None:
        self.close(check=exc_info[0] is None)  # a failure on its way out stays the one reported
