"""Activity timeouts on the SWF test server and on the local host: the same ActivityTaskTimedOut events.

The test server enforces start-to-close and schedule-to-close timeouts as SWF does (tests/moto_server.py,
patch 15), heartbeat timeouts from the task's start (patch 6).
"""

from __future__ import annotations

from simpleflow.local import LocalExecution
from tests.fixtures.timeout_workflows import (
    TASK_LIST,
    HeartbeatsWorkflow,
    NoTimeWorkflow,
    SlowFirstWorkflow,
    StartsLateWorkflow,
    UnboundedWorkflow,
)
from tests.swf_e2e_helpers import (
    activity_story,
    attributes,
    completed_result,
    start_decider,
    start_workflow,
    wait_closed,
)

MODULE = "tests.fixtures.timeout_workflows"


def _timeouts(events):
    return [attributes(e)["timeoutType"] for e in events if e["eventType"] == "ActivityTaskTimedOut"]


def _start_workers(processes, domain):
    # Two processes: one takes the retry while the other's attempt still sleeps. Their own heartbeats come
    # every 60 s, as the local host counts them.
    return processes.start(
        "worker", "worker.start", "--domain", domain, "--task-list", TASK_LIST, "--heartbeat", "60", "-N", "2", MODULE
    )


def test_an_attempt_past_its_start_to_close_timeout_times_out_on_swf_as_locally(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, f"{MODULE}.SlowFirstWorkflow")
    _start_workers(processes, swf_domain)
    (tmp_path / "swf").mkdir()
    (tmp_path / "local").mkdir()
    workflow_id, run_id = start_workflow(
        swf_domain, f"{MODULE}.SlowFirstWorkflow", decider_list, {"args": [str(tmp_path / "swf")], "kwargs": {}}
    )
    local = LocalExecution(SlowFirstWorkflow, {"args": [str(tmp_path / "local")], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == "retry answered", processes.logs()
    assert _timeouts(events) == ["START_TO_CLOSE"]
    assert local.result == completed_result(events)
    assert _timeouts(local.events) == _timeouts(events)
    assert activity_story(local.events) == activity_story(events)


def test_a_silent_activity_times_out_on_its_heartbeat_timeout_on_swf_as_locally(swf_domain, processes, decider_list):
    start_decider(processes, swf_domain, decider_list, f"{MODULE}.HeartbeatsWorkflow")
    _start_workers(processes, swf_domain)
    workflow_id, run_id = start_workflow(
        swf_domain, f"{MODULE}.HeartbeatsWorkflow", decider_list, {"args": [2.5], "kwargs": {}}
    )
    local = LocalExecution(HeartbeatsWorkflow, {"args": [2.5], "kwargs": {}}, workers=2).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == {"silent": "TimeoutError(HEARTBEAT)", "beating": "kept alive"}, processes.logs()
    assert local.result == completed_result(events)
    assert _timeouts(local.events) == _timeouts(events) == ["HEARTBEAT"]


def test_a_start_to_close_timeout_of_0_seconds_times_the_attempt_out_on_swf_as_locally(
    swf_domain, processes, decider_list
):
    start_decider(processes, swf_domain, decider_list, f"{MODULE}.NoTimeWorkflow")
    _start_workers(processes, swf_domain)
    workflow_id, run_id = start_workflow(
        swf_domain, f"{MODULE}.NoTimeWorkflow", decider_list, {"args": [], "kwargs": {}}
    )
    local = LocalExecution(NoTimeWorkflow, {"args": [], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert _timeouts(local.events) == _timeouts(events) == ["START_TO_CLOSE"], processes.logs()
    assert local.result == completed_result(events)


def test_a_task_no_worker_takes_within_its_schedule_to_start_timeout_times_out_on_swf_as_locally(
    swf_domain, processes, decider_list, tmp_path
):
    start_decider(processes, swf_domain, decider_list, f"{MODULE}.StartsLateWorkflow")
    # One worker process with one poll, as the local host's one worker: the second task waits behind the first.
    processes.start("worker", "worker.start", "--domain", swf_domain, "--task-list", TASK_LIST, "-N", "1", MODULE)
    workflow_id, run_id = start_workflow(
        swf_domain, f"{MODULE}.StartsLateWorkflow", decider_list, {"args": [str(tmp_path / "swf")], "kwargs": {}}
    )
    local = LocalExecution(StartsLateWorkflow, {"args": [str(tmp_path / "local")], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == [2, "TimeoutError(SCHEDULE_TO_START)"], processes.logs()
    assert local.result == completed_result(events)
    assert _timeouts(local.events) == _timeouts(events) == ["SCHEDULE_TO_START"]
    # Both tasks scheduled, the first started, the second timed out, the first's answer, in that order.
    assert activity_story(local.events) == activity_story(events)
    assert not (tmp_path / "swf").exists() and not (tmp_path / "local").exists()  # it never ran


def test_an_activity_without_timeouts_runs_unbounded_on_swf_as_locally(swf_domain, processes, decider_list):
    # None leaves the timeout out of the decision: SWF then takes the type's default, and refused to schedule
    # the task (DEFAULT_HEARTBEAT_TIMEOUT_UNDEFINED...) while the local host ran it with no limit.
    start_decider(processes, swf_domain, decider_list, f"{MODULE}.UnboundedWorkflow")
    _start_workers(processes, swf_domain)
    workflow_id, run_id = start_workflow(swf_domain, f"{MODULE}.UnboundedWorkflow", decider_list, {"args": [1]})
    local = LocalExecution(UnboundedWorkflow, {"args": [1], "kwargs": {}}).execute()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == local.result == 2, processes.logs()
    assert activity_story(local.events) == activity_story(events)
