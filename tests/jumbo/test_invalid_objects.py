"""An object that is no jumbo field (too large, another size than its reference says, not UTF-8) is refused,
before it is read whole when its size gives it away; the error names the object and the problem."""

from __future__ import annotations

import tracemalloc
import uuid

import boto3
import pytest

from simpleflow import jumbo

MiB = 1024 * 1024


@pytest.fixture
def bucket(moto_server, monkeypatch, tmp_path):
    name = f"invalid-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(Bucket=name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_BUCKET", name)
    monkeypatch.setenv("SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR", str(tmp_path / "cache"))
    jumbo.close_caches()
    yield name
    jumbo.close_caches()


def put(bucket: str, body: bytes) -> str:
    key = f"k/{uuid.uuid4()}"
    boto3.client("s3").put_object(Bucket=bucket, Key=key, Body=body)
    return key


def test_a_reference_over_the_maximum_size_is_refused_without_a_request(bucket, s3_requests):
    key = put(bucket, b'"small"')
    reference = f"{jumbo.PREFIX}{bucket}/{key} {jumbo.MAX_JUMBO_SIZE + 1}"

    with pytest.raises(jumbo.JumboFieldInvalid) as raised:
        jumbo.decode(reference)

    assert str(raised.value) == (
        f"jumbo field s3://{bucket}/{key} is {jumbo.MAX_JUMBO_SIZE + 1} bytes by its reference, "
        f"over the jumbo field limit of {jumbo.MAX_JUMBO_SIZE}"
    )
    assert raised.value.code == "TooLarge"
    assert s3_requests == []


def test_a_large_object_behind_a_small_reference_is_refused_before_its_body_is_read(bucket):
    key = put(bucket, b"x" * (8 * MiB))
    reference = f"{jumbo.PREFIX}{bucket}/{key} 10"

    tracemalloc.start()
    try:
        with pytest.raises(jumbo.JumboFieldInvalid) as raised:
            jumbo.decode(reference)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert str(raised.value) == f"jumbo field s3://{bucket}/{key} is {8 * MiB} bytes where its reference says 10"
    assert raised.value.code == "SizeMismatch"
    assert peak < 1 * MiB, f"{peak} bytes allocated: the body was read"


def test_an_object_smaller_than_its_reference_says_is_refused(bucket):
    key = put(bucket, b'"abc"')

    with pytest.raises(jumbo.JumboFieldInvalid, match=r"is 5 bytes where its reference says 900$"):
        jumbo.decode(f"{jumbo.PREFIX}{bucket}/{key} 900")


def test_an_object_that_is_not_utf8_is_refused_naming_the_first_bad_byte(bucket):
    body = b'["caf\xe9"]'
    key = put(bucket, body)

    with pytest.raises(jumbo.JumboFieldInvalid) as raised:
        jumbo.decode(f"{jumbo.PREFIX}{bucket}/{key} {len(body)}")

    assert str(raised.value) == f"jumbo field s3://{bucket}/{key} is not UTF-8 text (byte 0xe9 at offset 5)"
    assert isinstance(raised.value, jumbo.JumboFieldUnavailable)  # what the decider and the worker already fail on


def test_a_size_in_characters_as_simpleflow_036_writes_it_is_still_read(bucket):
    text = '"' + "é" * 20 + '"'
    key = put(bucket, text.encode())  # 42 bytes, 22 characters

    assert jumbo.decode(f"{jumbo.PREFIX}{bucket}/{key} {len(text)}") == text
