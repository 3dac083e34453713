"""``simpleflow workflow.query`` on the dev server: an execution part-way (waiting for a signal) and closed,
queried through the command line; the history is the same before and after, and the local host agrees."""

from __future__ import annotations

import json
import time
import uuid

import pytest

from simpleflow.cli import failures
from simpleflow.local import LocalExecution
from simpleflow.swf import client
from simpleflow.swf.query import query_execution
from tests.fixtures.query_workflows import TASK_LIST, OrderWorkflow
from tests.swf_e2e_helpers import (
    Processes,
    simpleflow,
    simpleflow_here,
    start_decider,
    start_worker,
    start_workflow,
    wait_closed,
)

WORKFLOW = "tests.fixtures.query_workflows.OrderWorkflow"
INPUT = {"args": ["o-7", [5, 15]], "kwargs": {}}


def wait_for_signal_wait(domain, workflow_id, run_id, processes, timeout=20.0):
    """The history once both charges completed and the decision after them was taken."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = client.get_history(domain, workflow_id, run_id)
        types = [e["eventType"] for e in events]
        if types.count("ActivityTaskCompleted") == 2 and types[-1] == "DecisionTaskCompleted":
            return events
        time.sleep(0.05)
    raise AssertionError(f"the workflow never waited for its signal\n{processes.logs()}")


@pytest.fixture(scope="module")
def executions(moto_server, tmp_path_factory):
    """Two OrderWorkflows on the dev server, charged and waiting for "approve" (one decider, one worker):
    ``(domain, [(workflow id, run id), ...], processes)``. Only the closing test signals the second."""
    domain = f"test-{uuid.uuid4().hex[:8]}"
    client.swf_client().register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    decider_list = f"decisions-{uuid.uuid4().hex[:8]}"
    processes = Processes(tmp_path_factory.mktemp("queries"))
    try:
        start_decider(processes, domain, decider_list, WORKFLOW)
        start_worker(processes, domain, module="tests.fixtures.query_workflows", task_list=TASK_LIST)
        ids = [start_workflow(domain, WORKFLOW, decider_list, INPUT) for _ in range(2)]
        for workflow_id, run_id in ids:
            wait_for_signal_wait(domain, workflow_id, run_id, processes)
        yield domain, ids, processes
    finally:
        processes.stop()


@pytest.fixture
def waiting(executions):
    """(domain, workflow id, run id) of an execution that waits for its signal."""
    domain, ids, _ = executions
    return domain, *ids[0]


def test_querying_an_open_execution_prints_its_state_and_leaves_its_history_alone(waiting):
    domain, workflow_id, run_id = waiting
    before = client.get_history(domain, workflow_id, run_id)
    done = simpleflow("workflow.query", domain, workflow_id, "status", "--workflow", WORKFLOW)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"stage": "awaiting approval", "charged": [5, 15], "approver": None}
    done = simpleflow(
        "workflow.query", domain, workflow_id, "total", "--input", '["USD"]', "--run-id", run_id, "--workflow", WORKFLOW
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == "20 USD"
    time.sleep(0.3)  # a decision task scheduled by mistake would have been answered by now
    assert client.get_history(domain, workflow_id, run_id) == before
    info = client.swf_client().describe_workflow_execution(
        domain=domain, execution={"workflowId": workflow_id, "runId": run_id}
    )
    assert info["openCounts"]["openDecisionTasks"] == 0
    # The local host, left at the same point (the signal never comes), answers the same.
    local = LocalExecution(OrderWorkflow, INPUT)
    local.execute()
    assert local.query("status") == json.loads(
        simpleflow("workflow.query", domain, workflow_id, "status", "--workflow", WORKFLOW).stdout
    )


def test_querying_a_closed_execution_prints_its_final_state(executions):
    domain, ids, processes = executions
    workflow_id, run_id = ids[1]
    done = simpleflow("workflow.signal", domain, workflow_id, "approve", "--input", '["carol"]')
    assert done.returncode == 0, done.stderr
    wait_closed(domain, workflow_id, run_id, processes)
    done = simpleflow("workflow.query", domain, workflow_id, "status", "--workflow", WORKFLOW)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"stage": "shipped", "charged": [5, 15], "approver": "carol"}
    done = simpleflow("workflow.query", domain, workflow_id, "approval_now", "--workflow", WORKFLOW)
    assert json.loads(done.stdout) == {"args": ["carol"], "kwargs": {}}


# What a user can get wrong, and the one line that says so (exit 2): the first ones through the command
# line, the others (the same code path, one process start less each) through the library call it makes.
USER_ERRORS = [
    (
        ["nope"],
        "workflow OrderWorkflow has no query 'nope' (its queries: approval_now, broken, charge_more, plan,"
        " sneaky, status, total, unencodable)",
    ),
    (["total", "--input", "[1,"], "--input is not valid JSON: "),
    (["charge_more"], "query 'charge_more' may not submit, wait or fail the workflow: a query only reads its state"),
    (["unencodable"], "query 'unencodable' returned a value JSON cannot encode: "),
]
LIBRARY_USER_ERRORS = [
    ({"name": "total", "input": '["USD", 2]'}, "input does not fit query 'total': too many positional arguments"),
    ({"name": "approval_now"}, "query 'approval_now' may not submit, wait or fail the workflow: a query only reads"),
    ({"name": "status", "workflow": "tests.fixtures.nowhere.Flow"}, "unknown workflow module 'tests.fixtures.nowhere'"),
    ({"name": "status", "run_id": "no-such-run"}, "no execution "),
]


def test_query_errors_a_user_can_fix_are_one_line_and_exit_2_and_touch_nothing(waiting):
    domain, workflow_id, run_id = waiting
    before = len(client.get_history(domain, workflow_id, run_id))
    for args, line in USER_ERRORS:
        done = simpleflow_here("workflow.query", domain, workflow_id, *args, "--workflow", WORKFLOW)
        assert (done.returncode, done.stdout) == (2, ""), (args, done.stderr)
        assert done.stderr.startswith(f"simpleflow: error: {line}"), (args, done.stderr)
        assert done.stderr.count("\n") == 1, (args, done.stderr)
    for kwargs, line in LIBRARY_USER_ERRORS:
        with pytest.raises(Exception) as caught:
            query_execution(domain, workflow_id, **{"workflow": WORKFLOW, **kwargs})
        explained, code = failures.explain(caught.value)
        assert code == failures.EXIT_USAGE and explained.startswith(line), (kwargs, explained)
    assert len(client.get_history(domain, workflow_id, run_id)) == before


def test_a_query_that_raises_exits_1_naming_the_error(waiting):
    domain, workflow_id, _ = waiting
    done = simpleflow_here("workflow.query", domain, workflow_id, "broken", "--workflow", WORKFLOW)
    assert done.returncode == 1
    assert done.stderr.startswith("simpleflow: error: query 'broken' raised ValueError: no such thing ("), done.stderr
    assert done.stderr.count("\n") == 1


def test_a_query_that_raises_shows_its_traceback_under_debug_only(waiting, monkeypatch):
    domain, workflow_id, _ = waiting
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    done = simpleflow("workflow.query", domain, workflow_id, "broken", "--workflow", WORKFLOW)
    assert done.returncode == 1
    assert "Traceback" in done.stderr and 'raise ValueError("no such thing")' in done.stderr, done.stderr
    last = done.stderr.splitlines()[-1]
    assert last.startswith("simpleflow: error: query 'broken' raised ValueError: no such thing ("), last


def test_an_execution_failed_by_a_task_that_raises_on_failure_is_queried_at_its_end(executions, tmp_path):
    # A replay of the whole history raises at the failed check's submit, before the charge the run had submitted:
    # the query accepts that as workflow.replay does (the module's worker runs both activities).
    domain, _, _ = executions
    refused = "tests.fixtures.query_workflows.RefusedOrder"
    processes = Processes(tmp_path)
    try:
        decider_list = f"decisions-{uuid.uuid4().hex[:8]}"
        start_decider(processes, domain, decider_list, refused)
        workflow_id, run_id = start_workflow(domain, refused, decider_list, {"args": ["o-9"], "kwargs": {}})
        events = wait_closed(domain, workflow_id, run_id, processes)
    finally:
        processes.stop()
    assert [e["eventType"] for e in events].count("ActivityTaskScheduled") == 2
    assert events[-1]["eventType"] == "WorkflowExecutionFailed"
    done = simpleflow_here("workflow.query", domain, workflow_id, "status", "--workflow", refused)
    assert (done.returncode, done.stderr) == (0, "")
    assert json.loads(done.stdout) == "checking"


def test_querying_an_unknown_execution_is_one_line_and_exit_2(swf_domain):
    done = simpleflow_here("workflow.query", swf_domain, "no-such-workflow", "status", "--workflow", WORKFLOW)
    assert done.returncode == 2
    line = f"simpleflow: error: no execution with workflow id 'no-such-workflow' in domain '{swf_domain}'\n"
    assert done.stderr == line
