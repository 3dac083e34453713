"""Encode a field too large for SWF as a reference to S3, and decode it back."""

from __future__ import annotations

import logging
import time
import uuid

from simpleflow import constants, settings, telemetry
from simpleflow.exceptions import JumboFieldInvalid, JumboFieldNotStored, JumboFieldTooLarge, JumboFieldUnavailable
from simpleflow.jumbo import _cache, _s3
from simpleflow.jumbo._reference import PREFIX, format_reference, parse_reference
from simpleflow.telemetry import names

logger = logging.getLogger(__name__)

BUCKET_ENV = "SIMPLEFLOW_JUMBO_FIELDS_BUCKET"

# The largest object a jumbo field may hold, in bytes of UTF-8. simpleflow
# stops at 5 MiB; past a few tens of MiB a history is better off passing an
# S3 path of its own than loading the payload in every decider.
MAX_JUMBO_SIZE = 64 * 1024 * 1024

# SWF's length limits, in characters, by field.
FIELD_LIMITS: dict[str, int] = {
    "input": constants.MAX_INPUT_LENGTH,
    "result": constants.MAX_RESULT_LENGTH,
    "details": constants.MAX_DETAILS_LENGTH,
    "marker_details": constants.MAX_DETAILS_LENGTH,
    "control": constants.MAX_CONTROL_LENGTH,
    "signal_input": constants.MAX_INPUT_LENGTH,
    "execution_context": constants.MAX_EXECUTION_CONTEXT_LENGTH,
    "reason": constants.MAX_REASON_LENGTH,
    "heartbeat_details": constants.MAX_HEARTBEAT_DETAILS_LENGTH,
}


# S3 errors that another try will not cure: the object or bucket is gone, or we may not read it.
PERMANENT_S3_ERRORS = frozenset(
    {"NoSuchKey", "NoSuchBucket", "AccessDenied", "InvalidBucketName", "AllAccessDisabled", "InvalidObjectState"}
)
# A permanent error is believed after this many reads, spaced by these pauses (a bucket policy being
# fixed, a replication catching up): long enough to ride out a blip, short enough to hold a task.
_PERMANENT_RETRY_DELAYS = (0.2, 0.5)


# S3 answers that mean "not now": throttling, and the error codes S3 documents as worth a retry.
TRANSIENT_S3_CODES = frozenset(
    {
        "SlowDown",
        "RequestTimeout",
        "InternalError",
        "ServiceUnavailable",
        "Throttling",
        "ThrottlingException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "OperationAborted",
    }
)


def transient_s3_error(error: BaseException) -> bool:
    """Whether *error* (from boto3's S3 client) may go away if the same request is sent again.

    The network (a refused or cut connection, a timeout), throttling, and S3's 5xx answers may; an
    answer about the request itself (``NoSuchBucket``, ``AccessDenied``, a 4xx) will not.
    """
    from botocore import exceptions as boto

    if isinstance(error, JumboFieldNotStored):
        return error.transient
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        code = (response.get("Error") or {}).get("Code")
        status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0
        return code in TRANSIENT_S3_CODES or status >= 500
    return isinstance(error, (boto.HTTPClientError, boto.ConnectionError, OSError))


def permanent_s3_error(error: BaseException) -> str | None:
    """S3's error code when *error* is one trying again will not cure, else None."""
    response = getattr(error, "response", None)
    if not isinstance(response, dict):
        return None
    code = (response.get("Error") or {}).get("Code")
    return code if code in PERMANENT_S3_ERRORS else None


def jumbo_location() -> str:
    """``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` as ``bucket`` or ``bucket/prefix`` ('' when unset): where jumbo
    fields are written, and the only place they are read from."""
    return settings.get(BUCKET_ENV).strip().strip("/")


def _outside_jumbo_location(bucket: str, key: str) -> str | None:
    """Why s3://*bucket*/*key* is not read, or None when it is in ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET``.

    A reference is data: whoever can start an execution or complete a task writes it. Followed anywhere,
    it would read any object this process's credentials reach (and the web view would show it).
    """
    location = jumbo_location()
    if not location:
        return f"is not read: {BUCKET_ENV} is not set (only objects under the bucket[/prefix] it names are)"
    allowed_bucket, _, prefix = location.partition("/")
    if bucket != allowed_bucket or (prefix and not key.startswith(prefix + "/")):
        return f"is not read: it is outside {BUCKET_ENV}={location} (only objects under it are)"
    return None


