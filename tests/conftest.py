"""Shared fixtures: a real moto server for SWF and S3, unique domains."""

from __future__ import annotations

import os
import uuid

import pytest

from tests.moto_server import MotoServer


@pytest.fixture(scope="session")
def moto_server():
    """A moto server process on 127.0.0.1, with boto3 pointed at it (AWS_ENDPOINT_URL)."""
    server = MotoServer()
    server.start()
    saved = {k: os.environ.get(k) for k in server.environ()}
    server.apply_environ()
    yield server
    server.stop()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture
def swf_domain(moto_server):
    """A freshly registered SWF domain on the moto server; its name."""
    import boto3

    name = f"test-{uuid.uuid4().hex[:8]}"
    boto3.client("swf").register_domain(name=name, workflowExecutionRetentionPeriodInDays="1")
    return name
