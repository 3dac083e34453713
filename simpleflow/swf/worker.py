"""The activity worker: poll a task, run its declared activity in an activity process, heartbeat, respond.

Only activities registered from the worker's modules run; a task naming anything else fails,
nothing is imported from its name. The activity runs in a forked process that serves task after task
(``activity_process``); its result or error comes back through a pipe as JSON, so an activity that
crashes or is killed fails its task and the worker goes on with a fresh process.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from simpleflow import activity as registry
from simpleflow import format, jumbo, logging_context, settings
from simpleflow.activity import Beat, beating
from simpleflow.constants import (
    MAX_DETAILS_LENGTH,
    MAX_HEARTBEAT_DETAILS_LENGTH,
    MAX_REASON_LENGTH,
    MAX_RESULT_LENGTH,
)
from simpleflow.runtime.loader import import_named_module, scan_activities
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.outcome import (
    call_activity,
    error_details,
    is_cancellation,
    named_failure,
    parse_task_input,
    reason_of,
)
from simpleflow.swf import client
from simpleflow.swf.activity_process import ActivityProcesses, run_order
from simpleflow.swf.poller import Backoff, run_pollers, stop_on_signals
from simpleflow.swf.process import supervise

__all__ = ["FieldTooLarge", "activity_processes", "find_activity", "handle_task", "run_worker"]

log = logging.getLogger(__name__)

JUMBO_FIELDS_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"
LIMITS = {
    "result": MAX_RESULT_LENGTH,
    "details": MAX_DETAILS_LENGTH,
    "reason": MAX_REASON_LENGTH,
    "heartbeat_details": MAX_HEARTBEAT_DETAILS_LENGTH,
}
# After failed polls, waits grow from 1 s to this (empty polls: poller.Backoff's defaults).
ERROR_BACKOFF_MAX = 30.0
# Long enough for a poll in flight (60 s on SWF) to come back and its task to be handled.
STOP_GRACE_PERIOD = 90.0
_MAX_DETAILS_MESSAGE = 2000
_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class FieldTooLarge(Exception):
    """A field is over SWF's size limit and no jumbo-field store is configured."""

    def __init__(self, kind: str, size: int, limit: int) -> None:
        super().__init__(
            f"the activity {kind} is {size} characters long, over SWF's limit of {limit}: "
            f"set {JUMBO_FIELDS_ENV} to store large fields in S3"
        )
        self.kind = kind
        self.size = size
        self.limit = limit


def _encode_field(kind: str, text: str | None) -> str | None:
    """The form of an outgoing *kind* field (result, details, reason) that SWF will accept.

    An oversize field goes to S3 as a jumbo field when SIMPLEFLOW_JUMBO_FIELDS_BUCKET is set.
    Without it, a reason (one line for humans) is cut to its limit; an oversize result or
    details raises :class:`FieldTooLarge`, never a truncated payload.
    """
    if text is None:
        return None
    limit = LIMITS[kind]
    if len(text) <= limit:
        return text
    try:
        return jumbo.encode(text, kind)
    except jumbo.JumboFieldTooLarge:
        if kind == "reason":
            return text[:limit]
        raise FieldTooLarge(kind, len(text), limit) from None


def _decode_field(text: str | None) -> str | None:
    """The content of an incoming field (a task's input), read back from S3 if it is a jumbo field."""
    return jumbo.decode(text)


# --- the activity process's side ---------------------------------------------------------


class _ChildBeat:
    """The activity's own heartbeats (``simpleflow.activity.heartbeat``), sent from the activity process.

    It records them itself, so that a cancellation request reaches the activity as the call's answer; it passes
    their details on to the worker (*progress*: a JSON line on its pipe), whose automatic heartbeats repeat
    them: SWF's timeout event carries the details of the last heartbeat, whoever sent it.
    """

    def __init__(self, token: str, progress: Callable[[Any], None]) -> None:
        self.token = token
        self.progress = progress

    def send(self, details: str | None) -> bool:
        field = _encode_field("heartbeat_details", details)
        self.progress(field)
        return _heartbeat(self.token, field) == "cancel"


