"""storage.BUCKET_LOCATIONS_CACHE and utils.retry.with_delay, as simpleflow 0.36 has them."""

from __future__ import annotations

import http.server
import threading

import boto3
import pytest
from botocore.config import Config

from simpleflow import storage
from simpleflow.utils import retry

_LOCATION = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-3</LocationConstraint>'
)
_DENIED = (
    '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>'
)


class _S3Locations(http.server.BaseHTTPRequestHandler):
    """Answers S3's GetBucketLocation: ``located`` is in eu-west-3, ``denied`` refuses (403 AccessDenied)."""

    asked: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        bucket = self.path.split("?")[0].strip("/")
        type(self).asked.append(bucket)
        status, body = (200, _LOCATION) if bucket == "located" else (403, _DENIED)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def s3_locations(monkeypatch):
    """S3's location answers from a server on 127.0.0.1, with no endpoint override (so lookups happen)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _S3Locations)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in storage.ENDPOINT_ENVS:
        monkeypatch.delenv(name, raising=False)
    client = boto3.session.Session().client(
        "s3",
        endpoint_url=f"http://127.0.0.1:{server.server_address[1]}",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1}),
    )
    monkeypatch.setattr(storage, "get_client", lambda: client)
    monkeypatch.setattr(storage, "BUCKET_LOCATIONS_CACHE", {})
    _S3Locations.asked = []
    yield _S3Locations.asked
    server.shutdown()
    server.server_close()


def test_a_bucket_s_location_is_kept_in_the_public_cache_which_callers_can_clear(s3_locations):
    assert storage.sanitize_bucket_and_host("located") == ("located", "eu-west-3")
    assert storage.sanitize_bucket_and_host("located") == ("located", "eu-west-3")
    assert s3_locations == ["located"]
    assert storage.BUCKET_LOCATIONS_CACHE == {"located": "eu-west-3"}
    storage.BUCKET_LOCATIONS_CACHE.clear()
    storage.sanitize_bucket_and_host("located")
    assert s3_locations == ["located", "located"]


def test_after_access_denied_the_default_host_is_used_and_nothing_is_cached(s3_locations, monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_S3_HOST", "s3.example-default.amazonaws.com")
    assert storage.sanitize_bucket_and_host("denied") == ("denied", "s3.example-default.amazonaws.com")
    assert storage.sanitize_bucket_and_host("denied") == ("denied", "s3.example-default.amazonaws.com")
    assert s3_locations == ["denied", "denied"]  # asked again: the policy may have been fixed since
    assert "denied" not in storage.BUCKET_LOCATIONS_CACHE


def test_a_cache_replaced_by_the_caller_is_the_one_used(s3_locations):
    class Forgetful(dict):
        def __setitem__(self, key, value):
            pass

    storage.BUCKET_LOCATIONS_CACHE = Forgetful()
    storage.sanitize_bucket_and_host("located")
    storage.sanitize_bucket_and_host("located")
    assert s3_locations == ["located", "located"]


def test_with_delay_waits_after_every_failure_the_last_one_too(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", waits.append)
    calls = []

    @retry.with_delay(nb_times=3, delay=lambda n: 10 + n, on_exceptions=KeyError)
    def always_fails():
        calls.append(1)
        raise KeyError("x")

    with pytest.raises(KeyError):
        always_fails()
    assert len(calls) == 3
    assert waits == [10, 11, 12]  # simpleflow 0.36: nb_times waits, delay(0), delay(1), delay(2)


def test_with_delay_does_not_retry_what_except_on_names(monkeypatch):
    waits: list[float] = []
    monkeypatch.setattr(retry.time, "sleep", waits.append)
    calls = []

    @retry.with_delay(nb_times=3, delay=retry.constant(1), except_on=ValueError)
    def refuses():
        calls.append(1)
        raise ValueError("no")

    with pytest.raises(ValueError):
        refuses()
    assert (len(calls), waits) == (1, [])
