"""Shared fixtures: the dev server for SWF and S3, unique domains."""

from __future__ import annotations

import signal
import uuid

import pytest

from tests.moto_server import MotoServer


def pytest_configure(config):
    # A shell starts a background job (`(./script/test &)`, a script's `cmd &`) with SIGINT ignored, and the
    # processes the tests start would inherit that: an interrupted `standalone` would ignore the SIGINT its
    # tests send, as a program started ignoring it should. Handled here, it is the default in every child.
    if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def moto_server():
    """A dev server process (simpleflow dev-server) on 127.0.0.1, with boto3 pointed at it (AWS_ENDPOINT_URL)."""
    server = MotoServer()
    server.start()
    try:
        with server.pointed_at():
            yield server
    finally:
        server.stop()


@pytest.fixture
def swf_domain(moto_server):
    """A freshly registered SWF domain on the dev server; its name."""
    import boto3

    name = f"test-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name


@pytest.fixture
def processes(tmp_path):
    """Processes a test starts (deciders, workers...), all stopped after it."""
    from tests.swf_e2e_helpers import Processes

    procs = Processes(tmp_path)
    yield procs
    procs.stop()


@pytest.fixture
def decider_list() -> str:
    """A decision task list of the test's own."""
    return f"decisions-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def s3_requests(moto_server):
    """(operation, url) of every request this process's jumbo S3 client sends, counted by a botocore hook."""
    from simpleflow.jumbo import _s3

    sent: list[tuple[str, str]] = []

    def record(request, event_name, **kwargs):
        sent.append((event_name.rsplit(".", 1)[-1], request.url))

    events = _s3.client().meta.events
    events.register("before-send.s3", record, unique_id="test-s3-requests")
    yield sent
    events.unregister("before-send.s3", unique_id="test-s3-requests")


class SmallPages:
    """This process's SWF client asks for pages of ``size`` in every paged call (the server pages them as
    SWF does), and counts the calls that asked for a following page."""

    PAGED = (
        "GetWorkflowExecutionHistory",
        "PollForDecisionTask",
        "ListOpenWorkflowExecutions",
        "ListClosedWorkflowExecutions",
        "ListActivityTypes",
        "ListWorkflowTypes",
        "ListDomains",
    )

    def __init__(self, size: int = 3) -> None:
        self.size = size
        self.page_requests = 0

    def __call__(self, params: dict, **kwargs) -> None:
        params.setdefault("maximumPageSize", self.size)
        if params.get("nextPageToken"):
            self.page_requests += 1


@pytest.fixture
def small_pages(moto_server):
    """Pages of 3 for this process's SWF client (a fresh client, with the hook; fresh again after)."""
    from simpleflow.swf import client

    client.reset_clients()
    pages = SmallPages()
    events = client.swf_client().meta.events
    for operation in SmallPages.PAGED:
        events.register(f"provide-client-params.swf.{operation}", pages)
    yield pages
    client.reset_clients()
