"""``standalone`` on a server that holds empty polls as SWF does: it kills its decider and worker a second
after the execution closed, as they wait for their polls; they have exported their spans by then, though
the default batch delay (5 s) outlasts the whole execution."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.moto_server import long_poll_domain
from tests.swf_e2e_helpers import simpleflow
from tests.telemetry.test_restart import console_spans

WORKFLOW = "tests.fixtures.telemetry_workflows.ChildWorkflow"


@pytest.fixture(scope="module")
def held_polls(moto_server) -> Iterator[str]:
    """A domain on a dev server that holds an empty poll 30 s, with this process pointed at it."""
    with long_poll_domain("held") as domain:
        yield domain


def test_standalone_exports_the_spans_and_metrics_of_its_processes(held_polls, monkeypatch):
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "console")
    monkeypatch.setenv("OTEL_METRICS_EXPORTER", "console")
    monkeypatch.delenv("OTEL_BSP_SCHEDULE_DELAY", raising=False)
    monkeypatch.delenv("OTEL_METRIC_EXPORT_INTERVAL", raising=False)

    done = simpleflow("standalone", "--domain", held_polls, WORKFLOW, "--input", "[1]")

    assert done.returncode == 0, done.stderr
    names = sorted(span["name"] for span in console_spans(done.stdout))
    assert names == ["activity tests.telemetry.add", "decision_task", "decision_task", "workflow telemetry_child"]
    assert '"name": "simpleflow.activity.duration"' in done.stdout  # the worker's metrics
    assert '"name": "simpleflow.decision_task.duration"' in done.stdout  # the decider's
    # Its own task list (standalone-<uuid>, new each run) is the spans'; metric points say "standalone".
    spans = console_spans(done.stdout)
    assert {span["attributes"]["simpleflow.task_list"][:11] for span in spans} == {"standalone-"}
    assert done.stdout.count('"simpleflow.task_list": "standalone-') == len(spans)
    assert '"simpleflow.task_list": "standalone"' in done.stdout
