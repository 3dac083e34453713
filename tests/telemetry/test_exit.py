"""A ``simpleflow`` command leaving while its exporter is slow to answer (a collector that does not answer)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

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
"""


def installed_exporter(directory: Path) -> dict[str, str]:
    """An exporter named ``stuck`` (an entry point, as an installed package declares it): the environment
    that makes the ``simpleflow`` commands use it."""
    (directory / "stuck_exporter.py").write_text(EXPORTER)
    meta = directory / "stuck_exporter-0.dist-info"
    meta.mkdir()
    (meta / "METADATA").write_text("Metadata-Version: 2.1\nName: stuck-exporter\nVersion: 0\n")
    (meta / "entry_points.txt").write_text("[opentelemetry_traces_exporter]\nstuck = stuck_exporter:Stuck\n")
    return dict(os.environ, PYTHONPATH=os.pathsep.join([str(directory), str(ROOT)]), OTEL_TRACES_EXPORTER="stuck")


def test_ctrl_c_while_the_last_spans_are_exported_says_one_line(tmp_path):
    env = installed_exporter(tmp_path)
    command = [sys.executable, "-m", "simpleflow.command", "workflow.start", "--local", "examples.basic.BasicWorkflow"]
    command += ["--input", "[1, 5]"]

    status, out, err, took = interrupt_once_started(command, tmp_path / "exporting", cwd=ROOT, env=env)

    assert out == "4\n"  # the run is done: its result stands
    assert err == "simpleflow: interrupted: the spans and metric points not exported yet are dropped\n"
    assert status == 0
    assert took < 5
