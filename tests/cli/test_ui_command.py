"""``simpleflow ui`` as a user stops it: Ctrl-C ends it quietly, exit 0, as ``dev-server``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from simpleflow.ui.config import missing_extra
from tests.swf_e2e_helpers import ROOT

pytestmark = pytest.mark.skipif(bool(missing_extra()), reason="the [ui] extra is not installed")


def test_ctrl_c_stops_the_ui_quietly_with_exit_0(swf_domain):
    command = [sys.executable, "-m", "simpleflow.command", "ui", "--port", "0", "--domain", swf_domain]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        assert "http://127.0.0.1:" in process.stdout.readline()  # it listens
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, stderr
    assert "Aborted" not in stderr and "Traceback" not in stderr
    assert stderr.splitlines() == ["(open this URL: it carries the token that actions need; Ctrl-C stops)"]
