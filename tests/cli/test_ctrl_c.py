"""Ctrl-C at any moment of a command that has nothing to stop (loading, parsing, waiting for SWF): one line,
exit 130; not click's "Aborted!" (exit 1), nor a KeyboardInterrupt traceback while the command line loads."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests import console


@pytest.fixture(scope="module")
def silent_endpoint() -> Iterator[str]:
    """An endpoint that takes connections and never answers: a command waits on it until stopped."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


# From 0.3 s: before that, under load, the signal may come while Python itself starts (site, runpy), before
# any of simpleflow's code runs; the loading of the command line is covered below, at a moment made sure of.
@pytest.mark.parametrize("after", [0.3, 0.5, 0.8, 1.5])
def test_ctrl_c_whenever_it_comes_is_one_line_and_exit_130(silent_endpoint, tmp_path_factory, after):
    env = console.install(tmp_path_factory.getbasetemp() / "installed")
    env.update(
        AWS_ENDPOINT_URL=silent_endpoint,
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="test",
        AWS_SECRET_ACCESS_KEY="test",
    )
    process = subprocess.Popen(
        ["simpleflow", "workflow.list", "some-domain"],
        cwd=tmp_path_factory.getbasetemp(),
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(after)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert (process.returncode, err, out) == (130, "simpleflow: interrupted\n", "")


# The console script's code, with a SIGINT that lands while click is being imported (the QA saw it there).
DURING_IMPORTS = """
import os, signal, sys
class Interrupting:
    def find_spec(self, name, path=None, target=None):
        if name == "click":
            os.kill(os.getpid(), signal.SIGINT)
        return None
sys.meta_path.insert(0, Interrupting())
sys.argv = ["simpleflow", "--help"]
from simpleflow.command import main
sys.exit(main())
"""


def test_ctrl_c_while_the_command_line_loads_is_one_line_and_exit_130(tmp_path):
    env = console.install(tmp_path / "installed")
    done = subprocess.run(
        [sys.executable, "-c", DURING_IMPORTS], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "simpleflow: interrupted\n", "")


# The same, the KeyboardInterrupt swallowed where it landed, as in a callback of the import machinery
# (Python prints "Exception ignored" there and goes on): the command would have run on, unstoppable.
LOST_DURING_IMPORTS = DURING_IMPORTS.replace(
    "os.kill(os.getpid(), signal.SIGINT)",
    "try:\n                os.kill(os.getpid(), signal.SIGINT)\n"
    "            except KeyboardInterrupt:\n                pass",
)


def test_ctrl_c_lost_while_the_command_line_loads_still_stops_it_once_loaded(tmp_path):
    env = console.install(tmp_path / "installed")
    done = subprocess.run(
        [sys.executable, "-c", LOST_DURING_IMPORTS], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=30
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "simpleflow: interrupted\n", "")


def test_ctrl_c_before_the_dev_server_listens_is_one_line_and_exit_130(tmp_path):
    """While it sets moto's server up (a second or so): after its banner, Ctrl-C is its documented stop, exit 0."""
    from tests.moto_server import free_port

    env = console.install(tmp_path / "installed")
    code = DURING_IMPORTS.replace('name == "click"', 'name == "moto.moto_server.werkzeug_app"').replace(
        '["simpleflow", "--help"]', f'["simpleflow", "dev-server", "--port", "{free_port()}"]'
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stderr, done.stdout) == (130, "simpleflow: interrupted\n", "")


# workflow.start on SWF, interrupted once SWF took the start but before its answer was read.
START_IN_FLIGHT = """
import sys
from simpleflow.swf import client

def interrupted_reading(**_):
    raise KeyboardInterrupt

client.swf_client().meta.events.register("after-call.swf.StartWorkflowExecution", interrupted_reading)
sys.argv = ["simpleflow", "workflow.start", *sys.argv[1:]]
from simpleflow.command import main
main()
"""


def test_ctrl_c_while_the_start_is_in_flight_names_the_execution_and_how_to_check_it(swf_domain):
    """Not the generic line: the start may have reached SWF, so the execution is looked up by its workflow id."""
    from simpleflow.swf import client
    from tests.swf_e2e_helpers import ROOT, WORKFLOWS, _environ

    workflow = f"{WORKFLOWS}.TimerThenShoutWorkflow"
    args = ["-d", swf_domain, "--workflow-id", "in-flight", "--input", "[60]", workflow]
    done = subprocess.run(
        [sys.executable, "-c", START_IN_FLIGHT, *args], cwd=ROOT, env=_environ(), capture_output=True, text=True
    )
    run_id = client.latest_run_id(swf_domain, "in-flight")
    assert (done.returncode, done.stderr, done.stdout) == (
        130,
        f"simpleflow: interrupted: execution in-flight was started (run {run_id}): check it with: "
        f"simpleflow workflow.info {swf_domain} in-flight\n",
        "",
    )
