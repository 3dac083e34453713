"""``examples/swf_layer_ops.py``, a script written against simpleflow 0.36's object layer, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from simpleflow.swf.mapper.actors import ActivityWorker, Decider
from simpleflow.swf.mapper.models import ActivityType, Domain, WorkflowType
from simpleflow.swf.mapper.models.decision import ActivityTaskDecision, WorkflowExecutionDecision
from simpleflow.swf.mapper.querysets import ActivityTypeQuerySet, WorkflowExecutionQuerySet

SCRIPT = Path(__file__).resolve().parents[3] / "examples" / "swf_layer_ops.py"


def scenario(domain_name: str) -> str:
    """Open executions of two types and one run to its end (one activity completed, one failed); its run id."""
    domain = Domain(domain_name)
    orders = WorkflowType(domain, "orders", "1", task_list="decisions")
    orders.save()
    WorkflowType(domain, "refunds", "2", task_list="decisions").save()
    resize = ActivityTypeQuerySet(domain).create(
        "resize", "1", task_list="work", task_heartbeat_timeout="NONE", task_schedule_to_close_timeout=60,
        task_schedule_to_start_timeout=60, task_start_to_close_timeout=60,
    )  # fmt: skip
    done = orders.start_execution("order-done")
    decider, worker = Decider(domain, "decisions"), ActivityWorker(domain, "work")
    decider.complete(
        decider.poll().token, [ActivityTaskDecision("schedule", f"resize-{n}", resize, input={"n": n}) for n in (1, 2)]
    )
    first, second = worker.poll(), worker.poll()
    worker.complete(first.task_token, result="small")
    worker.fail(second.task_token, reason="too large")
    decider.complete(decider.poll().token, [WorkflowExecutionDecision("complete", result="done")])
    for workflow_id in ("order-1", "order-2"):
        orders.start_execution(workflow_id)
    WorkflowType(domain, "refunds", "2").start_execution("refund-1")
    return done.run_id


def run(*args: str, python: str = sys.executable) -> list[str]:
    done = subprocess.run([python, str(SCRIPT), *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


def test_the_script_lists_the_open_executions_of_a_type(swf_domain):
    scenario(swf_domain)
    lines = run(swf_domain, "list", "orders")
    assert [line.split("\t")[:2] for line in lines] == [["order-1", "1"], ["order-2", "1"]]
    assert all(line.split("\t")[2].endswith("+00:00") for line in lines)
    assert [line.split("\t")[0] for line in run(swf_domain, "list", "refunds")] == ["refund-1"]


def test_the_script_terminates_the_executions_older_than_asked(swf_domain):
    scenario(swf_domain)
    assert run(swf_domain, "terminate", "orders") == ["kept order-1", "kept order-2"]  # not a day old
    assert run(swf_domain, "terminate", "orders", "--older-than", "0") == ["terminated order-1", "terminated order-2"]
    assert run(swf_domain, "list", "orders") == []
    closed = WorkflowExecutionQuerySet(Domain(swf_domain)).filter(status="CLOSED", close_status="TERMINATED")
    assert sorted(e.workflow_id for e in closed) == ["order-1", "order-2"]
    assert [line.split("\t")[0] for line in run(swf_domain, "list", "refunds")] == ["refund-1"]


def test_the_script_registers_the_activity_types_missing(swf_domain):
    scenario(swf_domain)
    assert run(swf_domain, "register", "resize:1", "crop:1", "crop:2", "--task-list", "work") == [
        "exists resize 1",
        "registered crop 1",
        "registered crop 2",
    ]
    assert run(swf_domain, "register", "crop:2", "--task-list", "work") == ["exists crop 2"]
    crop = ActivityType(Domain(swf_domain), "crop", "2").upstream()
    assert (crop.task_list, crop.task_start_to_close_timeout) == ("work", "3600")


def test_the_script_prints_each_activitys_wait_and_run_times(swf_domain):
    run_id = scenario(swf_domain)
    lines = run(swf_domain, "timings", "order-done")
    assert run(swf_domain, "timings", "order-done", run_id) == lines
    rows = [line.split("\t") for line in lines]
    assert [row[:3] for row in rows] == [["resize-1", "resize", "completed"], ["resize-2", "resize", "failed"]]
    for row in rows:
        wait, ran = (float(field.split("=")[1].rstrip("s")) for field in row[3:])
        assert 0 <= wait < 30 and 0 <= ran < 30
