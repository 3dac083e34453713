"""``ScheduleWorkflow``: a long-running execution that starts a target workflow at cron fire times.

Each fire starts the target as a child (child policy ABANDON: it outlives the schedule's
runs) under the workflow id ``<schedule>-<fire time>``. SWF refuses to start a second
execution of an open id, and a replay finds the start in the history, so a fire time runs
at most once, decider crashes included. Time comes from ``Workflow.now()`` (recorded in the
history); waiting is a timer until the next fire. Signals: ``pause``, ``resume``,
``trigger`` (run now). It waits on one fire timer at a time, whatever wakes it, and waits for the first of
that timer, the next signal of each name and the end of a run it started (``futures.wait``): a decider
that keeps the run resumes it where it waits, rather than replaying the whole history. Every
``fires_per_run`` fires, or past ``events_per_run`` events of history, the schedule continues as
new, carrying its state, once no run it must see end (``--overlap skip``) is still open; past
``MAX_EVENTS``, even then.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

from simpleflow import futures
from simpleflow.cached import cached
from simpleflow.dag import DagWorkflow, child_stand_in
from simpleflow.runtime.loader import workflow_path
from simpleflow.schedule import _cron
from simpleflow.task import ChildWorkflowTask, ContinueAsNewWorkflowTask
from simpleflow.workflow import Workflow

FIRES_PER_RUN = 300
# SWF's quotas page: "Maximum workflow execution history size – 25,000 events. This is a hard quota that can't
# be changed.", and its best practice keeps a history under 10,000 events (continue as new). Past EVENTS_PER_RUN
# the schedule continues as new once no run it must watch is open; past MAX_EVENTS it does even then.
EVENTS_PER_RUN = 10_000
MAX_EVENTS = 20_000
ON_TIME = 60.0  # seconds: a fire handled later than this was missed (see catch_up)
SIGNALS = ("pause", "resume", "trigger")
TRIGGER_SKIPPED = "simpleflow.schedule.trigger-skipped"  # the marker of a trigger --overlap skip dropped


@cached
def _decision_event_id(history: Any) -> int:
    # The DecisionTaskStarted of the decision that first reached this point: signals before it are the
    # ones that iteration saw, whichever later replay re-runs it.
    return history.started_decision_id


class ScheduleWorkflow(Workflow):
    """``run(schedule, state=None)``: see the module's documentation for *schedule*'s keys."""

    name = "simpleflow.schedule"
    version = "1"
    task_list = "schedules"
    execution_timeout = 365 * 24 * 3600
    child_policy = "ABANDON"

    def before_replay(self, history: Any) -> None:
        self._history = history

    def _open_at(self, workflow_id: str, before_event: int) -> bool:
        """Whether the run started as *workflow_id* was open when the decision task *before_event* started."""
        record = self._history.child_workflow(workflow_id)
        if record is None or record["state"] in ("start_initiated", "started"):
            return record is None or record.get("state") != "start_failed"
        if record["state"] == "start_failed":
            return False
        return record["last_event_id"] >= before_event  # closed since: a later replay must decide alike

    def _signals(self, before_event: int) -> list[dict[str, Any]]:
        found = [
            r for name in SIGNALS for r in self._history.signal_lists.get(name, []) if r["event_id"] < before_event
        ]
        return sorted(found, key=lambda r: r["event_id"])

    def run(self, schedule: dict[str, Any], state: dict[str, Any] | None = None) -> Any:
        state = dict(state or {})
        name, cron, timezone = schedule["name"], schedule["cron"], schedule.get("timezone") or "UTC"
        overlap, catch_up = schedule.get("overlap", "skip"), schedule.get("catch_up", "none")
        per_run = schedule.get("fires_per_run") or FIRES_PER_RUN
        events_per_run = schedule.get("events_per_run") or EVENTS_PER_RUN
        handled_signals = 0
        started: dict[str, Any] = {}  # workflow id -> future of the runs this run started that may be open
        fires = 0
        tries: dict[float, int] = {}
        timer: Any = None  # the one fire timer this run has open (or had last)
        timer_id, timer_wake = "", 0.0
        while True:
            now = self.now().timestamp()
            cutoff = _decision_event_id(self._history)
            if state.get("last_fire") is None:
                state["last_fire"] = now  # a new schedule: from now on
            # A run closed before this turn stays closed for every later one: only the others are asked about.
            started = {i: f for i, f in started.items() if self._open_at(i, cutoff)}
            signals = self._signals(cutoff)
            for signal in signals[handled_signals:]:
                if signal["name"] in ("pause", "resume"):
                    state["paused"] = signal["name"] == "pause"
                elif signal["name"] == "trigger":
                    value = signal["input"] if isinstance(signal["input"], dict) else {}
                    at = value.get("at") or (value.get("kwargs") or {}).get("at") or now
                    workflow_id = f"{name}-manual-{_cron.stamp(at)}"
                    if not self._start(schedule, workflow_id, overlap, started, cutoff):
                        # Dropped as a fire would be; said in the history (schedule.trigger says it itself
                        # when it sees the open run first).
                        open_runs = [i for i in started if self._open_at(i, cutoff)]
                        details = {"workflow_id": workflow_id, "open": open_runs}
                        self.submit(self.record_marker(TRIGGER_SKIPPED, details))
            handled_signals = len(signals)
            due = _cron.due(cron, timezone, state["last_fire"], now)
            if due:
                state["last_fire"] = due[-1]
                if catch_up == "none":
                    due = [at for at in due if now - at <= ON_TIME]
                elif catch_up == "last":
                    due = due[-1:]
                for at in due:
                    if state.get("paused"):
                        state["skipped"] = state.get("skipped", 0) + 1
                        continue
                    if self._start(schedule, f"{name}-{_cron.stamp(at)}", overlap, started, cutoff):
                        fires += 1
                        state["fires"] = state.get("fires", 0) + 1
            # The history is bounded whatever wakes the schedule (fires, triggers, pause/resume, runs
            # closing): past per_run fires or events_per_run events it continues as new, once the runs
            # --overlap skip must see end have ended; past MAX_EVENTS, even before (SWF closes at 25,000).
            spent = fires >= per_run or cutoff >= events_per_run
            if cutoff >= MAX_EVENTS or (spent and not self._runs_to_watch(started, overlap, cutoff)):
                self.submit(ContinueAsNewWorkflowTask(type(self), schedule, state))
            wake = _cron.next_fire(cron, timezone, max(now, state["last_fire"]))
            if timer is None or wake != timer_wake or not self._timer_open_at(timer_id, cutoff):
                if timer is not None and self._timer_open_at(timer_id, cutoff):
                    self.submit(self.cancel_timer(timer_id))  # the next fire moved: at most one timer open
                # A timer that fired a little early (clocks, whole seconds) is followed by another, under a new id.
                tries[wake] = tries.get(wake, 0) + 1
                timer_id = f"fire-{_cron.stamp(wake)}" + (f"-{tries[wake]}" if tries[wake] > 1 else "")
                timer_wake = wake
                timer = self.submit(self.start_timer(timer_id, max(1, math.ceil(wake - now))))
            # Otherwise the timer started earlier still waits for this fire time: wait on it again, rather than
            # leave it open beside a new one (SWF caps an execution's open timers: OPEN_TIMERS_LIMIT_EXCEEDED).
            # Woken by a signal or a closing child before the timer: the next turn of the loop handles it.
            self._wait_for_news(timer, signals, started, cutoff, (overlap, spent, events_per_run))

    def _wait_for_news(
        self,
        timer: Any,
        signals: list[dict[str, Any]],
        started: dict[str, Any],
        cutoff: int,
        budget: tuple[str, bool, int],
    ) -> None:
        """Wait for the fire timer, a signal after *signals* (those handled), or the history's budget spent with no
        run left to watch (*budget*: overlap, whether the turn found it spent, events_per_run): of the first to
        come, by the history's order (a replay waits alike)."""
        overlap, spent, events_per_run = budget
        counts = Counter(signal["name"] for signal in signals)
        news = [timer, *(self.submit(self.wait_signal(name, nth=counts[name] + 1)) for name in SIGNALS)]
        runs = {f: i for i, f in started.items()}  # each open at *cutoff*, or started since
        while True:
            done, _ = futures.wait(*news, *runs, return_when=futures.FIRST_COMPLETED)
            ended = runs.pop(done[0], None)
            if ended is None:
                return
            # A run ended: once the budget is spent (by the events up to its end), the end of the last run it
            # watches is reason enough to go on (and continue as new).
            at = self._history.child_workflow(ended)["last_event_id"]
            if (spent or at >= events_per_run) and not self._runs_to_watch(started, overlap, at + 1):
                return

    def _runs_to_watch(self, started: dict[str, Any], overlap: str, before_event: int) -> bool:
        """Whether a run this one started is open and must be seen to end (--overlap skip waits on it)."""
        return overlap == "skip" and any(self._open_at(i, before_event) for i in started)

    def _timer_open_at(self, timer_id: str, before_event: int) -> bool:
        """Whether the timer *timer_id* had neither fired nor been canceled when decision *before_event* started."""
        record = self._history.timer(timer_id)
        return record is None or record["state"] == "started" or record["last_event_id"] >= before_event

    def _start(
        self, schedule: dict[str, Any], workflow_id: str, overlap: str, started: dict[str, Any], cutoff: int
    ) -> bool:
        """Start the target under *workflow_id*; False when an earlier one is still open and overlap is skip."""
        if self._runs_to_watch(started, overlap, cutoff):
            return False
        payload = schedule.get("input") or {}
        child = child_stand_in(schedule["target"], workflow_id, None)
        if schedule["target"].get("path") == workflow_path(DagWorkflow):
            child.child_type_name = schedule["target"]["name"]  # a spec's run: its type, as dag.start gives it
        task = ChildWorkflowTask(child, *(payload.get("args") or []), **(payload.get("kwargs") or {}))
        started[workflow_id] = self.submit(task)
        return True
