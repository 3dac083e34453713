"""``ScheduleWorkflow``: a long-running execution that starts a target workflow at cron fire times.

Each fire starts the target as a child (child policy ABANDON: it outlives the schedule's
runs) under the workflow id ``<schedule>-<fire time>``. SWF refuses to start a second
execution of an open id, and a replay finds the start in the history, so a fire time runs
at most once, decider crashes included. Time comes from ``Workflow.now()`` (recorded in the
history); waiting is a timer until the next fire. Signals: ``pause``, ``resume``,
``trigger`` (run now). Every ``fires_per_run`` fires the schedule continues as new, carrying
its state, once no run it started is still open.
"""

from __future__ import annotations

import math
from typing import Any

from simpleflow.cached import cached
from simpleflow.dag._workflow import child_stand_in
from simpleflow.schedule import _cron
from simpleflow.task import ChildWorkflowTask, ContinueAsNewWorkflowTask
from simpleflow.workflow import Workflow

FIRES_PER_RUN = 300
ON_TIME = 60.0  # seconds: a fire handled later than this was missed (see catch_up)
SIGNALS = ("pause", "resume", "trigger")


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
        handled_signals = 0
        started: list[str] = []  # workflow ids this run started
        fires = 0
        tries: dict[float, int] = {}
        while True:
            now = self.now().timestamp()
            cutoff = _decision_event_id(self._history)
            if state.get("last_fire") is None:
                state["last_fire"] = now  # a new schedule: from now on
            signals = self._signals(cutoff)
            for signal in signals[handled_signals:]:
                if signal["name"] in ("pause", "resume"):
                    state["paused"] = signal["name"] == "pause"
                elif signal["name"] == "trigger":
                    value = signal["input"] if isinstance(signal["input"], dict) else {}
                    at = value.get("at") or (value.get("kwargs") or {}).get("at") or now
                    self._start(schedule, f"{name}-manual-{_cron.stamp(at)}", overlap, started, cutoff)
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
            if fires >= per_run and not any(self._open_at(i, cutoff) for i in started):
                self.submit(ContinueAsNewWorkflowTask(type(self), schedule, state))
            wake = _cron.next_fire(cron, timezone, max(now, state["last_fire"]))
            # A timer that fired a little early (clocks, whole seconds) is followed by another, under a new id.
            tries[wake] = tries.get(wake, 0) + 1
            timer_id = f"fire-{_cron.stamp(wake)}" + (f"-{tries[wake]}" if tries[wake] > 1 else "")
            timer = self.submit(self.start_timer(timer_id, max(1, math.ceil(wake - now))))
            # Woken by a signal or a closing child before the timer: the next turn of the loop (at a later
            # decision) handles it; a later replay takes the same path, as those events stay in the history.
            while not timer.done:
                if len(self._signals(1 << 62)) > handled_signals:
                    break
                if fires >= per_run and not any(self._open_at(i, 1 << 62) for i in started):
                    break
                timer.wait()

    def _start(self, schedule: dict[str, Any], workflow_id: str, overlap: str, started: list[str], cutoff: int) -> bool:
        """Start the target under *workflow_id*; False when an earlier one is still open and overlap is skip."""
        if overlap == "skip" and any(self._open_at(i, cutoff) for i in started):
            return False
        started.append(workflow_id)
        payload = schedule.get("input") or {}
        child = child_stand_in(schedule["target"], workflow_id, None)
        self.submit(ChildWorkflowTask(child, *(payload.get("args") or []), **(payload.get("kwargs") or {})))
        return True
