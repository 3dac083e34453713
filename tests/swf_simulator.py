"""SWF's part played at random, for engine tests: decisions in, the events SWF would append out.

Activities close in a random order, some fail or time out; timers fire at the
next round. Lets a test drive one workflow through many decision tasks and
compare, at each one, a resumed run with a full replay.
"""

from __future__ import annotations

import json
import random
from typing import Any

from simpleflow import activity as registry
from tests.history_builder import HistoryBuilder


class SimulatedSWF:
    def __init__(
        self,
        input: Any,
        seed: int,
        fail_rate: float = 0.15,
        timeout_rate: float = 0.05,
        sticky_timeout_rate: float = 0.0,
    ) -> None:
        self.sticky_timeout_rate = sticky_timeout_rate  # decision tasks a sticky decider let time out first
        self.builder = HistoryBuilder(input=input, workflow_id="wf-id", run_id="run-id")
        self.rng = random.Random(seed)
        self.fail_rate = fail_rate
        self.timeout_rate = timeout_rate
        self.open_activities: dict[int, tuple[str, str]] = {}  # scheduled id -> (name, input)
        self.open_timers: list[str] = []
        self.closed: str | None = None
        self._seen = 0

    @property
    def events(self) -> list[dict[str, Any]]:
        return self.builder.events

    def start_decision(self) -> list[dict[str, Any]]:
        """Start a decision task; return the events the decider has not seen yet.

        With ``sticky_timeout_rate``, the task may first have waited in vain on a sticky list (once, or
        again after a decider that took it from the shared list died: START_TO_CLOSE), sometimes with
        an activity's events in between.
        """
        while self.sticky_timeout_rate and self.rng.random() < self.sticky_timeout_rate:
            self.builder.decision_timed_out_unstarted(started_id=self.rng.random() < 0.5)
            if self.open_activities and self.rng.random() < 0.3:
                sid = next(iter(self.open_activities))
                if self.builder._activity(sid)["started"] is None:
                    self.builder.start_activity(sid)
            if self.rng.random() < 0.3:
                self.builder.decision_timed_out(self.builder.decision_started())
        self._started = self.builder.decision_started()
        new = self.events[self._seen :]
        self._seen = len(self.events)
        return new

    def answer(self, decisions: list[dict[str, Any]]) -> None:
        b = self.builder
        b.decision_completed(self._started)
        for d in decisions:
            kind = d["decisionType"]
            a = d[kind[0].lower() + kind[1:] + "DecisionAttributes"]
            if kind == "ScheduleActivityTask":
                sid = b.schedule_activity(
                    a["activityId"],
                    a["activityType"]["name"],
                    a["activityType"]["version"],
                    input=json.loads(a["input"]),
                )
                self.open_activities[sid] = (a["activityType"]["name"], a["input"])
            elif kind == "StartTimer":
                if a["timerId"] in self.open_timers:
                    b.add("StartTimerFailed", timerId=a["timerId"], cause="TIMER_ID_ALREADY_IN_USE")
                else:
                    b.start_timer(a["timerId"], float(a["startToFireTimeout"]))
                    self.open_timers.append(a["timerId"])
            elif kind == "RecordMarker":
                b.record_marker(a["markerName"], json.loads(a["details"]) if a.get("details") else None)
            elif kind == "CompleteWorkflowExecution":
                b.complete_workflow(json.loads(a.get("result") or "null"))
                self.closed = "completed"
            elif kind == "FailWorkflowExecution":
                b.fail_workflow(a.get("reason"), a.get("details"))
                self.closed = "failed"
            else:
                raise AssertionError(f"simulator does not handle {kind}")

    def progress(self) -> bool:
        """Close some open activities and fire timers; False when nothing could happen."""
        b = self.builder
        if not self.open_activities and not self.open_timers:
            return False
        for timer_id in self.open_timers:
            b.fire_timer(timer_id)
        self.open_timers = []
        ids = list(self.open_activities)
        self.rng.shuffle(ids)
        for sid in ids[: self.rng.randint(1, max(1, len(ids)))] if ids else []:
            name, input_text = self.open_activities.pop(sid)
            roll = self.rng.random()
            if roll < self.fail_rate:
                b.fail_activity(sid, reason="ValueError: boom", details={"error": "ValueError"})
            elif roll < self.fail_rate + self.timeout_rate:
                b.timeout_activity(sid)
            else:
                payload = json.loads(input_text)
                try:
                    result = registry.find(name).execute(*payload["args"], **payload["kwargs"])
                except Exception:
                    b.fail_activity(sid, reason="TypeError: bad input")
                    continue
                b.complete_activity(sid, result)
        return True
