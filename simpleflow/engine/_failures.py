"""The retry rules: what a failed attempt of an activity or child workflow leads to.

A failed attempt is retried (the task is scheduled again under the same id)
while ``retry`` allows (a number of retries, at once; or a ``RetryPolicy``,
after a timer of the policy's wait), after a retry timer if ``on_task_failure``
asked to wait, or ends the task for good: its future holds the error, and with
``raises_on_failure`` the error is raised inside ``run``. ``on_task_failure``,
when the workflow defines it and decides anything, comes before ``retry``.

A policy's wait is a timer named after the task id and the attempt it leads to
(``policy_timer_id``): once that timer is in the history the wait was decided,
so a replay (full or resumed) follows the history and never decides it again.

The rules decide, the ``CommandTracker`` carries out: each answer is what the
command owes SWF next (``Owed``), the command's future and retry timer set here.
"""

from __future__ import annotations

from typing import Any

from simpleflow import constants, exceptions, format
from simpleflow.engine import _decisions as decisions
from simpleflow.engine._commands import ACTIVITY, Command, option, overrides, resolved_value
from simpleflow.engine._fallback import NeedsFullReplay
from simpleflow.engine._ids import policy_timer_id
from simpleflow.history import History, HistoryView, RetriableRecord, State
from simpleflow.retry import RetryPolicy, check_retry, is_data_error, recorded_error_names
from simpleflow.task import TaskFailureContext, retry_wait

# What a failed attempt leaves its command owing: nothing new (None), one of these, or a decision (a retry timer
# to start).
RESCHEDULE = "reschedule"  # its own decision again: the next attempt, now
WAITING = "waiting"  # nothing: its retry waits on a timer the history holds started
Owed = str | dict[str, Any] | None

# Failures simpleflow itself finds in an attempt's answer, which the same code gives again on any try: a result
# JSON cannot encode, or nested deeper than any reader takes (simpleflow.runtime.outcome.InvalidResult). Never
# retried, whatever ``retry`` says; nor is a ``DataError`` (``is_data_error``: its details say so, and only the
# details of failures recorded since they do, so the retries an older history holds replay as they were made).
NEVER_RETRIED = frozenset({"InvalidResult"})


def _error_class(command: Command) -> type:
    return exceptions.TaskException if command.kind == ACTIVITY else exceptions.WorkflowException


def _retry_option(command: Command) -> int | RetryPolicy:
    value = option(command.task, "retry", 0)
    return check_retry(value, f"{command.kind} {command.id!r}")


def default_failure_handling(context: TaskFailureContext) -> TaskFailureContext:
    """simpleflow's ``executor.default_failure_handling``, for an ``on_task_failure`` that decides ``handled``.

    The task's ``retry`` decides: while it allows another attempt, ``future`` becomes None (retry now);
    past it, with ``raises_on_failure`` the error is raised, else the future keeps it.

    Raises:
        TaskException, WorkflowException: the task failed for good and raises on failure.
    """
    task = context.a_task
    retry = check_retry(option(task, "retry", 0), f"task {context.task_name!r}")
    attempt = (context.event.get("retry") or 0) + 1
    allows = retry.allows_another(attempt) if isinstance(retry, RetryPolicy) else attempt <= retry
    if allows:
        context.future = None  # the handled decision retries a task whose future is gone
    elif option(task, "raises_on_failure", False):
        raise context.exception_class(task, context.exception)
    context.decision = TaskFailureContext.Decision.handled
    return context


