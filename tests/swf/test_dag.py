"""DAG specs on the dev server: the same task ids and results as the local host."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import boto3
import pytest

from simpleflow import dag, jumbo
from simpleflow.swf import client, starter
from simpleflow.swf.standalone import run_standalone
from tests.swf_e2e_helpers import (
    completed_result,
    outcomes_by_task,
    scheduled,
    simpleflow,
    simpleflow_here,
    start_decider,
    start_worker,
    wait_closed,
)

SPECS = Path(__file__).resolve().parent.parent / "fixtures" / "dag_specs"
DIAMOND_IDS = [
    "activity-tests.fixtures.dag_activities.increment-a",
    "activity-tests.fixtures.dag_activities.double-b",
    "activity-tests.fixtures.dag_activities.increment-c",
    "activity-tests.fixtures.dag_activities.add-d",
]


def _local(spec: str, value):
    result = dag.run_local(str(SPECS / spec), value)
    assert result.status == "completed", result.reason
    return result


def test_a_diamond_started_with_dag_start_runs_as_locally(swf_domain, processes, decider_list):
    local = _local("diamond.yaml", {"x": 3})
    start_decider(processes, swf_domain, decider_list, "simpleflow.dag.DagWorkflow")
    start_worker(processes, swf_domain, module="tests.fixtures.dag_activities", task_list="dag-tests")
    spec = str(SPECS / "diamond.yaml")
    done = simpleflow("dag.start", "--domain", swf_domain, "--task-list", decider_list, spec, "--input", '{"x": 3}')
    assert done.returncode == 0, done.stderr
    workflow_id, run_id = done.stdout.split()
    events = wait_closed(swf_domain, workflow_id, run_id, processes)
    assert completed_result(events) == local.result == {"a": 4, "d": 13}
    assert [task_id for task_id, _, _ in scheduled(events)] == DIAMOND_IDS
    assert scheduled(events) == scheduled(local.events)
    assert outcomes_by_task(events) == outcomes_by_task(local.events)
    started = next(e for e in events if e["eventType"] == "WorkflowExecutionStarted")
    workflow_type = started["workflowExecutionStartedEventAttributes"]["workflowType"]
    assert workflow_type == {"name": "test-diamond", "version": "1"}
    # inspection shows the node ids in the task ids (the inspection commands in this process)
    tasks = simpleflow_here("--format", "json", "workflow.tasks", swf_domain, workflow_id)
    assert tasks.returncode == 0, tasks.stderr
    assert [t for t in DIAMOND_IDS if t in tasks.stdout] == DIAMOND_IDS
    # the picture of that execution: every node completed
    picture = simpleflow_here("dag.show", spec, "--domain", swf_domain, "--workflow-id", workflow_id, "--dot", "-")
    assert picture.returncode == 0, picture.stderr
    assert picture.stdout.count('fillcolor="#a1d99b"') == 5  # completed


def test_dag_show_colours_a_running_execution_by_state(swf_domain, processes, decider_list):
    start_decider(processes, swf_domain, decider_list, "simpleflow.dag.DagWorkflow")
    spec = str(SPECS / "diamond.yaml")
    done = simpleflow("dag.start", "--domain", swf_domain, "--task-list", decider_list, spec, "--input", '{"x": 1}')
    assert done.returncode == 0, done.stderr
    workflow_id = done.stdout.split()[0]
    # no worker: "a" is scheduled and waits, the rest is pending
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        shown = simpleflow_here("dag.show", spec, "--domain", swf_domain, "--workflow-id", workflow_id, "--dot", "-")
        if 'fillcolor="#9ecae1"' in shown.stdout:
            break
        time.sleep(0.2)
    lines = {line.split()[0]: line for line in shown.stdout.splitlines() if "fillcolor" in line}
    assert 'fillcolor="#9ecae1"' in lines['"a"']  # running
    assert all('fillcolor="#e5e5e5"' in lines[f'"{n}"'] for n in "bcd")  # pending
    unknown = simpleflow_here("dag.show", spec, "--domain", swf_domain, "--workflow-id", "nope", "--dot", "-")
    assert unknown.returncode == 2 and len(unknown.stderr.splitlines()) == 1, unknown.stderr


def test_schedule_commands_create_list_pause_resume_trigger_and_delete_a_schedule(swf_domain):
    target = str(SPECS / "diamond.yaml")
    common = ("--domain", swf_domain)
    done = simpleflow("schedule.create", *common, "daily", target, "--cron", "0 6 * * *", "--input", '{"x": 1}')
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "schedule-daily"
    # The other commands in this process: the same command code, without a start-up each.
    again = simpleflow_here("schedule.create", *common, "daily", target, "--cron", "0 6 * * *", "--input", "{}")
    assert again.returncode == 2 and "schedule 'daily' exists already" in again.stderr

    def listed() -> list[list[str]]:
        shown = simpleflow_here("--format", "json", "schedule.list", *common)
        assert shown.returncode == 0, shown.stderr
        return [[row[0], row[1], row[3], row[4]] for row in json.loads(shown.stdout)]

    assert listed() == [["daily", "0 6 * * *", "test-diamond 1", "active"]]
    by_argument = simpleflow_here("--format", "json", "schedule.list", swf_domain)  # as workflow.list takes it
    assert by_argument.returncode == 0 and json.loads(by_argument.stdout)[0][0] == "daily", by_argument.stderr
    assert simpleflow_here("schedule.pause", "daily", *common).returncode == 0
    assert listed() == [["daily", "0 6 * * *", "test-diamond 1", "paused"]]
    assert simpleflow_here("schedule.resume", "daily", *common).returncode == 0
    assert listed()[0][3] == "active"
    assert simpleflow_here("schedule.trigger", "daily", *common).returncode == 0
    history = client.get_history(swf_domain, "schedule-daily", done.stdout.split()[1])
    signals = [e["workflowExecutionSignaledEventAttributes"] for e in history if "Signaled" in e["eventType"]]
    assert [s["signalName"] for s in signals] == ["pause", "resume", "trigger"]
    assert "at" in json.loads(signals[2]["input"])
    assert simpleflow_here("schedule.delete", "daily", *common).returncode == 0
    assert listed() == []
    none = simpleflow_here("schedule.list", *common)  # a table: no empty line, but what workflow.list says
    assert (none.returncode, none.stdout, none.stderr) == (0, "", f"no schedules in {swf_domain}\n")
    gone = simpleflow_here("schedule.pause", "daily", *common)
    assert (
        gone.returncode == 2
        and gone.stderr.strip() == f"simpleflow: error: no schedule 'daily' in domain '{swf_domain}'"
    )


def test_a_fan_out_runs_on_swf_with_the_same_ids_and_result_as_locally(swf_domain):
    local = _local("fanout.json", {"text": "abcdefg"})
    compiled, workflow_class = dag.prepare(str(SPECS / "fanout.json"))
    workflow_id = f"dag-{uuid.uuid4().hex[:8]}"
    remote = run_standalone(
        swf_domain,
        workflow_class,
        dag.execution_input(compiled, {"text": "abcdefg"}),
        workflow_id=workflow_id,
        progress=None,
        timeout=60,
        modules=compiled["modules"],
    )
    assert remote.status == "completed", remote.reason
    assert remote.result == local.result == "0:AB|1:CD|2:EF|3:G"
    events = client.get_history(swf_domain, workflow_id, remote.run_id)
    ids = [task_id for task_id, _, _ in scheduled(events)]
    shout = "activity-tests.fixtures.dag_activities.shout-shout"
    assert ids[0] == "activity-tests.fixtures.dag_activities.split-split"
    assert sorted(ids[1:5]) == [f"{shout}-{i}" for i in range(4)]
    assert ids[5] == "activity-tests.fixtures.dag_activities.join-join"
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)


def test_standalone_accepts_a_spec_file(swf_domain):
    done = simpleflow("standalone", "--domain", swf_domain, str(SPECS / "diamond.yaml"), "--input", '{"x": 1}')
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == {"a": 2, "d": 7}


def test_standalone_runs_a_floto_spec_with_the_modules_given_by_m_as_locally(swf_domain, tmp_path):
    # A floto spec cannot name its modules: -m declares its activities, for the check and for the workers.
    tasks = [
        {"type": "floto.specs.task.ActivityTask", "id_": "ActivityA:v1:a", "name": "ActivityA", "version": "v1"},
        {
            "type": "floto.specs.task.ActivityTask",
            "id_": "ActivityB:v1:b",
            "name": "ActivityB",
            "version": "v1",
            "requires": [{"id_": "ActivityA:v1:a"}],
        },
    ]
    spec = tmp_path / "floto.json"
    spec.write_text(json.dumps({"type": "floto.specs.DeciderSpec", "activity_tasks": tasks, "task_list": "floto"}))
    local = dag.run_local(str(spec), None, ["examples.dag.activities"])
    assert local.status == "completed", local.reason
    done = simpleflow("standalone", "--domain", swf_domain, "--workflow-id", "floto-m", str(spec))
    assert done.returncode == 2 and "unknown activity 'ActivityA'" in done.stderr
    done = simpleflow(
        "standalone", "--domain", swf_domain, "--workflow-id", "floto-m", str(spec), "-m", "examples.dag.activities"
    )
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(done.stdout.splitlines()[-1])
        == local.result
        == {"ActivityB:v1:b": {"your": "result_activity_b", "saw": ["ActivityA:v1:a"]}}
    )
    events = client.get_history(swf_domain, "floto-m", done.stdout.split()[1])
    assert sorted(scheduled(events), key=repr) == sorted(scheduled(local.events), key=repr)
    done = simpleflow("standalone", "--domain", swf_domain, "tests.fixtures.dag_activities.SlowWorkflow", "-m", "x")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "simpleflow: error: --module applies to a DAG spec; 'tests.fixtures.dag_activities.SlowWorkflow' "
        "is a workflow class"
    ]


def test_workflow_now_reads_swf_timestamps(swf_domain):
    from tests.fixtures.dag_activities import ClockWorkflow

    workflow_id = f"clock-{uuid.uuid4().hex[:8]}"
    outcome = run_standalone(
        swf_domain, ClockWorkflow, {"args": [1]}, workflow_id=workflow_id, progress=None, timeout=60
    )
    assert outcome.status == "completed", outcome.reason
    before, after, zone = outcome.result
    events = client.get_history(swf_domain, workflow_id, outcome.run_id)
    started = [e["eventTimestamp"].timestamp() for e in events if e["eventType"] == "DecisionTaskStarted"]
    assert zone == "UTC" and 1 <= after - before < 30
    assert abs(before - started[0]) < 1e-3 and abs(after - started[1]) < 1e-3


@pytest.fixture
def jumbo_bucket(moto_server, monkeypatch, tmp_path):
    name = f"dag-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{name}/dag")
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def test_a_spec_larger_than_an_swf_input_travels_through_a_jumbo_field(swf_domain, jumbo_bucket, tmp_path):
    pieces = [f"{i:03d}" + "x" * 150 for i in range(300)]  # ~46 kB of spec: over SWF's 32,768 characters
    spec = {
        "name": "big-spec",
        "task_list": "dag-tests",
        "modules": ["tests.fixtures.dag_activities"],
        "nodes": {
            "all": {"activity": "tests.fixtures.dag_activities.join", "args": [pieces]},
            "last": {"activity": "tests.fixtures.dag_activities.increment", "args": [299]},
        },
        "result": "$nodes.last.result",
    }
    path = tmp_path / "big.json"
    path.write_text(json.dumps(spec))
    done = simpleflow("standalone", "--domain", swf_domain, str(path), timeout=180)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == 300
    info = client.list_executions(swf_domain, "closed", started_since_days=None)
    run = next(i["execution"] for i in info if i["workflowType"]["name"] == "big-spec")
    started = client.get_history(swf_domain, run["workflowId"], run["runId"])[0]
    assert started["workflowExecutionStartedEventAttributes"]["input"].startswith(
        f"simpleflow+s3://{jumbo_bucket}/dag/"
    )


def test_a_child_workflow_node_runs_on_swf_as_locally(swf_domain):
    spec = str(SPECS / "child.yaml")
    local = _local("child.yaml", 5)
    done = simpleflow("standalone", "--domain", swf_domain, "--workflow-id", "parent-wf", spec, "--input", "5")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == local.result == 21
    run_id = done.stdout.splitlines()[0].split()[1]
    events = client.get_history(swf_domain, "parent-wf", run_id)
    started = [
        e["startChildWorkflowExecutionInitiatedEventAttributes"] for e in events if "Initiated" in e["eventType"]
    ]
    assert [s["workflowId"] for s in started] == ["parent-wf--child"]
    assert started[0]["workflowType"] == {"name": "tests.fixtures.dag_activities.DoubleTwiceWorkflow", "version": "t"}
    child = client.get_history(swf_domain, "parent-wf--child", client.latest_run_id(swf_domain, "parent-wf--child"))
    assert [task_id for task_id, _, _ in scheduled(child)] == [
        "activity-tests.fixtures.dag_activities.double-1",
        "activity-tests.fixtures.dag_activities.double-2",
    ]


def test_dag_show_refuses_an_execution_of_another_workflow_type_in_one_line(swf_domain):
    """Its states over this spec's graph would be a wrong picture: every node pending, or another spec's
    nodes of the same ids coloured."""
    spec, diamond = str(SPECS / "child.yaml"), str(SPECS / "diamond.yaml")
    parent = f"parent-{uuid.uuid4().hex[:8]}"
    done = simpleflow("standalone", "--domain", swf_domain, "--workflow-id", parent, spec, "--input", "5")
    assert done.returncode == 0, done.stderr
    own = simpleflow_here("dag.show", spec, "--domain", swf_domain, "--workflow-id", parent, "--dot", "-")
    assert own.returncode == 0, own.stderr
    assert own.stdout.count('fillcolor="#a1d99b"') == 2  # completed: the child workflow node and "plus"
    refusals = [
        (diamond, parent, "test-child-node 1", f"{diamond} (test-diamond 1)"),
        (
            spec,
            f"{parent}--child",
            "tests.fixtures.dag_activities.DoubleTwiceWorkflow t",
            f"{spec} (test-child-node 1)",
        ),
    ]
    for shown, workflow_id, ran, expected in refusals:
        other = simpleflow_here("dag.show", shown, "--domain", swf_domain, "--workflow-id", workflow_id, "--dot", "-")
        assert (other.returncode, other.stdout) == (2, "")
        assert other.stderr.splitlines() == [
            f"simpleflow: error: execution {workflow_id!r} ran workflow type {ran}, not the type of {expected}: "
            "its states would colour another workflow's graph"
        ]


def test_a_schedule_of_a_spec_starts_runs_of_the_specs_workflow_type_as_dag_start_does(
    swf_domain, processes, decider_list
):
    local = _local("diamond.yaml", {"x": 3})
    start_decider(processes, swf_domain, decider_list, "simpleflow.schedule.ScheduleWorkflow")
    start_decider(processes, swf_domain, "dag-tests", "simpleflow.dag.DagWorkflow")  # the spec's task list
    start_worker(processes, swf_domain, module="tests.fixtures.dag_activities", task_list="dag-tests")
    spec, common = str(SPECS / "diamond.yaml"), ("--domain", swf_domain)
    created = simpleflow_here(
        "schedule.create", *common, "--task-list", decider_list, "yearly", spec, "--cron", "0 3 1 1 *", "-i", '{"x": 3}'
    )
    assert created.returncode == 0, created.stderr
    triggered = simpleflow_here("schedule.trigger", "yearly", *common)
    assert triggered.returncode == 0, triggered.stderr
    manual = triggered.stdout.split()[-1]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        runs = client.list_executions(swf_domain, "closed", started_since_days=None, workflow_id=manual)
        if runs:
            break
        time.sleep(0.2)
    assert runs, f"{manual} never closed\n{processes.logs()}"
    assert runs[0]["workflowType"] == {"name": "test-diamond", "version": "1"}  # dag.start's type (test above)
    events = client.get_history(swf_domain, manual, runs[0]["execution"]["runId"])
    assert completed_result(events) == local.result
    assert scheduled(events) == scheduled(local.events)
    found = simpleflow_here(
        "--format", "json", "workflow.filter", swf_domain, "--status", "closed", "--workflow-type-name", "test-diamond"
    )
    assert found.returncode == 0, found.stderr
    assert manual in found.stdout
    assert simpleflow_here("schedule.delete", "yearly", *common).returncode == 0


def _big_specs(tmp_path: Path) -> dict[str, tuple[Path, object]]:
    """A 200-node chain and a 200-node fan-out joined by one node: each compiled spec is ~80,000 characters,
    which an execution's input held whole (SWF takes 32,768) before it held them packed."""
    act = "tests.fixtures.dag_activities"
    chain = {f"n{i}": {"activity": f"{act}.increment", "args": [f"$nodes.n{i - 1}.result"]} for i in range(200)}
    chain["n0"]["args"] = ["$input"]
    fan = {"root": {"activity": f"{act}.increment", "args": ["$input"]}}
    fan |= {f"n{i}": {"activity": f"{act}.add", "args": ["$nodes.root.result", i]} for i in range(200)}
    fan["join"] = {"activity": f"{act}.gather", "args": [f"$nodes.n{i}.result" for i in range(200)]}
    specs = {
        "chain": ({"name": "big-chain", "nodes": chain, "result": "$nodes.n199.result"}, 200),
        "fan": ({"name": "big-fan", "nodes": fan, "result": "$nodes.join.result.0"}, [i + 1 for i in range(200)]),
    }
    out = {}
    for label, (spec, expected) in specs.items():
        path = tmp_path / f"{label}.json"
        path.write_text(json.dumps({**spec, "version": "1", "task_list": "dag-tests", "modules": [act]}))
        out[label] = (path, expected)
    return out


