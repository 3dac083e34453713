"""simpleflow 0.36's metrology: an activity times its steps and counts what they read and wrote.

``MetrologyTask`` is a base for activity classes: ``with self.step("parse") as step: step.read.records
= n`` records the step's time and counts (``bytes``, ``records``, ``metadata``). After ``execute``, a
worker calls ``post_execute``, which writes the statistics as JSON to
``s3://$METROLOGY_BUCKET/[$METROLOGY_PATH_PREFIX/]<workflow id>/<run id>/activity.<activity id>.json``.
``MetrologyWorkflow`` gathers them, once the execution is closed, into ``metrology.json`` beside them:
the execution's activities and child workflows, each with its ``metrology``.

The statistics are computed here as simpleflow computed them. With the ``otel`` extra and a meter
provider, each step also goes to OpenTelemetry metrics when the task is done (``record_metrics``):
``simpleflow.metrology.step.duration`` (seconds), ``.step.bytes`` and ``.step.records`` (read or
written), under the activity's name and the step's.
"""

from __future__ import annotations

import json
import os
import re
import time
from abc import ABC, abstractmethod
from typing import Any
from urllib.parse import quote_plus

from simpleflow import settings, storage, telemetry
from simpleflow.utils import serialize_complex_object
from simpleflow.workflow import Workflow

__all__ = ["MetrologyTask", "MetrologyWorkflow", "Step", "StepExecution", "StepIO"]

ACTIVITY_KEY_RE = re.compile(r"activity\.(.+)\.json")


class StepIO:
    """What a step read or wrote: ``bytes``, ``records``, and whether they were ``sampled``."""

    def __init__(self) -> None:
        self.bytes = 0
        self.records = 0
        self.sampled = False

    def get_stats(self, time_total: float) -> dict[str, Any]:
        """The counts and their rates over *time_total* seconds (``mb_s``, ``rec_s``; None when nothing)."""
        seconds = time_total or float("inf")
        return {
            "bytes": self.bytes,
            "records": self.records,
            "mb_s": round(self.bytes / (1024 * 1024) / seconds, 2) if self.bytes else None,
            "rec_s": int(self.records / seconds) if self.records else None,
            "sampled": self.sampled,
        }


class Step:
    """One timed step of a task: started when created, finished by ``done()``."""

    def __init__(self, name: str, task: MetrologyTask) -> None:
        self.name = name
        self.task = task
        self.read = StepIO()
        self.write = StepIO()
        self.metadata: dict[str, Any] = {}
        self.time_started = time.time()
        self.time_finished: float | None = None
        self.time_total: float | None = None

    def done(self) -> None:
        self.time_finished = time.time()
        self.time_total = self.time_finished - self.time_started

    def get_stats(self) -> dict[str, Any]:
        total = self.time_total or 0.0
        return {
            "name": self.name,
            "metadata": self.metadata,
            "time_started": self.time_started,
            "time_finished": self.time_finished,
            "time_total": self.time_total,
            "read": self.read.get_stats(total),
            "write": self.write.get_stats(total),
        }


class StepExecution:
    """``with task.step(name) as step:``: the step, finished when the block ends (even by an exception)."""

    def __init__(self, step: Step) -> None:
        self.step = step

    def __enter__(self) -> Step:
        return self.step

    def __exit__(self, *exc_info: Any) -> None:
        self.step.done()


def _prefixed(*parts: str) -> str:
    prefix = settings.get("METROLOGY_PATH_PREFIX")
    return os.path.join(*([str(prefix)] if prefix else []), *parts)


class MetrologyTask:
    """Base of an activity class whose steps are timed and counted (see the module)."""

    context: dict[str, Any]
    steps: list[Step]

    def step(self, name: str) -> StepExecution:
        """A new step, to use in a ``with`` block."""
        step = Step(name, self)
        if not hasattr(self, "steps"):
            self.steps = []
        self.steps.append(step)
        return StepExecution(step)

    def can_upload(self) -> bool:
        """Whether the task knows where its statistics go (its context has the workflow, run and activity ids)."""
        context = getattr(self, "context", None)
        return isinstance(context, dict) and all(c in context for c in ("workflow_id", "run_id", "activity_id"))

    @property
    def metrology_path(self) -> str:
        context = self.context
        return _prefixed(
            context["workflow_id"], quote_plus(context["run_id"]), f"activity.{context['activity_id']}.json"
        )

    def get_stats(self) -> dict[str, Any]:
        """``{"steps": [...], "meta": ...}``: what ``upload_stats`` writes."""
        return {"steps": [step.get_stats() for step in getattr(self, "steps", [])], "meta": getattr(self, "meta", None)}

    def upload_stats(self) -> None:
        """Write the statistics to the metrology bucket (nothing without the context's ids)."""
        if not self.can_upload():
            return
        content = json.dumps(self.get_stats(), indent=2, default=serialize_complex_object)
        storage.push_content(
            settings.get("METROLOGY_BUCKET"), self.metrology_path, content, content_type="application/json"
        )

    @abstractmethod
    def execute(self) -> Any:
        """The task's work."""

    def record_metrics(self) -> None:
        """Each finished step's time and counts to the OpenTelemetry metrics (nothing without the extra)."""
        from simpleflow.telemetry import names as n

        activity = str((getattr(self, "context", None) or {}).get("name") or type(self).__name__)
        for step in getattr(self, "steps", []):
            if step.time_total is None:
                continue
            attrs = {n.ACTIVITY_NAME: activity, n.STEP: step.name}
            telemetry.record(n.M_STEP_DURATION, step.time_total, attrs)
            for direction, io in (("read", step.read), ("write", step.write)):
                if io.bytes:
                    telemetry.count(n.M_STEP_BYTES, io.bytes, {**attrs, n.DIRECTION: direction})
                if io.records:
                    telemetry.count(n.M_STEP_RECORDS, io.records, {**attrs, n.DIRECTION: direction})

    def post_execute(self) -> None:
        self.record_metrics()
        self.upload_stats()


class MetrologyWorkflow(Workflow, ABC):
    """A workflow that, once closed, gathers its activities' statistics into ``metrology.json``."""

    def after_closed(self, history: Any) -> None:
        super().after_closed(history)
        self.push_metrology(history)

    @property
    def metrology_path(self) -> str:
        context = self.get_run_context()
        return _prefixed(quote_plus(context["workflow_id"]), quote_plus(context["run_id"]))

    def push_metrology(self, history: Any) -> None:
        """Write ``metrology.json``: ``[[task id, task record], ...]``, activities with their ``metrology``."""
        bucket = settings.get("METROLOGY_BUCKET")
        tasks = [[key, dict(record)] for key, record in [*history.activities.items(), *history.child_workflows.items()]]
        by_id = {key: record for key, record in tasks}
        prefix = os.path.join(self.metrology_path, "activity.")
        for key in storage.list_keys(bucket, self.metrology_path):
            found = ACTIVITY_KEY_RE.search(key.key)
            if not key.key.startswith(prefix) or not found or found.group(1) not in by_id:
                continue
            by_id[found.group(1)]["metrology"] = json.loads(storage.pull_content(bucket, key.key))
        storage.push_content(
            bucket,
            os.path.join(self.metrology_path, "metrology.json"),
            json.dumps(tasks, indent=2, default=serialize_complex_object),
            content_type="application/json",
        )
