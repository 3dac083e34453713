"""Put and get jumbo field objects with one boto3 S3 client per process."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Callable
from typing import Any

# boto3 is imported on first use: most runs never touch S3, and importing it costs a tenth of a second.

# Below this a single PutObject is the cheapest request; above it the object
# goes up in parts (S3 wants parts of at least 5 MiB), which retries a failed
# part rather than the whole object.
MULTIPART_THRESHOLD = 8 * 1024 * 1024

_lock = threading.Lock()
_client: Any = None
_client_pid: int | None = None
_store: Any = None  # what stands in for S3 (simpleflow.testing's in-memory store); None: S3 itself


def use_store(store: Any) -> Any:
    """Put and get objects through *store* (``put_object(bucket, key, data)``, ``get_object(bucket, key)``)
    instead of S3; None goes back to S3. Returns the store used before."""
    global _store
    previous, _store = _store, store
    return previous


def client() -> Any:
    """This process's S3 client, created on first use and again after a fork.

    boto3 finds the endpoint itself (``AWS_ENDPOINT_URL``, profiles). With a
    custom endpoint, such as a local S3-compatible server, botocore already addresses
    buckets path-style; on AWS it keeps virtual-hosted style, which AWS
    recommends, so nothing is configured here.
    """
    global _client, _client_pid
    pid = os.getpid()
    if _client is None or _client_pid != pid:
        with _lock:
            if _client is None or _client_pid != pid:
                import boto3

                from simpleflow.utils import note_answers

                # A boto3 client is not safe to share across a fork: build a new one. Its answers are noted:
                # an S3 that answered, then cannot be reached, is said to be down, not configured wrong.
                _client = note_answers(boto3.session.Session().client("s3", config=_config()))
                _client_pid = pid
    return _client


def _config() -> Any:
    """Connection settings of the S3 client: botocore's, but a connection not made within 10 s fails
    (botocore waits 60 s), and retries in botocore's "standard" mode (3 attempts, jittered back-off) unless
    ``AWS_RETRY_MODE`` or ``AWS_MAX_ATTEMPTS`` say otherwise.

    A worker storing a result tries again itself, within the task's time (``swf.activity_task.TaskWindow``):
    one try must not take a good part of that time waiting on a host that does not answer.
    """
    from botocore.config import Config

    retries = None if {"AWS_RETRY_MODE", "AWS_MAX_ATTEMPTS"} & set(os.environ) else {"mode": "standard"}
    return Config(connect_timeout=10, retries=retries)


def reset() -> None:
    """Forget the client, so the next call builds one from the current environment."""
    global _client, _client_pid
    with _lock:
        _client = None
        _client_pid = None


def put_object(bucket: str, key: str, data: bytes) -> None:
    """Store *data* under *key* in *bucket*, in parts when it is large."""
    if _store is not None:
        _store.put_object(bucket, key, data)
        return
    s3 = client()
    if len(data) < MULTIPART_THRESHOLD:
        s3.put_object(Bucket=bucket, Key=key, Body=data)
    else:
        from boto3.s3.transfer import TransferConfig

        config = TransferConfig(
            multipart_threshold=MULTIPART_THRESHOLD, multipart_chunksize=MULTIPART_THRESHOLD, max_concurrency=4
        )
        s3.upload_fileobj(io.BytesIO(data), bucket, key, Config=config)


def get_object(bucket: str, key: str, check_size: Callable[[int], None] | None = None) -> bytes:
    """The bytes stored under *key* in *bucket*, in one GetObject request.

    *check_size* is called with the object's size (its Content-Length) before the body is read, and
    may raise to refuse it: the body is then closed unread.
    """
    if _store is not None:
        data = _store.get_object(bucket, key)
        if check_size is not None:
            check_size(len(data))
        return data
    response = client().get_object(Bucket=bucket, Key=key)
    with response["Body"] as body:
        if check_size is not None:
            check_size(int(response.get("ContentLength") or 0))
        return body.read()  # botocore stops at the Content-Length, and checks it was all there
