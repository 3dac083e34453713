"""Who the dev server answers: boto3 on this machine, never a web page the developer happens to open.

It listens on loopback, but a browser sends a page's requests to 127.0.0.1 too: with CORS, by a name
the page points at 127.0.0.1 (DNS rebinding), or as "simple" requests that need no CORS at all.
"""

from __future__ import annotations

import http.client
import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import boto3
import pytest

from tests.chromium import chromium
from tests.devserver.conftest import error_code
from tests.moto_server import MotoServer

SIGNED = "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/swf/aws4_request, SignedHeaders=host, Signature=x"
LIST_DOMAINS = {
    "X-Amz-Target": "SimpleWorkflowService.ListDomains",
    "Content-Type": "application/x-amz-json-1.0",
    "Authorization": SIGNED,
}
REGISTERED = '{"registrationStatus": "REGISTERED"}'


def _request(server: MotoServer, method: str, path: str, headers: dict[str, str], body: str = "") -> Any:
    """(status, headers, body) of one request sent as is."""
    address = urlparse(server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, body=body.encode(), headers=headers)
        answer = connection.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read().decode()
    finally:
        connection.close()


def _with_header(client: Any, name: str, value: str) -> Any:
    """*client* sending *name*: *value* with every request (botocore sends what the hook leaves)."""

    def add(request: Any, **kwargs: Any) -> None:
        request.headers[name] = value

    client.meta.events.register("before-send", add)
    return client


def _domains(server: MotoServer) -> list[str]:
    client = boto3.client("swf", endpoint_url=server.url)
    return [d["name"] for d in client.list_domains(registrationStatus="REGISTERED")["domainInfos"]]


def test_a_request_carrying_an_origin_is_refused_with_no_cors_headers(moto_server, swf_domain):
    swf = _with_header(boto3.client("swf"), "Origin", "http://attacker.example")
    assert error_code(lambda: swf.list_domains(registrationStatus="REGISTERED")) == "AccessDenied"
    s3 = _with_header(boto3.client("s3"), "Origin", "http://attacker.example")
    assert error_code(s3.list_buckets) == "AccessDenied"
    preflight = {
        "Origin": "http://attacker.example",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,x-amz-target,content-type",
    }
    status, headers, _ = _request(moto_server, "OPTIONS", "/", preflight)
    assert status == 403
    assert not [name for name in headers if name.lower().startswith("access-control-")]
    status, headers, body = _request(moto_server, "POST", "/", {**LIST_DOMAINS, "Origin": "null"}, REGISTERED)
    assert (status, json.loads(body)["__type"]) == (403, "AccessDenied")
    assert not [name for name in headers if name.lower().startswith("access-control-")]
    # What a page loads with no CORS at all (an image, a script) carries no Origin, but Sec-Fetch-Site.
    assert _request(moto_server, "GET", "/", {"Sec-Fetch-Site": "cross-site"})[0] == 403
    assert _request(moto_server, "GET", "/", {"Sec-Fetch-Site": "none"})[0] == 200  # an address typed in
    assert swf_domain in _domains(moto_server)  # boto3 as it is


def test_on_loopback_a_host_naming_another_machine_is_refused(moto_server, swf_domain):
    port = urlparse(moto_server.url).port
    swf = _with_header(boto3.client("swf"), "Host", f"rebind.attacker.example:{port}")
    assert error_code(lambda: swf.list_domains(registrationStatus="REGISTERED")) == "MisdirectedRequest"
    status, _, body = _request(moto_server, "POST", "/", {**LIST_DOMAINS, "Host": f"rebind.attacker.example:{port}"})
    assert status == 421 and "unknown Host header 'rebind.attacker.example:" in json.loads(body)["message"]
    # Unsigned, to S3 (moto answered it 500): refused the same way, in S3's shape.
    status, _, body = _request(moto_server, "POST", "/", {"Host": "rebind.attacker.example"})
    assert status == 421 and "<Code>MisdirectedRequest</Code>" in body
    for name in (f"localhost:{port}", f"127.0.0.1:{port}", "127.0.0.1:9999", f"[::1]:{port}"):  # any port: tunnels
        status, _, body = _request(moto_server, "POST", "/", {**LIST_DOMAINS, "Host": name}, REGISTERED)
        assert status == 200 and swf_domain in body, name


