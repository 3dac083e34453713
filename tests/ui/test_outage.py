"""With SWF out of reach, a page says so within seconds: the UI's reads give up fast (short timeouts, two
tries), where botocore's usual tries and backoff kept a page waiting about 22 s."""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
import uuid

import boto3
import pytest

from tests.moto_server import MotoServer
from tests.ui.conftest import UIProcess, execution_url

DEFAULT_RETRIES = "5"  # simpleflow's default SWF_CONNECTION_RETRIES (the suite runs with 1)


def _status_and_seconds(url: str) -> tuple[int, float, str]:
    began = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as answer:
            return answer.status, time.monotonic() - began, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, time.monotonic() - began, err.read().decode()


def test_a_page_answers_within_seconds_once_swf_stops_answering(tmp_path):
    server = MotoServer()
    server.start()
    try:
        domain = f"outage-{uuid.uuid4().hex[:8]}"
        with server.pointed_at():
            boto3.client("swf").register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
            environ = {"SWF_CONNECTION_RETRIES": DEFAULT_RETRIES}
            ui = UIProcess("--domain", domain, log=tmp_path / "ui.log", environ=environ)
    finally:
        server.stop()  # its port closed: SWF refuses every connection from now on
    try:
        for url in (f"{ui.base}/executions?domain={domain}", execution_url(ui, domain, ("w", "r"))):
            status, seconds, page = _status_and_seconds(url)
            assert status == 502 and "SWF does not answer" in page
            assert seconds < 3, f"{url} took {seconds:.1f}s"
    finally:
        ui.stop()


@pytest.fixture
def silent_endpoint():
    """An endpoint that takes connections and never answers (a hung server): its URL."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)  # never accepted: the kernel completes the handshakes, nobody reads
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"


def test_a_page_read_gives_up_on_a_silent_endpoint_within_its_short_timeouts(silent_endpoint, monkeypatch):
    from botocore.exceptions import ReadTimeoutError

    from simpleflow.swf import client

    for key, value in MotoServer().environ().items():  # its test keys: no server is started
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", silent_endpoint)
    monkeypatch.setenv("SWF_CONNECTION_RETRIES", DEFAULT_RETRIES)
    client.reset_clients()
    try:
        began = time.monotonic()
        with client.page_reads(), pytest.raises(ReadTimeoutError):
            client.swf_client().list_domains(registrationStatus="REGISTERED")
        limit = client.PAGE_ATTEMPTS * client.PAGE_READ_TIMEOUT + 3  # the tries, and backoff between
        assert time.monotonic() - began < limit
        assert client.swf_client().meta.config.read_timeout == client.READ_TIMEOUT  # outside: long polls hold
    finally:
        client.reset_clients()