def _perform(
    order: dict[str, Any], progress: Callable[[Any], None], modules: tuple, middlewares: Middlewares
) -> dict[str, Any]:
    """In the activity process: run the task *order* names, return ``{"result": text}`` or ``{"failure": details}``.

    The worker checked the order (a declared activity, an input that parses) before sending it; the process
    looks the activity up again in its own registry, never in anything the order holds but a name.
    """
    context = order["context"]
    act, message = find_activity(context["name"], modules)
    if act is None:
        return {"failure": named_failure("ActivityNotDeclared", message)}
    try:
        args, kwargs, last_details = parse_task_input(context["input"])
        binaries = act.meta.get("binaries") if isinstance(act.meta, dict) else None
        if binaries:  # from the declared activity, never from the task's input: data picks no program
            from simpleflow.download import download_binaries

            download_binaries(binaries)
        with (
            logging_context.scope(
                workflow_id=context.get("workflow_id"),
                task_type="activity",
                activity_id=context.get("activity_id"),
                domain=context.get("domain_name"),
                task_list=context.get("activity_task_list"),
            ),
            beating(Beat(_ChildBeat(order["token"], progress).send, last_details)),
        ):
            return {"result": format.dumps(call_activity(act, args, kwargs, context, middlewares))}
    except BaseException as error:  # noqa: B036 - SystemExit and KeyboardInterrupt fail the task too
        return {"failure": error_details(error)}


def activity_processes(
    modules: tuple, middlewares: Middlewares = NONE, tasks_per_child: int | None = None, own_thread: bool = True
) -> ActivityProcesses:
    """The pool of activity processes of one worker process (settings: tasks per child, memory limit).

    *own_thread*: fork from a thread of the pool's (pollers on short-lived threads share the pool); without,
    from the calling thread, which must outlive the processes.
    """
    if tasks_per_child is None:
        tasks_per_child = settings.get("SIMPLEFLOW_WORKER_TASKS_PER_CHILD")
    return ActivityProcesses(
        functools.partial(_perform, modules=modules, middlewares=middlewares),
        tasks_per_child=max(1, tasks_per_child),
        max_memory=settings.get("SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY"),
        own_thread=own_thread,
    )


# --- the worker side ----------------------------------------------------------------------


def _fit_details(details: dict[str, Any]) -> str:
    try:
        return _encode_field("details", format.dumps(details))  # type: ignore[return-value]
    except FieldTooLarge:
        pass
    # Details must stay valid JSON: keep the last traceback lines (the raising frames) that fit.
    short = dict(details, truncated=True, message=str(details.get("message", ""))[:_MAX_DETAILS_MESSAGE])
    cap = _MAX_DETAILS_MESSAGE
    lines = [line if len(line) <= cap else line[:cap] + "...\n" for line in short.get("traceback") or []]
    short["traceback"] = []
    base = len(format.dumps(short))
    kept: list[str] = []
    for line in reversed(lines):
        base += len(format.dumps(line)) + 1
        if base > MAX_DETAILS_LENGTH:
            break
        kept.insert(0, line)
    short["traceback"] = kept
    return format.dumps(short)


def _respond(call: str, token: str, **kwargs: Any) -> bool:
    """Answer SWF for a task; False when SWF refused the answer."""
    try:
        getattr(client.swf_client(), call)(taskToken=token, **kwargs)
    except ClientError as err:
        # Typically the task timed out or its execution closed meanwhile: SWF has moved on.
        log.warning("%s refused: %s", call, err)
        return False
    return True


def _fail(token: str, details: dict[str, Any]) -> bool:
    return _respond(
        "respond_activity_task_failed",
        token,
        reason=_encode_field("reason", reason_of(details)),
        details=_fit_details(details),
    )


