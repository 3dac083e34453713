"""The ``Workflow`` base class user code subclasses, and ``@query``.

A workflow is ordinary Python: ``run`` submits tasks and reads their futures.
Everything it does goes through its executor (the replay engine), so the
same class runs in-process (``--local``) and on SWF.

A ``@query`` method reads the workflow's state, answered over a replay of its history:
``simpleflow workflow.query`` (and ``LocalExecution.query``) replays an execution's history in this process
and calls the method on the workflow the replay left, without touching the execution (no signal, no
decision). A query only reads: submitting, waiting or failing the workflow from one is refused
(``QueryRefused``).
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simpleflow import activity as activity_module
from simpleflow import futures, task
from simpleflow.cached import cached
from simpleflow.exceptions import UnknownQuery
from simpleflow.marker import Marker
from simpleflow.retry import check_retry

__all__ = ["Workflow", "queries_of", "query", "query_method"]

if TYPE_CHECKING:
    from simpleflow.engine import WorkflowExecutor


@cached
def _decision_time(executor: Any) -> float | None:
    # Recorded in a marker by the first replay that gets here: later replays (whose latest decision task is
    # later) read the same instant, so the workflow's path does not depend on when it is replayed.
    return executor.decision_started_at()


CHILD_POLICIES = ("TERMINATE", "REQUEST_CANCEL", "ABANDON")


def _check_child_policy(policy: Any, where: str) -> None:
    if policy is not None and policy not in CHILD_POLICIES:
        raise ValueError(f"{where}: child_policy must be one of {', '.join(CHILD_POLICIES)} (or None), not {policy!r}")


def check_tag_list(tags: Any, where: str) -> None:
    """SWF's API reference: a tagList has "Maximum number of 5 items", each of "Maximum length of 256"."""
    if tags is None or tags == Workflow.INHERIT_TAG_LIST:
        return
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) and len(t) <= 256 for t in tags):
        raise ValueError(f"{where}: tag_list must be a list of tags (text of 256 characters at most), not {tags!r}")
    if len(tags) > 5:
        raise ValueError(f"{where}: tag_list has {len(tags)} tags, SWF takes 5 at most")


