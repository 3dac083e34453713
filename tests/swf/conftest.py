"""A second dev server for the tests whose workflows wait on long timers: an hour of timer lasts a second
there, so the examples' hour-long timers run as written (decisions and events keep the real durations;
only the server's clock for timers is fast)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest

from simpleflow.constants import HOUR
from tests.moto_server import MotoServer


@pytest.fixture(scope="session")
def fast_timers_server(moto_server) -> Iterator[MotoServer]:
    server = MotoServer(timer_speed=HOUR)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def fast_timers(fast_timers_server) -> Iterator[MotoServer]:
    """This process's AWS settings point at the fast-timers server for the module's tests."""
    with fast_timers_server.pointed_at():
        yield fast_timers_server


@pytest.fixture
def fast_domain(fast_timers) -> str:
    """A fresh domain on the fast-timers server."""
    name = f"fast-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
