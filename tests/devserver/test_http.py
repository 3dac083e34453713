"""The dev server's HTTP layer (simpleflow/devserver/_http.py), on a real socket."""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from simpleflow.devserver._http import Handler, Server


def _app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"answered ", environ["PATH_INFO"].encode()]


@pytest.fixture
def server() -> Iterator[Server]:
    served = Server("127.0.0.1", 0, _app)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def test_answers_are_sent_without_waiting_for_the_clients_ack(server, monkeypatch):
    # An answer goes out in two sends, its head then its body. With Nagle's algorithm on, the body waited for
    # the ACK of the head, which the client delays (40 ms on Linux) as it expects more: each request on a
    # kept-alive connection took 40 ms more than its work (49 ms a DescribeDomain, 5 ms without).
    seen: list[int] = []
    finish = Handler.finish

    def noted(handler: Handler) -> None:
        seen.append(handler.connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
        finish(handler)

    monkeypatch.setattr(Handler, "finish", noted)
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        for path in ("/one", "/two"):  # one connection, kept alive
            connection.request("POST", path, body=b"{}")
            answer = connection.getresponse()
            assert (answer.status, answer.read()) == (200, f"answered {path}".encode())
    finally:
        connection.close()
    deadline = time.monotonic() + 10
    while not seen and time.monotonic() < deadline:  # the connection's thread notes it as it finishes
        time.sleep(0.01)
    assert seen == [1]


@pytest.mark.parametrize(
    ("target", "body", "error"),
    [
        ("SimpleWorkflowService.NoSuchCall", b"{}", "UnknownOperationException"),
        ("SimpleWorkflowService.DescribeDomain", b"not json", "SerializationException"),
        ("SimpleWorkflowService.DescribeDomain", b"[]", "SerializationException"),
        # Nested past what Python's JSON parser takes: a RecursionError, which moto answered with HTTP 500.
        ("SimpleWorkflowService.DescribeDomain", b'{"domain": ' + b"[" * 100_000, "SerializationException"),
    ],
    ids=["unknown-call", "not-json", "not-an-object", "nested-deep"],
)
def test_a_request_no_swf_operation_can_read_is_a_400_naming_why(moto_server, target, body, error):
    """AWS's JSON protocol answers an unknown operation and a body that is no JSON object with a client error
    (moto answered HTTP 500, with a traceback in the server's output)."""
    host, port = moto_server.url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    headers = {
        "X-Amz-Target": target,
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/swf/aws4_request, Signature=x",
    }
    try:
        connection.request("POST", "/", body=body, headers=headers)
        answer = connection.getresponse()
        assert (answer.status, json.loads(answer.read())["__type"]) == (400, f"com.amazon.coral.service#{error}")
    finally:
        connection.close()
