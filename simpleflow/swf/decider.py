"""The SWF decider: poll a decision task, run the engine, respond.

A decider keeps recently seen executions' runs in a ``RunCache``: when the
next decision task of a cached run arrives, only the events it has not seen
are fed to the suspended run (SWF is asked for just those with
``startAtPreviousStartedEvent``). On a miss, or when the new events do not
continue the cached ones, it fetches the whole history and replays in full,
the reference behaviour.

With several deciders on one task list, a sticky task list of its own
(``simpleflow.swf.sticky``) brings each run's next decision task back to the
process that holds it (``SIMPLEFLOW_DECIDER_STICKY_TIMEOUT``; 0 turns it off).
While it serves that list, a task on the shared list is polled with its whole
history (almost always a run it does not hold: see ``Decider._polls_partial``).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from simpleflow import activity as registry
from simpleflow import format, jumbo, settings, telemetry
from simpleflow.engine import (
    ExecutionInfo,
    Nondeterminism,
    RepairSource,
    WorkflowRun,
    answer_decision_task,
    cannot_read,
)
from simpleflow.exceptions import DataError
from simpleflow.runtime.loader import class_path, find_workflow_class, load_workflow
from simpleflow.runtime.observed import DecisionTasks
from simpleflow.swf import client, poller, starter, sticky
from simpleflow.swf.poller import PollLoop, stop_on_signals
from simpleflow.swf.run_cache import DEFAULT_CACHE_MB, DEFAULT_CACHE_RUNS, RunCache, estimated_bytes
from simpleflow.telemetry import names

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_CACHE_MB",
    "DEFAULT_CACHE_RUNS",
    "Decider",
    "RunCache",
    "UnservedWorkflowType",
    "estimated_bytes",
    "run_decider",
]

MAX_LOADED_NAMES = 1024  # names read from SWF remembered as not loading (or loading)


class UnservedWorkflowType(Exception):
    """A decision task for a workflow type this decider was not started with."""


class Decider:
    """Decides for the executions of *workflows* found on one task list.

    *sticky_timeout*: seconds a run's next decision task waits on this decider's own task list
    (``sticky_list``) before SWF hands it back to the shared one; default
    ``SIMPLEFLOW_DECIDER_STICKY_TIMEOUT``, 0 (or a cache of 0 runs) for no sticky list.
    ``hits`` and ``misses`` count the decision tasks resumed from the cache and replayed in full.
    *on_nondeterminism*: what to do with an execution whose history the code does not fit (it submits
    something else under a task id the history holds: code changed under it, see docs/patching.md):
    ``"wait"`` leaves its decision tasks unanswered (each times out and comes back, until code that fits
    is deployed), ``"fail"`` fails it; default ``SIMPLEFLOW_ON_NONDETERMINISM``.
    """

    def __init__(
        self,
        domain: str,
        task_list: str,
        workflows: list[type],
        *,
        activity_task_list: str | None = None,
        cache: RunCache | None = None,
        repair: RepairSource | None = None,
        sticky_timeout: int | None = None,
        on_nondeterminism: str | None = None,
    ) -> None:
        self.domain = domain
        self.on_nondeterminism = on_nondeterminism or settings.get("SIMPLEFLOW_ON_NONDETERMINISM")
        self.repair = repair  # for the executions started here (no parent, not continued): standalone --repair
        self.task_list = task_list
        self.activity_task_list = activity_task_list
        self.cache = cache if cache is not None else RunCache()
        self.cache.telemetry_attributes = {names.DOMAIN: domain, names.TASK_LIST: task_list}
        telemetry.observe_cache(self.cache, self.cache.telemetry_attributes)
        self._by_path = {f"{w.__module__}.{w.__qualname__}": w for w in workflows}
        self._by_type = {(w.name, w.version): w for w in workflows}
        self._by_name = {w.name: w for w in workflows}
        # The top-level packages of the served workflows: the only places a name read from SWF is
        # imported from (a child's class lives beside its parent's; the standard library never does).
        # None: started without workflows (simpleflow's ``decider.start`` form), any package.
        self._packages = frozenset(w.__module__.split(".")[0] for w in workflows) or None
        self._loaded: dict[str, type | None] = {}  # classes found from a history's names (None: not a Workflow)
        self.identity = client.identity()
        self._known_types: set[tuple[str, str, str]] = set()
        self._turns = sticky.Turns()  # one decision at a time: the engine and the cache are not shared
        if sticky_timeout is None:
            sticky_timeout = settings.get("SIMPLEFLOW_DECIDER_STICKY_TIMEOUT")
        self.sticky_timeout = sticky_timeout
        # A sticky list needs a cache to come back to.
        keeps_runs = sticky_timeout > 0 and self.cache.max_runs > 0
        self.sticky_list = sticky.sticky_task_list(task_list) if keeps_runs else None
        self.hits = 0
        self.misses = 0
        self.sticky_tasks = 0  # decision tasks polled from the sticky list
        self._stop = threading.Event()
        self._sticky_poller: threading.Thread | None = None  # polling sticky_list, while ``run`` runs
        self.execution_context: str | None = None  # of the latest decision task decided
        self._observed: DecisionTasks | None = None  # the decision task in hand's telemetry (``poll_once``'s)

    # -- one decision task ---------------------------------------------------

    def workflow_class(self, started: dict[str, Any]) -> type | None:
        """The class an execution runs: a served one by the class path in its input or by its type; else,
        as simpleflow does for child workflows, the Workflow subclass its class path or type name names,
        if it lies in the top-level package of a served workflow (a decider started without workflows:
        in any package)."""
        try:
            value = format.loads(jumbo.decode(started.get("input"))) or {}
        except DataError as err:  # the engine's edge would say the same of event 1 (answer_decision_task)
            raise err.located("input of event 1 (WorkflowExecutionStarted)") from None
        path = class_path(value)
        wtype = started.get("workflowType") or {}
        name = wtype.get("name")
        for key in (path, name):
            if key in self._by_path:
                return self._by_path[key]
        served = self._by_type.get((name, wtype.get("version"))) or self._by_name.get(name)
        if served is not None:
            return served
        for key in (path, name):
            if key and self._packages is not None and key.split(".")[0] not in self._packages:
                continue
            if key and key not in self._loaded:
                if len(self._loaded) >= MAX_LOADED_NAMES:  # names come from outside: keep only what loaded
                    self._loaded = {k: v for k, v in self._loaded.items() if v is not None}
                self._loaded[key] = find_workflow_class(key)
            if key and self._loaded[key] is not None:
                return self._loaded[key]
        return None

    def decide(self, task: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The decisions for one polled decision task (its events may start anywhere).

        None when this decider must not answer: the execution's workflow type is not one it
        serves. The task then times out and SWF hands it to another decider (a rolling deploy
        leaves old and new deciders on one task list), so nothing is failed here.
        Data in the history that can never be used (``DataError``: a jumbo field whose object is gone, may
        not be read or is not UTF-8, JSON nested too deep) fails the execution at once, naming the field.
        ``execution_context`` holds the executionContext to answer with (None: none).
        """
        self.execution_context = None
        own = self._observed is None
        observed = self._observed or self._observe(task)
        try:
            with observed.scope():
                return self._decide(task, observed)
        except UnservedWorkflowType as err:
            logger.error("%s: leaving the decision task for another decider", err)
            observed.current.end(error="unserved workflow type")
            return None
        except Nondeterminism as err:
            # Unanswered, the task times out (the execution's taskStartToCloseTimeout) and SWF schedules
            # another: once per timeout, never a loop here. The run is not kept, so each one replays anew:
            # a decider with code that fits (a deploy rolled back) carries the execution on. An answer with
            # no decision would instead leave the execution with no decision task at all.
            logger.error(
                "execution %s (run %s): the workflow code does not fit its history: %s%s; decision task left "
                "unanswered until code that fits is deployed (SIMPLEFLOW_ON_NONDETERMINISM=fail fails it)",
                task["workflowExecution"].get("workflowId"),
                task["workflowExecution"].get("runId"),
                err,
                _more(err.mismatches),
            )
            observed.current.end(error="nondeterminism")
            return None
        except DataError as err:  # data that can never be used: the execution fails once, saying which
            logger.error("execution %s: %s", task["workflowExecution"], err)
            return cannot_read(err)
        except BaseException as err:
            observed.failed(err)
            raise
        finally:
            if own:
                observed.current.end()

    def _observe(self, task: dict[str, Any]) -> DecisionTasks:
        return DecisionTasks.polled(task, self.domain, self.task_list)

    def _decide(self, task: dict[str, Any], observed: DecisionTasks) -> list[dict[str, Any]]:
        execution = task["workflowExecution"]
        run_id = execution["runId"]
        events = task.get("events") or []
        run = self.cache.take(run_id)
        if run is not None and events and events[0]["eventId"] <= run.history.last_event_id + 1:
            self.hits += 1
            last = run.history.last_event_id
            # From the previous DecisionTaskStarted on (already seen), or the whole history: keep what is new.
            new = [e for e in events if e["eventId"] > last]
        else:
            self.misses += 1
            if run is not None:
                run.close()
            if not events or events[0]["eventId"] != 1:
                events = _seen_by(task, client.get_history(self.domain, execution["workflowId"], run_id))
            started = events[0].get("workflowExecutionStartedEventAttributes") or {}
            workflow_class = self.workflow_class(started)
            if workflow_class is None:
                wtype = started.get("workflowType") or task.get("workflowType") or {}
                raise UnservedWorkflowType(
                    f"execution {execution['workflowId']}: no workflow class for type {wtype.get('name')!r} "
                    f"version {wtype.get('version')!r} on this decider (task list {self.task_list!r}, "
                    f"serving {', '.join(sorted(self._by_path)) or 'nothing'})"
                )
            info = ExecutionInfo(
                domain=self.domain,
                workflow_id=execution["workflowId"],
                run_id=run_id,
                activity_task_list=self.activity_task_list,
                max_open_activities=_max_open(workflow_class),
                repair=self._repair_for(started),
                on_nondeterminism=self.on_nondeterminism,
            )
            run = WorkflowRun(workflow_class, info)
            new = events
        # An SWF or S3 outage raises (the run closed): no answer, the task times out and comes back, nothing lost.
        observed.current.replay_started(run)
        decisions = answer_decision_task(run, new, before_encoding=lambda out: self._register_types(run, out))
        observed.current.replay_ended(run, decisions)
        self.execution_context = run.execution_context
        if run.refused:  # (SIMPLEFLOW_ON_NONDETERMINISM=fail) the decisions fail the execution
            logger.error(
                "execution %s (run %s): the workflow code does not fit its history: %s%s; failing the execution",
                execution["workflowId"],
                run_id,
                run.refused[0],
                _more(run.refused),
            )
            run.close()
            return decisions
        _say_failed(execution, decisions)
        if run.closed:  # the engine failed, or a field was too large: the decisions fail the execution
            return decisions
        if run.history.closed is None:
            self.cache.put(run_id, run)
        else:
            run.close()
        return decisions

    def _repair_for(self, started: dict[str, Any]) -> RepairSource | None:
        """The repair source applies to the execution started as the repair, not to its children or next runs."""
        if self.repair is None or started.get("parentWorkflowExecution") or started.get("continuedExecutionRunId"):
            return None
        return self.repair

    def _register_types(self, run: WorkflowRun, decisions: list[dict[str, Any]]) -> None:
        """Register the types SWF refused, and, once per process, those about to be scheduled.

        Registering ahead saves the round trip SWF's ScheduleActivityTaskFailed would cost.
        """
        wanted = set(run.types_to_register)
        child_defaults: dict[tuple[str, str, str], dict[str, Any]] = {}
        for d in decisions:
            if d["decisionType"] == "ScheduleActivityTask":
                atype = d["scheduleActivityTaskDecisionAttributes"]["activityType"]
                wanted.add(("activity", atype["name"], atype["version"]))
            elif d["decisionType"] == "StartChildWorkflowExecution":
                attributes = d["startChildWorkflowExecutionDecisionAttributes"]
                wtype = attributes["workflowType"]
                key = ("workflow", wtype["name"], wtype["version"])
                wanted.add(key)
                child_defaults[key] = starter.child_type_defaults(attributes)
        wanted -= self._known_types - run.types_to_register
        for kind, name, version in sorted(wanted):
            if kind == "activity":
                act = registry.find(name)
                defaults = {}
                if act is not None:
                    # A timeout the activity leaves at None is left out of its decision, and SWF then takes
                    # the type's default, failing the task when the type has none (ScheduleActivityTaskFailed
                    # cause DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED...). None means no limit, as on the local
                    # host: "You can use NONE to specify unlimited duration" (ActivityTypeConfiguration).
                    defaults = {
                        "default_task_list": act.task_list,
                        "default_task_start_to_close_timeout": act.task_start_to_close_timeout or "NONE",
                        "default_task_schedule_to_close_timeout": act.task_schedule_to_close_timeout or "NONE",
                        "default_task_schedule_to_start_timeout": act.task_schedule_to_start_timeout or "NONE",
                        "default_task_heartbeat_timeout": act.task_heartbeat_timeout or "NONE",
                    }
                client.ensure_activity_type(self.domain, name, version, **defaults)
            else:
                # SWF refuses to start a child whose type has no default for an option its decision leaves
                # out (cause DEFAULT_CHILD_POLICY_UNDEFINED...): the type gets the defaults a start gives.
                defaults = child_defaults.get((kind, name, version)) or starter.child_type_defaults({})
                client.ensure_workflow_type(self.domain, name, version, **defaults)
            self._known_types.add((kind, name, version))
        run.types_to_register.clear()

    # -- the loop --------------------------------------------------------------

    def poll_once(self, from_sticky: bool = False) -> bool:
        """Poll one decision task (from the sticky list if *from_sticky*) and answer it; False when there was none."""
        task_list = self.sticky_list if from_sticky else self.task_list
        if task_list is None:
            return False
        task = client.poll_decision_task(
            self.domain, task_list, self.identity, start_at_previous_started_event=self._polls_partial(from_sticky)
        )
        if task is None:
            return False
        if not poller.keep(self._stop, f"decision task of {task['workflowExecution']['workflowId']}", late_ok=True):
            return False
        with self._turns.turn(from_sticky):
            if from_sticky:
                self.sticky_tasks += 1
            observed = self._observed = self._observe(task)
            try:
                decisions = self.decide(task)
            finally:
                self._observed = None
            context = self.execution_context
            if decisions is None:
                return True  # not ours, or code that does not fit: left to time out and come back
            # Only a decider polling its sticky list (``run``) keeps executions there; ``poll_once`` alone does not.
            keep = (
                self._serving_sticky() and task["workflowExecution"]["runId"] in self.cache and not self._stop.is_set()
            )
            routing = sticky.override(decisions, self.sticky_list, self.task_list, self.sticky_timeout, keep)
        answer: dict[str, Any] = {"taskToken": task["taskToken"], "decisions": decisions, **routing}
        if context is not None:  # the workflow's status (Workflow.set_status): SWF keeps the latest
            answer["executionContext"] = context
        try:
            client.swf_client().respond_decision_task_completed(**answer)
        except Exception as err:
            # The task times out and comes back; the cached run depends only on events, so it stays valid.
            logger.warning("could not answer decision task of %s: %s", task["workflowExecution"], err)
            observed.failed(err)
        observed.current.end()  # ended once: after a failure, this does nothing
        return True

    def _serving_sticky(self) -> bool:
        """This decider polls its sticky list (``run``): the runs it caches get their next tasks there."""
        return self._sticky_poller is not None and self._sticky_poller.is_alive()

    def _polls_partial(self, from_sticky: bool) -> bool:
        """Whether to poll with ``startAtPreviousStartedEvent`` (only the events since the previous decision).

        A sticky task is a cached run's: partial. A shared task may be a cached run's, unless the sticky
        list is served: then it is almost always a run this decider does not hold (a miss), whose whole
        history a partial poll would have to fetch again; a cached run fed a whole history still resumes.
        """
        return from_sticky or (len(self.cache) > 0 and not self._serving_sticky())

    def run(self, stop: threading.Event | None = None, pollers: int = 1) -> None:
        """Poll and decide until *stop* is set (or, on the main thread, SIGTERM/SIGINT): ``poller.PollLoop``.

        *pollers* polls of each list stay in flight (see ``PollLoop``); decisions are still taken one at
        a time. The sticky list, if any, is polled beside the shared one, its tasks decided first; once
        *stop* is set neither is polled again and no answer keeps an execution here (SWF hands those it
        scheduled here back to the shared list after the sticky timeout).
        """
        stop = stop if stop is not None else threading.Event()
        self._stop = stop
        client.check_domain(self.domain)
        with stop_on_signals(stop):
            sticky_poller = None
            if self.sticky_list is not None:
                sticky_poller = threading.Thread(
                    target=self._poll_sticky, args=(stop, pollers), name="sticky-poller", daemon=True
                )
                self._sticky_poller = sticky_poller
                sticky_poller.start()
            try:
                PollLoop(self.poll_once, stop, pollers=pollers, name=f"decider {self.task_list}").run()
            finally:
                if sticky_poller is not None:
                    stop.set()  # the shared list's loop ended (stop, or an unknown domain): the sticky one too
                    sticky_poller.join()
                logger.info(
                    "decider %s stopping: %d decision tasks resumed from the cache, %d replayed in full, %d from %s",
                    self.task_list,
                    self.hits,
                    self.misses,
                    self.sticky_tasks,
                    self.sticky_list or "no sticky list",
                )
                self.cache.clear()

    def _poll_sticky(self, stop: threading.Event, pollers: int) -> None:
        try:
            PollLoop(lambda: self.poll_once(True), stop, pollers=pollers, name=f"decider {self.sticky_list}").run()
        except client.UnknownDomain:
            pass  # the shared list's loop raises it