class Workflow:
    """Subclass it, set ``name``/``version``/``task_list``, write ``run(self, ...)``."""

    name: str | None = None
    version: str | None = None
    task_list: str | None = None
    task_priority: Any = None
    retry = 0
    raises_on_failure = True
    tag_list: list[str] | str | None = None
    child_policy: str | None = None
    decision_tasks_timeout: int | str | None = 300
    execution_timeout: int | str | None = 3600
    INHERIT_TAG_LIST = "INHERIT_TAG_LIST"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        where = f"workflow {cls.__module__}.{cls.__name__}"
        if "retry" in cls.__dict__:  # an integer (retries, at once) or a RetryPolicy, checked where it is declared
            check_retry(cls.retry, where)
        # SWF refuses a start with any other (with the whole decision task, for a child): checked here.
        if "child_policy" in cls.__dict__:
            _check_child_policy(cls.child_policy, where)
        if "tag_list" in cls.__dict__:
            check_tag_list(cls.tag_list, where)

    def __init__(self, executor: WorkflowExecutor) -> None:
        self._executor = executor

    @property
    def executor(self) -> WorkflowExecutor:
        """What runs this workflow (the replay engine's run of the execution)."""
        return self._executor

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """The workflow's code, replayed against the history at each decision: its return value (JSON) is
        the execution's result, an exception it lets out fails the execution. Subclasses define it."""
        raise NotImplementedError

    # -- submitting work --------------------------------------------------

    def submit(self, submittable: Any, *args: Any, **kwargs: Any) -> futures.Future:
        """Submit an activity, a child workflow, a task object or a canvas; return its future."""
        return self._executor.submit(submittable, *args, **kwargs)

    def map(self, activity: activity_module.Activity, iterable: Any) -> list[futures.Future]:
        """Submit *activity* once per item of *iterable*."""
        return [self.submit(activity, item) for item in iterable]

    def starmap(self, activity: activity_module.Activity, iterable: Any) -> list[futures.Future]:
        """Submit *activity* once per item of *iterable*, each item unpacked as arguments."""
        return [self.submit(activity, *item) for item in iterable]

    def fail(self, reason: str, details: Any = None) -> None:
        """Fail the workflow now with *reason* (and optional *details*)."""
        self._executor.fail(reason, details)

    def now(self) -> datetime.datetime:
        """The current time as the history records it: the start of the decision task that first got here.

        The only clock a workflow may read: deterministic under replay (the instant is kept in a marker).

        Returns:
            A timezone-aware UTC datetime.

        Raises:
            RuntimeError: outside a replay, or when the history has no decision task yet.
        """
        stamp = _decision_time(self._executor)
        if stamp is None:
            raise RuntimeError("Workflow.now() needs a decision task in the history")
        return datetime.datetime.fromtimestamp(stamp, tz=datetime.timezone.utc)

    def get_run_context(self) -> dict[str, Any]:
        """Workflow id, run id, name, version, domain, tag list, parent and continued run ids."""
        return self._executor.get_run_context()

    def get_execution_context(self) -> dict[str, Any]:
        """simpleflow's older name of ``get_run_context``."""
        return self._executor.get_run_context()

    # -- changing the code of running executions, showing progress -------

    def patched(self, change_id: str) -> bool:
        """Whether this execution takes the new path of a code change, at this line of ``run``.

        True in an execution that reaches this line for the first time (the marker
        ``simpleflow.patch:<change_id>`` is recorded with this decision) and in one whose history
        holds the marker; False in one whose history went past this line before the change, so
        that it keeps the old path. The first answer holds for every call with *change_id*.

        Raises:
            TypeError, ValueError: *change_id* is not a non-empty string that fits a marker name.
        """
        return self._executor.patched(change_id)

    def deprecate_patch(self, change_id: str) -> None:
        """Mark where ``patched(change_id)`` was, once every execution without its marker has closed.

        Records nothing and accepts the marker in histories that hold it; the code takes the new path.
        """
        self._executor.deprecate_patch(change_id)

    def set_status(self, value: Any) -> None:
        """Publish *value* as this execution's status (``workflow.info``, ``workflow.list --status-field``).

        Sent as the executionContext of this decision and of every later one, until set again.

        Raises:
            TypeError: *value* is not JSON-encodable.
            ValueError: its JSON is over SWF's 32,768 characters for an executionContext.
        """
        self._executor.set_status(value)

    # -- timers, markers, signals, cancel requests, continue-as-new -------

    def start_timer(self, timer_id: str, timeout: int | str, control: Any = None) -> task.TimerTask:
        """A timer to submit: its future finishes *timeout* seconds after the decision that starts it."""
        return task.TimerTask(timer_id, timeout, control)

    def cancel_timer(self, timer_id: str) -> task.CancelTimerTask:
        """A request to cancel the timer *timer_id*, to submit (a timer's future: ``cancel()`` does it too)."""
        return task.CancelTimerTask(timer_id)

    def record_marker(self, name: str, details: Any = None) -> task.MarkerTask:
        """A marker to submit: *name* and JSON *details* recorded in the history (``list_markers`` reads them)."""
        return task.MarkerTask(name, details)

    def list_markers(self, all: bool = False) -> list[Marker]:
        """The markers the history holds: the last of each name, or every one with *all*."""
        return self._executor.list_markers(all)

    def get_event_details(self, event_type: str, event_name: str) -> dict[str, Any] | None:
        """The history's record of the ``"signal"``, ``"marker"`` or ``"timer"`` *event_name*, or None.

        Raises:
            ValueError: *event_type* is not one of those three.
        """
        return self._executor.get_event_details(event_type, event_name)

    def signal(self, name: str, *args: Any, **kwargs: Any) -> task.SignalTask:
        """A signal to submit, as ``SignalTask`` takes it: *name*, its input (``*args``, ``**kwargs``), and the
        keywords ``workflow_id``/``run_id`` (this execution by default) and ``propagate``."""
        return task.SignalTask(name, *args, **kwargs)

    def wait_signal(self, name: str, nth: int | None = None) -> task.WaitForSignal:
        """A wait to submit: its future finishes once the signal *name* arrives, with its ``args`` and ``kwargs``.

        With *nth*, once the *nth* signal of that name arrived (1: the first), with that one's: a workflow that
        takes a signal again and again waits for the next one by its count.
        """
        return task.WaitForSignal(name, nth)

    def cancel_workflow(self, workflow_id: str, run_id: str | None = None) -> task.CancelWorkflowTask:
        """A request to cancel another execution, to submit: its future finishes once SWF delivered it.

        The execution's ``should_cancel`` decides whether it stops; its future fails (``TaskFailed``
        with SWF's cause) when SWF knows no open execution of that id. A child's future: use ``cancel()``.
        """
        return task.CancelWorkflowTask(workflow_id, run_id)

    def continue_as_new(self, *args: Any, **kwargs: Any) -> task.ContinueAsNewWorkflowTask:
        """To submit: closes this run and starts a new one of this workflow with these arguments."""
        return task.ContinueAsNewWorkflowTask(type(self), *args, **kwargs)

    # -- hooks --------------------------------------------------------------

    def before_replay(self, history: Any) -> None:
        """Called before ``run`` starts (again) from the first event."""

    def after_replay(self, history: Any) -> None:
        """Called after each decision's replay, whether ``run`` is blocked or over."""

    def after_closed(self, history: Any) -> None:
        """Called once the decision closing the execution is taken."""

    def before_run(self, history: Any) -> None:
        """simpleflow's older name: calls ``before_replay``."""
        return self.before_replay(history)

    def after_run(self, history: Any) -> None:
        """simpleflow's older name: calls ``after_closed``."""
        return self.after_closed(history)

    def on_failure(self, history: Any, reason: str, details: Any = None) -> None:
        """Called when the workflow fails."""

    def on_completed(self, history: Any) -> None:
        """Called when the workflow completes."""

    def on_canceled(self, history: Any) -> None:
        """Called when the workflow is canceled."""

    def should_cancel(self, history: Any) -> bool:
        """Whether to accept a cancellation request (default: yes)."""
        return True

    def on_task_failure(self, failure_context: task.TaskFailureContext) -> task.TaskFailureContext | None:
        """Decide about a failed task: ``failure_context.decide_abort()/decide_ignore()/decide_retry(wait)``.

        Return None (the default) to let ``retry`` and ``raises_on_failure`` decide.
        """
        return None


