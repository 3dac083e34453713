"""The in-process host: runs a workflow and its activities in this process."""

from __future__ import annotations

from simpleflow.local.executor import Executor
from simpleflow.local.host import LocalExecution, LocalResult
from simpleflow.runtime.outcome import Outcome

__all__ = ["Executor", "LocalExecution", "LocalResult", "Outcome"]
