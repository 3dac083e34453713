"""simpleflow's botocore clients: one per process, set up for SWF's long polls (or for a person waiting on a
page), and SWF's unknown-domain fault turned into one line.

botocore finds the endpoint itself (``AWS_ENDPOINT_URL`` / ``AWS_ENDPOINT_URL_SWF``): SWF's, or a local
server that speaks its API. The SWF client is botocore's own (what boto3 would return for SWF,
without importing boto3 and s3transfer in every command: about a sixth of a command's start-up CPU).
A call on an unknown domain raises :class:`UnknownDomain`, whose message is the one line a user needs.
The calls themselves, and the names of this module, are in ``client.py``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any
from urllib.parse import urlsplit

import botocore.session
from botocore.config import Config

from simpleflow import settings
from simpleflow.exceptions import PicklesAsIs, UsageError
from simpleflow.swf.response_parser import FastParserFactory
from simpleflow.utils import note_answers

DEFAULT_REGION = "us-east-1"
DEFAULT_RETRIES = settings.default.SWF_CONNECTION_RETRIES
# SWF holds a poll open for up to 60 s: the read timeout must outlast it.
READ_TIMEOUT = 70
CONNECT_TIMEOUT = 10
# Requests one process may have in flight at once: its polls (standalone keeps 16 per process: its POLLERS),
# each poller's heartbeats and answers, a sticky poll. botocore's pool keeps 10 connections and warns
# "Connection pool is full, discarding connection" for each one over; a pool only keeps what was opened.
POOL_CONNECTIONS = 64
# A person waits on a page (simpleflow ui): its calls give up within seconds when SWF does not answer,
# where botocore's default tries and backoff took about 22 s before the page could say so.
PAGE_CONNECT_TIMEOUT = 2
PAGE_READ_TIMEOUT = 5
PAGE_ATTEMPTS = 2  # in all: one retry

_clients: dict[str | tuple, tuple[int, Any]] = {}
_clients_lock = threading.Lock()
_page_reads: ContextVar[bool] = ContextVar("simpleflow_page_reads", default=False)


class UnknownDomain(PicklesAsIs, UsageError):
    """The SWF domain does not exist (SWF answered UnknownResourceFault).

    Asked of an endpoint the user set (*endpoint*: a dev server...), the message names it and the *region*
    asked in: such a server keeps each region's domains apart, and a client of another region sees none.
    """

    def __init__(self, domain: str, region: str | None = None, endpoint: str | None = None) -> None:
        where = f" in region {region} at {endpoint}" if region and endpoint else ""
        super().__init__(f"unknown domain '{domain}'{where}: create it with 'simpleflow domain.register {domain}'")
        self.domain = domain
        self.region = region
        self.endpoint = endpoint

    # Named by the module that exports it, where it was defined before: a failure records its error's module
    # and name (runtime/outcome.py's qualified_name), which RetryPolicy's non_retryable_errors match.
    __module__ = "simpleflow.swf.client"


def _config(region: str | None = None, page: bool = False) -> Config:
    # (botocore's max_attempts counts the retries, after the first try; total_max_attempts counts them all.)
    retries = settings.get("SWF_CONNECTION_RETRIES")
    return Config(
        region_name=region or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        retries={"total_max_attempts": min(retries + 1, PAGE_ATTEMPTS), "mode": "standard"}
        if page
        else {"max_attempts": retries, "mode": "standard"},
        read_timeout=PAGE_READ_TIMEOUT if page else READ_TIMEOUT,
        connect_timeout=PAGE_CONNECT_TIMEOUT if page else CONNECT_TIMEOUT,
        max_pool_connections=POOL_CONNECTIONS,
    )


@contextmanager
def page_reads() -> Iterator[None]:
    """The SWF calls made inside (this thread or task) use a client of short timeouts and few tries: for a
    person waiting on a page, not for polls, which SWF holds open up to 60 s."""
    token = _page_reads.set(True)
    try:
        yield
    finally:
        _page_reads.reset(token)


def _remember_domain(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
    domain = params.get("domain")
    if domain is None and model.name.endswith("Domain"):
        domain = params.get("name")
    context["simpleflow_domain"] = domain


# AWS's own hosts, in every partition; any other endpoint is one the user set (AWS_ENDPOINT_URL...).
_AWS_HOSTS = (".amazonaws.com", ".amazonaws.com.cn", ".api.aws")


def _custom_endpoint(url: str | None) -> str | None:
    """``scheme://host:port`` of *url* when it is not one of AWS's hosts (a dev server...), else None."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "").lower()
    if not host or host.endswith(_AWS_HOSTS):
        return None
    return f"{parts.scheme}://{parts.netloc}"


def _raise_unknown_domain(parsed: dict[str, Any], context: dict[str, Any], http_response: Any = None, **_: Any) -> None:
    error = parsed.get("Error") or {}
    message = error.get("Message") or ""
    if error.get("Code") == "UnknownResourceFault" and message.lower().startswith("unknown domain"):
        domain = context.get("simpleflow_domain") or message.partition(":")[2].strip()
        endpoint = _custom_endpoint(getattr(http_response, "url", None))
        raise UnknownDomain(domain, context.get("client_region") if endpoint else None, endpoint)


def _new_client(
    service: str, region: str | None = None, credentials: tuple[str, str] | None = None, page: bool = False
) -> Any:
    if service == "swf":
        # A session per client: a shared default session is not safe to share between threads.
        keys = dict(zip(("aws_access_key_id", "aws_secret_access_key"), credentials or ()))
        session = botocore.session.Session()
        # The same parsed responses, in a fraction of the time on long histories (see response_parser).
        session.register_component("response_parser_factory", FastParserFactory())
        client = session.create_client(service, config=_config(region, page), **keys)
    else:
        import boto3  # S3 clients get boto3's transfer methods (upload_fileobj...)

        client = boto3.session.Session().client(service, config=_config())
    note_answers(client)  # before a hook that raises
    if service == "swf":
        client.meta.events.register("before-parameter-build.swf", _remember_domain)
        client.meta.events.register("after-call.swf", _raise_unknown_domain)
    return client


def _client(
    service: str, region: str | None = None, credentials: tuple[str, str] | None = None, page: bool = False
) -> Any:
    # Clients are not fork-safe: a forked child builds its own.
    pid = os.getpid()
    key = service if region is None and credentials is None and not page else (service, region, credentials, page)
    with _clients_lock:
        cached = _clients.get(key)
        if cached is None or cached[0] != pid:
            cached = (pid, _new_client(service, region, credentials, page))
            _clients[key] = cached
        return cached[1]


def reset_clients() -> None:
    """Forget the cached clients: the next ones read the environment again."""
    with _clients_lock:
        _clients.clear()


def swf_client(region: str | None = None, credentials: tuple[str, str] | None = None) -> Any:
    """This process's botocore SWF client (retries on throttling and 5xx, 70 s read timeout; inside
    :func:`page_reads`, one of a few seconds and two tries).

    *region* and *credentials* (access key id, secret key) ask for a client of their own, configured alike
    (the object layer's ``~/.swf`` settings); without them, the environment's.
    """
    return _client("swf", region, credentials, _page_reads.get())


def s3_client() -> Any:
    """This process's boto3 S3 client, configured like :func:`swf_client`."""
    return _client("s3")
