"""``Step``: a submittable that runs its activities unless the step is already done (or skipped)."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from simpleflow import activity
from simpleflow.canvas import Chain, FuncGroup
from simpleflow.futures import Future
from simpleflow.step.tasks import MarkStepDoneTask
from simpleflow.step.utils import (
    get_step_force_reasons,
    get_step_skip_reasons,
    step_is_forced,
    step_is_skipped_by_force,
    step_will_run,
)

__all__ = ["STEP_MARKER", "Step"]

STEP_MARKER = "log.step"


class Step:
    """A named group of activities, played once across executions unless forced.

    Submitting it lists the steps done (one activity, S3), then either records a
    ``log.step`` marker (``scheduled``), runs *activities*, marks the step done in S3 and
    records a ``completed`` marker; or runs *activities_if_step_already_done* and records a
    ``skipped`` marker. With *emit_signal*, a ``step.<name>`` signal follows either way.
    """

    def __init__(
        self,
        step_name: str,
        activities: Any,
        force: bool = False,
        activities_if_step_already_done: Any = None,
        emit_signal: bool = False,
        force_steps_if_executed: Sequence[str] | None = None,
        bubbles_exception_on_failure: bool = False,
    ) -> None:
        """
        Args:
            step_name: the step's (dotted) name.
            activities: what the step runs: a task, a Group or a Chain (not a list).
            force: run it even if an earlier execution did.
            activities_if_step_already_done: what to run instead when the step is skipped.
            emit_signal: send the signal ``step.<step_name>`` once the step is played or skipped.
            force_steps_if_executed: steps to force later in this execution if this one runs.
            bubbles_exception_on_failure: whether a failure inside the step fails the step's future.
        """
        self.step_name = step_name
        self.activities = activities
        self.force = force
        self.activities_if_step_already_done = activities_if_step_already_done
        self.emit_signal = emit_signal
        self.force_steps_if_executed = list(force_steps_if_executed or [])
        self.bubbles_exception_on_failure = bubbles_exception_on_failure

    def _played(self, workflow: Any) -> Chain:
        forced = step_is_forced(self.step_name, workflow.get_forced_steps(), self.force)
        reasons = get_step_force_reasons(self.step_name, getattr(workflow, "steps_forced_reasons", {}))
        marker = {"step": self.step_name, "status": "scheduled", "forced": forced, "reasons": reasons if forced else []}
        done_marker = dict(copy.deepcopy(marker), status="completed")
        workflow.add_forced_steps(self.force_steps_if_executed, f"Dep of {self.step_name}")
        mark_done = activity.Activity(MarkStepDoneTask, **workflow._get_step_activity_params())
        return Chain(
            workflow.record_marker(STEP_MARKER, marker),
            self.activities,
            (mark_done, workflow.get_step_bucket(), workflow.get_step_path_prefix(), self.step_name),
            workflow.record_marker(STEP_MARKER, done_marker),
        )

    def _skipped(self, workflow: Any) -> Chain:
        if step_is_skipped_by_force(self.step_name, workflow.get_skipped_steps()):
            forced = True
            reasons = get_step_skip_reasons(self.step_name, getattr(workflow, "steps_skipped_reasons", {}))
        else:
            forced, reasons = False, ["Step was already played"]
        marker = {"step": self.step_name, "status": "skipped", "forced": forced, "reasons": reasons}
        chain = Chain()
        if self.activities_if_step_already_done is not None:
            chain.append(self.activities_if_step_already_done)
        chain.append(workflow.record_marker(STEP_MARKER, marker))
        return chain

    def submit(self, executor: Any) -> Future:
        workflow = executor.workflow
        if workflow is None:
            raise ValueError("the executor has no workflow to submit the step to")
        if not callable(getattr(workflow, "get_steps_done_activity", None)):
            raise TypeError(
                f"step {self.step_name!r}: {type(workflow).__name__} needs simpleflow.step.workflow.WorkflowStepMixin "
                "among its bases to submit steps"
            )

        def after_listing(steps_done: list[str] | None) -> Chain:
            will_run = step_will_run(
                self.step_name, workflow.get_forced_steps(), workflow.get_skipped_steps(), steps_done or [], self.force
            )
            chain = self._played(workflow) if will_run else self._skipped(workflow)
            if self.emit_signal:
                chain.append(workflow.signal(f"step.{self.step_name}", propagate=False))
            chain.bubbles_exception_on_failure = self.bubbles_exception_on_failure
            return chain

        return workflow.submit(Chain(workflow.get_steps_done_activity(), FuncGroup(after_listing), send_result=True))

    def propagate_attribute(self, attr: str, val: Any) -> None:
        """Set *attr* on the step's activities (a Group's ``raises_on_failure``...)."""
        self.activities.propagate_attribute(attr, val)

    def __repr__(self) -> str:
        return f"<Step {self.step_name!r} activities={self.activities!r}>"
