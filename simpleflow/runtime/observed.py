"""What an activity attempt says of itself while it runs: its log fields and its telemetry.

The SWF worker and the local host call these alike, so an activity's log records carry the same keys
(``simpleflow.telemetry.log_context``) and its span the same attributes (``simpleflow.telemetry``) on both.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

from simpleflow import telemetry
from simpleflow.activity import ATTEMPT_KEY
from simpleflow.runtime.outcome import COMPLETED, Outcome, is_cancellation, qualified_name
from simpleflow.telemetry import log_context as logging_context

__all__ = ["activity_log_fields", "attempt_of", "failure_error_type", "observed_attempt"]


def attempt_of(input_text: str | None) -> int:
    """The attempt number a task's input carries (``ATTEMPT_KEY``, from 2 on); 1 when it says none."""
    if not input_text or ATTEMPT_KEY not in input_text:
        return 1
    try:
        value = json.loads(input_text).get(ATTEMPT_KEY)
    except (ValueError, AttributeError):
        return 1
    return value if isinstance(value, int) and value > 0 else 1


def activity_log_fields(context: dict[str, Any]) -> dict[str, Any]:
    """The logging context of an activity running with *context* (None values are left out by ``scope``)."""
    return {
        "workflow_id": context.get("workflow_id"),
        "run_id": context.get("run_id"),
        "workflow_type": context.get("workflow_type") or None,
        "task_type": "activity",
        "activity_id": context.get("activity_id"),
        "attempt": context.get("attempt"),
        "domain": context.get("domain_name"),
        "task_list": context.get("activity_task_list"),
    }


def failure_error_type(failure: Any) -> str:
    """``error.type`` of an activity's failure details (a dict, or its JSON text)."""
    if isinstance(failure, str):
        try:
            failure = json.loads(failure)
        except ValueError:
            return "unknown"
    if isinstance(failure, dict):
        return str(failure.get("error_type") or failure.get("error") or "unknown")
    return "unknown"


@contextlib.contextmanager
def traced_scope(context: dict[str, Any], ids: tuple[str, str], *, export: bool = True) -> Iterator[None]:
    """The activity's logging context, with the attempt span's ids, and that span as the current parent.

    *export*: the 0.36 fields also as environment variables (``logging_context.scope``), for the programs an
    activity starts: in an activity process of its own, not in a process running several at once.
    """
    trace_id, span_id = ids
    fields = activity_log_fields(context)
    with (
        logging_context.scope(**fields, trace_id=trace_id or None, span_id=span_id or None, export=export),
        telemetry.remote_parent(trace_id, span_id),
    ):
        yield


def observed_attempt(
    context: dict[str, Any],
    call: Callable[[], Outcome],
    *,
    started_event_id: int | None = None,
    clock: Callable[[], float] | None = None,
    dropped: Callable[[], bool] | None = None,
) -> Outcome:
    """``call()`` (an activity run in this process) as one observed attempt: its span, duration, log fields.

    *dropped*: asked once the call returned, whether its answer comes too late to be taken (the host had timed
    the attempt out, or its run closed): the attempt is then ``lost``, as a worker whose answer SWF dropped says.
    """
    attempt = telemetry.activity_attempt(context, started_event_id=started_event_id, clock=clock)
    trace_id, span_id = attempt.ids
    fields = activity_log_fields(context)
    fields["trace_id"], fields["span_id"] = trace_id or None, span_id or None
    logged = logging_context.push(fields)  # not exported: the local host runs activities on threads
    parent = telemetry.attach_parent(trace_id, span_id)
    try:
        outcome = call()
    except BaseException as error:
        attempt.end("failed", qualified_name(type(error)))  # as a failure's details name it (error_type)
        raise
    finally:
        telemetry.detach_parent(parent)
        logging_context.pop(logged)
    if dropped is not None and dropped():
        attempt.end("lost", "lost")
    elif outcome.status == COMPLETED:
        attempt.end("completed")
    else:
        details = _loads(outcome.details)
        if is_cancellation(details):
            attempt.end("canceled", "canceled")
        else:
            attempt.end("failed", failure_error_type(details))
    return outcome


def _loads(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return None


class DecisionTasks:
    """One run's decision tasks as a host sees them: each one's telemetry and log fields.

    ``begin`` when a task starts (with the events after the previous task's DecisionTaskStarted),
    ``scope()`` around the engine's work, ``done`` once answered (``failed`` if it could not be).
    """

    def __init__(
        self,
        *,
        domain: str,
        task_list: str,
        workflow_type: str,
        workflow_id: str,
        run_id: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.fields = {"domain": domain, "task_list": task_list, "workflow_type": workflow_type}
        self.fields.update(workflow_id=workflow_id, run_id=run_id)
        self.clock = clock
        self.current: Any = telemetry.NOTHING
        self.event_id: int | None = None

    @classmethod
    def polled(cls, task: dict[str, Any], domain: str, task_list: str) -> DecisionTasks:
        """Those of a task polled from SWF, begun: its new events are those after SWF's
        ``previousStartedEventId`` (the last task answered), so that no event is reported twice."""
        execution = task.get("workflowExecution") or {}
        observed = cls(
            domain=domain,
            task_list=task_list,
            workflow_type=(task.get("workflowType") or {}).get("name") or "",
            workflow_id=execution.get("workflowId") or "",
            run_id=execution.get("runId") or "",
        )
        previous = task.get("previousStartedEventId") or 0
        observed.begin([e for e in task.get("events") or () if e["eventId"] > previous], task.get("startedEventId"))
        return observed

    def begin(self, new_events: list[dict[str, Any]], started_event_id: int | None, run: Any = None) -> None:
        """A task starts; with *run*, the engine's work starts too (else call ``current.replay_started``)."""
        self.current = telemetry.decision_task(new_events=new_events, clock=self.clock, **self.fields)
        self.event_id = started_event_id
        if run is not None:
            self.current.replay_started(run)

    def scope(self) -> contextlib.AbstractContextManager:
        """The logging context of the task (which execution, which event, which span)."""
        trace_id, span_id = self.current.ids
        ids = {"trace_id": trace_id or None, "span_id": span_id or None}
        return logging_context.scope(**self.fields, task_type="decision", event_id=self.event_id, **ids)

    def done(self, run: Any, decisions: list[dict[str, Any]]) -> None:
        self.current.replay_ended(run, decisions)
        self.current.end()

    def failed(self, error: BaseException) -> None:
        self.current.end(error=type(error).__name__)