@pytest.mark.parametrize(
    ("method", "path", "headers"),
    [
        ("POST", "/moto-api/reset", {}),
        ("POST", "/moto-api/recorder/upload-recording", {}),
        ("GET", "/moto-api/data.json", {}),
        ("GET", "/moto-api/", {}),
        ("POST", "/%6Doto-api/reset", {}),
        # A signature whose service names moto's admin backend reaches it without the path's help.
        (
            "POST",
            "/moto-api/reset",
            {"Authorization": SIGNED.replace("/swf/", "/motoapi.amazonaws.com/")},
        ),
    ],
)
def test_moto_admin_endpoints_answer_404_and_change_nothing(moto_server, swf_domain, method, path, headers):
    recording = Path.cwd() / "moto_recording"  # where moto's recorder writes, the server's current directory
    was_there = recording.exists()
    status, _, body = _request(moto_server, method, path, headers, "dropped by a web page")
    assert status == 404 and "/moto-api/ is off" in body
    assert swf_domain in _domains(moto_server)
    assert recording.exists() == was_there


def test_with_moto_api_the_suite_can_reset_the_server_but_web_pages_still_cannot():
    server = MotoServer(moto_api=True)
    server.start()
    try:
        boto3.client("swf", endpoint_url=server.url).register_domain(
            name="to-reset", workflowExecutionRetentionPeriodInDays="1"
        )
        assert _request(server, "POST", "/moto-api/reset", {"Origin": "http://attacker.example"})[0] == 403
        assert _domains(server) == ["to-reset"]
        server.reset()
        assert _domains(server) == []
    finally:
        server.stop()


class _AttackerSite:
    """A page of another origin (localhost on another port), as a site the developer visits."""

    def __init__(self) -> None:
        class Page(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = b"<!doctype html><title>another site</title>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
        self.url = f"http://localhost:{self.server.server_address[1]}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def attacker_site() -> Iterator[_AttackerSite]:
    site = _AttackerSite()
    yield site
    site.close()


# What the page tries: read the domains, start an execution (CORS, with SWF's headers), wipe the server
# and drop a file (simple POSTs, which need no CORS).
ATTACK = """async ([url, domain, authorization]) => {
  const swf = (target, body) => fetch(url, {method: "POST", body: JSON.stringify(body), headers: {
    "Authorization": authorization, "X-Amz-Target": "SimpleWorkflowService." + target,
    "Content-Type": "application/x-amz-json-1.0"}});
  const outcome = async (call) => { try { const r = await call(); return r.status + " " + await r.text(); }
                                    catch (e) { return "refused: " + e.message; } };
  return {
    list: await outcome(() => swf("ListDomains", {registrationStatus: "REGISTERED"})),
    start: await outcome(() => swf("StartWorkflowExecution",
      {domain, workflowId: "from-a-web-page", workflowType: {name: "w", version: "1"}, taskList: {name: "tl"}})),
    reset: await outcome(() => fetch(url + "moto-api/reset", {method: "POST", mode: "no-cors"})),
    drop: await outcome(() => fetch(url + "moto-api/recorder/upload-recording",
      {method: "POST", mode: "no-cors", body: "dropped by a web page"})),
  };
}"""


def test_a_page_of_another_origin_can_neither_read_nor_change_the_server(moto_server, attacker_site, domain):
    recording = Path.cwd() / "moto_recording"
    was_there = recording.exists()
    with chromium() as browser:
        page = browser.new_page()
        page.goto(attacker_site.url)
        got: dict[str, str] = page.evaluate(ATTACK, [moto_server.url + "/", domain.name, SIGNED])
    assert got["list"].startswith("refused: ") and got["start"].startswith("refused: "), got
    assert domain.name in _domains(moto_server)  # the no-cors POSTs went out (opaque answers) and did nothing
    opened = domain.swf.list_open_workflow_executions(domain=domain.name, startTimeFilter={"oldestDate": 0})
    assert opened["executionInfos"] == []
    assert recording.exists() == was_there
