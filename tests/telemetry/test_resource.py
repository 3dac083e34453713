"""The ``service.name`` of the spans: the same live (the providers the commands set up) and in a file
(``workflow.trace --output``), read from the variables as the SDK reads them."""

from __future__ import annotations

import pytest

from simpleflow.telemetry import _export, _setup


@pytest.mark.parametrize(
    ("attributes", "name"),
    [
        ("service.name=billing", "billing"),
        ("service.name = billing", "billing"),  # the SDK strips keys and values
        ("team=x,service.name=my%20billing", "my billing"),  # and decodes values
        ("k8s.service.name=pod", "simpleflow"),  # another key: not named
        ("", "simpleflow"),
    ],
)
def test_live_spans_and_files_name_the_same_service(monkeypatch, attributes, name):
    monkeypatch.setenv("OTEL_RESOURCE_ATTRIBUTES", attributes)
    monkeypatch.delenv("OTEL_SERVICE_NAME", raising=False)
    assert _setup._resource().attributes["service.name"] == name
    assert _export.resource()["service.name"] == name
