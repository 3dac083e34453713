"""simpleflow.format's jumbo field API (encode, decode, the per-field helpers) and lazy proxies in JSON."""

from __future__ import annotations

import copy
import json
import pickle
import uuid

import boto3
import pytest

from simpleflow import constants, format, jumbo
from simpleflow.format import JumboTooLargeError
from simpleflow.utils import json_dumps
from simpleflow.utils._proxy import LazyProxy


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    name = f"fmt-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


@pytest.fixture
def no_bucket(monkeypatch):
    monkeypatch.delenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", raising=False)


def s3_text(bucket: str, reference: str) -> str:
    key = reference.split()[0].removeprefix(f"simpleflow+s3://{bucket}/")
    return boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()


def test_encode_returns_what_fits_and_refuses_what_does_not_without_a_bucket(no_bucket):
    assert format.encode(None, 1) is None
    assert format.encode("", 1) == ""
    assert format.encode("A" * 10, 10) == "A" * 10
    with pytest.raises(JumboTooLargeError, match=r"^Message too long \(11 chars\)$"):
        format.encode("A" * 11, 10)


def test_a_message_too_long_becomes_a_jumbo_field_that_decode_reads_back(bucket):
    message = "A" * 64000
    encoded = format.result(message)
    assert encoded.startswith(f"simpleflow+s3://{bucket}/") and encoded.split()[1] == "64002"
    assert s3_text(bucket, encoded) == json.dumps(message)
    jumbo.close_caches()  # read from S3, not from the cache the write filled
    assert format.decode(encoded) == message
    assert format.decode(encoded, parse_json=False) == json.dumps(message)


def test_allow_jumbo_fields_false_refuses_even_with_a_bucket(bucket):
    with pytest.raises(JumboTooLargeError, match="Message too long"):
        format.encode("A" * 500, 100, allow_jumbo_fields=False)


def test_a_reference_longer_than_the_field_is_refused_before_anything_is_written(moto_server, monkeypatch):
    name = f"fmt-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", f"{name}/with/a/very/long/name/{'a' * 256}")
    with pytest.raises(JumboTooLargeError, match="Jumbo field signature is longer than"):
        format.reason("A" * 500)
    assert boto3.client("s3").list_objects_v2(Bucket=name).get("KeyCount") == 0


def test_the_field_helpers_apply_each_field_s_limit(no_bucket):
    assert format.input({"args": [1]}) == '{"args":[1]}'
    assert format.control([1, 2]) == "[1,2]"
    assert format.result(None) == "null"
    assert format.details("d" * constants.MAX_DETAILS_LENGTH) == "d" * constants.MAX_DETAILS_LENGTH
    for helper, limit in [
        (format.reason, constants.MAX_REASON_LENGTH),
        (format.heartbeat_details, constants.MAX_HEARTBEAT_DETAILS_LENGTH),
        (format.execution_context, constants.MAX_EXECUTION_CONTEXT_LENGTH),
    ]:
        assert helper("x" * limit) == "x" * limit
        with pytest.raises(JumboTooLargeError):
            helper("x" * (limit + 1))


def test_identity_is_cut_to_256_characters_and_never_a_jumbo_field(bucket):
    identity = format.identity("A" * (constants.MAX_RESULT_LENGTH * 2))
    assert len(identity) == constants.MAX_IDENTITY_LENGTH and identity.endswith(" ...")
    assert format.identity("short") == "short"


def test_decode_parses_json_and_passes_other_text_through(bucket):
    jumbo_field = format.encode("decoded jumbo field yay!" * 20, 100)
    cases = [
        (None, None, None),
        ("foo bar baz", "foo bar baz", "foo bar baz"),
        ('"a string"', "a string", '"a string"'),
        ("[1, 2]", [1, 2], "[1, 2]"),
        (jumbo_field, "decoded jumbo field yay!" * 20, "decoded jumbo field yay!" * 20),
    ]
    for content, parsed, raw in cases:
        assert format.decode(content) == parsed
        assert format.decode(content, parse_json=False) == raw


def test_decode_of_a_jumbo_field_reads_s3_only_when_the_value_is_used(bucket, s3_requests, monkeypatch):
    reference = format.input({"big": "x" * 40000})
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE", "0")  # no disk cache: the read goes to S3
    jumbo.close_caches()
    s3_requests.clear()
    value = format.decode(reference)
    assert not any(op == "GetObject" for op, _ in s3_requests)
    assert isinstance(value, dict) and len(value["big"]) == 40000
    assert sum(op == "GetObject" for op, _ in s3_requests) == 1
    plain = format.decode(reference, use_proxy=False)
    assert type(plain) is dict and plain == value


def test_our_proxy_behaves_as_the_value_it_stands_for():
    calls = []
    text = LazyProxy(lambda: calls.append(1) or "hello")
    assert calls == []
    assert text == "hello" and "hello" == text and isinstance(text, str)
    assert (text.upper(), len(text), "ell" in text, text + "!", ">" + text) == ("HELLO", 5, True, "hello!", ">hello")
    assert calls == [1]
    mapping = LazyProxy(lambda: {"a": [1, 2]})
    assert mapping["a"] == [1, 2] and list(mapping) == ["a"]
    assert copy.deepcopy(mapping) == {"a": [1, 2]} and pickle.loads(pickle.dumps(mapping)) == {"a": [1, 2]}
    number = LazyProxy(lambda: 3)
    assert (number + 1, 1 + number, int(number), [0, 1, 2, 3][number], f"{number:03d}") == (4, 4, 3, 3, "003")


def test_json_dumps_of_a_lazy_proxy_writes_the_wrapped_value():
    from lazy_object_proxy import Proxy  # what simpleflow 0.36's format.decode returned

    assert json_dumps({"args": [Proxy(lambda: "foo")]}) == '{"args":["foo"]}'
    assert json_dumps({"args": [Proxy(lambda: {"foo": 3})]}) == '{"args":[{"foo":3}]}'
    assert json_dumps([LazyProxy(lambda: {"b": 1, "a": 2})]) == '[{"a":2,"b":1}]'
    assert format.dumps({"x": LazyProxy(lambda: [1])}) == '{"x":[1]}'


def test_except_jumbo_too_large_error_catches_the_engine_s_oversize_fields(no_bucket):
    with pytest.raises(JumboTooLargeError):
        jumbo.encode("x" * (constants.MAX_RESULT_LENGTH + 1), "result")
