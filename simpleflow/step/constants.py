"""Defaults for the two activities steps schedule (list the done steps, mark a step done)."""

from __future__ import annotations

from typing import Any

from simpleflow.constants import HOUR, MINUTE
from simpleflow.retry import RetryPolicy

# Merged with WorkflowStepMixin.get_step_activity_params() and the workflow's task list.
STEP_ACTIVITY_PARAMS_DEFAULT: dict[str, Any] = {
    "schedule_to_start_timeout": 4 * HOUR,
    "start_to_close_timeout": 1 * MINUTE,
    "schedule_to_close_timeout": 4 * HOUR + MINUTE,
    "heartbeat_timeout": 3 * MINUTE,
    "task_priority": 100,
    "version": "1.0",
    "idempotent": True,
    "raises_on_failure": True,
    # One more try at once for a transient fault; a DataError (a missing bucket, another worker's bucket) is final.
    "retry": RetryPolicy(maximum_attempts=2, initial_interval=0, non_retryable_errors=("DataError",)),
}

# What a step's S3 object holds when the task has no activity context.
UNKNOWN_CONTEXT = {"run_id": "unknown", "workflow_id": "unknown", "version": "unknown"}
