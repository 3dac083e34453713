"""The activity worker: poll a task, run its declared activity in an activity process, heartbeat, respond.

Only activities registered from the worker's modules run; a task naming anything else fails,
nothing is imported from its name. The activity runs in a forked process that serves task after task
(``activity_process``, each order run as ``activity_run`` says); its result or error comes back through
a pipe as JSON, so an activity that crashes or is killed fails its task and the worker goes on with a
fresh process. ``Worker`` polls with the SWF host's one poll loop (``poller.PollLoop``); ``run_worker``
is the entry point of ``worker.start`` and ``standalone``'s workers."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterable
from typing import Any

from simpleflow import activity as registry
from simpleflow import jumbo, telemetry
from simpleflow.log import json_logs
from simpleflow.runtime.loader import scan_activities, use_current_directory
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.observed import attempt_of, failure_error_type, traced_scope
from simpleflow.runtime.outcome import is_cancellation, named_failure, parse_task_input, reason_of, too_large
from simpleflow.swf import activity_task as answers
from simpleflow.swf import client, poller
from simpleflow.swf.activity_process import ActivityProcesses, run_order
from simpleflow.swf.activity_run import activity_processes, find_activity
from simpleflow.swf.activity_task import FieldTooLarge
from simpleflow.swf.poller import PollLoop, stop_on_signals
from simpleflow.swf.process import supervise

__all__ = ["STOP_GRACE_PERIOD", "FieldTooLarge", "Worker", "activity_processes", "find_activity", "run_worker"]

log = logging.getLogger(__name__)

# Long enough for a poll in flight (60 s on SWF) to come back and its task to be handled.
STOP_GRACE_PERIOD = 90.0
MAX_KNOWN_RUNS = 4096  # workflow types of runs remembered by a worker process


def _unread(task: dict[str, Any], error: BaseException) -> str:
    """Why a task's input (a jumbo field) could not be read: the object and S3's error."""
    where = str(task.get("input") or "").split(" ", 1)[0].replace(jumbo.PREFIX, "s3://", 1)
    lines = str(error).strip().splitlines()
    return f"{where} cannot be read from S3: {type(error).__name__}" + (f": {lines[0]}" if lines else "")


def _fail(task: dict[str, Any], context: dict[str, Any], failure: Any) -> tuple[bool, tuple[str, str | None]]:
    """Fail *task* with *failure* (its details), said in one WARNING line (its traceback after it at DEBUG)."""
    error_type = failure_error_type(failure)
    details = failure if isinstance(failure, dict) else {}
    trace = "".join(details.get("traceback") or ()) if log.isEnabledFor(logging.DEBUG) else ""
    log.warning(
        "task %s: activity '%s' failed (attempt %s): %s%s",
        task.get("activityId"),
        context["name"],
        context["attempt"],
        reason_of(details) if details.get("error") else error_type,
        "\n" + trace.rstrip() if trace else "",
    )
    return answers.fail(task["taskToken"], failure), ("failed", error_type)


def _died_failure(code: int) -> dict[str, Any]:
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "unknown signal"
        return named_failure("WorkerKilled", f"activity process killed by signal {-code} ({name})")
    return named_failure("WorkerExited", f"activity process exited with code {code} before sending a result")


class Worker:
    """Serves the activity tasks of *domain*/*task_list*: polls, runs each task's declared activity, answers SWF.

    *heartbeat*: seconds between the heartbeats sent while an activity runs (0/None: none). *modules*: where
    the activities are declared (see ``find_activity``). *middlewares*: called around each activity
    (simpleflow.runtime.middleware). ``run`` serves tasks until stopped, each in one of a pool of activity
    processes; ``run_one`` serves one; ``handle`` runs a task someone else polled.
    """

    def __init__(
        self,
        domain: str,
        task_list: str,
        *,
        heartbeat: float | None = 60,
        modules: Iterable[str] = (),
        middlewares: Middlewares = NONE,
    ) -> None:
        self.domain = domain
        self.task_list = task_list
        self.heartbeat = heartbeat or None
        self.modules = tuple(modules)
        self.middlewares = middlewares
        self.identity: str | None = None  # who polls, as SWF records it: set when polling starts (after a fork)
        self.processes: ActivityProcesses | None = None  # while ``run`` runs; None: a process forked per task
        self._workflow_types: dict[str, str] = {}  # run id -> its workflow type's name (oldest first)
        self._stop = threading.Event()  # ``run``'s

    def prepare(self) -> None:
        """Register the activities of the modules and check the domain: a module that does not import is
        reported before SWF is asked anything (modules are found from the current directory, as workflow
        paths are)."""
        use_current_directory()
        for module in self.modules:
            scan_activities(module)
        client.check_domain(self.domain)

    # -- polling -------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None, pollers: int = 1) -> None:
        """Serve tasks until *stop* is set (or, on the main thread, SIGTERM/SIGINT); the task in hand is finished.

        *pollers* polls are kept in flight (``poller.PollLoop``), each running its own task: up to that
        many activities run at once, in a pool of activity processes kept from task to task.
        """
        stop = self._stop = stop if stop is not None else threading.Event()
        self.identity = client.identity()
        self.processes = activity_processes(self.modules, self.middlewares)
        try:
            with stop_on_signals(stop):
                PollLoop(self.poll_once, stop, pollers=pollers, name=f"worker {self.task_list}").run()
        finally:
            self.processes.close()
            self.processes = None

    def poll_once(self) -> bool:
        """Poll one task and handle it; False when the poll came back empty."""
        task = client.poll_activity_task(self.domain, self.task_list, self.identity)
        if task is None:
            return False
        if not poller.keep(self._stop, f"activity task {task.get('activityId')}"):
            return False
        try:
            self.handle(task)
        except Exception:  # this task's trouble, not the endpoint's: the worker goes on
            log.exception("task %s: could not be handled", task.get("activityId"))
        return True

    def run_one(self, stop: threading.Event | None = None) -> tuple[dict[str, Any], bool] | None:
        """Poll until a task comes (or *stop*, or SIGTERM/SIGINT on the main thread), run it and answer SWF.

        The task runs in a process forked for it alone. Returns the task and whether SWF accepted the
        answer, or None when stopped before a task came.
        """
        stop = stop if stop is not None else threading.Event()
        self.identity = client.identity()
        done: list[tuple[dict[str, Any], bool]] = []
        raised: list[Exception] = []

        def poll() -> bool:
            task = client.poll_activity_task(self.domain, self.task_list, self.identity)
            if task is None:
                return False
            loop.finish()  # a task in hand is always run and answered, even if a stop came during the poll
            try:
                done.append((task, self.handle(task)))
            except Exception as err:  # raised to the caller, as handling it would have been without a loop
                raised.append(err)
            return True

        loop = PollLoop(poll, stop, name=f"worker {self.task_list}")
        with stop_on_signals(stop):
            loop.run()
        if raised:
            raise raised[0]
        return done[0] if done else None

    # -- one task --------------------------------------------------------------------

    def handle(self, task: dict[str, Any]) -> bool:
        """Run one polled task (a PollForActivityTask response) and answer SWF; False when SWF took no answer.

        A task this worker cannot carry through (an error of its own, not the activity's) is failed with
        a reason rather than left to time out; so is one whose input cannot be read from, or result
        stored in, S3 within its start-to-close time (``TaskWindow``). The attempt is observed
        (``simpleflow.telemetry``: its span, its duration) and the worker's log lines about it carry the
        activity's log fields, as the activity's own do.
        """
        try:
            return self._handle(task)
        except Exception as err:  # the worker's own trouble: say so now rather than let SWF time the task out
            log.error("task %s: %s: %s", task.get("activityId"), type(err).__name__, err, exc_info=log.isEnabledFor(10))
            return answers.fail(task["taskToken"], named_failure("WorkerError", f"{type(err).__name__}: {err}"))

    def _handle(self, task: dict[str, Any]) -> bool:
        name = task["activityType"]["name"]
        act, message = find_activity(name, self.modules)
        raw_input, unread, window = task.get("input"), None, None
        if act is not None:
            window = answers.TaskWindow.start(
                task["taskToken"], act.task_start_to_close_timeout, act.task_heartbeat_timeout, self.heartbeat
            )
            try:
                raw_input = window.retry(
                    "its input cannot be read from S3",
                    lambda: answers.decode_field(task.get("input")),
                    task.get("activityId") or name,
                )
            except Exception as err:  # said in _answer, inside the attempt's observation
                unread = err
        context = {
            "name": name,
            "version": task["activityType"].get("version"),
            "workflow_id": task["workflowExecution"]["workflowId"],
            "run_id": task["workflowExecution"]["runId"],
            "activity_id": task["activityId"],
            "input": raw_input,
            "domain_name": self.domain,
            "activity_task_list": self.task_list,
            "workflow_type": self._workflow_type(task["workflowExecution"]),
            "attempt": attempt_of(raw_input if unread is None else None),
        }
        attempt = telemetry.activity_attempt(context, started_event_id=task.get("startedEventId"))
        outcome: tuple[str, str | None] = ("failed", "WorkerError")
        try:
            with traced_scope(context, attempt.ids, export=False):  # the worker's own records carry the span
                answered, outcome = self._answer(task, act, message, window, unread, context, attempt.ids)
            if not answered:  # SWF dropped the answer (it had timed the task out, or the run closed): never counted
                outcome = ("lost", "lost")
        finally:
            attempt.end(*outcome)
        return answered

    def _answer(
        self,
        task: dict[str, Any],
        act: registry.Activity | None,
        message: str,
        window: answers.TaskWindow | None,
        unread: Exception | None,
        context: dict[str, Any],
        ids: tuple[str, str],
    ) -> tuple[bool, tuple[str, str | None]]:
        """Run the task and answer SWF: whether SWF took the answer, and the attempt's outcome and error type."""
        token, name = task["taskToken"], context["name"]
        if act is None or window is None:
            log.error("task %s: %s", task.get("activityId"), message)
            return answers.fail(token, named_failure("ActivityNotDeclared", message)), ("failed", "ActivityNotDeclared")
        if unread is not None:
            return self._input_unread(task, unread)
        try:
            parse_task_input(context["input"])
        except ValueError as err:
            return _fail(task, context, named_failure("InvalidInput", f"activity '{name}': {err}"))
        log.info("task %s: running %s", task["activityId"], name)
        outcome, value, beat, details = self._run({"token": token, "context": context, "trace": list(ids)})
        canceled = outcome == "stopped" and beat == "cancel"
        if outcome == "answer" and value.get("gone"):  # the activity's own heartbeat found the task gone
            log.info("task %s: stopped, SWF no longer knows it", task["activityId"])
            return False, ("lost", "lost")
        if canceled or (outcome not in ("stopped", "died") and is_cancellation(value.get("failure"))):
            # The worker's heartbeat was told to cancel (the process is stopped), or the activity let TaskCanceled out.
            log.info("task %s: canceled", task["activityId"])
            extra = {} if details is None else {"details": details}
            return answers.respond("respond_activity_task_canceled", token, **extra), ("canceled", "canceled")
        if outcome == "stopped":
            log.info("task %s: killed, SWF no longer knows it", task["activityId"])
            return False, ("lost", "lost")
        if outcome == "died":
            return _fail(task, context, _died_failure(value))
        if "result" in value:
            window.details = details
            try:
                result = window.retry(
                    "its result cannot be stored in S3",
                    lambda: answers.encode_field("result", value["result"]),
                    task.get("activityId") or name,
                )
            except FieldTooLarge as err:
                return _fail(task, context, too_large(err))
            except jumbo.JumboFieldNotStored as err:  # for good, or S3 stayed out of reach as long as the task could
                return _fail(task, context, named_failure("JumboFieldNotStored", f"activity '{name}': {err}"))
            except (answers.TaskGone, answers.CancelRequested) as err:
                return self._left(task, err, details)
            return answers.respond("respond_activity_task_completed", token, result=result), ("completed", None)
        if "failure" in value:
            return _fail(task, context, value["failure"])
        unexpected = f"activity process sent an unexpected message: {sorted(value)}"
        return _fail(task, context, named_failure("WorkerError", unexpected))

    def _input_unread(self, task: dict[str, Any], err: Exception) -> tuple[bool, tuple[str, str | None]]:
        """The task's input could not be read from S3: fail it (gone for good, or out of reach for as long as
        the task could wait), or leave it (a heartbeat said it is gone or asked to cancel)."""
        token, name = task["taskToken"], task["activityType"]["name"]
        if isinstance(err, (answers.TaskGone, answers.CancelRequested)):
            return self._left(task, err, None)
        if isinstance(err, jumbo.JumboFieldUnavailable):  # gone for good: waiting for a timeout helps nobody
            log.error("task %s: %s", task.get("activityId"), err)
            failure = named_failure("JumboFieldUnavailable", f"activity '{name}': its input {err}")
            return answers.fail(token, failure), ("failed", "JumboFieldUnavailable")
        if not jumbo.transient_s3_error(err):
            raise err
        failure = named_failure("JumboFieldUnreachable", f"activity '{name}': its input {_unread(task, err)}")
        return answers.fail(token, failure), ("failed", "JumboFieldUnreachable")

    @staticmethod
    def _left(task: dict[str, Any], why: Exception, details: Any) -> tuple[bool, tuple[str, str | None]]:
        """A heartbeat sent while S3 was awaited said the task is gone (no answer) or asked to cancel."""
        if isinstance(why, answers.CancelRequested):
            log.info("task %s: canceled", task.get("activityId"))
            extra = {} if details is None else {"details": details}
            return answers.respond("respond_activity_task_canceled", task["taskToken"], **extra), (
                "canceled",
                "canceled",
            )
        log.warning("task %s: SWF no longer knows it", task.get("activityId"))
        return False, ("lost", "lost")

    def _workflow_type(self, execution: dict[str, Any]) -> str:
        """The name of the execution's workflow type (SWF's activity task does not say it): asked once per run
        (DescribeWorkflowExecution), kept for the next tasks of the run; "" when SWF would not say.

        Asked only where something carries it (spans and metrics, or JSON log records): otherwise an SWF call
        per run and worker process would buy nothing (SWF throttles DescribeWorkflowExecution like any call).
        """
        if not (telemetry.enabled() or json_logs()):
            return ""
        run_id = execution.get("runId") or ""
        known = self._workflow_types.get(run_id)
        if known is not None:
            return known
        try:
            info = client.swf_client().describe_workflow_execution(domain=self.domain, execution=execution)
            name = ((info.get("executionInfo") or {}).get("workflowType") or {}).get("name") or ""
        except Exception as err:  # the log fields and spans go without it
            log.debug("workflow type of %s: %s", execution, err)
            name = ""
        if len(self._workflow_types) >= MAX_KNOWN_RUNS:
            self._workflow_types.pop(next(iter(self._workflow_types)))
        self._workflow_types[run_id] = name
        return name

    def _run(self, order: dict[str, Any]) -> tuple[str, Any, str, Any]:
        """Run *order* in an activity process, heartbeating every ``heartbeat`` seconds with the details of the
        activity's own last heartbeat. Returns the outcome and value of ``run_order``, the last beat's answer
        ('ok', or 'cancel' / 'gone', which stopped the process) and the details of the activity's last heartbeat."""
        token = order["token"]
        state = {"details": None, "beat": "ok"}

        def on_progress(details: Any) -> None:
            state["details"] = details

        def on_period() -> bool:
            state["beat"] = answers.heartbeat(token, state["details"])
            return state["beat"] == "ok"

        processes = self.processes
        own = processes is None
        if own:
            processes = activity_processes(self.modules, self.middlewares, tasks_per_child=1, own_thread=False)
        try:
            outcome, value = run_order(processes, order, self.heartbeat, on_period, on_progress)
        finally:
            if own:
                processes.close()
        return outcome, value, state["beat"], state["details"]


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
    """Serve activity tasks of *domain*/*task_list* until SIGTERM/SIGINT or *stop_event* (see ``Worker``).

    With ``nb_processes > 1`` the workers run in supervised child processes; otherwise in this process
    (or thread). *pollers*: polls kept in flight per process, each running its own task.
    """
    worker = Worker(domain, task_list, heartbeat=heartbeat, modules=modules, middlewares=middlewares)
    worker.prepare()
    if nb_processes <= 1:
        worker.run(stop_event, pollers)
        return
    supervise(
        worker.run,
        (None, pollers),
        nb_processes,
        name=f"worker[{task_list}]",
        grace_period=STOP_GRACE_PERIOD,
        stop_event=stop_event,
    )
