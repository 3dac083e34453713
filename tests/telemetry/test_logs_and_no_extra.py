"""Log records that say which execution, task and span they belong to; and simpleflow without the extra."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest

from examples.basic import BasicWorkflow
from simpleflow.local.host import LocalExecution
from tests.fixtures import telemetry_workflows as tw
from tests.log_capture import Captured
from tests.swf_e2e_helpers import ROOT, simpleflow
from tests.telemetry.helpers import run_on_swf, swf_hosts


@pytest.fixture
def captured():
    handler = Captured()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield handler.records
    root.removeHandler(handler)
    root.setLevel(level)


def test_records_of_a_decision_task_and_of_an_attempt_carry_their_fields_and_span_ids(otel, captured):
    outcome = LocalExecution(BasicWorkflow, {"args": [1, 5]}).execute()
    spans = {(s.context.trace_id, s.context.span_id): s for s in otel.finished()}
    [decided] = [r for r in captured if r.getMessage() == "(1 + 1) * 2 = 4"]  # logged by run, once
    assert (decided.workflow_id, decided.run_id, decided.workflow_type) == (
        outcome.workflow_id,
        outcome.run_id,
        "basic",
    )
    assert decided.task_type == "decision" and decided.activity_id == ""
    assert spans[(int(decided.trace_id, 16), int(decided.span_id, 16))].name == "decision_task"

    LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    spans = {(s.context.trace_id, s.context.span_id): s for s in otel.finished()}
    adding = [r for r in captured if r.getMessage().startswith("adding ")]
    assert [(r.workflow_type, r.activity_id, r.attempt) for r in adding] == [
        ("telemetry_parent", "activity-tests.telemetry.add-1", "1"),
        ("tests.fixtures.telemetry_workflows.ChildWorkflow", "activity-tests.telemetry.add-1", "1"),
    ]
    for record in adding:
        span = spans[(int(record.trace_id, 16), int(record.span_id, 16))]
        assert span.name == "activity tests.telemetry.add"
        assert span.attributes["simpleflow.workflow.id"] == record.workflow_id


def test_the_swf_workers_own_records_about_an_attempt_carry_its_span_ids(otel, captured, swf_domain):
    with swf_hosts(swf_domain):
        run_on_swf(swf_domain, tw.ChildWorkflow, [1])
    [attempt] = [s for s in otel.finished() if s.name == "activity tests.telemetry.add"]
    [running] = [r for r in captured if r.name == "simpleflow.swf.worker" and "running" in r.getMessage()]
    assert (running.trace_id, running.span_id) == (
        f"{attempt.context.trace_id:032x}",
        f"{attempt.context.span_id:016x}",
    )
    assert running.activity_id == attempt.attributes["simpleflow.activity.id"]


def test_the_log_format_option_takes_any_case_as_the_setting_does(swf_domain):
    workflow = "tests.fixtures.telemetry_workflows.ChildWorkflow"
    done = simpleflow("standalone", "--domain", swf_domain, "--log-format", "JSON", workflow, "--input", "[1]")
    assert done.returncode == 0, done.stderr  # was: "Invalid value for '--log-format'", exit 2
    records = [json.loads(line) for line in done.stderr.splitlines() if line.startswith("{")]
    assert [r["message"] for r in records if r["message"].startswith("adding")] == ["adding 1 and 1"]


def test_without_the_extra_nothing_is_imported_and_runs_are_the_same():
    script = textwrap.dedent(
        """
        import sys

        class NoOpenTelemetry:  # as if simpleflow[otel] were not installed
            def find_spec(self, name, path=None, target=None):
                if name == "opentelemetry" or name.startswith("opentelemetry."):
                    raise ModuleNotFoundError(f"No module named {name!r}", name=name)

        sys.meta_path.insert(0, NoOpenTelemetry())
        from simpleflow import telemetry
        from simpleflow.local.host import LocalExecution
        from tests.fixtures import telemetry_workflows as tw

        outcome = LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
        assert outcome.result == 31, outcome
        assert not telemetry.available()
        assert not [m for m in sys.modules if m.startswith("opentelemetry")]
        assert "simpleflow.telemetry._live" not in sys.modules
        try:
            telemetry.configure(object())
        except RuntimeError as err:
            print("refused:", err)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "refused: simpleflow.telemetry: OpenTelemetry is not installed" in done.stdout


WITHOUT = """
import runpy, sys

class Without:  # as if {missing!r} were not installed
    def find_spec(self, name, path=None, target=None):
        if name == {missing!r} or name.startswith({missing!r} + "."):
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)

sys.meta_path.insert(0, Without())
sys.argv = ["simpleflow", *sys.argv[1:]]
runpy.run_module("simpleflow.command", run_name="__main__")
"""


def simpleflow_without(missing: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """A ``simpleflow`` command run as if the package *missing* were not installed."""
    command = [sys.executable, "-c", WITHOUT.format(missing=missing), *args]
    environ = {**os.environ, "LOG_LEVEL": "WARNING", **env}
    return subprocess.run(command, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    ("missing", "said"),
    [
        ("opentelemetry", "OpenTelemetry is not installed (pip install 'simpleflow[otel]' opentelemetry-sdk)"),
        ("opentelemetry.sdk", "opentelemetry-sdk is not installed (pip install opentelemetry-sdk)"),
    ],
)
def test_exporters_asked_for_without_opentelemetry_say_what_is_missing(missing, said):
    run = ["workflow.start", "--local", "examples.basic.BasicWorkflow", "--input", "[1, 5]"]
    done = simpleflow_without(missing, *run, OTEL_TRACES_EXPORTER="console")
    assert (done.returncode, done.stdout) == (0, "4\n")  # the run is the same
    assert done.stderr.endswith(f"OTEL_TRACES_EXPORTER is set, but {said}: no spans or metrics are sent\n")

    trace = ["workflow.trace", "--history", "examples/basic_history.json", "--workflow-id", "w", "--run-id", "r"]
    done = simpleflow_without(missing, *trace, OTEL_TRACES_EXPORTER="console")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == f"simpleflow: error: {said}: use --output FILE"


def test_workflow_trace_says_why_no_exporter_is_there():
    trace = ["workflow.trace", "--history", "examples/basic_history.json", "--workflow-id", "w", "--run-id", "r"]
    done = simpleflow_without("nothing", *trace, OTEL_TRACES_EXPORTER="console", OTEL_SDK_DISABLED="true")
    assert (done.returncode, done.stderr) == (2, "simpleflow: error: OTEL_SDK_DISABLED is true: use --output FILE\n")