def _get_object(reference: str, bucket: str, key: str, size: int) -> bytes:
    check = _size_check(reference, bucket, key, size)
    delays = iter(_PERMANENT_RETRY_DELAYS)
    while True:
        try:
            return _s3.get_object(bucket, key, check)
        except JumboFieldInvalid:
            raise
        except Exception as error:
            code = permanent_s3_error(error)
            if code is None:
                raise  # transient (a network outage, throttling...): the caller tries again later
            delay = next(delays, None)
            if delay is None:
                message = ((error.response.get("Error") or {}).get("Message") or "").strip()  # type: ignore[attr-defined]
                raise JumboFieldUnavailable(reference, bucket, key, code, message) from error
            logger.warning("jumbo fields: s3://%s/%s: %s, trying again in %.1fs", bucket, key, code, delay)
            time.sleep(delay)


def _size_check(reference: str, bucket: str, key: str, size: int):
    """What ``_s3.get_object`` calls with the object's size before reading it: raises JumboFieldInvalid when the
    object is over ``MAX_JUMBO_SIZE`` or cannot be the *size* its reference says."""

    def check(actual: int) -> None:
        if actual > MAX_JUMBO_SIZE:
            raise JumboFieldInvalid(
                reference, bucket, key, "TooLarge", f"is {actual} bytes, over the jumbo field limit of {MAX_JUMBO_SIZE}"
            )
        # We write the size in bytes; simpleflow 0.36 in characters, which UTF-8 makes 1 to 4 bytes each.
        if not size <= actual <= 4 * size:
            raise JumboFieldInvalid(
                reference, bucket, key, "SizeMismatch", f"is {actual} bytes where its reference says {size}"
            )

    return check


def _text(reference: str, bucket: str, key: str, size: int, data: bytes) -> str:
    """*data* as text, if it is UTF-8 text of the *size* (bytes or characters) its reference says.

    Raises:
        JumboFieldInvalid: it is not.
    """
    try:
        text = data.decode()
    except UnicodeDecodeError as err:
        problem = f"is not UTF-8 text (byte 0x{data[err.start]:02x} at offset {err.start})"
        raise JumboFieldInvalid(reference, bucket, key, "NotUTF8", problem) from None
    if len(data) != size and len(text) != size:
        problem = f"is {len(data)} bytes ({len(text)} characters) where its reference says {size}"
        raise JumboFieldInvalid(reference, bucket, key, "SizeMismatch", problem)
    return text


def is_jumbo(text: object) -> bool:
    """Whether *text* is a reference to a jumbo field stored in S3."""
    return isinstance(text, str) and text.startswith(PREFIX)


def encode(text: str | None, field: str) -> str | None:
    """*text* as it may go into SWF's *field*: itself if it fits, else a reference to S3.

    Args:
        text: the value, usually JSON; None passes through.
        field: which SWF field it is for, one of ``FIELD_LIMITS``.

    Returns:
        *text* unchanged when it is within the field's limit; otherwise the
        reference ``simpleflow+s3://<bucket>/<prefix>/<uuid> <bytes>`` of the
        object it was written to, under ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET``
        (``bucket`` or ``bucket/prefix``).

    Raises:
        JumboFieldTooLarge: *text* is over the limit and the bucket variable
            is not set, or it is over ``MAX_JUMBO_SIZE`` bytes, or the
            reference itself would not fit the field.
        JumboFieldNotStored: S3 did not take the object (``transient`` says whether to try again).
        ValueError: *field* is not a known field.
    """
    limit = _limit(field)
    if text is None or len(text) <= limit:
        return text
    return _store(text, field, limit)


def check_fits(text: str | None, field: str) -> None:
    """Raise what :func:`encode` would for *text* in SWF's *field* (JumboFieldTooLarge), writing nothing to S3.

    A local run checks an execution's input this way: what SWF would refuse, refused there too.
    """
    limit = _limit(field)
    if text is not None and len(text) > limit:
        _placed(text, field, limit)


def _limit(field: str) -> int:
    try:
        return FIELD_LIMITS[field]
    except KeyError:
        raise ValueError(f"unknown SWF field {field!r}; expected one of {', '.join(FIELD_LIMITS)}") from None


