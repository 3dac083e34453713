"""A repair's log folder lives while its processes run: removed once they end well or the UI stops, kept
when they fail."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from simpleflow.ui.actions import keep_log_while_running
from tests.swf_e2e_helpers import ROOT


def _folder() -> Path:
    return Path(tempfile.mkdtemp(prefix="simpleflow-ui-repair-"))


def test_the_log_goes_when_the_processes_end_well_and_stays_when_they_fail(caplog):
    done, failed = _folder(), _folder()
    keep_log_while_running(subprocess.Popen([sys.executable, "-c", "pass"]), str(done)).join(10)
    failing = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    keep_log_while_running(failing, str(failed)).join(10)
    assert not done.exists()
    assert failed.is_dir() and f"their log is in {failed}" in caplog.text
    failed.rmdir()


def test_the_log_of_a_repair_still_running_goes_when_the_ui_process_stops():
    folder = _folder()
    script = (
        "import subprocess, sys\n"
        "from simpleflow.ui.actions import keep_log_while_running\n"
        "quiet = {'stdout': subprocess.DEVNULL, 'stderr': subprocess.DEVNULL}\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'], **quiet)\n"
        f"keep_log_while_running(child, {str(folder)!r})\n"
        "print(child.pid, flush=True)\n"
    )
    ui = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=30)
    assert ui.returncode == 0, ui.stderr
    subprocess.run(["kill", ui.stdout.strip()], check=False)  # the real UI's children die with it
    assert not folder.exists()
