"""The two activities of steps: list the steps done (S3 keys under a prefix), mark one done.

Both are declared activities of simpleflow itself, so any worker can run them.
"""

from __future__ import annotations

import json
import os
from typing import Any

from simpleflow import activity, storage
from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT, UNKNOWN_CONTEXT


class GetStepsDoneTask:
    """The names of the steps done: the keys under ``bucket``/``path``, the prefix removed."""

    def __init__(self, bucket: str, path: str) -> None:
        self.bucket = bucket
        self.path = path
        self.path_len = len(path) + (0 if path.endswith("/") else 1)

    def execute(self) -> list[str]:
        return [summary.key[self.path_len :] for summary in storage.list_keys(self.bucket, self.path)]


class MarkStepDoneTask:
    """Write the object ``path/step_name`` (the execution that did it, as JSON) to ``bucket``."""

    def __init__(self, bucket: str, path: str, step_name: str) -> None:
        self.bucket = bucket
        self.path = path
        self.step_name = step_name

    def execute(self) -> None:
        context: Any = getattr(self, "context", None)
        if context:
            content = {key: context.get(key) for key in ("run_id", "workflow_id", "version")}
        else:
            content = dict(UNKNOWN_CONTEXT)
        storage.push_content(self.bucket, os.path.join(self.path, self.step_name), json.dumps(content))


# Declared here, so a worker that imports simpleflow's steps (any module using them) runs them;
# a workflow submits them with its own parameters under these names.
for _task_class in (GetStepsDoneTask, MarkStepDoneTask):
    activity.Activity(_task_class, **STEP_ACTIVITY_PARAMS_DEFAULT)
