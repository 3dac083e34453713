"""The names simpleflow's telemetry uses: spans, their attributes, span events and metrics.

One place, so that the live spans (decider, worker, local host), the traces rebuilt from a history
(``workflow.trace``) and docs/observability.md say the same thing.
"""

from __future__ import annotations

import re

SCOPE = "simpleflow"

# -- spans ------------------------------------------------------------------------------------
EXECUTION = "workflow"  # "workflow <type>": the execution's root span, from its start to its close
DECISION_TASK = "decision_task"
ACTIVITY = "activity"  # "activity <name>": one attempt
CHILD_WORKFLOW = "child_workflow"  # "child_workflow <type>": in the parent's trace, linked to the child's


def execution_span_name(workflow_type: str) -> str:
    return f"{EXECUTION} {workflow_type}"


def activity_span_name(name: str) -> str:
    return f"{ACTIVITY} {name}"


def child_span_name(workflow_type: str) -> str:
    return f"{CHILD_WORKFLOW} {workflow_type}"


# -- span attributes ----------------------------------------------------------------------------
DOMAIN = "simpleflow.domain"
TASK_LIST = "simpleflow.task_list"
WORKFLOW_TYPE = "simpleflow.workflow.type"
WORKFLOW_ID = "simpleflow.workflow.id"
RUN_ID = "simpleflow.run.id"
OUTCOME = "simpleflow.outcome"
ERROR_TYPE = "error.type"  # OpenTelemetry's semantic convention
DECISION_EVENTS = "simpleflow.decision.events"  # events folded in by this decision task
DECISION_REPLAY = "simpleflow.decision.replay"  # "resumed" (the run cache's) or "full"
DECISION_COUNT = "simpleflow.decision.decisions"  # decisions sent
DECISION_REPLAY_SECONDS = "simpleflow.decision.replay_seconds"
DECISION_STARTED_EVENT = "simpleflow.decision.started_event_id"
ACTIVITY_NAME = "simpleflow.activity.name"
ACTIVITY_ID = "simpleflow.activity.id"  # the task id
ATTEMPT = "simpleflow.activity.attempt"
CHILD_WORKFLOW_ID = "simpleflow.child.workflow.id"
CHILD_RUN_ID = "simpleflow.child.run.id"
PARENT_WORKFLOW_ID = "simpleflow.parent.workflow.id"
PARENT_RUN_ID = "simpleflow.parent.run.id"
REBUILT = "simpleflow.rebuilt"  # true on the spans workflow.trace rebuilt from a history

RESUMED = "resumed"
FULL = "full"

# -- span events (timers and signals, on the decision task that saw them) -----------------------
TIMER_STARTED = "timer.started"
TIMER_FIRED = "timer.fired"
TIMER_CANCELED = "timer.canceled"
SIGNAL_RECEIVED = "signal.received"
SIGNAL_SENT = "signal.sent"
TIMER_ID = "simpleflow.timer.id"
TIMER_SECONDS = "simpleflow.timer.seconds"
SIGNAL_NAME = "simpleflow.signal.name"
SIGNAL_TARGET = "simpleflow.signal.workflow.id"

# -- metrics ------------------------------------------------------------------------------------
M_DECISION_DURATION = "simpleflow.decision_task.duration"
M_DECISION_EVENTS = "simpleflow.decision_task.events"
M_CACHE_HITS = "simpleflow.decider.cache.hits"
M_CACHE_MISSES = "simpleflow.decider.cache.misses"
M_CACHE_EVICTIONS = "simpleflow.decider.cache.evictions"
M_CACHE_BYTES = "simpleflow.decider.cache.bytes"
M_ACTIVITY_DURATION = "simpleflow.activity.duration"
M_SCHEDULE_TO_START = "simpleflow.activity.schedule_to_start"
M_TASK_FAILURES = "simpleflow.task.failures"
M_TASK_RETRIES = "simpleflow.task.retries"
M_JUMBO_READS = "simpleflow.jumbo.reads"
M_JUMBO_WRITES = "simpleflow.jumbo.writes"
M_JUMBO_BYTES = "simpleflow.jumbo.bytes"
M_POLL_ERRORS = "simpleflow.poll.errors"
M_STEP_DURATION = "simpleflow.metrology.step.duration"
M_STEP_BYTES = "simpleflow.metrology.step.bytes"
M_STEP_RECORDS = "simpleflow.metrology.step.records"

# metric-only attributes
JUMBO_SOURCE = "simpleflow.jumbo.source"  # memory, disk or s3
DIRECTION = "simpleflow.direction"  # read or write
POLLER = "simpleflow.poller"  # decision or activity
STEP = "simpleflow.metrology.step"
TASK_KIND = "simpleflow.task.kind"  # activity or child_workflow


# A ``standalone`` command's own task list, one per run (``standalone-<uuid4 hex>``, simpleflow.swf.standalone):
# a new metric series each run, so metric points carry this stable value instead (spans keep the name).
STANDALONE_TASK_LIST = "standalone"
_STANDALONE_LIST = re.compile(r"standalone-[0-9a-f]{32}")


def metric_task_list(task_list: str) -> str:
    """*task_list* as metric attributes carry it: ``STANDALONE_TASK_LIST`` for a standalone command's own."""
    return STANDALONE_TASK_LIST if _STANDALONE_LIST.fullmatch(task_list) else task_list
