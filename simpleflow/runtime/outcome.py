"""How a task or an execution ended (``Outcome``), and calling an activity.

``Outcome`` is the one answer of the local host (``LocalExecution.execute``), of ``simpleflow standalone``
(``run_standalone``) and of an activity run here (``run_activity``, ``activity.rerun``), with SWF's close
statuses spelled one way. Calling an activity is shared by the SWF activity worker and the local host, so an
activity is called the same way (context, class activities, ``post_execute``) and a failure reads the same
(reason, details keys) wherever it ran.
"""

from __future__ import annotations

import inspect
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from simpleflow import format, jumbo
from simpleflow.activity import HEARTBEAT_DETAILS_KEY, Activity, Beat, beating
from simpleflow.constants import EVENT_LIMIT_EXCEEDED, MAX_HISTORY_EVENTS, MAX_RESULT_LENGTH
from simpleflow.exceptions import DataError, ExecutionError, PicklesAsIs
from simpleflow.runtime.middleware import NONE, Middlewares

# The statuses of an outcome: SWF's close statuses (closeStatus), lowercased.
COMPLETED = "completed"
FAILED = "failed"
CANCELED = "canceled"
TERMINATED = "terminated"
TIMED_OUT = "timed_out"
CONTINUED_AS_NEW = "continued_as_new"
STATUSES = (COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT, CONTINUED_AS_NEW)


@dataclass
class Outcome:
    """How a task or an execution ended.

    Attributes:
        status: one of ``STATUSES`` (an activity run here is only ``completed`` or ``failed``).
        result: an execution's result, decoded; an activity's result as SWF carries it (its JSON text, or
            the reference of a jumbo field). For ``continued_as_new``, the input of the next run.
        reason: why it failed (or SWF's cause when it gives no reason).
        details: the failure's or cancellation's details (JSON text).
        workflow_id, run_id: the execution's (empty for an activity).
        events: the run's history (the local host's; empty elsewhere).
        previous: the run this one continued (the local host's continue-as-new chain).
    """

    status: str
    result: Any = None
    reason: str | None = None
    details: str | None = None
    workflow_id: str = ""
    run_id: str = ""
    events: list[dict[str, Any]] = field(default_factory=list, repr=False)
    previous: Outcome | None = field(default=None, repr=False)

    @property
    def completed(self) -> bool:
        """Whether it ended well: an execution's run completed, or the activity returned."""
        return self.status == COMPLETED

    @property
    def close_status(self) -> str:
        """The status as SWF spells a closeStatus (COMPLETED, FAILED, CONTINUED_AS_NEW...)."""
        return self.status.upper()


def limit_reason(cause: str | None) -> str | None:
    """The line saying why SWF terminated a run whose WorkflowExecutionTerminated has this *cause*, when the cause
    is its history's limit; None for any other cause."""
    if cause != EVENT_LIMIT_EXCEEDED:
        return None
    return (
        f"its history reached SWF's limit of {MAX_HISTORY_EVENTS:,} events ({EVENT_LIMIT_EXCEEDED}): a workflow "
        "that loops for ever must continue as new before it gets there"
    )


def qualified_name(exc_type: type) -> str:
    module = exc_type.__module__
    return exc_type.__name__ if module in ("builtins", "__main__") else f"{module}.{exc_type.__name__}"


class FieldTooLarge(PicklesAsIs, Exception):
    """A field is over SWF's size limit and no jumbo-field store is configured."""

    def __init__(self, kind: str, size: int, limit: int) -> None:
        super().__init__(
            f"the activity {kind} is {size} characters long, over SWF's limit of {limit}: "
            f"set {jumbo.BUCKET_ENV} to store large fields in S3"
        )
        self.kind = kind
        self.size = size
        self.limit = limit