def _seen_by(task: dict[str, Any], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """*events* up to the decision task's DecisionTaskStarted: what the task saw, not what came since.

    SWF's DecisionTask: ``startedEventId`` is "The ID of the DecisionTaskStarted event recorded in the
    history"; a history fetched afterwards may hold later events, and deciding on them would answer events
    SWF holds for the next decision task (a closing decision then fails: UNHANDLED_DECISION).
    """
    started = task.get("startedEventId")
    if not started or not events or events[-1]["eventId"] <= started:
        return events
    return [e for e in events if e["eventId"] <= started]


def _say_failed(execution: dict[str, Any], decisions: list[dict[str, Any]]) -> None:
    """A decision failing the execution, said in one WARNING line (its details after it at DEBUG)."""
    for decision in decisions:
        if decision["decisionType"] == "FailWorkflowExecution":
            attributes = decision.get("failWorkflowExecutionDecisionAttributes") or {}
            details = attributes.get("details") if logger.isEnabledFor(logging.DEBUG) else None
            logger.warning(
                "execution %s (run %s): failing the execution: %s%s",
                execution.get("workflowId"),
                execution.get("runId"),
                attributes.get("reason"),
                f"\n{details}" if details else "",
            )


def _more(mismatches: list[Any]) -> str:
    return f" (and {len(mismatches) - 1} more)" if len(mismatches) > 1 else ""


def _max_open(workflow_class: type) -> int | None:
    explicit = getattr(workflow_class, "max_open_activity_count", None)
    if explicit:
        return int(explicit)
    return settings.get("SWF_MAX_OPEN_ACTIVITY_COUNT") or None


def run_decider(
    domain: str,
    task_list: str,
    workflow_paths: list[str],
    activity_task_list: str | None = None,
    stop: threading.Event | None = None,
    pollers: int = 1,
    repair: RepairSource | None = None,
    sticky_timeout: int | None = None,
    on_nondeterminism: str | None = None,
) -> None:
    """Entry point of a decider process (*repair*, *sticky_timeout*, *on_nondeterminism*: see ``Decider``)."""
    workflows = [load_workflow(p) for p in workflow_paths]
    decider = Decider(
        domain,
        task_list,
        workflows,
        activity_task_list=activity_task_list,
        repair=repair,
        sticky_timeout=sticky_timeout,
        on_nondeterminism=on_nondeterminism,
    )
    decider.run(stop, pollers)
