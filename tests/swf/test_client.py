"""The boto3 layer against a real moto server: pages, identity, unknown domains, registrations."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import threading
import time
import uuid
from urllib.parse import urlparse

import pytest

from simpleflow.exceptions import UsageError
from simpleflow.swf import client

PAGED = {
    "SimpleWorkflowService.GetWorkflowExecutionHistory": "events",
    "SimpleWorkflowService.PollForDecisionTask": "events",
    "SimpleWorkflowService.ListOpenWorkflowExecutions": "executionInfos",
    "SimpleWorkflowService.ListClosedWorkflowExecutions": "executionInfos",
}


class PagingProxy(http.server.ThreadingHTTPServer):
    """An HTTP proxy in front of moto that pages its answers as SWF does (moto never pages).

    Lists longer than ``page_size`` come back one page at a time with a ``nextPageToken``; the
    rest is served from memory when the token comes back. ``delay`` holds every answer back.
    """

    page_size = 3

    def __init__(self, upstream: str) -> None:
        super().__init__(("127.0.0.1", 0), _ProxyHandler)
        self.upstream = urlparse(upstream)
        self.pending: dict[str, tuple[dict, str, list, int]] = {}
        self.page_requests = 0
        self.delay = 0.0
        self.url = f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    server: PagingProxy

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        target = self.headers.get("X-Amz-Target", "")
        key = PAGED.get(target)
        request = json.loads(body or b"{}") if key else {}
        close_status = None
        time.sleep(self.server.delay)
        if key and request.get("nextPageToken") in self.server.pending:
            self.server.page_requests += 1
            page, key, items, offset = self.server.pending.pop(request["nextPageToken"])
            self._send(200, self._page(page, key, items, offset))
            return
        if key:
            request.pop("maximumPageSize", None)  # moto would cut the list without a token
            # moto's closeStatusFilter drops executions it should keep (it compares a dict to a
            # string while removing from the list it iterates): filter as SWF does, below.
            close_status = (request.pop("closeStatusFilter", None) or {}).get("status")
            body = json.dumps(request).encode()
        conn = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "content-length")}
        conn.request("POST", self.path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        if key and response.status == 200:
            page = json.loads(data)
            if close_status:
                page[key] = [info for info in page[key] if info.get("closeStatus") == close_status]
            data = self._page(page, key, page.get(key, []), 0)
        self._send(response.status, data, response.getheader("Content-Type", "application/x-amz-json-1.0"))

    def _page(self, page: dict, key: str, items: list, offset: int) -> bytes:
        size = self.server.page_size
        out = dict(page)
        out[key] = items[offset : offset + size]
        out.pop("nextPageToken", None)
        if offset + size < len(items):
            token = uuid.uuid4().hex
            self.server.pending[token] = (page, key, items, offset + size)
            out["nextPageToken"] = token
        return json.dumps(out).encode()

    def _send(self, status: int, data: bytes, content_type: str = "application/x-amz-json-1.0") -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except BrokenPipeError:  # the client gave up (read timeout test)
            pass


@pytest.fixture
def fresh_clients():
    """Clients rebuilt from the environment before and after the test."""
    client.reset_clients()
    yield
    client.reset_clients()


@pytest.fixture
def paging_proxy(moto_server, monkeypatch, fresh_clients):
    """SWF calls go through a PagingProxy (set by AWS_ENDPOINT_URL_SWF, which boto3 reads itself)."""
    proxy = PagingProxy(moto_server.url)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SWF", proxy.url)
    client.reset_clients()
    yield proxy
    proxy.shutdown()
    proxy.server_close()


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


def test_client_reaches_moto_through_aws_endpoint_url(swf_domain, fresh_clients):
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
    assert (
        str(info.value) == "unknown domain 'no-such-domain': create it with 'simpleflow domain.register no-such-domain'"
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


def test_read_timeout_counts_as_an_empty_poll(swf_domain, paging_proxy, monkeypatch):
    monkeypatch.setattr(client, "READ_TIMEOUT", 0.3)
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", "0")
    client.reset_clients()
    paging_proxy.delay = 1.0
    started = time.monotonic()
    assert client.poll_activity_task(swf_domain, "slow") is None
    assert client.poll_decision_task(swf_domain, "slow") is None
    assert time.monotonic() - started < 2.5


def test_moto_answers_history_in_one_page_whatever_the_page_size(swf_domain, fresh_clients):
    # Recorded in tests/MOTO_SWF_NOTES.md: paging is tested through PagingProxy because of this.
    workflow_id, run_id = start_execution(swf_domain, task_list="one-page")
    add_markers(swf_domain, "one-page", 5)
    page = client.swf_client().get_workflow_execution_history(
        domain=swf_domain, execution={"workflowId": workflow_id, "runId": run_id}, maximumPageSize=1
    )
    assert len(page["events"]) == 9
    assert "nextPageToken" not in page


def test_history_follows_every_page(swf_domain, paging_proxy):
    task_list = f"tl-{uuid.uuid4().hex[:6]}"
    workflow_id, run_id = start_execution(swf_domain, task_list=task_list)
    add_markers(swf_domain, task_list, 7)
    paging_proxy.page_requests = 0
    events = client.get_history(swf_domain, workflow_id, run_id)
    assert [e["eventId"] for e in events] == list(range(1, 12))
    assert events[-1]["eventType"] == "MarkerRecorded"
    assert paging_proxy.page_requests == 3
    reverse = client.get_history(swf_domain, workflow_id, run_id, reverse_order=True)
    assert [e["eventId"] for e in reverse] == list(range(11, 0, -1))


def test_decision_poll_gathers_the_events_of_every_page(swf_domain, paging_proxy):
    task_list = f"tl-{uuid.uuid4().hex[:6]}"
    workflow_id, _ = start_execution(swf_domain, task_list=task_list)
    add_markers(swf_domain, task_list, 4)
    client.swf_client().signal_workflow_execution(
        domain=swf_domain, workflowId=workflow_id, signalName="wake", input=""
    )
    paging_proxy.page_requests = 0
    task = client.poll_decision_task(swf_domain, task_list, "tester")
    assert task is not None and task["taskToken"]
    assert [e["eventId"] for e in task["events"]] == list(range(1, 12))
    assert task["events"][-1]["eventType"] == "DecisionTaskStarted"
    assert task["workflowExecution"]["workflowId"] == workflow_id
    assert "nextPageToken" not in task and "ResponseMetadata" not in task
    assert paging_proxy.page_requests == 3


def test_list_executions_follows_pages_and_filters(swf_domain, paging_proxy):
    ids = [start_execution(swf_domain)[0] for _ in range(5)]
    client.swf_client().terminate_workflow_execution(domain=swf_domain, workflowId=ids[0])
    paging_proxy.page_requests = 0
    open_ids = {info["execution"]["workflowId"] for info in client.list_executions(swf_domain)}
    assert open_ids == set(ids[1:])
    assert paging_proxy.page_requests == 1
    # Stock moto ignores executionFilter (the test launcher applies it); the helper filters what comes back too.
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
