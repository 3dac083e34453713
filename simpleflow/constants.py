"""Time units for timeouts and timers, and SWF's limits."""

from __future__ import annotations

import os

# The deployment environment simpleflow reads from ``SIMPLEFLOW_ENV`` ("production" unless set).
SIMPLEFLOW_ENV = os.environ.get("SIMPLEFLOW_ENV", "production")

SECOND = 1
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

# SWF limits (https://docs.aws.amazon.com/amazonswf/latest/developerguide/swf-dg-limits.html)
MAX_DECISIONS = 100
MAX_REQUEST_SIZE = 1_000_000  # bytes, a RespondDecisionTaskCompleted request
MAX_OPEN_ACTIVITY_COUNT = 1000
MAX_INPUT_LENGTH = 32768
MAX_RESULT_LENGTH = 32768
MAX_DETAILS_LENGTH = 32768
MAX_REASON_LENGTH = 256
MAX_HEARTBEAT_DETAILS_LENGTH = 2048
MAX_CONTROL_LENGTH = 32768
MAX_EXECUTION_CONTEXT_LENGTH = 32768
MAX_IDENTITY_LENGTH = 256
MAX_NAME_LENGTH = 256  # an id or a name: a timer's, a marker's, a signal's, a workflow's
MAX_HISTORY_EVENTS = 25000
# The cause of the WorkflowExecutionTerminated event SWF records in a history that reached MAX_HISTORY_EVENTS.
EVENT_LIMIT_EXCEEDED = "EVENT_LIMIT_EXCEEDED"
# A child's (and an execution's) child policy when neither its start nor its class gives one.
DEFAULT_CHILD_POLICY = "TERMINATE"
# An execution's executionStartToCloseTimeout when neither its start nor its workflow class gives one (seconds):
# what a start from outside sends, and the default a child's or a continued run's type is registered with.
DEFAULT_EXECUTION_TIMEOUT = 3600

# The zero-second timer that wakes a workflow up after a capped decision batch.
WAKE_UP_TIMER = "_simpleflow_wake_up_timer"
RETRY_TIMER_PREFIX = "__simpleflow_task_"  # on_task_failure's retry_later wait: <prefix><task id>
RETRY_POLICY_TIMER_PREFIX = "__simpleflow_retry_"  # a RetryPolicy's wait: <prefix><attempt>_<task id>
MAX_LOG_FIELD = 500 * 1024  # bytes of one field written to a log line
# What the reason of an execution failed by ``self.fail(reason)`` starts with, before the workflow's own words.
WORKFLOW_FAILED_PREFIX = "Workflow execution failed: "

# Jumbo fields (simpleflow.jumbo): the reference prefix and the largest object stored.
JUMBO_FIELDS_PREFIX = "simpleflow+s3://"
JUMBO_FIELDS_MAX_SIZE = 64 * 1024 * 1024
CACHE_DIR = "/tmp/simpleflow-cache"  # noqa: S108 - the documented default; the cache checks its owner
