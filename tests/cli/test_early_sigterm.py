"""decider.start and worker.start honour SIGTERM from their first instant, whichever way they are started."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

from tests.process_helpers import wait_catching_sigterm
from tests.swf_e2e_helpers import ROOT, WORKFLOWS, _environ

# How each entry point imports the command line: ``python -m simpleflow``, ``python -m simpleflow.command``
# and the console script (``from simpleflow.command import cli``).
ENTRY_POINTS = {
    "python -m simpleflow": "import runpy; runpy.run_module('simpleflow', run_name='__main__', alter_sys=True)",
    "python -m simpleflow.command": (
        "import runpy; runpy.run_module('simpleflow.command', run_name='__main__', alter_sys=True)"
    ),
    "console script": "from simpleflow.command import cli; cli()",
}

# Records what is imported when the first SIGTERM handler is set, then stops the process there.
SPY = """
import json, signal, sys
real = signal.signal
class Caught(BaseException):
    pass
def spy(signum, handler):
    if signum == signal.SIGTERM:
        print(json.dumps(sorted(sys.modules)))
        raise Caught
    return real(signum, handler)
signal.signal = spy
sys.argv = ["simpleflow", "decider.start", "--domain", "d", "--task-list", "t", "x.Y"]
try:
    {entry}
except Caught:
    pass
"""


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_the_early_sigterm_handler_is_set_before_the_library_and_click_are_imported(entry):
    script = SPY.format(entry=ENTRY_POINTS[entry])
    done = subprocess.run([sys.executable, "-c", script], env=_environ(), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = set(json.loads(done.stdout))
    assert {m for m in loaded if m.startswith("simpleflow")} <= {"simpleflow", "simpleflow.command"}
    assert not loaded & {"click", "boto3", "botocore"}


def _unreachable_endpoint() -> dict[str, str]:
    # Nothing answers: the command retries its first call until it is stopped, so it never ends on its own.
    env = _environ()
    env.update(
        AWS_ENDPOINT_URL="http://127.0.0.1:1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    return env


@pytest.mark.parametrize(
    "command",
    [
        ["decider.start", "--domain", "d", "--task-list", "t", f"{WORKFLOWS}.NapWorkflow"],
        ["worker.start", "--domain", "d", "--task-list", "t", WORKFLOWS],
    ],
    ids=["decider.start", "worker.start"],
)
def test_sigterm_as_soon_as_a_handler_is_set_exits_cleanly(command):
    process = subprocess.Popen(
        [sys.executable, "-m", "simpleflow", *command],
        env=_unreachable_endpoint(),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_catching_sigterm(process)
        os.kill(process.pid, signal.SIGTERM)
        assert process.wait(timeout=20) == 0, process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()
