"""The in-process host: runs a workflow and its activities in this process."""

from __future__ import annotations

from simpleflow.local.host import LocalExecution, LocalResult

__all__ = ["LocalExecution", "LocalResult"]
