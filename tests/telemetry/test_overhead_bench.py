"""bench/otel_overhead.py's figures are what it says they are."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_spans_counted_per_chain_run_are_a_chain_runs():
    command = [sys.executable, str(ROOT / "bench" / "otel_overhead.py"), "--child", "on"]
    command += ["--chain", "3", "--fanout", "7", "--repeats", "1"]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT / "bench"), str(ROOT)]), LOG_LEVEL="WARNING")
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120, check=True)
    figures = json.loads(done.stdout.splitlines()[-1])
    assert (
        figures["spans_per_chain"] == 3 + 4 + 1
    )  # an attempt per activity, a decision task each and one more, the root
