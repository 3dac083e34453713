"""Jumbo fields: what SWF cannot hold goes to S3, and is read back through a disk LRU cache.

SWF caps its text fields (32,768 characters for an input or a result, 256 for
a failure reason, 2,048 for heartbeat details). ``encode`` leaves a value that
fits alone and writes a larger one to S3, returning in its place a reference
``simpleflow+s3://<bucket>/<key> <size>`` (the format simpleflow uses);
``decode`` turns a reference back into the text and passes anything else
through. Objects are at most ``MAX_JUMBO_SIZE`` bytes (64 MiB).

Environment:

- ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET``: ``bucket`` or ``bucket/prefix`` to write
  to; without it an oversize field raises ``JumboFieldTooLarge``.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE=0``: no disk cache.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_DIR``: disk cache directory, ``/tmp/simpleflow-cache``.
- ``SIMPLEFLOW_JUMBO_FIELDS_CACHE_SIZE``: disk cache size in bytes, 1 GB (``0``: no disk cache).
- ``SIMPLEFLOW_JUMBO_FIELDS_MEMORY_CACHE_SIZE``: in-memory LRU in bytes, 64 MiB.
- boto3's own settings (``AWS_ENDPOINT_URL``, credentials, region) for S3.

``use_store(store)`` puts objects somewhere else than S3 (simpleflow.testing's in-memory store).
"""

from __future__ import annotations

from simpleflow.jumbo._cache import close as close_caches
from simpleflow.jumbo._events import decode_events, encode_decisions
from simpleflow.jumbo._fields import (
    BUCKET_ENV,
    FIELD_LIMITS,
    MAX_JUMBO_SIZE,
    JumboFieldInvalid,
    JumboFieldNotStored,
    JumboFieldTooLarge,
    JumboFieldUnavailable,
    check_fits,
    decode,
    encode,
    is_jumbo,
    permanent_s3_error,
    store,
    transient_s3_error,
)
from simpleflow.jumbo._reference import PREFIX
from simpleflow.jumbo._s3 import use_store

__all__ = [
    "BUCKET_ENV",
    "FIELD_LIMITS",
    "MAX_JUMBO_SIZE",
    "PREFIX",
    "JumboFieldInvalid",
    "JumboFieldNotStored",
    "JumboFieldTooLarge",
    "JumboFieldUnavailable",
    "check_fits",
    "close_caches",
    "decode",
    "decode_events",
    "encode",
    "encode_decisions",
    "is_jumbo",
    "permanent_s3_error",
    "store",
    "transient_s3_error",
    "use_store",
]