# -- queries ---------------------------------------------------------------------------------------

_ATTRIBUTE = "__simpleflow_query__"


def query(func: Callable | None = None, *, name: str | None = None) -> Any:
    """Declare a ``Workflow`` method a query, under its own name or *name*.

    Its arguments and return value are JSON values. It runs after the replay, on the state ``run`` left.
    """

    def declare(method: Callable) -> Callable:
        setattr(method, _ATTRIBUTE, name or method.__name__)
        return method

    return declare(func) if func is not None else declare


def queries_of(workflow_class: type) -> dict[str, str]:
    """The queries *workflow_class* declares (its own and its bases'): query name -> method name."""
    found: dict[str, str] = {}
    for klass in reversed(workflow_class.__mro__):
        for attribute, value in vars(klass).items():
            query_name = getattr(value, _ATTRIBUTE, None)
            if isinstance(query_name, str) and inspect.isfunction(value):
                found = {k: v for k, v in found.items() if v != attribute}  # an override replaces its base's
                found[query_name] = attribute
    return found


def query_method(workflow_class: type, name: str) -> str:
    """The method answering the query *name*.

    Raises:
        UnknownQuery: none does; the message lists the queries there are.
    """
    declared = queries_of(workflow_class)
    if name in declared:
        return declared[name]
    there = ", ".join(sorted(declared)) if declared else "none"
    raise UnknownQuery(f"workflow {workflow_class.__name__} has no query {name!r} (its queries: {there})")
