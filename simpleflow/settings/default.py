"""simpleflow's default settings (the lowest precedence).

A module named in ``SIMPLEFLOW_SETTINGS_MODULE`` overrides these, and an environment
variable of the same name overrides both. Read them with ``simpleflow.settings.NAME``
or ``simpleflow.settings.get("NAME")``; ``simpleflow info settings`` lists them.
"""

from __future__ import annotations

# --- read by this code ----------------------------------------------------------------------

LOG_LEVEL = "WARNING"
# How the command line's log lines look: "text" (simpleflow's) or "json" (one object a line, with the
# execution's and task's fields: simpleflow.log.JsonFormatter); --log-format sets it.
SIMPLEFLOW_LOG_FORMAT = "text"

# SWF client: retries on throttling and 5xx; extra identity fields (a JSON object).
SWF_CONNECTION_RETRIES = 5
SIMPLEFLOW_IDENTITY = None
# At most that many open activities per execution (None: SWF's 1,000).
SWF_MAX_OPEN_ACTIVITY_COUNT = None

# The decider's run cache: at most that many runs, holding about that many MB in all (estimated);
# SIMPLEFLOW_DECIDER_CACHE_EVENTS, if set, also caps the history events they hold in all.
SIMPLEFLOW_DECIDER_CACHE_RUNS = 256
SIMPLEFLOW_DECIDER_CACHE_MB = 256
SIMPLEFLOW_DECIDER_CACHE_EVENTS = None

# The worker's activity processes: tasks one runs before it is replaced (1: a process per task, as
# simpleflow 0.36), and the resident memory in bytes past which it is replaced after its task (0: no limit).
SIMPLEFLOW_WORKER_TASKS_PER_CHILD = 100
SIMPLEFLOW_WORKER_CHILD_MAX_MEMORY = 512 * 1024 * 1024
# Seconds a decision task waits on the sticky task list of the decider that holds its run before SWF
# hands it back to the shared list (0: no sticky task lists).
SIMPLEFLOW_DECIDER_STICKY_TIMEOUT = 5
# Workflow code that does not fit an execution's history (docs/patching.md): the decider leaves the
# decision task unanswered until code that fits is deployed ("wait"), or fails the execution ("fail").
SIMPLEFLOW_ON_NONDETERMINISM = "wait"

# The poll loop (simpleflow.swf.poller): after a failed poll, no poll for a jittered wait growing from BASE
# seconds, doubling up to MAX; any poll that returns brings it back to BASE.
SIMPLEFLOW_POLL_BACKOFF_BASE = 1.0
SIMPLEFLOW_POLL_BACKOFF_MAX = 30.0

# A command with exporters set up from OTEL_* variables (docs/observability.md): seconds it waits at exit for
# them to export what they hold, then leaves (an exporter retrying a collector that does not answer may take
# its whole timeout, OTEL_EXPORTER_OTLP_TIMEOUT: 10 s).
SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT = 2.0

# Jumbo fields: where oversize fields go (bucket[/prefix]) and their read caches.
SIMPLEFLOW_JUMBO_FIELDS_BUCKET = ""
SIMPLEFLOW_JUMBO_FIELDS_CACHE = True
SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR = "/tmp/simpleflow-cache"  # noqa: S108 - the documented default
SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE = 1_000_000_000
SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE = 64 * 1024 * 1024

# Steps (simpleflow.step) and S3 helpers (simpleflow.storage).
SIMPLEFLOW_S3_HOST = "s3.amazonaws.com"
SIMPLEFLOW_S3_SSE = False
STEP_BUCKET = "step_bucket"

# simpleflow 0.36's logging target: host:port of a syslog server that also gets the log lines.
SIMPLEFLOW_SYSLOG_TARGET = None
# Where simpleflow.download puts the programs it fetches (simpleflow binaries.download, with_binaries).
SIMPLEFLOW_BINARIES_DIRECTORY = "/tmp/simpleflow-binaries"  # noqa: S108 - the original's default; checked owner

# simpleflow.metrology: the bucket its statistics go to and the key prefix in it.
METROLOGY_BUCKET = "metrology_bucket"
METROLOGY_PATH_PREFIX = None

# --- activity.with_attributes' defaults, read when an activity is declared --------------------

ACTIVITY_DEFAULT_TASK_LIST = "default"
ACTIVITY_DEFAULT_VERSION = "default"
ACTIVITY_DEFAULT_TIMEOUT = str(5 * 60)
ACTIVITY_START_TO_CLOSE_TIMEOUT = ACTIVITY_DEFAULT_TIMEOUT
ACTIVITY_SCHEDULE_TO_CLOSE_TIMEOUT = ACTIVITY_DEFAULT_TIMEOUT
ACTIVITY_SCHEDULE_TO_START_TIMEOUT = ACTIVITY_DEFAULT_TIMEOUT
ACTIVITY_HEARTBEAT_TIMEOUT = ACTIVITY_DEFAULT_TIMEOUT
# Seconds a program task's process group has between SIGTERM and SIGKILL (simpleflow.execute).
ACTIVITY_SIGTERM_WAIT_SEC = 3.0

# --- simpleflow 0.36's other names, kept so settings modules written for it still load --------

WORKFLOW_DEFAULT_TASK_LIST = "default"
WORKFLOW_DEFAULT_VERSION = "default"
WORKFLOW_DEFAULT_EXECUTION_TIME = str(60 * 60)
WORKFLOW_DEFAULT_DECISION_TASK_TIMEOUT = str(5 * 60)