class _Stopper:
    """Set by SIGTERM/SIGINT (a plain flag: safe in a signal handler) or by an external event."""

    def __init__(self, event: threading.Event | None) -> None:
        self.event = event
        self.flag = False

    def is_set(self) -> bool:
        return self.flag or (self.event is not None and self.event.is_set())

    def sleep(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while not self.is_set():
            left = end - time.monotonic()
            if left <= 0:
                return
            time.sleep(min(left, 0.1))


def _heartbeat(token: str, details: str | None = None) -> str:
    """'ok', 'cancel' (SWF asks to cancel) or 'gone' (the task no longer exists)."""
    extra = {} if details is None else {"details": details}
    try:
        response = client.swf_client().record_activity_task_heartbeat(taskToken=token, **extra)
    except ClientError as err:
        if client.error_code(err) == "UnknownResourceFault":
            log.warning("heartbeat: task is gone (%s)", err)
            return "gone"
        log.warning("heartbeat failed: %s", err)
        return "ok"
    except (BotoCoreError, OSError) as err:  # the network: the next beat tries again, the activity goes on
        log.warning("heartbeat failed: %s", err)
        return "ok"
    return "cancel" if response.get("cancelRequested") else "ok"


def _run(
    processes: ActivityProcesses | None,
    modules: tuple,
    middlewares: Middlewares,
    order: dict[str, Any],
    heartbeat: float | None,
) -> tuple[str, Any, str, Any]:
    """Run *order* in an activity process, heartbeating every *heartbeat* seconds with the details of the
    activity's own last heartbeat. Returns the outcome and value of ``run_order``, the last beat's answer
    ('ok', or 'cancel' / 'gone', which stopped the process) and the details of the activity's last heartbeat."""
    token = order["token"]
    state = {"details": None, "beat": "ok"}

    def on_progress(details: Any) -> None:
        state["details"] = details

    def on_period() -> bool:
        state["beat"] = _heartbeat(token, state["details"])
        return state["beat"] == "ok"

    own = processes is None
    if own:
        processes = activity_processes(modules, middlewares, tasks_per_child=1, own_thread=False)
    try:
        outcome, value = run_order(processes, order, heartbeat, on_period, on_progress)
    finally:
        if own:
            processes.close()
    return outcome, value, state["beat"], state["details"]


def _died_failure(code: int) -> dict[str, Any]:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown signal"
        return named_failure("WorkerKilled", f"activity process killed by signal {-code} ({name})")
    return named_failure("WorkerExited", f"activity process exited with code {code} before sending a result")


def find_activity(name: str, modules: tuple) -> tuple[registry.Activity | None, str]:
    """The declared activity a task names, or None and why not.

    With *modules*, only what they declared (scanned up front) runs. Without, as simpleflow's worker does,
    ``pkg.mod.func`` imports ``pkg.mod``; still only a function or class declared with
    ``@activity.with_attributes`` runs, never another callable (``os.system``...).
    """
    act = registry.find(name)
    if act is not None:
        return act, ""
    if modules:
        return None, f"activity '{name}' is not declared in this worker (modules: {', '.join(modules)})"
    module_name, _, attr = name.rpartition(".")
    if not _DOTTED.match(name) or not module_name:
        return None, f"activity '{name}' is not declared in this worker (no module to import it from)"
    try:
        module = import_named_module(module_name)
    except Exception as err:  # an ImportError, or the module failing as it loads
        return None, f"activity '{name}': cannot import module '{module_name}': {type(err).__name__}: {err}"
    act = registry.find(name)
    if act is not None:
        return act, ""
    found = getattr(module, attr, None)
    if found is None:
        return None, f"activity '{name}': module '{module_name}' has no '{attr}'"
    if isinstance(found, registry.Activity):  # declared under another name
        return found, ""
    return None, (
        f"'{name}' is not an activity: only functions and classes declared with @activity.with_attributes are run"
    )


def handle_task(
    task: dict[str, Any],
    domain: str,
    task_list: str,
    heartbeat: float | None,
    modules: tuple,
    middlewares: Middlewares = NONE,
    processes: ActivityProcesses | None = None,
) -> bool:
    """Run one polled task and answer SWF; False when there was no answer SWF accepted.

    The activity runs in one of *processes* (None: a process forked for this task alone).
    """
    token = task["taskToken"]
    name = task["activityType"]["name"]
    act, message = find_activity(name, modules)
    if act is None:
        log.error("task %s: %s", task.get("activityId"), message)
        return _fail(token, named_failure("ActivityNotDeclared", message))
    try:
        raw_input = _decode_field(task.get("input"))
    except jumbo.JumboFieldUnavailable as err:  # gone for good: waiting for the heartbeat timeout helps nobody
        log.error("task %s: %s", task.get("activityId"), err)
        return _fail(token, named_failure("JumboFieldUnavailable", f"activity '{name}': its input {err}"))
    try:
        parse_task_input(raw_input)
    except ValueError as err:
        return _fail(token, named_failure("InvalidInput", f"activity '{name}': {err}"))
    context = {
        "name": name,
        "version": task["activityType"].get("version"),
        "workflow_id": task["workflowExecution"]["workflowId"],
        "run_id": task["workflowExecution"]["runId"],
        "activity_id": task["activityId"],
        "input": raw_input,
        "domain_name": domain,
        "activity_task_list": task_list,
    }
    log.info("task %s: running %s", task["activityId"], name)
    order = {"token": token, "context": context}
    outcome, value, beat, details = _run(processes, modules, middlewares, order, heartbeat)
    canceled = outcome == "stopped" and beat == "cancel"
    if canceled or (outcome not in ("stopped", "died") and is_cancellation(value.get("failure"))):
        # The worker's heartbeat was told to cancel (the process is stopped), or the activity let TaskCanceled out.
        log.info("task %s: canceled", task["activityId"])
        return _respond("respond_activity_task_canceled", token, **({} if details is None else {"details": details}))
    if outcome == "stopped":
        log.info("task %s: killed, SWF no longer knows it", task["activityId"])
        return False
    if outcome == "died":
        return _fail(token, _died_failure(value))
    if "result" in value:
        try:
            result = _encode_field("result", value["result"])
        except FieldTooLarge as err:
            return _fail(token, error_details(err))
        return _respond("respond_activity_task_completed", token, result=result)
    if "failure" in value:
        return _fail(token, value["failure"])
    return _fail(token, named_failure("WorkerError", f"activity process sent an unexpected message: {sorted(value)}"))


def _serve(
    domain: str,
    task_list: str,
    heartbeat: float | None,
    modules: tuple,
    stop_event: threading.Event | None,
    middlewares: Middlewares = NONE,
) -> None:
    """One worker process (or thread): poll and handle tasks until stopped."""
    stopper = _Stopper(stop_event)
    if threading.current_thread() is threading.main_thread():

        def on_signal(signum: int, frame: Any) -> None:
            stopper.flag = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
    processes = activity_processes(modules, middlewares)
    try:
        _serve_loop(domain, task_list, heartbeat, modules, stopper, middlewares, processes)
    finally:
        processes.close()


def _serve_loop(
    domain: str,
    task_list: str,
    heartbeat: float | None,
    modules: tuple,
    stopper: _Stopper,
    middlewares: Middlewares,
    processes: ActivityProcesses,
) -> None:
    ident = client.identity()
    empty_polls = Backoff()
    errors = Backoff(1.0, ERROR_BACKOFF_MAX)
    while not stopper.is_set():
        try:
            task = client.poll_activity_task(domain, task_list, ident)
        except client.UnknownDomain:
            raise
        except Exception:
            delay = errors.next()
            log.exception("polling %s/%s failed, retrying in %.0fs", domain, task_list, delay)
            stopper.sleep(delay)
            continue
        errors.reset()
        if task is None:
            stopper.sleep(empty_polls.next())
            continue
        empty_polls.reset()
        # A task in hand is always handled, even when a stop was asked during the poll.
        try:
            handle_task(task, domain, task_list, heartbeat, modules, middlewares, processes)
        except Exception:
            log.exception("task %s: could not be handled", task.get("activityId"))


def _serve_pollers(
    domain: str,
    task_list: str,
    heartbeat: float | None,
    modules: tuple,
    stop_event: threading.Event | None,
    pollers: int,
    middlewares: Middlewares = NONE,
) -> None:
    """Several pollers in one process. An endpoint that answers an empty poll only after a
    while (the moto server waits 1 s; SWF returns at once when a task comes) delays each new
    task until the next poll starts: staggered polls in flight cut that wait."""
    if pollers <= 1:
        _serve(domain, task_list, heartbeat, modules, stop_event, middlewares)
        return
    stop = stop_event or threading.Event()
    stop_on_signals(stop)
    ident = client.identity()
    processes = activity_processes(modules, middlewares)

    def poll_and_handle() -> bool:
        task = client.poll_activity_task(domain, task_list, ident)
        if task is None:
            return False
        try:
            handle_task(task, domain, task_list, heartbeat, modules, middlewares, processes)
        except Exception:
            log.exception("task %s: could not be handled", task.get("activityId"))
        return True

    try:
        run_pollers(poll_and_handle, pollers, stop)
    finally:
        processes.close()


def run_worker(
    domain: str,
    task_list: str,
    *,
    nb_processes: int = 1,
    heartbeat: float | None = 60,
    modules: Iterable[str] = (),
    stop_event: threading.Event | None = None,
    pollers: int = 1,
    middlewares: Middlewares = NONE,
) -> None:
    """Serve activity tasks of *domain*/*task_list* until SIGTERM/SIGINT or *stop_event*.

    Activities are those registered by scanning *modules*. With ``nb_processes > 1`` the
    pollers run in supervised child processes; otherwise in this process (or thread).
    *heartbeat* is the period in seconds of heartbeats while an activity runs (0/None: none).
    *pollers* polls are kept in flight per process, each running its own task: a process
    then runs up to that many activities at once (see ``_serve_pollers``).
    *middlewares* are called around each activity (simpleflow.runtime.middleware).
    """
    modules = tuple(modules)
    if os.getcwd() not in sys.path and "" not in sys.path:  # modules are found from here, as workflow paths are
        sys.path.insert(0, os.getcwd())
    for module in modules:
        scan_activities(module)  # a module that does not import is reported before SWF is asked anything
    client.check_domain(domain)
    heartbeat = heartbeat or None
    if nb_processes <= 1:
        _serve_pollers(domain, task_list, heartbeat, modules, stop_event, pollers, middlewares)
        return
    supervise(
        _serve_pollers,
        (domain, task_list, heartbeat, modules, None, pollers, middlewares),
        nb_processes,
        name=f"worker[{task_list}]",
        grace_period=STOP_GRACE_PERIOD,
        stop_event=stop_event,
    )