class RetryRules:
    """Applies ``retry``, ``on_task_failure`` and ``raises_on_failure`` to the failed attempts of one run.

    Args:
        history: the run's history (the retry timers it holds).
        workflow: the workflow instance (its ``on_task_failure``).
    """

    def __init__(self, history: History, workflow: Any) -> None:
        self._history = history
        self._workflow = workflow
        self.timers: dict[str, Command] = {}  # retry timer id -> the command waiting on it

    def after_failed_attempt(self, command: Command, record: RetriableRecord, resolving_events: bool) -> Owed:
        """*command*'s future holds the error of the attempt *record* describes: retry, wait or give up.

        Args:
            resolving_events: the failure is found in new events, not at the task's submit (which lies in the past).

        Returns:
            What *command* owes now (see ``Owed``).

        Raises:
            NeedsFullReplay: the outcome depends on code a full replay runs at the submit.
            TaskException, WorkflowException: the task failed for good and raises on failure.
        """
        timer_id = f"{constants.RETRY_TIMER_PREFIX}{command.id}"
        timer = self._history.timers.get(timer_id)
        after_failure = record.decision_task_completed_event_id or 0
        if timer and (timer.decision_task_completed_event_id or 0) > after_failure:
            self.timers[timer_id] = command
            if timer.state is State.STARTED:
                command.retry_timer = timer_id
                command.future.set_pending()
                return WAITING
            if timer.state in (State.FIRED, State.CANCELED):
                command.retry_timer = None
                # As simpleflow: the retry takes the arguments the timer's control recorded (on_task_failure
                # may have changed them), so a replay retries with the same input.
                control = format.loads(timer.control)
                if isinstance(control, dict):
                    command.args = list(control.get("args") or [])
                    command.kwargs = dict(control.get("kwargs") or {})
                return self._retry(command)
        owed = self._policy_wait_recorded(command, record)
        if owed is not None:
            return owed
        if command.retry_timer is not None:  # the retry timer is ours to start
            return None
        if overrides(self._workflow, "on_task_failure"):
            if resolving_events:
                raise NeedsFullReplay()
            return self._ask_workflow(command, record, resolving_events)
        return self._by_retry_option(command, record, resolving_events)

    def final_failure(self, command: Command, resolving_events: bool) -> None:
        """*command* failed for good: with ``raises_on_failure``, its error is raised in ``run``.

        Raises:
            NeedsFullReplay: the submit lies in the past (*resolving_events*: a full replay raises it there).
            TaskException, WorkflowException: the error, wrapped.
        """
        if option(command.task, "raises_on_failure", False):
            if resolving_events:
                raise NeedsFullReplay()
            raise _error_class(command)(command.task, command.future._exception)

    @staticmethod
    def _retry(command: Command) -> Owed:
        command.future.set_pending()
        return RESCHEDULE

    def _ask_workflow(self, command: Command, record: RetriableRecord, resolving_events: bool) -> Owed:
        self._history.keep_whole()  # the workflow gets the whole history (a cached run may be compacted)
        decision = TaskFailureContext.Decision
        context = TaskFailureContext(
            a_task=command.task,
            event=record.as_dict(),  # the hook reads simpleflow's shapes
            future=command.future,
            exception_class=_error_class(command),
            history=HistoryView(self._history),
        )
        context = self._workflow.on_task_failure(context) or context
        if context.decision in (decision.retry_now, decision.retry_later) and context.a_task is command.task:
            # The workflow may have changed the task's arguments for the retry (simpleflow's failing example).
            command.args = [resolved_value(a) for a in command.task.args]
            command.kwargs = {k: resolved_value(v) for k, v in (command.task.kwargs or {}).items()}
        if context.decision == decision.abort:
            self.final_failure(command, resolving_events)
        elif context.decision == decision.ignore:
            command.future.set_exception(None)
        elif context.decision == decision.cancel:
            command.future.set_cancelled()
        elif context.decision in (decision.retry_now, decision.retry_later) and not context.retry_wait_timeout:
            return self._retry(command)
        elif context.decision == decision.retry_later:
            seconds = retry_wait(context.retry_wait_timeout)  # also set by hand, as simpleflow 0.36 let hooks do
            timer_id = f"{constants.RETRY_TIMER_PREFIX}{command.id}"
            command.retry_timer = timer_id
            self.timers[timer_id] = command
            command.future.set_pending()
            control = format.dumps({"args": list(command.args), "kwargs": command.kwargs})
            return decisions.start_timer(timer_id, seconds, control)
        elif context.decision == decision.handled:
            if context.future is None:
                return self._retry(command)
            command.future = context.future
        else:
            return self._by_retry_option(command, record, resolving_events)
        return None

    # -- the task's ``retry``: a number of retries, or a policy ---------------------------------

    def _by_retry_option(self, command: Command, record: RetriableRecord, resolving_events: bool) -> Owed:
        retry = _retry_option(command)
        failures = record.retry or 0  # the history's count: 0 after the first failed attempt
        if (
            retry
            and record.state is State.FAILED
            and (NEVER_RETRIED & recorded_error_names(record.reason, record.details) or is_data_error(record.details))
        ):
            retry = 0
        if not isinstance(retry, RetryPolicy):
            if failures < retry:
                return self._retry(command)
            self.final_failure(command, resolving_events)
            return None
        attempt = failures + 1
        if not self._policy_retries(retry, command, record, attempt):
            self.final_failure(command, resolving_events)
            return None
        seconds = retry.interval(attempt, command.id)
        if seconds == 0:
            return self._retry(command)
        timer_id = policy_timer_id(command.id, attempt + 1)
        command.retry_timer = timer_id
        self.timers[timer_id] = command
        command.future.set_pending()
        return decisions.start_timer(timer_id, seconds)

    @staticmethod
    def _policy_retries(policy: RetryPolicy, command: Command, record: RetriableRecord, attempt: int) -> bool:
        if not policy.allows_another(attempt):
            return False
        state = record.state
        if state is State.TIMED_OUT:
            return policy.retry_timeouts
        if state is State.FAILED:
            names = recorded_error_names(record.reason, record.details)
        else:  # a canceled or terminated child workflow: the error the future holds
            error_type = type(command.future._exception)
            names = frozenset({error_type.__name__, f"{error_type.__module__}.{error_type.__name__}"})
        return not policy.is_non_retryable(names)

    def _policy_wait_recorded(self, command: Command, record: RetriableRecord) -> Owed:
        """The history holds the policy's timer for the attempt after this failure: wait for it, or retry.

        Returns:
            None when it does not.
        """
        timer_id = policy_timer_id(command.id, (record.retry or 0) + 2)
        timer = self._history.timers.get(timer_id)
        if timer is None:
            return None
        self.timers[timer_id] = command
        if timer.state is State.STARTED:
            command.retry_timer = timer_id
            command.future.set_pending()
            return WAITING
        # Fired; or canceled, or it could not start (no wait can be had then): the next attempt, now.
        command.retry_timer = None
        return self._retry(command)