def store(text: str, field: str, limit: int | None = None) -> str:
    """Write *text* to S3 whatever its size; return its reference (``@cached(store="s3")`` uses it).

    The reference must fit *limit* characters (default: the field's), else nothing is written.
    """
    return _store(text, field, FIELD_LIMITS[field] if limit is None else limit)


def _placed(text: str, field: str, limit: int) -> tuple[str, str, bytes, str]:
    """Where *text* goes in S3, ``(bucket, key, data, reference)``; JumboFieldTooLarge if it cannot go."""
    location = jumbo_location()
    if not location:
        raise JumboFieldTooLarge(
            field,
            len(text),
            limit,
            f"{field} is {len(text)} characters, over SWF's limit of {limit}: "
            f"set {BUCKET_ENV}=bucket[/prefix] to store such fields in S3",
        )
    data = text.encode()
    if len(data) > MAX_JUMBO_SIZE:
        raise JumboFieldTooLarge(
            field,
            len(data),
            MAX_JUMBO_SIZE,
            f"{field} is {len(data)} bytes, over the jumbo field limit of {MAX_JUMBO_SIZE} bytes "
            f"({BUCKET_ENV} is set, but this is too large even for S3 through SWF)",
        )
    bucket, _, prefix = location.partition("/")
    key = f"{prefix}/{uuid.uuid4()}" if prefix else str(uuid.uuid4())
    reference = format_reference(bucket, key, len(data))
    if len(reference) > limit:
        raise JumboFieldTooLarge(
            field,
            len(text),
            limit,
            f"{field} is {len(text)} characters, over SWF's limit of {limit}, and its S3 reference "
            f"would be too ({len(reference)} characters): shorten {BUCKET_ENV}={location}",
        )
    return bucket, key, data, reference


def _store(text: str, field: str, limit: int) -> str:
    bucket, key, data, reference = _placed(text, field, limit)
    try:
        _s3.put_object(bucket, key, data)
    except Exception as error:
        raise JumboFieldNotStored(field, bucket, error, transient_s3_error(error)) from error
    telemetry.count(names.M_JUMBO_WRITES, 1)
    telemetry.count(names.M_JUMBO_BYTES, len(data), {names.DIRECTION: "write"})
    _cache.put(bucket, key, text, data)
    logger.debug("jumbo fields: %s of %d bytes stored as %s", field, len(data), reference)
    return reference


def decode(text: str | None) -> str | None:
    """The original text of a field: a jumbo field reference is read from S3 (through the cache).

    Any other value, None included, is returned as is.

    Only objects under ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` (bucket or bucket/prefix) are read.

    Raises:
        JumboFieldUnavailable: the object is gone or may not be read (after a few tries).
        JumboFieldInvalid: *text* starts like a reference but is not one (``Malformed``: a ValueError too),
            the reference is outside ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` (``OutsideBucket``),
            or the object is not what a jumbo field holds: over ``MAX_JUMBO_SIZE`` or of
            another size than the reference says (refused before it is read), or not UTF-8 text.
        botocore.exceptions.ClientError, BotoCoreError: S3 failed in a way a later try may not (the
            network, throttling, 5xx: ``transient_s3_error``).
    """
    if text is None or not text.startswith(PREFIX):
        return text
    bucket, key, size = parse_reference(text)
    outside = _outside_jumbo_location(bucket, key)
    if outside is not None:
        raise JumboFieldInvalid(text, bucket, key, "OutsideBucket", outside)
    if size > MAX_JUMBO_SIZE:
        problem = f"is {size} bytes by its reference, over the jumbo field limit of {MAX_JUMBO_SIZE}"
        raise JumboFieldInvalid(text, bucket, key, "TooLarge", problem)
    cached = _cache.get(bucket, key, size)
    if cached is not None:
        telemetry.count(names.M_JUMBO_READS, 1, {names.JUMBO_SOURCE: "cache"})
        return cached
    data = _get_object(text, bucket, key, size)
    telemetry.count(names.M_JUMBO_READS, 1, {names.JUMBO_SOURCE: "s3"})
    telemetry.count(names.M_JUMBO_BYTES, len(data), {names.DIRECTION: "read"})
    value = _text(text, bucket, key, size, data)
    _cache.put(bucket, key, value, data)
    return value
