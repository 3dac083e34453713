"""``WorkflowStepMixin``: what a workflow needs to submit steps (where their S3 objects live...)."""

from __future__ import annotations

import copy
import os
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from simpleflow import activity, settings, task
from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT
from simpleflow.step.submittable import Step
from simpleflow.step.tasks import GetStepsDoneTask

__all__ = ["WorkflowStepMixin"]


class WorkflowStepMixin:
    """Mix into a Workflow: ``self.submit(self.step(name, activities, ...))``.

    Done steps are S3 objects ``<get_step_bucket()>/<get_step_path_prefix()><step name>``;
    override those methods (and ``get_step_activity_params``) to place them elsewhere.
    """

    def get_step_bucket(self) -> str:
        """The bucket of the steps' objects: ``SIMPLEFLOW_S3_HOST/STEP_BUCKET`` (settings)."""
        return f"{settings.SIMPLEFLOW_S3_HOST}/{settings.STEP_BUCKET}"

    def get_step_path_prefix(self) -> str:
        """The key prefix of the steps' objects: ``<workflow id>/steps/``."""
        return os.path.join(self.get_run_context().get("workflow_id", "default"), "steps/")

    def get_step_activity_params(self) -> dict[str, Any]:
        """Activity options for the two step activities, over ``STEP_ACTIVITY_PARAMS_DEFAULT``."""
        return {}

    def add_forced_steps(self, steps: Iterable[str] | str, reason: str | None = None) -> None:
        """Force *steps* (names or patterns: ``a`` covers ``a.b``, ``*`` all) from now on."""
        self._add_steps("steps_forced", steps, reason)

    def get_forced_steps(self) -> list[str]:
        return sorted(getattr(self, "steps_forced", ()))

    def add_skipped_steps(self, steps: Iterable[str] | str, reason: str | None = None) -> None:
        """Skip *steps* from now on, unless they are forced (forcing wins)."""
        self._add_steps("steps_skipped", steps, reason)

    def get_skipped_steps(self) -> list[str]:
        return sorted(getattr(self, "steps_skipped", ()))

    def _add_steps(self, kind: str, steps: Iterable[str] | str, reason: str | None) -> None:
        names = {steps} if isinstance(steps, str) else set(steps)  # add_forced_steps("*") forces all
        if not hasattr(self, kind):
            setattr(self, kind, set())
            setattr(self, f"{kind}_reasons", defaultdict(set))
        getattr(self, kind).update(names)
        if reason:
            reasons = getattr(self, f"{kind}_reasons")
            for name in names:
                reasons[name].add(reason)

    def _get_step_activity_params(self) -> dict[str, Any]:
        params = copy.copy(STEP_ACTIVITY_PARAMS_DEFAULT)
        if getattr(self, "task_list", None):
            params["task_list"] = self.task_list
        params.update(self.get_step_activity_params() or {})
        return params

    def step(self, *args: Any, **kwargs: Any) -> Step:
        """A :class:`Step` (same arguments)."""
        return Step(*args, **kwargs)

    def get_steps_done_activity(self) -> task.ActivityTask:
        """The task listing the steps done."""
        return task.ActivityTask(
            activity.Activity(GetStepsDoneTask, **self._get_step_activity_params()),
            self.get_step_bucket(),
            self.get_step_path_prefix(),
        )

    def get_steps_done(self) -> list[str]:
        """The steps done (waits for the listing task)."""
        return self.submit(self.get_steps_done_activity()).result
