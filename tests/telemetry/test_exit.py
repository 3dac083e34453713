"""A ``simpleflow`` command leaving while its exporter is slow to answer (a collector that does not answer), or
once it failed to export."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simpleflow.local.host import LocalExecution
from tests.fixtures import telemetry_workflows as tw
from tests.process_helpers import interrupt_once_started

ROOT = Path(__file__).resolve().parents[2]

EXPORTER = """
import logging
import threading
import time
from importlib.metadata import entry_points
from pathlib import Path
from opentelemetry.sdk.metrics.export import MetricExporter
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

class Stuck(SpanExporter):
    def export(self, spans):
        Path(__file__).with_name("exporting").touch()  # the test's cue
        time.sleep(30)
        return SpanExportResult.FAILURE

class Failing(SpanExporter):  # as the OTLP exporter answers when its collector refuses the spans
    def export(self, spans):
        return SpanExportResult.FAILURE

class Retrying(SpanExporter):  # as the OTLP exporter tries a collector that does not answer, until shut down
    def __init__(self):
        self.down = threading.Event()

    def export(self, spans):
        Path(__file__).with_name("exporting").touch()
        log = logging.getLogger("opentelemetry.exporter.test")
        for backoff in (1, 2, 4, 8):
            log.warning("Transient error %s encountered while exporting, retrying in %ss.", "refused", backoff)
            if self.down.wait(backoff):
                log.warning("Shutdown in progress, aborting retry.")
                break
        log.error("Failed to export spans batch due to timeout, max retries or shutdown.")
        return SpanExportResult.FAILURE

    def shutdown(self):
        self.down.set()

class Raising(SpanExporter):  # as an exporter whose collector's connection fails
    def export(self, spans):
        raise ConnectionError("collector down")

class RaisingMetrics(MetricExporter):  # a metric exporter whose collector's connection fails
    def __init__(self):
        super().__init__()

    def export(self, metrics_data, timeout_millis=10_000, **kwargs):
        raise ConnectionError("collector down")

    def force_flush(self, timeout_millis=10_000):
        return True

    def shutdown(self, timeout_millis=30_000, **kwargs):
        pass

class SlowToStop(SpanExporter):  # exports at once, but takes its time to shut down
    def export(self, spans):
        return SpanExportResult.SUCCESS

    def shutdown(self):
        time.sleep(30)
