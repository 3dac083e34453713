"""A ``simpleflow`` command leaving while its exporter is slow to answer (a collector that does not answer), or
once it failed to export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from simpleflow.local.host import LocalExecution
from tests.fixtures import telemetry_workflows as tw
from tests.process_helpers import interrupt_once_started

ROOT = Path(__file__).resolve().parents[2]

EXPORTER = """
import time
from pathlib import Path
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

class Stuck(SpanExporter):
    def export(self, spans):
        Path(__file__).with_name("exporting").touch()  # the test's cue
        time.sleep(30)
        return SpanExportResult.FAILURE

class Failing(SpanExporter):  # as the OTLP exporter answers when its collector refuses the spans
    def export(self, spans):
        return SpanExportResult.FAILURE
"""


def installed_exporter(directory: Path, name: str = "stuck") -> dict[str, str]:
    """The exporters ``stuck`` and ``failing`` (entry points, as an installed package declares them): the
    environment that makes the ``simpleflow`` commands use the one *name*d."""
    (directory / "test_exporters.py").write_text(EXPORTER)
    meta = directory / "test_exporters-0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: test-exporters\nVersion: 0\n")
    (meta / "entry_points.txt").write_text(
        "[opentelemetry_traces_exporter]\nstuck = test_exporters:Stuck\nfailing = test_exporters:Failing\n"
    )
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(directory), str(ROOT)]), OTEL_TRACES_EXPORTER=name)


def test_ctrl_c_while_the_last_spans_are_exported_says_one_line(tmp_path):
    env = installed_exporter(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.start", "--local", "examples.basic.BasicWorkflow"]
    command += ["--input", "[1, 5]"]

    status, out, err, took = interrupt_once_started(command, tmp_path / "exporting", cwd=ROOT, env=env)

    assert out == "4\n"  # the run is done: its result stands
    assert err == "simpleflow: interrupted: the spans and metric points not exported yet are dropped\n"
    assert status == 0
    assert took < 5


def _history_file(directory: Path) -> tuple[Path, str]:
    """A history as ``workflow.history`` writes it, and the id of its trace."""
    outcome = LocalExecution(tw.ParentWorkflow, {"args": [1]}).execute()
    path = directory / "history.json"
    path.write_text(json.dumps({"workflowId": outcome.workflow_id, "runId": outcome.run_id, "events": outcome.events}))
    from simpleflow.telemetry import execution_ids

    return path, f"{execution_ids(outcome.workflow_id, outcome.run_id)[0]:032x}"


def test_ctrl_c_during_workflow_trace_is_one_line_and_exit_130_nothing_tried_again_at_exit(tmp_path):
    env = installed_exporter(tmp_path)
    env["OTEL_BSP_MAX_EXPORT_BATCH_SIZE"] = "4"  # batches left behind the one interrupted: none tried at exit
    history, _ = _history_file(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.trace", "--history", str(history)]

    status, out, err, took = interrupt_once_started(command, tmp_path / "exporting", cwd=ROOT, env=env)

    assert (status, out) == (130, "")
    assert err == "interrupted: the trace was not exported in full (the spans not sent yet are dropped)\n"
    assert took < 5


def test_workflow_trace_reports_an_export_that_failed_in_one_line_and_exit_1(tmp_path):
    env = installed_exporter(tmp_path, "failing")
    history, trace_id = _history_file(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.trace", "--history", str(history)]

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert (done.returncode, done.stdout) == (1, "")
    failed = "the failing exporter failed to export 12 of the 12 spans"
    assert done.stderr.splitlines() == [f"simpleflow: error: export failed: {failed} of trace {trace_id}"]
