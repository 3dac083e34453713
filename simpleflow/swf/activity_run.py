"""In an activity process: the declared activity a task names, run with its input, its own heartbeats.

The worker (``worker.py``) checks each task and sends the activity process (``activity_process.py``) an order;
the process looks the activity up again by name in its own registry (``find_activity``), never in anything
the order holds but a name, runs it (binaries, middleware, trace scope) and answers its result or failure.
``activity_processes`` builds a worker process's pool of them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from simpleflow import activity as registry
from simpleflow import settings
from simpleflow.activity import Beat, beating
from simpleflow.runtime.loader import import_named_module
from simpleflow.runtime.middleware import NONE, Middlewares
from simpleflow.runtime.observed import traced_scope
from simpleflow.runtime.outcome import (
    InvalidResult,
    call_activity,
    error_details,
    fetch_binaries,
    named_failure,
    parse_task_input,
    result_text,
)
from simpleflow.swf import activity_task as answers
from simpleflow.swf.activity_process import ActivityProcesses

__all__ = ["activity_processes", "find_activity"]

_DOTTED = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


class _ChildBeat:
    """The activity's own heartbeats (``simpleflow.activity.heartbeat``), sent from the activity process.

    It records them itself, so that a cancellation request reaches the activity as the call's answer; it passes
    their details on to the worker (*progress*: a JSON line on its pipe), whose automatic heartbeats repeat
    them: SWF's timeout event carries the details of the last heartbeat, whoever sent it. A heartbeat answered
    that the task is gone (it timed out, or its execution closed) stops the activity as a cancel does; SWF is
    not asked again, and the task is not answered (SWF would refuse any answer).
    """

    def __init__(self, token: str, progress: Callable[[Any], None]) -> None:
        self.token = token
        self.progress = progress
        self.gone = False

    def send(self, details: str | None) -> bool:
        if self.gone:  # said once already (and logged): the activity is told to stop again
            return True
        field = answers.encode_field("heartbeat_details", details)
        self.progress(field)
        answer = answers.heartbeat(self.token, field)
        self.gone = answer == "gone"
        return answer != "ok"


def _perform(
    order: dict[str, Any], progress: Callable[[Any], None], modules: tuple, middlewares: Middlewares
) -> dict[str, Any]:
    """In the activity process: run the task *order* names, return ``{"result": text}`` or ``{"failure": details}``,
    or ``{"gone": true}`` when a heartbeat of the activity's found the task gone (nothing to answer)."""
    beat = _ChildBeat(order["token"], progress)
    answer = _perform_task(order, beat, modules, middlewares)
    return {"gone": True} if beat.gone else answer


def _perform_task(order: dict[str, Any], beat: _ChildBeat, modules: tuple, middlewares: Middlewares) -> dict[str, Any]:
    """The answer to *order*, its activity heartbeating through *beat*.

    The worker checked the order (a declared activity, an input that parses) before sending it; the process
    looks the activity up again in its own registry, never in anything the order holds but a name.
    """
    context = order["context"]
    act, message = find_activity(context["name"], modules)
    if act is None:
        return {"failure": named_failure("ActivityNotDeclared", message)}
    try:
        args, kwargs, last_details = parse_task_input(context["input"])
        fetch_binaries(act)
        trace_id, span_id = (order.get("trace") or ["", ""])[:2]
        with traced_scope(context, (str(trace_id), str(span_id))), beating(Beat(beat.send, last_details)):
            return {"result": result_text(call_activity(act, args, kwargs, context, middlewares), act.name)}
    except InvalidResult as error:
        return {"failure": error.details}
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
        tasks_per_child=tasks_per_child,  # 0: no limit
        max_memory=settings.get("SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY"),
        own_thread=own_thread,
    )


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
