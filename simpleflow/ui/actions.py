"""What a person may do to an execution from its page, each after a confirmation that says what it does.

Every action names one run (domain, workflow id, run id) and returns an ``ActionResult``: whether SWF
(or the replay) accepted it, one line saying what happened, and SWF's answer as it came.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from simpleflow import format
from simpleflow.exceptions import UsageError
from simpleflow.runtime.user_path import child_module_argv
from simpleflow.swf import client

__all__ = ["ACTIONS", "ActionResult", "ActionSpec", "Field", "confirmation", "perform", "unavailable"]

log = logging.getLogger(__name__)


@dataclass(slots=True, frozen=True)
class Field:
    """A form field of an action."""

    name: str
    label: str
    kind: str = "text"  # text, textarea
    required: bool = False
    help: str = ""


@dataclass(slots=True, frozen=True)
class ActionSpec:
    """An action: its form and when it applies (``when``: open, closed or any)."""

    name: str
    title: str
    button: str
    when: str
    danger: bool = False
    fields: tuple[Field, ...] = ()


ACTIONS: dict[str, ActionSpec] = {
    spec.name: spec
    for spec in (
        ActionSpec(
            "signal",
            "Send a signal",
            "Send the signal",
            "open",
            fields=(
                Field("name", "Signal name", required=True),
                Field(
                    "input", "Input (JSON)", "textarea", help='a list of arguments or {"args": [...], "kwargs": {...}}'
                ),
            ),
        ),
        ActionSpec("cancel", "Request cancellation", "Request cancellation", "open", danger=True),
        ActionSpec(
            "terminate",
            "Terminate",
            "Terminate the execution",
            "open",
            danger=True,
            fields=(Field("reason", "Reason", help="recorded in the history (256 characters at most)"),),
        ),
        ActionSpec("restart", "Restart", "Start a new run", "any", danger=True),
        ActionSpec(
            "repair",
            "Repair",
            "Start the repair",
            "closed",
            fields=(
                Field("workflow", "Workflow class", required=True, help="package.module.Class, imported here"),
                Field("force_activities", "Run again the activities matching (regex)"),
            ),
        ),
        ActionSpec(
            "query",
            "Query",
            "Run the query",
            "any",
            fields=(
                Field("name", "Query name", required=True),
                Field("input", "Input (JSON)", "textarea"),
                Field("workflow", "Workflow class", required=True, help="package.module.Class, imported here"),
            ),
        ),
    )
}


def unavailable(spec: ActionSpec, is_open: bool, is_dag: bool = False) -> str | None:
    """Why *spec* does not apply to a run (open or not, of a DAG spec or not), or None when it does."""
    if spec.when != "any" and (spec.when == "open") != is_open:
        return f"This action is for {spec.when} executions; SWF will likely refuse it."
    if spec.name == "repair" and is_dag:
        return "A DAG spec's execution is not repaired from here (standalone --repair takes a workflow class)."
    return None


def confirmation(name: str, domain: str, workflow_id: str, run_id: str, is_open: bool) -> str:
    """What the action will do, in words, for its confirmation page."""
    run = f"run {run_id} of {workflow_id!r} in domain {domain!r}"
    texts = {
        "signal": f"Sends the signal you name, with its input, to {run} (SignalWorkflowExecution). "
        "A workflow waiting for that signal goes on.",
        "cancel": f"Asks SWF to cancel {run} (RequestCancelWorkflowExecution): a WorkflowExecutionCancelRequested "
        "event; the workflow's code decides whether and how it stops.",
        "terminate": f"Terminates {run} at once (TerminateWorkflowExecution): no decision is taken any more, "
        "its open tasks are abandoned, and its children follow its child policy. This cannot be undone.",
        "restart": f"Starts a new run of {workflow_id!r} with the same type, input, task list, timeouts and tags"
        + (" after terminating the open one (reason 'workflow.restart')." if is_open else "."),
        "repair": f"Starts, from this server, `simpleflow standalone WORKFLOW --repair` on {run}: a new execution "
        "under the same workflow id that reuses the results of the activities this one completed, run by a "
        "decider and workers of its own (children of this server: they stop when it stops).",
        "query": f"Imports the workflow class here, replays the history of {run} and calls the @query method "
        "on the state it leaves. Nothing is sent to SWF.",
    }
    return texts[name]


@dataclass(slots=True)
class ActionResult:
    """What came of an action: accepted or not, one line, SWF's answer, a run to link to."""

    ok: bool
    summary: str
    answer: Any = None
    link: tuple[str, str] | None = None  # (workflow id, run id) of a run the action started
    notes: list[str] = field(default_factory=list)


