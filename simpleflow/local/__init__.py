"""The in-process host: runs a workflow and its activities in this process."""

from __future__ import annotations

from simpleflow.local._family import stuck_child_line
from simpleflow.local._run_host import RunHost
from simpleflow.local.executor import Executor
from simpleflow.local.host import LocalExecution, LocalResult
from simpleflow.runtime.outcome import Outcome

# RunHost: one run's part of SWF (its events, decision tasks, children), what workflow_env's runs are read from;
# stuck_child_line: the line naming a child run that failed as stuck, and why.
__all__ = ["Executor", "LocalExecution", "LocalResult", "Outcome", "RunHost", "stuck_child_line"]