def test_a_200_node_chain_and_fan_out_run_on_swf_as_locally_without_a_jumbo_fields_bucket(
    swf_domain, processes, decider_list, tmp_path, monkeypatch
):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)
    start_decider(processes, swf_domain, decider_list, "simpleflow.dag.DagWorkflow")
    start_worker(processes, swf_domain, module="tests.fixtures.dag_activities", task_list="dag-tests")
    for label, (spec, expected) in _big_specs(tmp_path).items():
        record = tmp_path / f"{label}-local.json"
        local = simpleflow("dag.run", str(spec), "--local", "--input", "0", "--record", str(record))
        assert local.returncode == 0, local.stderr
        assert json.loads(local.stdout) == expected, label
        local_events = json.loads(record.read_text())["events"]
        done = simpleflow("dag.start", "--domain", swf_domain, "--task-list", decider_list, str(spec), "--input", "0")
        assert done.returncode == 0, done.stderr
        workflow_id, run_id = done.stdout.split()
        events = wait_closed(swf_domain, workflow_id, run_id, processes, timeout=120)
        assert completed_result(events) == expected, label
        started = events[0]["workflowExecutionStartedEventAttributes"]
        assert started["input"].startswith("{") and len(started["input"]) < 32768  # the spec, not an S3 reference
        assert len(scheduled(events)) == len(json.loads(spec.read_text())["nodes"])
        assert scheduled(events) == scheduled(local_events), label


def test_an_execution_whose_input_holds_the_compiled_spec_runs_as_before(swf_domain, processes, decider_list):
    # Started by a simpleflow before packing (a deploy with executions open): the compiled spec itself.
    local = _local("diamond.yaml", {"x": 3})
    compiled, workflow_class = dag.prepare(str(SPECS / "diamond.yaml"))
    start_decider(processes, swf_domain, decider_list, "simpleflow.dag.DagWorkflow")
    start_worker(processes, swf_domain, module="tests.fixtures.dag_activities", task_list="dag-tests")
    old_input = {"args": [], "kwargs": {"spec": compiled, "input": {"x": 3}}}
    ids = starter.start_workflow(swf_domain, workflow_class, old_input, task_list=decider_list)
    events = wait_closed(swf_domain, ids["workflowId"], ids["runId"], processes)
    assert '"format":"simpleflow.dag/1"' in events[0]["workflowExecutionStartedEventAttributes"]["input"]
    assert completed_result(events) == local.result == {"a": 4, "d": 13}
    assert scheduled(events) == scheduled(local.events)
