"""The boto3 layer against the dev server: pages, identity, unknown domains, registrations."""

from __future__ import annotations

import json
import os
import uuid

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.swf import client, connection


@pytest.fixture
def fresh_clients():
    """Clients rebuilt from the environment before and after the test."""
    client.reset_clients()
    yield
    client.reset_clients()


def start_execution(domain: str, workflow_id: str | None = None, task_list: str | None = None) -> tuple[str, str]:
    client.ensure_workflow_type(
        domain,
        "tests.workflow",
        "1",
        default_task_list="default",
        default_execution_start_to_close_timeout=600,
        default_task_start_to_close_timeout=600,
        default_child_policy="TERMINATE",
    )
    workflow_id = workflow_id or f"wf-{uuid.uuid4().hex[:8]}"
    kwargs = {"taskList": {"name": task_list}} if task_list else {}
    run_id = client.swf_client().start_workflow_execution(
        domain=domain, workflowId=workflow_id, workflowType={"name": "tests.workflow", "version": "1"}, **kwargs
    )["runId"]
    return workflow_id, run_id


def add_markers(domain: str, task_list: str, count: int) -> None:
    """Answer the pending decision task with *count* RecordMarker decisions (a longer history)."""
    task = client.poll_decision_task(domain, task_list)
    assert task is not None
    decisions = [
        {"decisionType": "RecordMarker", "recordMarkerDecisionAttributes": {"markerName": f"m{i}"}}
        for i in range(count)
    ]
    client.swf_client().respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)


# --- clients ------------------------------------------------------------------------------


