"""``Executor(WorkflowClass).run(input)``: simpleflow's way to run a workflow in a unit test."""

from __future__ import annotations

from typing import Any

from simpleflow import exceptions
from simpleflow.local.host import LocalExecution
from simpleflow.middleware import Middlewares, from_option
from simpleflow.outcome import Outcome


class WorkflowFailed(exceptions.WorkflowException):
    """A workflow run with the local executor failed; ``reason`` and ``details`` say why."""

    def __init__(self, reason: str | None, details: str | None) -> None:
        super().__init__(None, exceptions.TaskFailed("workflow", reason, details))
        self.reason = reason
        self.details = details

    def __str__(self) -> str:
        return self.reason or "workflow failed"


class Executor:
    """Runs a workflow class locally, through the same engine as on SWF."""

    def __init__(
        self,
        workflow_class: type,
        workers: int = 1,
        middlewares: Middlewares | dict[str, list[str]] | None = None,
    ) -> None:
        """*middlewares*: run around each activity, as ``{"pre": [paths], "post": [paths]}`` (simpleflow's
        form) or a :class:`simpleflow.middleware.Middlewares`."""
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
