"""The ``service.name`` of the spans: the same live (the providers the commands set up) and in a file
(``workflow.trace --output``), read from the variables as the SDK reads them; and the SDK's
settings it refuses."""

from __future__ import annotations

import pytest

from simpleflow.telemetry import _export, _setup
from tests.swf_e2e_helpers import simpleflow
from tests.telemetry.test_restart import console_spans


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


EXPECTED = {
    "OTEL_TRACES_SAMPLER=nonsense": "no such sampler (known: always_on, always_off, parentbased_always_on, "
    "parentbased_always_off, traceidratio, parentbased_traceidratio)",
    "OTEL_TRACES_SAMPLER=traceidratio OTEL_TRACES_SAMPLER_ARG=2": "expected a ratio of traces kept, from 0 to 1",
    "OTEL_RESOURCE_ATTRIBUTES=garbage": "'garbage' is not a key=value pair (pairs are separated by commas)",
    "OTEL_SDK_DISABLED=yes": "expected true or false",
    "OTEL_BSP_SCHEDULE_DELAY=-5": "expected a whole number of milliseconds, more than 0",
    "OTEL_BSP_SCHEDULE_DELAY=abc": "expected a whole number of milliseconds, more than 0",
    "OTEL_BSP_MAX_QUEUE_SIZE=-5": "expected a whole number of spans, more than 0",
    "OTEL_BSP_MAX_QUEUE_SIZE=1.5": "expected a whole number of spans, more than 0",
    "OTEL_BSP_MAX_QUEUE_SIZE=10": "fewer spans than a batch (OTEL_BSP_MAX_EXPORT_BATCH_SIZE: 512)",
    "OTEL_BSP_MAX_EXPORT_BATCH_SIZE=4096": "more spans than the queue holds (OTEL_BSP_MAX_QUEUE_SIZE: 2048)",
    "OTEL_METRIC_EXPORT_INTERVAL=-5": "expected a number of milliseconds, more than 0",
    "OTEL_METRIC_EXPORT_TIMEOUT=soon": "expected a number of milliseconds, 0 or more",
}


@pytest.mark.parametrize("variable", list(EXPECTED))
def test_a_value_the_sdk_would_not_use_is_one_line_naming_the_variable_and_exit_2(monkeypatch, variable):
    """The SDK warned, or logged a traceback, and went on with its default; or named its own parameter."""
    for pair in variable.split():
        name, value = pair.split("=")
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("OTEL_TRACES_EXPORTER" if "METRIC" not in name else "OTEL_METRICS_EXPORTER", "console")
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    said = f"simpleflow: error: {name}={value!r}: {EXPECTED[variable]}\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", said)


def test_the_exit_timeout_is_checked_without_exporters_too(monkeypatch):
    monkeypatch.setenv("SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT", "abc")
    monkeypatch.delenv("OTEL_TRACES_EXPORTER", raising=False)
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    said = "simpleflow: error: SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT='abc': expected a number of seconds, 0 or more\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", said)


def test_an_exit_timeout_longer_than_a_thread_can_wait_is_refused_when_the_command_starts(monkeypatch):
    # It passed the check, then the wait at exit raised OverflowError with a traceback.
    monkeypatch.setenv("SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT", "1e10")
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.startswith("simpleflow: error: SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT=1e+10 is over the longest wait")


def test_good_sampler_values_are_taken_without_a_word_and_an_exporter_named_twice_exports_once(monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console,console")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "ParentBased_TraceIdRatio")  # the SDK's names, in any case
    monkeypatch.delenv("OTEL_TRACES_SAMPLER_ARG", raising=False)  # 1.0 (the SDK warned it could not convert it)
    monkeypatch.setenv("OTEL_SDK_DISABLED", "False")
    monkeypatch.setenv("LOG_LEVEL", "WARNING")
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert (done.returncode, done.stderr) == (0, "")
    assert len(console_spans(done.stdout)) == 7  # was: 14
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0")  # no trace kept
    done = simpleflow("workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]")
    assert (done.returncode, done.stdout, done.stderr) == (0, "4\n", "")