def test_client_reaches_the_server_through_aws_endpoint_url(swf_domain, fresh_clients):
    assert os.environ["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert client.check_domain(swf_domain)["domainInfo"]["name"] == swf_domain


def test_client_retries_and_outlasts_a_long_poll(moto_server, fresh_clients, monkeypatch):
    monkeypatch.delenv("SWF_CONNECTION_RETRIES", raising=False)  # script/test sets it to 1
    client.reset_clients()
    config = client.swf_client().meta.config
    assert config.read_timeout > 60
    assert config.retries == {"total_max_attempts": 6, "mode": "standard"}  # 5 retries
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", "2")
    client.reset_clients()
    assert client.swf_client().meta.config.retries["total_max_attempts"] == 3
    assert client.s3_client().meta.config.retries["total_max_attempts"] == 3


def test_client_is_cached_per_process(moto_server, fresh_clients):
    parent = client.swf_client()
    assert client.swf_client() is parent
    pid = os.fork()
    if pid == 0:
        os._exit(0 if client.swf_client() is not parent else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0


# --- identity -----------------------------------------------------------------------------


def test_identity_names_host_pid_and_user(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_IDENTITY", raising=False)
    ident = json.loads(client.identity())
    assert ident["pid"] == os.getpid()
    assert {"hostname", "user", "exe"} <= set(ident)


def test_identity_env_extends_overrides_and_removes_keys(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", json.dumps({"team": "data", "hostname": "box-1", "exe": None}))
    ident = json.loads(client.identity())
    assert ident["team"] == "data"
    assert ident["hostname"] == "box-1"
    assert "exe" not in ident


def test_identity_drops_exe_first_to_fit_swf_limit(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_IDENTITY", raising=False)
    without_exe = {k: v for k, v in json.loads(client.identity()).items() if k != "exe"}
    room = 256 - len(json.dumps(dict(without_exe, note=""), separators=(",", ":")))
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", json.dumps({"note": "n" * room}))
    text = client.identity()
    assert len(text) == 256
    assert "exe" not in json.loads(text)


@pytest.mark.parametrize(
    "value, message",
    [("{not json", "not valid JSON"), ('["a"]', "must be a JSON object"), ('{"x": "' + "y" * 300 + '"}', "over 256")],
)
def test_bad_identity_env_is_one_clear_error(monkeypatch, value, message):
    monkeypatch.setenv("SIMPLEFLOW_IDENTITY", value)
    with pytest.raises(UsageError, match=message):
        client.identity()


# --- unknown domains and registration -----------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda d: client.check_domain(d),
        lambda d: client.list_executions(d),
        lambda d: client.poll_activity_task(d, "any"),
        lambda d: client.ensure_activity_type(d, "a", "1"),
        lambda d: client.swf_client().start_workflow_execution(
            domain=d, workflowId="x", workflowType={"name": "w", "version": "1"}
        ),
    ],
    ids=["check_domain", "list_executions", "poll_activity_task", "ensure_activity_type", "raw_client"],
)
def test_unknown_domain_is_one_clear_line(moto_server, fresh_clients, call):
    with pytest.raises(client.UnknownDomain) as info:
        call("no-such-domain")
    assert str(info.value) == (
        f"unknown domain 'no-such-domain' in region us-east-1 at {moto_server.url}: create it with "
        "'simpleflow domain.register no-such-domain'"
    )
    assert isinstance(info.value, UsageError)


def test_register_domain_says_whether_it_created_it(moto_server, fresh_clients):
    name = f"reg-{uuid.uuid4().hex[:8]}"
    assert client.register_domain(name, retention_days=3) is True
    assert client.register_domain(name, retention_days=3) is False
    info = client.check_domain(name)
    assert info["configuration"]["workflowExecutionRetentionPeriodInDays"] == "3"


def test_type_registration_is_idempotent_and_keeps_defaults(swf_domain, fresh_clients):
    assert client.ensure_activity_type(
        swf_domain, "tests.add", "1", default_task_list="acts", default_task_heartbeat_timeout=30
    )
    assert not client.ensure_activity_type(swf_domain, "tests.add", "1", default_task_list="other")
    info = client.swf_client().describe_activity_type(
        domain=swf_domain, activityType={"name": "tests.add", "version": "1"}
    )
    assert info["configuration"]["defaultTaskList"] == {"name": "acts"}
    assert info["configuration"]["defaultTaskHeartbeatTimeout"] == "30"
    assert client.ensure_workflow_type(swf_domain, "tests.workflow", "1", defaultTaskList={"name": "d"})
    assert not client.ensure_workflow_type(swf_domain, "tests.workflow", "1")


# --- polls, executions, pages -------------------------------------------------------------


def test_empty_polls_return_none(swf_domain, fresh_clients):
    assert client.poll_activity_task(swf_domain, "nothing-here") is None
    assert client.poll_decision_task(swf_domain, "nothing-here") is None


def test_history_pages_follow_maximum_page_size_in_either_order(swf_domain, fresh_clients):
    workflow_id, run_id = start_execution(swf_domain, task_list="pages")
    add_markers(swf_domain, "pages", 5)  # 9 events
    swf = client.swf_client()
    execution = {"workflowId": workflow_id, "runId": run_id}
    for reverse, expected in ((False, list(range(1, 10))), (True, list(range(9, 0, -1)))):
        pages = [
            swf.get_workflow_execution_history(
                domain=swf_domain, execution=execution, maximumPageSize=4, reverseOrder=reverse
            )
        ]
        while "nextPageToken" in pages[-1]:
            pages.append(
                swf.get_workflow_execution_history(
                    domain=swf_domain,
                    execution=execution,
                    maximumPageSize=4,
                    reverseOrder=reverse,
                    nextPageToken=pages[-1]["nextPageToken"],
                )
            )
        assert [len(p["events"]) for p in pages] == [4, 4, 1]
        assert [e["eventId"] for p in pages for e in p["events"]] == expected


def test_a_page_token_of_another_call_is_refused(swf_domain, fresh_clients):
    workflow_id, run_id = start_execution(swf_domain, task_list="tokens")
    add_markers(swf_domain, "tokens", 3)
    swf = client.swf_client()
    page = swf.get_workflow_execution_history(
        domain=swf_domain, execution={"workflowId": workflow_id, "runId": run_id}, maximumPageSize=2
    )
    with pytest.raises(swf.exceptions.ClientError, match="nextPageToken"):
        swf.list_open_workflow_executions(
            domain=swf_domain, startTimeFilter={"oldestDate": 0}, nextPageToken=page["nextPageToken"]
        )


def test_history_follows_every_page(swf_domain, small_pages):
    task_list = f"tl-{uuid.uuid4().hex[:6]}"
    workflow_id, run_id = start_execution(swf_domain, task_list=task_list)
    add_markers(swf_domain, task_list, 7)
    small_pages.page_requests = 0
    events = client.get_history(swf_domain, workflow_id, run_id)
    assert [e["eventId"] for e in events] == list(range(1, 12))
    assert events[-1]["eventType"] == "MarkerRecorded"
    assert small_pages.page_requests == 3
    reverse = client.get_history(swf_domain, workflow_id, run_id, reverse_order=True)
    assert [e["eventId"] for e in reverse] == list(range(11, 0, -1))


def test_decision_poll_gathers_the_events_of_every_page(swf_domain, small_pages):
    task_list = f"tl-{uuid.uuid4().hex[:6]}"
    workflow_id, _ = start_execution(swf_domain, task_list=task_list)
    add_markers(swf_domain, task_list, 4)
    client.swf_client().signal_workflow_execution(
        domain=swf_domain, workflowId=workflow_id, signalName="wake", input=""
    )
    small_pages.page_requests = 0
    task = client.poll_decision_task(swf_domain, task_list, "tester")
    assert task is not None and task["taskToken"]
    assert [e["eventId"] for e in task["events"]] == list(range(1, 12))
    assert task["events"][-1]["eventType"] == "DecisionTaskStarted"
    assert task["workflowExecution"]["workflowId"] == workflow_id
    assert "nextPageToken" not in task and "ResponseMetadata" not in task
    assert small_pages.page_requests == 3
    # The following pages were of that task: no other decision task was started meanwhile.
    assert [e["eventType"] for e in task["events"]].count("DecisionTaskStarted") == 2


def test_list_executions_follows_pages_and_filters(swf_domain, small_pages):
    ids = [start_execution(swf_domain)[0] for _ in range(5)]
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=ids[0])
    small_pages.page_requests = 0
    open_ids = [info["execution"]["workflowId"] for info in client.list_executions(swf_domain)]
    assert open_ids == ids[:0:-1]  # the latest started first
    assert small_pages.page_requests == 1
    assert [i["execution"]["workflowId"] for i in client.list_executions(swf_domain, workflow_id=ids[2])] == [ids[2]]
    closed = client.list_executions(swf_domain, "closed", close_status="TERMINATED")
    assert [i["execution"]["workflowId"] for i in closed] == [ids[0]]
    assert client.list_executions(swf_domain, "closed", close_status="COMPLETED") == []


def test_latest_run_id_prefers_the_open_run(swf_domain, fresh_clients):
    workflow_id, first = start_execution(swf_domain)
    assert client.latest_run_id(swf_domain, workflow_id) == first
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=workflow_id)
    assert client.latest_run_id(swf_domain, workflow_id) == first
    _, second = start_execution(swf_domain, workflow_id)
    assert client.latest_run_id(swf_domain, workflow_id) == second
    assert client.latest_run_id(swf_domain, "never-started") is None


def test_a_client_in_another_region_than_the_domains_is_told_the_region_it_asked_in(
    moto_server, swf_domain, fresh_clients, monkeypatch
):
    """The dev server keeps each region's domains apart, as SWF does: the domain exists, in us-east-1 only."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    with pytest.raises(client.UnknownDomain) as info:
        client.check_domain(swf_domain)
    assert str(info.value) == (
        f"unknown domain '{swf_domain}' in region eu-west-1 at {moto_server.url}: create it with "
        f"'simpleflow domain.register {swf_domain}'"
    )


@pytest.mark.parametrize(
    "url, custom",
    [
        ("https://swf.us-east-1.amazonaws.com/", None),
        ("https://swf-fips.us-gov-west-1.amazonaws.com/", None),
        ("https://swf.cn-north-1.amazonaws.com.cn/", None),
        ("http://127.0.0.1:4566/", "http://127.0.0.1:4566"),
        ("https://swf.example.com/amazonaws.com", "https://swf.example.com"),
        (None, None),
    ],
)
def test_only_an_endpoint_other_than_aws_s_own_has_its_region_named(url, custom):
    assert connection._custom_endpoint(url) == custom
