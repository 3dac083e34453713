"""The ``service.name`` of the spans: the same live (the providers the commands set up) and in a file
(``workflow.trace --output``), read from the variables as the SDK reads them; and the SDK's
settings it refuses."""

from __future__ import annotations

import pytest

from simpleflow.telemetry import _export, _setup
from tests.swf_e2e_helpers import simpleflow


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


@pytest.mark.parametrize(
    ("variable", "said"),
    [
        ("OTEL_BSP_MAX_QUEUE_SIZE=-5", "OTEL_BSP_* variables: max_queue_size must be a positive integer."),
        (
            "OTEL_METRIC_EXPORT_INTERVAL=-5",
            "OTEL_METRIC_EXPORT_* variables: interval value -5.0 is invalid and needs to be larger than zero.",
        ),
        # Values the SDK cannot read as numbers: it logged a traceback (or a warning) and used its default.
        (
            "OTEL_BSP_SCHEDULE_DELAY=abc",
            "OTEL_BSP_SCHEDULE_DELAY='abc': not a whole number of milliseconds",
        ),
        (
            "OTEL_BSP_MAX_QUEUE_SIZE=1.5",
            "OTEL_BSP_MAX_QUEUE_SIZE='1.5': not a whole number of spans",
        ),
        (
            "OTEL_METRIC_EXPORT_TIMEOUT=soon",
            "OTEL_METRIC_EXPORT_TIMEOUT='soon': not a number of milliseconds",
        ),
    ],
)
def test_a_batch_or_interval_setting_the_sdk_refuses_is_one_line_naming_the_variables(monkeypatch, variable, said):
    name, value = variable.split("=")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER" if name.startswith("OTEL_BSP") else "OTEL_METRICS_EXPORTER", "console")
    monkeypatch.setenv(name, value)
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"simpleflow: error: {said}\n")
