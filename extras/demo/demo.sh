#!/usr/bin/env bash
# Runs simpleflow's main commands against the SWF endpoint boto3 is configured for
# (AWS_ENDPOINT_URL for a local moto server, else Amazon SWF in AWS_DEFAULT_REGION).
#
#   extras/demo/demo.sh                     # domain: $SWF_DOMAIN, else simpleflow-demo
#   SIMPLEFLOW="python -m simpleflow.command" extras/demo/demo.sh
#
# See extras/demo/README.md for a local moto server.
set -euo pipefail
cd "$(dirname "$0")/../.."  # the repository root: the examples package is importable from here
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

DOMAIN="${SWF_DOMAIN:-simpleflow-demo}"
SIMPLEFLOW="${SIMPLEFLOW:-simpleflow}"
WAIT_SECONDS="${WAIT_SECONDS:-120}"
# A decision task list of this run's own, so that another demo's decider cannot take its tasks.
TASK_LIST="demo-$(date +%s)-$$"

if [[ -t 2 ]]; then bold=$'\033[1m' plain=$'\033[0m'; else bold="" plain=""; fi
step() { printf '\n%s$ simpleflow %s%s\n' "$bold" "$*" "$plain" >&2; }
sf() { step "$@"; $SIMPLEFLOW "$@"; }

echo "endpoint: ${AWS_ENDPOINT_URL:-${AWS_ENDPOINT_URL_SWF:-Amazon SWF (${AWS_DEFAULT_REGION:-us-east-1})}}, domain: $DOMAIN" >&2

# 1. A domain (nothing happens when it exists).
sf domain.register "$DOMAIN" --retention-days 1

# 2. One command does it all: its own decider and worker, the execution, the result (4).
sf standalone --domain "$DOMAIN" examples.basic.BasicWorkflow --input '[1, 5]'

# 3. The same workflow with long-running processes, as in production: a decider on a task list,
#    a worker on the activities' task list ("example", see examples/basic.py), and a starter.
pids=()
stop() {
    # SIGTERM: each process stops polling and finishes the task in hand (a poll on SWF may
    # take up to 60 s to come back).
    if ((${#pids[@]})); then
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
}
trap stop EXIT
step decider.start --domain "$DOMAIN" --task-list "$TASK_LIST" examples.basic.BasicWorkflow "&"
$SIMPLEFLOW decider.start --domain "$DOMAIN" --task-list "$TASK_LIST" examples.basic.BasicWorkflow &
pids+=($!)
step worker.start --domain "$DOMAIN" --task-list example --nb-processes 2 --heartbeat 10 examples.basic "&"
$SIMPLEFLOW worker.start --domain "$DOMAIN" --task-list example --nb-processes 2 --heartbeat 10 examples.basic &
pids+=($!)

started="$(sf workflow.start --domain "$DOMAIN" --task-list "$TASK_LIST" --tags demo,basic \
    examples.basic.BasicWorkflow --input '[20, 5]')"
echo "$started"
read -r WORKFLOW_ID RUN_ID <<<"$started"

echo "waiting for $WORKFLOW_ID to close..." >&2
deadline=$((SECONDS + WAIT_SECONDS))
until [[ "$($SIMPLEFLOW workflow.list "$DOMAIN" --status closed)" == *"$WORKFLOW_ID"* ]]; do
    if ((SECONDS > deadline)); then
        echo "$WORKFLOW_ID still open after ${WAIT_SECONDS}s" >&2
        exit 1
    fi
    sleep 1
done

# 4. Looking at executions.
sf --header workflow.list "$DOMAIN" --status closed
sf --header workflow.info "$DOMAIN" "$WORKFLOW_ID" "$RUN_ID"
sf --header workflow.tasks "$DOMAIN" "$WORKFLOW_ID" "$RUN_ID"
sf --header workflow.profile "$DOMAIN" "$WORKFLOW_ID" "$RUN_ID"
sf task.info "$DOMAIN" "$WORKFLOW_ID" activity-examples.basic.double-1 "$RUN_ID"
history_file="$(mktemp -t simpleflow-history.XXXXXX.json)"
sf workflow.history "$DOMAIN" "$WORKFLOW_ID" "$RUN_ID" >"$history_file"
echo "$(grep -c eventType "$history_file") events in $history_file (replay them: simpleflow workflow.replay" \
    "examples.basic.BasicWorkflow $history_file)"

echo "demo done" >&2
