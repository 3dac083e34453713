"""``Executor(WorkflowClass).run(input)``: simpleflow's way to run a workflow in a unit test."""

from __future__ import annotations

from typing import Any

from simpleflow.exceptions import WorkflowFailed
from simpleflow.local.host import LocalExecution
from simpleflow.runtime.middleware import Middlewares, from_option
from simpleflow.runtime.outcome import Outcome


class Executor:
    """Runs a workflow class locally, through the same engine as on SWF."""

    def __init__(
        self,
        workflow_class: type,
        workers: int = 1,
        middlewares: Middlewares | dict[str, list[str]] | None = None,
    ) -> None:
        """*middlewares*: run around each activity, as ``{"pre": [paths], "post": [paths]}`` (simpleflow's
        form) or a :class:`simpleflow.runtime.middleware.Middlewares`."""
        self.workflow_class = workflow_class
        self.workers = workers
        self.middlewares = from_option(middlewares)
        self.last: Outcome | None = None

    def run(self, input: dict[str, Any] | None = None) -> Any:
        """Run to the end; return the result, or raise WorkflowFailed."""
        input = input or {}
        if isinstance(input, list):
            input = {"args": input, "kwargs": {}}
        payload = {"args": list(input.get("args") or []), "kwargs": dict(input.get("kwargs") or {})}
        self.last = LocalExecution(
            self.workflow_class, payload, workers=self.workers, middlewares=self.middlewares
        ).execute()
        if self.last.completed:
            return self.last.result
        raise WorkflowFailed(self.last.reason or self.last.status, self.last.details)
