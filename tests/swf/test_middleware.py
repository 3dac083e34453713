"""Middleware on the dev server: ``standalone`` and ``worker.start`` call them as the local host does."""

from __future__ import annotations

import json

from simpleflow.local import LocalExecution
from simpleflow.runtime import middleware
from tests.fixtures import middleware_functions as mwf
from tests.fixtures import pipeline_workflows as pw
from tests.swf_e2e_helpers import completed_result, simpleflow, start_decider, start_workflow, wait_closed

PIPELINE = "tests.fixtures.pipeline_workflows.PipelineWorkflow"
MW = "tests.fixtures.middleware_functions"
HOST_KEYS = ("workflow_id", "domain_name", "activity_task_list")  # where it ran: differs between hosts


def _calls(workdir) -> list[dict]:
    return sorted(
        ({k: v for k, v in e.items() if k not in HOST_KEYS} for e in mwf.entries(workdir)),
        key=lambda e: (e["activity_id"], e["when"]),
    )


def _local_calls(workdir) -> list[dict]:
    mws = middleware.load([f"{MW}.before"], [f"{MW}.after"])
    LocalExecution(pw.PipelineWorkflow, {"args": [str(workdir)], "kwargs": {}}, middlewares=mws).execute()
    return _calls(workdir)


def test_standalone_calls_the_middlewares_as_the_local_host_does(swf_domain, tmp_path):
    done = simpleflow(
        "standalone",
        "--domain",
        swf_domain,
        PIPELINE,
        "--input",
        json.dumps([str(tmp_path)]),
        "--middleware-pre-execution",
        f"{MW}.before",
        "--middleware-post-execution",
        f"{MW}.after",
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    on_swf = _calls(tmp_path)
    assert len(on_swf) == 10
    assert {e["domain_name"] for e in mwf.entries(tmp_path) if "domain_name" in e} == {swf_domain}
    (tmp_path / "middleware.log").unlink()  # the same workdir: idempotent task ids hash it
    assert on_swf == _local_calls(tmp_path)


def test_worker_start_calls_the_middlewares_around_each_activity(swf_domain, processes, decider_list, tmp_path):
    start_decider(processes, swf_domain, decider_list, PIPELINE)
    processes.start(
        "worker",
        "worker.start",
        "--domain",
        swf_domain,
        "--task-list",
        pw.TASK_LIST,
        "--middleware-pre-execution",
        f"{MW}.before",
        "--middleware-pre-execution",
        f"{MW}.before_again",
        "--middleware-post-execution",
        f"{MW}.after",
        "tests.fixtures.pipeline_workflows",
    )
    workflow_id, run_id = start_workflow(swf_domain, PIPELINE, decider_list, [str(tmp_path)])
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events)[0] == 33
    whens = [e["when"] for e in mwf.entries(tmp_path)]
    assert whens == ["pre", "pre2", "post"] * 5  # one worker: one activity at a time, in order
    assert {e["workflow_id"] for e in mwf.entries(tmp_path) if "workflow_id" in e} == {workflow_id}


def test_a_middleware_that_does_not_resolve_stops_the_worker_at_once_in_one_line(swf_domain):
    done = simpleflow(
        "worker.start",
        "--domain",
        swf_domain,
        "--task-list",
        pw.TASK_LIST,
        "--middleware-post-execution",
        f"{MW}.nope",
        "tests.fixtures.pipeline_workflows",
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "simpleflow: error: --middleware-post-execution "
        "'tests.fixtures.middleware_functions.nope': module 'tests.fixtures.middleware_functions' "
        "has no attribute 'nope'"
    )


def test_the_middleware_example_runs_in_standalone_as_its_page_shows(swf_domain):
    done = simpleflow(
        "standalone",
        "--domain",
        swf_domain,
        "--nb-deciders",
        "1",
        "--nb-workers",
        "1",
        "--middleware-pre-execution",
        "examples.middleware.my_pre_execution_middleware",
        "--middleware-post-execution",
        "examples.middleware.my_post_execution_middleware",
        "examples.basic.BasicWorkflow",
        "--input",
        '{"args": [1], "kwargs": {"t": 0}}',
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == 4
    pre = [line for line in done.stderr.splitlines() if line.startswith("pre-execution: ")]
    post = [line for line in done.stderr.splitlines() if line.startswith("post-execution: ")]
    assert len(pre) == len(post) == 3
    assert any("activity-examples.basic.double-1 returned 4" in line for line in post)