class InvalidResult(PicklesAsIs, Exception):
    """An activity returned a value JSON cannot encode, or nested deeper than any reader takes (*problem* says
    which): a data error of the activity, never a transient fault."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"activity '{name}': {problem}")

    @property
    def details(self) -> dict[str, Any]:
        """The task's failure details: no traceback (it would only show simpleflow's encoder)."""
        return named_failure("InvalidResult", str(self))


def too_large(error: FieldTooLarge) -> dict[str, Any]:
    """Failure details of a task whose result or details SWF cannot take: the same on both hosts, and no
    traceback (nothing of the activity's code raised it)."""
    return named_failure("FieldTooLarge", str(error), qualified_name(FieldTooLarge))


def error_details(error: BaseException) -> dict[str, Any]:
    """Failure details of *error*, with the keys simpleflow has always used.

    An ``ExecutionError`` from ``@execute.python()`` carries the failure of the function in the
    other interpreter: those details are the task's, as if it had run here.
    """
    remote = getattr(error, "details", None)
    if isinstance(error, ExecutionError) and isinstance(remote, dict) and "error" in remote:
        return dict(remote)
    try:
        message = str(error)
    except Exception:  # a broken __str__ must not hide the failure itself
        message = f"<unprintable {type(error).__name__}>"
    details = {
        "error": type(error).__name__,
        "error_type": qualified_name(type(error)),
        "message": message,
        "traceback": traceback.format_exception(type(error), error, error.__traceback__),
    }
    if isinstance(error, DataError):
        details["data_error"] = True  # never retried (simpleflow.retry.is_data_error): another try fails the same
    return details


def named_failure(error: str, message: str, error_type: str | None = None) -> dict[str, Any]:
    """Failure details of a failure that is no exception of the activity (a killed process...)."""
    return {"error": error, "error_type": error_type or error, "message": message, "traceback": []}


def reason_of(details: dict[str, Any]) -> str:
    """The one-line reason: ``<error>: <first line of the message>``."""
    message = details.get("message") or ""
    first = message.splitlines()[0] if message.strip() else ""
    return f"{details['error']}: {first}" if first else details["error"]


def parse_input(text: str | None) -> tuple[list, dict]:
    """A task's ``{"args": [...], "kwargs": {...}}``; ValueError when it is not that."""
    args, kwargs, _ = parse_task_input(text)
    return args, kwargs


def parse_task_input(text: str | None) -> tuple[list, dict, Any]:
    """A task's arguments and the previous attempt's last heartbeat details (decoded; None if absent).

    Raises:
        ValueError: the input is not ``{"args": [...], "kwargs": {...}}`` (a ``DataError`` when it nests
            deeper than ``format.MAX_JSON_DEPTH``).
    """
    if not text:
        return [], {}, None
    format.check_nesting(text, "input")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError(
            f'the input must be a JSON object {{"args": [...], "kwargs": {{...}}}}, not {type(data).__name__}'
        )
    args, kwargs = data.get("args") or [], data.get("kwargs") or {}
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise ValueError('"args" must be a list and "kwargs" an object')
    details = data.get(HEARTBEAT_DETAILS_KEY)
    return args, kwargs, None if details is None else format.loads(jumbo.decode(details))


def result_text(value: Any, name: str) -> str:
    """The result *value* of the activity *name* as the JSON its task completes with.

    Raises:
        InvalidResult: JSON cannot encode it, or it nests deeper than ``format.MAX_JSON_DEPTH`` (no reader would
            take it).
    """
    try:
        text = format.dumps(value)
        format.check_nesting(text)
    except TypeError as err:
        raise InvalidResult(name, f"its result cannot be encoded as JSON ({err})") from None
    except DataError as err:
        raise InvalidResult(name, f"its result is {err.problem}") from None
    return text


def call_activity(
    act: Activity, args: list, kwargs: dict, context: dict[str, Any], middlewares: Middlewares = NONE
) -> Any:
    """Call *act* as simpleflow does: the context as an attribute (or a keyword), classes' ``execute``,
    between the pre- and post-execution *middlewares*."""
    if not middlewares:
        return _call(act, args, kwargs, context)
    middlewares.before(context)
    result = _call(act, args, kwargs, context)
    middlewares.after(context, result)
    return result


def task_signature(act: Activity) -> inspect.Signature | None:
    """The parameters a task's arguments fill: those of *act*'s callable (a class's ``__init__``), less the
    ``context`` a worker passes itself (see ``_call``); None when the callable has no signature to inspect."""
    try:
        signature = inspect.signature(act.callable)
    except (TypeError, ValueError):
        return None
    if getattr(act.callable, "add_context_in_kwargs", False):
        signature = signature.replace(parameters=[p for p in signature.parameters.values() if p.name != "context"])
    return signature


def _call(act: Activity, args: list, kwargs: dict, context: dict[str, Any]) -> Any:
    func = act.callable
    if getattr(func, "add_context_in_kwargs", False):
        kwargs = dict(kwargs, context=context)
    if isinstance(func, type) and hasattr(func, "execute"):
        instance = func(*args, **kwargs)
        instance.context = context
        result = instance.execute()
        if hasattr(instance, "post_execute"):
            instance.post_execute()
        return result
    try:
        func.context = context
    except (AttributeError, TypeError):  # a builtin or a callable without a __dict__
        pass
    return func(*args, **kwargs)


_TASK_CANCELED = "simpleflow.exceptions.TaskCanceled"


def is_cancellation(failure: dict[str, Any] | None) -> bool:
    """The activity's failure is a ``TaskCanceled`` it let out: the task answers canceled, not failed."""
    return isinstance(failure, dict) and failure.get("error_type") == _TASK_CANCELED


def _no_beat(details: str | None) -> bool:
    return False


def failed(details: dict[str, Any]) -> Outcome:
    """The outcome of an activity that failed with these failure details."""
    return Outcome(FAILED, reason=format.format_reason(reason_of(details)), details=format.dumps(details))


def fetch_binaries(act: Activity) -> None:
    """Download the programs *act* declares (``meta={"binaries": {...}}``) and put them on ``$PATH``, as every
    host does before running it: from the declared activity, never from the task's input (data picks no program).

    Raises:
        DataError: a binary S3 has not (simpleflow.runtime.binaries.download_binaries).
    """
    meta = getattr(act, "meta", None)  # the testing kit's stand-ins for an activity have none
    binaries = meta.get("binaries") if isinstance(meta, dict) else None
    if binaries:
        from simpleflow.runtime.binaries import download_binaries  # here: boto3 only for activities that need it

        download_binaries(binaries)


def run_activity(
    act: Activity,
    input_text: str | None,
    context: dict[str, Any],
    middlewares: Middlewares = NONE,
    send: Callable[[str | None], bool] | None = None,
) -> Outcome:
    """Run *act* here on the task's JSON input (a jumbo field is read back); never raises.

    *send* records the activity's heartbeats (``simpleflow.activity.heartbeat``); without it they do nothing.
    """
    try:
        args, kwargs, last_details = parse_task_input(jumbo.decode(input_text))
    except jumbo.JumboFieldUnavailable as err:  # in an SWF worker's words (swf.worker)
        return failed(named_failure("JumboFieldUnavailable", f"activity '{act.name}': its input {err}"))
    except ValueError as err:
        return failed(named_failure("InvalidInput", f"activity '{act.name}': {err}"))
    try:
        fetch_binaries(act)
        with beating(Beat(send or _no_beat, last_details)):
            value = call_activity(act, args, kwargs, context, middlewares)
        text = result_text(value, act.name)
        # An oversize result goes to S3, or fails the task saying what to set, as an SWF worker fails it.
        return Outcome(COMPLETED, result=jumbo.encode(text, "result"))
    except InvalidResult as error:
        return failed(error.details)
    except jumbo.JumboFieldTooLarge:
        return failed(too_large(FieldTooLarge("result", len(text), MAX_RESULT_LENGTH)))
    except jumbo.JumboFieldNotStored as err:  # in an SWF worker's words (swf.worker)
        return failed(named_failure("JumboFieldNotStored", f"activity '{act.name}': {err}"))
    except Exception as error:
        return failed(error_details(error))
