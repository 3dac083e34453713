"""``simpleflow.swf.executor.Executor``: what a workflow's ``self.executor`` is, under simpleflow's name.

One replay engine serves the SWF decider and the local host, so a workflow's
executor is a ``simpleflow.engine.WorkflowContext`` on both.
"""

from __future__ import annotations

from simpleflow.engine import WorkflowContext as Executor

__all__ = ["Executor"]
