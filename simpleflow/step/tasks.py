"""The two activities of steps: list the steps done (S3 keys under a prefix), mark one done.

Both are declared activities of simpleflow itself, so any worker can run them. Their bucket comes from the
task's input, which whoever schedules a task writes: they touch only the location of this worker's
``STEP_BUCKET`` setting (the one ``WorkflowStepMixin.get_step_bucket`` names by default), host included.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from typing import Any, TypeVar

from simpleflow import activity, settings, storage
from simpleflow.exceptions import DataError
from simpleflow.jumbo import transient_s3_error
from simpleflow.step.constants import STEP_ACTIVITY_PARAMS_DEFAULT, UNKNOWN_CONTEXT

T = TypeVar("T")


def _checked_bucket(bucket: str) -> str:
    """*bucket* (``bucket`` or ``host/bucket``) if it is this worker's step bucket.

    The whole location counts, its host too (the worker's requests, signed with its credentials, go there):
    this worker's ``STEP_BUCKET``, or ``SIMPLEFLOW_S3_HOST/STEP_BUCKET`` as ``get_step_bucket()`` writes it.

    Raises:
        DataError: it is another bucket, or another host (the task fails with this reason, never retried).
    """
    allowed = str(settings.STEP_BUCKET)
    locations = [allowed] if "/" in allowed else [allowed, f"{settings.SIMPLEFLOW_S3_HOST}/{allowed}"]
    if bucket not in locations:
        raise DataError(
            f"step bucket {bucket!r} is not this worker's STEP_BUCKET ({' or '.join(map(repr, locations))}): steps "
            "are read and written only there (set STEP_BUCKET where the worker runs to the location the workflow uses)"
        )
    return bucket


def _s3_answer(error: BaseException | None) -> BaseException | None:
    """*error*, or the error it was raised from (boto3's upload wraps S3's answer), that holds S3's answer."""
    while error is not None:
        if isinstance(getattr(error, "response", None), dict):
            return error
        error = error.__cause__ or error.__context__
    return None


def _in_bucket(bucket: str, call: Callable[[], T]) -> T:
    """*call*'s result. An S3 answer that another try would get again (NoSuchBucket, AccessDenied...) fails
    the task at once, in one line naming the bucket; a transient fault (the network, throttling, 5xx) is
    raised as it is, for the task's ``retry``.

    Raises:
        DataError: a permanent S3 error.
    """
    try:
        return call()
    except Exception as error:
        answer = _s3_answer(error)
        if answer is None or transient_s3_error(answer):
            raise
        code = str((answer.response.get("Error") or {}).get("Code") or "S3 error")  # type: ignore[attr-defined]
        hint = " (create it, or set STEP_BUCKET to a bucket that exists)" if code == "NoSuchBucket" else ""
        raise DataError(f"{code}{hint}", f"step bucket {bucket!r}") from error


class GetStepsDoneTask:
    """The names of the steps done: the keys under ``bucket``/``path``, the prefix removed."""

    def __init__(self, bucket: str, path: str) -> None:
        self.bucket = bucket
        self.path = path
        self.path_len = len(path) + (0 if path.endswith("/") else 1)

    def execute(self) -> list[str]:
        bucket = _checked_bucket(self.bucket)
        keys = _in_bucket(bucket, lambda: storage.list_keys(bucket, self.path))
        return [summary.key[self.path_len :] for summary in keys]


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
        bucket = _checked_bucket(self.bucket)
        key = os.path.join(self.path, self.step_name)
        _in_bucket(bucket, lambda: storage.push_content(bucket, key, json.dumps(content)))


# Declared here, so a worker that imports simpleflow's steps (any module using them) runs them;
# a workflow submits them with its own parameters under these names.
for _task_class in (GetStepsDoneTask, MarkStepDoneTask):
    activity.Activity(_task_class, **STEP_ACTIVITY_PARAMS_DEFAULT)
