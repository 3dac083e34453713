"""Day-to-day operations on an SWF domain, written against simpleflow 0.36's object layer.

Runs unchanged with simpleflow 0.36 and with this simpleflow (``simpleflow.swf.mapper``)::

    python examples/swf_layer_ops.py DOMAIN list TYPE                  # open executions of a workflow type
    python examples/swf_layer_ops.py DOMAIN terminate TYPE [--older-than SECONDS]   # default: a day
    python examples/swf_layer_ops.py DOMAIN register NAME:VERSION... --task-list LIST
    python examples/swf_layer_ops.py DOMAIN timings WORKFLOW_ID [RUN_ID]   # each activity's wait and run
"""

from __future__ import annotations

import argparse
import datetime
import sys

from simpleflow.swf.mapper.models import ActivityType, Domain, WorkflowExecution
from simpleflow.swf.mapper.querysets import ActivityTypeQuerySet, WorkflowExecutionQuerySet

DAY = 24 * 3600
CLOSING_STATES = ("completed", "failed", "timed_out", "canceled")


def utc(moment):
    return moment.astimezone(datetime.timezone.utc)


def open_executions(domain, workflow_type):
    executions = WorkflowExecutionQuerySet(domain).filter(
        status=WorkflowExecution.STATUS_OPEN, workflow_type_name=workflow_type
    )
    return sorted(executions, key=lambda e: (e.start_timestamp, e.workflow_id))


def list_open(domain, args):
    for execution in open_executions(domain, args.workflow_type):
        started = utc(execution.start_timestamp).isoformat(timespec="seconds")
        print(f"{execution.workflow_id}\t{execution.workflow_type.version}\t{started}")


def terminate_old(domain, args):
    now = datetime.datetime.now(datetime.timezone.utc)
    for execution in open_executions(domain, args.workflow_type):
        age = (now - utc(execution.start_timestamp)).total_seconds()
        if age > args.older_than:
            execution.terminate(reason=f"older than {args.older_than} seconds")
            print(f"terminated {execution.workflow_id}")
        else:
            print(f"kept {execution.workflow_id}")


def register(domain, args):
    for spec in args.types:
        name, version = spec.split(":")
        if ActivityType(domain, name, version).exists:
            print(f"exists {name} {version}")
            continue
        ActivityTypeQuerySet(domain).create(
            name,
            version,
            task_list=args.task_list,
            task_heartbeat_timeout="NONE",
            task_schedule_to_close_timeout=3600,
            task_schedule_to_start_timeout=3600,
            task_start_to_close_timeout=3600,
        )
        print(f"registered {name} {version}")


def find_run_id(domain, workflow_id):
    queryset = WorkflowExecutionQuerySet(domain)
    for status in (WorkflowExecution.STATUS_OPEN, WorkflowExecution.STATUS_CLOSED):
        executions = queryset.filter(status=status, workflow_id=workflow_id)
        if executions:
            return max(executions, key=lambda e: e.start_timestamp).run_id
    raise SystemExit(f"no execution {workflow_id} in {domain.name}")


def timings(domain, args):
    run_id = args.run_id or find_run_id(domain, args.workflow_id)
    history = WorkflowExecution(domain, args.workflow_id, run_id=run_id).history()
    later = {}
    for event in history.filter(type="ActivityTask"):
        scheduled_id = getattr(event, "scheduled_event_id", None)
        if scheduled_id is not None:
            later.setdefault(scheduled_id, {})[event.state] = event
    for scheduled in history.filter(type="ActivityTask", state="scheduled"):
        events = later.get(scheduled.id, {})
        started = events.get("started")
        closed = next((events[s] for s in CLOSING_STATES if s in events), None)
        wait = (started.timestamp - scheduled.timestamp).total_seconds() if started else None
        run = (closed.timestamp - started.timestamp).total_seconds() if started and closed else None
        print(
            f"{scheduled.activity_id}\t{scheduled.activity_type['name']}\t{closed.state if closed else 'open'}"
            f"\twait={_seconds(wait)}\trun={_seconds(run)}"
        )


def _seconds(value):
    return "-" if value is None else f"{value:.3f}s"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("domain")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list")
    listing.add_argument("workflow_type")
    listing.set_defaults(run=list_open)
    terminating = commands.add_parser("terminate")
    terminating.add_argument("workflow_type")
    terminating.add_argument("--older-than", type=float, default=DAY)
    terminating.set_defaults(run=terminate_old)
    registering = commands.add_parser("register")
    registering.add_argument("types", nargs="+")
    registering.add_argument("--task-list", required=True)
    registering.set_defaults(run=register)
    timing = commands.add_parser("timings")
    timing.add_argument("workflow_id")
    timing.add_argument("run_id", nargs="?")
    timing.set_defaults(run=timings)
    args = parser.parse_args(argv)
    domain = Domain(args.domain)
    if not domain.exists:
        raise SystemExit(f"unknown domain {args.domain}")
    args.run(domain, args)


if __name__ == "__main__":
    sys.exit(main())