def _answer(response: dict[str, Any]) -> dict[str, Any]:
    """SWF's answer without the transport's headers."""
    meta = response.get("ResponseMetadata") or {}
    out = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    out["HTTPStatusCode"] = meta.get("HTTPStatusCode")
    if meta.get("RequestId"):
        out["RequestId"] = meta["RequestId"]
    return out


def _refused(err: ClientError) -> ActionResult:
    error = err.response.get("Error") or {}
    status = (err.response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return ActionResult(
        False,
        f"SWF refused: {error.get('Code')}: {error.get('Message')}",
        {"Error": {"Code": error.get("Code"), "Message": error.get("Message")}, "HTTPStatusCode": status},
    )


def perform(name: str, domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    """Carry out action *name* on one run with the confirmed *form*.

    Raises:
        UsageError: a form value that cannot be used (bad JSON, missing name...), one line.
    """
    try:
        return _PERFORM[name](domain, workflow_id, run_id, form)
    except ClientError as err:
        return _refused(err)


def _json_input(text: str | None) -> str | None:
    from simpleflow.runtime.loader import parse_input

    if text is None or not text.strip():
        return None
    # As workflow.signal sends it ({"args": [...], "kwargs": {...}}); the message names the form's field.
    return format.dumps(parse_input(text, "the input"))


def _signal(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    name = (form.get("name") or "").strip()
    if not name:
        raise UsageError("a signal needs a name")
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id, "runId": run_id, "signalName": name}
    payload = _json_input(form.get("input"))
    if payload is not None:
        kwargs["input"] = payload
    response = client.swf_client().signal_workflow_execution(**kwargs)
    return ActionResult(True, f"signal {name!r} sent to {workflow_id}", _answer(response))


def _cancel(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    response = client.swf_client().request_cancel_workflow_execution(
        domain=domain, workflowId=workflow_id, runId=run_id
    )
    return ActionResult(True, f"cancellation requested for {workflow_id}", _answer(response))


def _terminate(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    kwargs: dict[str, Any] = {"domain": domain, "workflowId": workflow_id, "runId": run_id}
    reason = (form.get("reason") or "").strip()
    if reason:
        kwargs["reason"] = format.format_reason(reason)
    response = client.swf_client().terminate_workflow_execution(**kwargs)
    return ActionResult(True, f"{workflow_id} terminated", _answer(response))


def _restart(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    from simpleflow.swf import executions

    started = executions.restart(domain, workflow_id, run_id)
    return ActionResult(
        True, f"new run {started['runId']} of {workflow_id} started", started, (workflow_id, started["runId"])
    )


def _query(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    from simpleflow.swf.query import query_execution

    name = (form.get("name") or "").strip()
    if not name:
        raise UsageError("a query needs the name of a @query method")
    workflow = (form.get("workflow") or "").strip() or None
    value = query_execution(domain, workflow_id, name, _json_input(form.get("input")), run_id, workflow)
    return ActionResult(True, f"query {name!r} answered", value)


# Repairs are started from one long-lived thread: a child gets SIGKILL when the *thread* that forked it
# ends (PR_SET_PDEATHSIG), and request threads come and go.
_launches: queue.Queue = queue.Queue()
_launcher_lock = threading.Lock()
_launcher: list[threading.Thread] = []


def _launch_loop() -> None:
    from simpleflow.runtime.child_process import die_with_parent_setup

    while True:
        argv, out, err, reply = _launches.get()
        try:
            reply.put(subprocess.Popen(argv, stdout=out, stderr=err, preexec_fn=die_with_parent_setup()))
        except OSError as error:
            reply.put(error)


def _spawn(argv: list[str], out: Any, err: Any) -> subprocess.Popen:
    with _launcher_lock:
        if not _launcher:
            _launcher.append(threading.Thread(target=_launch_loop, name="ui-launcher", daemon=True))
            _launcher[0].start()
    reply: queue.Queue = queue.Queue()
    _launches.put((argv, out, err, reply))
    found = reply.get()
    if isinstance(found, OSError):
        raise found
    return found


# The log folders of the repairs still running: removed when the UI stops (their processes stop with it).
_running_logs: set[str] = set()
_running_lock = threading.Lock()


def _remove_running_logs() -> None:
    with _running_lock:
        folders = list(_running_logs)
        _running_logs.clear()
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


atexit.register(_remove_running_logs)


def keep_log_while_running(process: subprocess.Popen, folder: str) -> threading.Thread:
    """Remove the log *folder* of a repair once its *process* ends well; keep it (and log where) if it failed."""

    def watch() -> None:
        code = process.wait()
        with _running_lock:
            if folder not in _running_logs:  # the UI stopping removed it
                return
            _running_logs.discard(folder)
        if code == 0:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            log.warning("a repair's processes (%s) exited with code %s: their log is in %s", process.pid, code, folder)

    with _running_lock:
        _running_logs.add(folder)
    watcher = threading.Thread(target=watch, name=f"repair-log-{process.pid}", daemon=True)
    watcher.start()
    return watcher


def _repair(domain: str, workflow_id: str, run_id: str, form: dict[str, str]) -> ActionResult:
    workflow = (form.get("workflow") or "").strip()
    if not workflow:
        raise UsageError("a repair needs the workflow class (package.module.Class)")
    options = ["--domain", domain, "--repair", f"{workflow_id} {run_id}"]
    force = (form.get("force_activities") or "").strip()
    if force:
        options += ["--force-activities", force]
    argv = child_module_argv("simpleflow.command", "standalone", workflow, *options)
    folder = tempfile.mkdtemp(prefix="simpleflow-ui-repair-")
    out_path, err_path = os.path.join(folder, "stdout.log"), os.path.join(folder, "stderr.log")
    with open(out_path, "w") as out, open(err_path, "w") as err:
        process = _spawn(argv, out, err)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open(out_path) as out:
            first = out.readline()
        if first.endswith("\n") and len(first.split()) == 2:
            new_id, new_run = first.split()
            keep_log_while_running(process, folder)
            notes = [
                f"its decider and workers run as process {process.pid}; their log: {err_path} (removed when they"
                " end, kept if they fail)"
            ]
            return ActionResult(
                True,
                f"repair started: run {new_run} of {new_id}",
                {"workflowId": new_id, "runId": new_run},
                (new_id, new_run),
                notes,
            )
        if process.poll() is not None:
            break
        time.sleep(0.1)
    with open(err_path) as err:
        lines = [line.strip() for line in err if line.strip()]
    problem = next((line for line in reversed(lines) if "error" in line.lower()), lines[-1] if lines else "no output")
    notes = [f"its log is kept in {folder}"]
    details = {"exitCode": process.poll(), "log": err_path}
    return ActionResult(False, f"the repair did not start: {problem}", details, notes=notes)


_PERFORM = {
    "signal": _signal,
    "cancel": _cancel,
    "terminate": _terminate,
    "restart": _restart,
    "repair": _repair,
    "query": _query,
}
