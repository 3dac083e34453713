"""Small S3 helpers on boto3: push and pull contents and files, list keys (steps use them).

A bucket is named ``bucket`` or ``host/bucket`` (``s3-eu-west-1.amazonaws.com/my_bucket``),
as in simpleflow; the host is ``amazonaws.com`` or a name under it. When boto3 is pointed at an
endpoint of its own (``AWS_ENDPOINT_URL`` or ``AWS_ENDPOINT_URL_S3``, e.g. a local S3-compatible
server), that endpoint is used whatever the host says.
``SIMPLEFLOW_S3_SSE`` asks S3 to encrypt what is pushed (AES256).

``BUCKET_LOCATIONS_CACHE`` (bucket name -> region) keeps the regions S3 gave, as simpleflow's does;
clear it, or replace it, to look them up again. A location S3 refused to give (AccessDenied, then
``SIMPLEFLOW_S3_HOST`` is used) is not kept: it is asked again next time.
"""

from __future__ import annotations

import io
import logging
import os
import re
import threading
from typing import Any

from simpleflow import settings

__all__ = [
    "BUCKET_LOCATIONS_CACHE",
    "get_bucket",
    "get_client",
    "get_resource",
    "list_keys",
    "pull",
    "pull_content",
    "push",
    "push_content",
    "sanitize_bucket_and_host",
]

logger = logging.getLogger(__name__)

ENDPOINT_ENVS = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL")

# A host name of AWS's: amazonaws.com or one of its subdomains (not "evil-amazonaws.com"), letters, digits
# and hyphens only (nothing that turns "https://{host}" into another URL's host, as "x.com#.amazonaws.com").
_AWS_HOST = re.compile(r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*amazonaws\.com", re.IGNORECASE)

_lock = threading.Lock()
BUCKET_LOCATIONS_CACHE: dict[str, str] = {}
_buckets: dict[tuple[int, str, str], Any] = {}


def _endpoint_override() -> str | None:
    return next((os.environ[name] for name in ENDPOINT_ENVS if os.environ.get(name)), None)


def _session() -> Any:
    import boto3

    return boto3.session.Session()  # one per call: boto3's default session is not thread-safe


def _noted(client: Any) -> Any:
    """*client*, its answers noted as the SWF and jumbo clients note theirs: an S3 that answered, then cannot
    be reached, is said to be down, not configured wrong."""
    from simpleflow.utils import note_answers

    return note_answers(client)


def get_client() -> Any:
    """A boto3 S3 client (boto3's own configuration: credentials, region, endpoint)."""
    return _noted(_session().client("s3"))


def get_resource(host_or_region: str) -> Any:
    """A boto3 S3 resource for an S3 host (``s3-eu-west-1.amazonaws.com``) or a region (``eu-west-1``)."""
    if _endpoint_override():
        resource = _session().resource("s3")  # boto3 reads the endpoint from the environment
    elif "." in host_or_region:
        resource = _session().resource("s3", endpoint_url=f"https://{host_or_region}")
    else:
        resource = _session().resource("s3", region_name=host_or_region)
    _noted(resource.meta.client)
    return resource


def sanitize_bucket_and_host(bucket: str) -> tuple[str, str]:
    """``(bucket name, host or region)`` for ``bucket`` or ``host/bucket``.

    Raises:
        ValueError: more than one ``/``, or a host that is neither ``amazonaws.com`` nor a name under it
            (unless an endpoint is configured: it serves every bucket, whatever the host says).
    """
    if "/" in bucket:
        host, name = bucket.split("/", 1)
        if "/" in name:
            raise ValueError(f"bucket {bucket!r}: expected 'bucket' or 'host/bucket' (one slash at most)")
        if not _AWS_HOST.fullmatch(host) and not _endpoint_override():
            raise ValueError(f"bucket {bucket!r}: the host should be an *.amazonaws.com name")
        return name, host
    if _endpoint_override():
        return bucket, ""  # one endpoint serves every bucket: no location to look up
    cache = BUCKET_LOCATIONS_CACHE  # the module's name, read now: callers may replace it
    with _lock:
        known = cache.get(bucket)
    if known is not None:
        return bucket, known
    location = _bucket_region(bucket)
    if location is None:
        fallback = settings.SIMPLEFLOW_S3_HOST
        logger.warning("access denied to the location of bucket %s: using %s", bucket, fallback)
        return bucket, fallback
    with _lock:
        cache[bucket] = location
    return bucket, location


def _bucket_region(bucket: str) -> str | None:
    """The bucket's region, or None when S3 denies the question (AccessDenied)."""
    from botocore.exceptions import ClientError

    try:
        # An empty LocationConstraint is us-east-1 ("US Standard").
        return get_client().get_bucket_location(Bucket=bucket)["LocationConstraint"] or "us-east-1"
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "AccessDenied":
            raise
        return None


def get_bucket(bucket_name: str) -> Any:
    """The boto3 ``Bucket`` resource for ``bucket`` or ``host/bucket`` (cached per process and endpoint)."""
    name, location = sanitize_bucket_and_host(bucket_name)
    key = (os.getpid(), _endpoint_override() or location, name)
    with _lock:
        found = _buckets.get(key)
    if found is None:
        found = get_resource(location).Bucket(name)
        with _lock:
            _buckets[key] = found
    return found


def _extra_args(content_type: str | None) -> dict[str, str]:
    extra = {"ContentType": content_type} if content_type else {}
    if settings.SIMPLEFLOW_S3_SSE:
        extra["ServerSideEncryption"] = "AES256"
    return extra


def pull(bucket: str, path: str, dest_file: str) -> None:
    """Download the object *path* of *bucket* into the file *dest_file*."""
    get_bucket(bucket).download_file(path, dest_file)


def pull_content(bucket: str, path: str) -> str:
    """The content of the object *path* of *bucket*, decoded from UTF-8."""
    buffer = io.BytesIO()
    get_bucket(bucket).download_fileobj(path, buffer)
    return buffer.getvalue().decode()


def push(bucket: str, path: str, src_file: str, content_type: str | None = None) -> None:
    """Upload the file *src_file* to the object *path* of *bucket*."""
    get_bucket(bucket).upload_file(src_file, path, ExtraArgs=_extra_args(content_type))


def push_content(bucket: str, path: str, content: str, content_type: str | None = None) -> None:
    """Write *content* (encoded to UTF-8) to the object *path* of *bucket*."""
    get_bucket(bucket).upload_fileobj(io.BytesIO(content.encode()), path, ExtraArgs=_extra_args(content_type))


def list_keys(bucket: str, path: str | None = None) -> list[Any]:
    """The objects (boto3 ``ObjectSummary``: ``.key``, ``.size``...) of *bucket* under the prefix *path*."""
    return list(get_bucket(bucket).objects.filter(Prefix=path or "").all())
