"""Workflows, activities and an SWF harness for the jumbo-field and ``@cached`` end-to-end tests.

The harness runs a ``Decider`` in a thread of the test process (so the test can count the S3
requests it makes, and choose its run cache) and an activity worker in a forked process of its
own, with its own jumbo-field cache directory (so what the worker writes never fills the
decider's cache: the decider has to read each object back from S3).
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

from simpleflow import Workflow, activity, cached

TASK_LIST = "jumbo-e2e"


# -- payloads and call counters ------------------------------------------------------------


def blob(size: int) -> str:
    """*size* characters that differ all along (a counter in hex), so any cut or shift shows."""
    return "".join(f"{i:08x}" for i in range(size // 8 + 1))[:size]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def bump(counter_path: str, label: str = "call") -> None:
    """Count one call: one line appended to *counter_path* (any process, any thread)."""
    fd = os.open(counter_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{label} {os.getpid()}\n".encode())
    finally:
        os.close(fd)


def calls(counter_path: str, label: str | None = None) -> int:
    """How many calls *counter_path* counted (of *label* only, if given)."""
    try:
        with open(counter_path) as f:
            lines = f.read().splitlines()
    except FileNotFoundError:
        return 0
    return sum(1 for line in lines if label is None or line.split(" ", 1)[0] == label)


# -- activities --------------------------------------------------------------------------


@activity.with_attributes(task_list=TASK_LIST, version="1")
def make_blob(size: int) -> str:
    return blob(size)


@activity.with_attributes(task_list=TASK_LIST, version="1", raises_on_failure=True)
def make_blob_or_fail(size: int) -> str:
    """``make_blob`` whose failure fails the workflow."""
    return blob(size)


@activity.with_attributes(task_list=TASK_LIST, version="1")
def check_blob(text: str, size: int) -> dict[str, Any]:
    """What the activity received: its size, digest, and whether it is exactly ``blob(size)``."""
    return {"size": len(text), "sha256": digest(text), "exact": text == blob(size)}


@activity.with_attributes(task_list=TASK_LIST, version="1")
def inc(x: int) -> int:
    return x + 1


@activity.with_attributes(task_list=TASK_LIST, version="1")
def echo(value: Any) -> Any:
    return value


# -- jumbo-field workflows -----------------------------------------------------------------


class BigResultFeedsNext(Workflow):
    """A *size*-character activity result passed whole as the input of the next activity."""

    name = "jumbo.big_result_feeds_next"
    version = "1"
    task_list = TASK_LIST

    def run(self, size: int) -> dict[str, Any]:
        big = self.submit(make_blob, size)
        checked = self.submit(check_blob, big, size)
        return {"checked": checked.result, "decider_size": len(big.result), "decider_sha256": digest(big.result)}


class BigThenChain(Workflow):
    """A big activity result, then a chain of *n* small activities: one decision task each."""

    name = "jumbo.big_then_chain"
    version = "1"
    task_list = TASK_LIST

    def run(self, size: int, n: int) -> dict[str, Any]:
        big = self.submit(make_blob, size).result
        x = 0
        for _ in range(n):
            x = self.submit(inc, x).result
        return {"size": len(big), "sha256": digest(big), "x": x}


class BigActivityResult(Workflow):
    """Returns what an activity returned: *size* characters."""

    name = "jumbo.big_activity_result"
    version = "1"
    task_list = TASK_LIST

    def run(self, size: int) -> int:
        return len(self.submit(make_blob_or_fail, size).result)


class BigWorkflowResult(Workflow):
    """Its own result is *size* characters."""

    name = "jumbo.big_workflow_result"
    version = "1"
    task_list = TASK_LIST

    def run(self, size: int) -> str:
        return blob(size)


class InputSize(Workflow):
    """Returns the size of its input."""

    name = "jumbo.input_size"
    version = "1"
    task_list = TASK_LIST

    def run(self, text: str) -> int:
        return len(text)


# -- @cached -------------------------------------------------------------------------------


@cached
def new_token(counter_path: str) -> str:
    """Not deterministic: a fresh uuid each time it really runs."""
    bump(counter_path, "token")
    return uuid.uuid4().hex


@cached
def big_value(counter_path: str, size: int) -> dict[str, Any]:
    bump(counter_path, "big")
    return {"token": uuid.uuid4().hex, "blob": blob(size)}


@cached(store="s3")
def small_in_s3(counter_path: str) -> dict[str, Any]:
    bump(counter_path, "s3")
    return {"token": uuid.uuid4().hex}


class SetSerializer:
    """A serializer JSON could not replace: a set of strings as ``set:a,b,c``."""

    def dumps(self, value: set[str]) -> str:
        return "set:" + ",".join(sorted(value))

    def loads(self, text: str) -> set[str]:
        assert text.startswith("set:"), text
        return set(text[4:].split(","))


@cached(serializer=SetSerializer())
def tag_set(counter_path: str) -> set[str]:
    bump(counter_path, "set")
    return {"alpha", "beta", uuid.uuid4().hex}


class CachedChain(Workflow):
    """A cached token, a chain of *n* activities echoing it, then a second cached call.

    Each replay that ran ``new_token`` again would see another token: the echoes (fed by
    earlier replays) would then differ from the token the last replay returns.
    """

    name = "cached.chain"
    version = "1"
    task_list = TASK_LIST

    def run(self, counter_path: str, n: int) -> dict[str, Any]:
        token = new_token(counter_path)
        echoes = [self.submit(echo, token).result for _ in range(n)]
        again = new_token(counter_path)
        return {"token": token, "echoes": echoes, "again": again}


class CachedStores(Workflow):
    """A large cached value (jumbo field), a small one stored in S3, one with its own serializer."""

    name = "cached.stores"
    version = "1"
    task_list = TASK_LIST

    def run(self, counter_path: str, size: int, n: int = 3) -> dict[str, Any]:
        big = big_value(counter_path, size)
        small = small_in_s3(counter_path)
        tags = tag_set(counter_path)
        echoed = [self.submit(echo, [big["token"], small["token"], sorted(tags)]).result for _ in range(n)]
        # Read again after the chain: a later replay must see the same values.
        big_again, small_again, tags_again = (
            big_value(counter_path, size),
            small_in_s3(counter_path),
            tag_set(counter_path),
        )
        return {
            "big_token": big["token"],
            "big_size": len(big["blob"]),
            "big_exact": big["blob"] == blob(size),
            "small": small,
            "tags": sorted(tags),
            "echoed": echoed,
            "second_calls": [big_again["token"], small_again["token"], sorted(tags_again)],
        }


# -- the SWF harness -------------------------------------------------------------------------


def _worker_main(domain: str, task_list: str, environ: dict[str, str]) -> None:
    os.environ.update(environ)
    from simpleflow.swf.worker import run_worker

    run_worker(domain, task_list, modules=[__name__], heartbeat=None, pollers=2)


@contextlib.contextmanager
def worker_process(domain: str, task_list: str, environ: dict[str, str]) -> Iterator[Any]:
    """An activity worker in a forked process, with *environ* added to its environment."""
    process = multiprocessing.get_context("fork").Process(
        target=_worker_main, args=(domain, task_list, environ), name="jumbo-e2e-worker", daemon=True
    )
    process.start()
    try:
        yield process
    finally:
        if process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
        process.join(15)
        if process.is_alive():
            process.kill()
            process.join()


@contextlib.contextmanager
def decider_thread(decider: Any) -> Iterator[threading.Thread]:
    """*decider* polling in a thread of this process until the block ends."""
    stop = threading.Event()
    thread = threading.Thread(target=decider.run, args=(stop,), name="jumbo-e2e-decider", daemon=True)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(30)


def wait_closed(domain: str, execution: dict[str, str], timeout: float = 30) -> dict[str, Any]:
    """The execution's info once SWF says it is closed."""
    from simpleflow.swf import client

    target = {"workflowId": execution["workflowId"], "runId": execution["runId"]}
    deadline = time.monotonic() + timeout
    while True:
        info = client.swf_client().describe_workflow_execution(domain=domain, execution=target)["executionInfo"]
        if info["executionStatus"] == "CLOSED":
            return info
        if time.monotonic() > deadline:
            raise AssertionError(f"execution {target} still open after {timeout}s")
        time.sleep(0.05)