"""


def installed_exporter(directory: Path, name: str = "stuck") -> dict[str, str]:
    """The exporters ``stuck``, ``failing``, ``retrying``, ``slow_to_stop``, ``raising`` (entry points, as an
    installed package declares them): the environment that makes the ``simpleflow`` commands use the one *name*d."""
    (directory / "test_exporters.py").write_text(EXPORTER)
    meta = directory / "test_exporters-0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: test-exporters\nVersion: 0\n")
    (meta / "entry_points.txt").write_text(
        "[opentelemetry_traces_exporter]\nstuck = test_exporters:Stuck\nfailing = test_exporters:Failing\n"
        "retrying = test_exporters:Retrying\nslow_to_stop = test_exporters:SlowToStop\n"
        "raising = test_exporters:Raising\n"
        "[opentelemetry_metrics_exporter]\nraising_metrics = test_exporters:RaisingMetrics\n"
    )
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(directory), str(ROOT)]), OTEL_TRACES_EXPORTER=name)


def test_ctrl_c_while_the_last_spans_are_exported_says_one_line_and_exit_130(tmp_path):
    env = installed_exporter(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.start", "--local", "examples.basic.BasicWorkflow"]
    command += ["--input", "[1, 5]"]

    status, out, err, took = interrupt_once_started(command, tmp_path / "exporting", cwd=ROOT, env=env)

    assert out == "4\n"  # the run is done: its result stands
    assert err == "simpleflow: interrupted: the spans and metric points not exported yet are dropped\n"
    assert status == 130  # was: 0, as if not interrupted
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
    assert err == "simpleflow: interrupted: the trace was not exported in full (the spans not sent yet are dropped)\n"
    assert took < 5


def test_workflow_trace_reports_an_export_that_failed_in_one_line_and_exit_1(tmp_path):
    env = installed_exporter(tmp_path, "failing")
    history, trace_id = _history_file(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.trace", "--history", str(history)]

    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert (done.returncode, done.stdout) == (1, "")
    failed = "the failing exporter failed to export 12 of the 12 spans"
    assert done.stderr.splitlines() == [f"simpleflow: error: export failed: {failed} of trace {trace_id}"]


START = [sys.executable, "-m", "simpleflow.command", "workflow.start", "--local", "examples.basic.BasicWorkflow"]
START += ["--input", "[1, 5]"]
SPANS = 7  # the spans of a run of examples.basic's workflow (3 activities, 3 decision tasks)


def _result_then_exit(command: list[str], env: dict[str, str]) -> tuple[int, str, str, float]:
    """Run *command*: (exit status, stdout, stderr, seconds from its first line on stdout, the result, to its exit)."""
    env = dict(env, PYTHONUNBUFFERED="1")  # the result as soon as printed
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        printed = time.monotonic()
        out, err = process.communicate(timeout=60)
        return process.returncode, first + out, err, time.monotonic() - printed
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def _left(exporter: str, seconds: str) -> str:
    why = f"the {exporter} exporter had not finished after {seconds} s (SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT)"
    return f"simpleflow: {SPANS} spans may not have been exported: {why}"


@pytest.mark.parametrize("seconds", [None, "1"])
def test_a_done_command_waits_at_most_the_exit_timeout_for_an_exporter_retrying_and_says_what_it_left(
    tmp_path, seconds
):
    env = installed_exporter(tmp_path, "retrying")
    if seconds:
        env["SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT"] = seconds

    status, out, err, took = _result_then_exit(START, env)

    bound = float(seconds or 2)  # the default: 2 s
    assert (status, out) == (0, "4\n")
    *warned, said = err.splitlines()
    assert said == _left("retrying", f"{bound:g}")
    # The exporter's retries are its first warning only; its giving up once shut down is the line above.
    assert len(warned) == 1, err
    assert warned[0].endswith("Transient error refused encountered while exporting, retrying in 1s.")
    assert bound - 0.1 < took < bound + 1.5  # it did wait, and not more (was: the exporter's retries, 15 s)


def test_an_exporter_that_never_returns_does_not_hold_the_command_either(tmp_path):
    env = installed_exporter(tmp_path, "stuck")
    env["SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT"] = "0.5"

    status, out, err, took = _result_then_exit(START, env)

    assert (status, out, err) == (0, "4\n", _left("stuck", "0.5") + "\n")
    assert took < 2  # was: the export's 30 s


def test_an_exit_timeout_that_is_no_number_of_seconds_is_one_line_and_exit_2(tmp_path):
    env = dict(installed_exporter(tmp_path, "failing"), SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT="-1")

    done = subprocess.run(START, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    expected = "simpleflow: error: SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT='-1': expected a number of seconds, 0 or more\n"
    assert (done.returncode, done.stdout, done.stderr) == (2, "", expected)


def test_an_exporter_that_sent_everything_but_is_slow_to_stop_leaves_nothing_to_say(tmp_path):
    env = dict(installed_exporter(tmp_path, "slow_to_stop"), SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT="0.5")

    status, out, err, took = _result_then_exit(START, env)

    assert (status, out, err) == (0, "4\n", "")  # was: "spans may not have been exported:  exporters had not..."
    assert took < 2


@pytest.mark.parametrize("exporter", ["console", "stuck"])
def test_an_exit_timeout_of_0_exports_nothing_more_and_says_so(tmp_path, exporter):
    env = dict(installed_exporter(tmp_path, exporter), SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT="0")

    status, out, err, took = _result_then_exit(START, env)

    # No export started at exit: the spans are left behind, every time (was: printed or not, by a race)
    why = f"SIMPLEFLOW_TELEMETRY_EXIT_TIMEOUT is 0: no wait for the {exporter} exporter"
    assert (status, out, err) == (0, "4\n", f"simpleflow: {SPANS} spans may not have been exported: {why}\n")
    assert took < 1


def test_an_exporter_that_raises_is_one_line_naming_it_without_the_sdks_traceback(tmp_path):
    env = dict(installed_exporter(tmp_path, "raising"), LOG_LEVEL="WARNING")

    done = subprocess.run(START, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert (done.returncode, done.stdout) == (0, "4\n")
    [line] = done.stderr.splitlines()  # was: the processor's "Exception while exporting Span batch." and its traceback
    assert " WARNING " in line and line.endswith("]: the raising exporter failed: ConnectionError: collector down")


def test_a_metric_exporter_that_raises_is_one_line_without_the_sdks_traceback(tmp_path):
    env = dict(installed_exporter(tmp_path), LOG_LEVEL="WARNING", OTEL_METRICS_EXPORTER="raising_metrics")
    del env["OTEL_TRACES_EXPORTER"]

    done = subprocess.run(START, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)

    assert (done.returncode, done.stdout) == (0, "4\n")
    # was: the reader's "Exception while exporting metrics" and its traceback
    assert "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.endswith("a metric exporter failed: ConnectionError: collector down"), done.stderr
