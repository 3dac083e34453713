"""``standalone`` end to end: a 200-activity Chain on one moto server, ours and the peer's.

HOOK: where ``simpleflow standalone`` (ours, simpleflow/swf/standalone.py) is not
available, ``simpleflow standalone --help`` fails and this measurement is skipped
with a message. ``_ours_cmd`` mirrors the peer's options (``--domain``,
``--workflow-id``, ``--input``), which ours shares.

Both commands run against the same *stock* moto server (tests/moto_server.py's
``MotoServer(stock=True)``: moto as released, without the test suite's
short-empty-poll patch, as in DESIGN.md's ~220 s for the peer), reached
through ``AWS_ENDPOINT_URL``, in a domain this script registers first (the
peer's ``standalone`` does not register its domain). Each run is timed as a
whole process, then checked: the execution must be closed COMPLETED with the
chain's result. The peer takes ~220 s on these machines, so each side runs once.
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from _common import REPO, BenchError, pythonpath, run_process, say, tail
from _peer import Peer

DOMAIN = "simpleflow-bench"


def ours_missing_reason() -> str | None:
    """Why ours cannot be measured yet, or None when ``simpleflow standalone`` exists."""
    proc = run_process(["simpleflow", "standalone", "--help"], env=dict(os.environ, PYTHONPATH=pythonpath(REPO)))
    if proc.returncode != 0:
        return "`simpleflow standalone` is not available yet (simpleflow/swf/decider.py has not landed)"
    return None


def _ours_cmd(workflow_id: str, n: int) -> list[str]:
    # HOOK: keep in step with the options of our `simpleflow standalone`.
    return [
        "simpleflow",
        "standalone",
        "--domain",
        DOMAIN,
        "--workflow-id",
        workflow_id,
        "--input",
        json.dumps([n]),
        "bench_workflows.Chain",
    ]


def _peer_cmd(peer: Peer, workflow_id: str, n: int) -> list[str]:
    return [
        str(peer.cli),
        "standalone",
        "--domain",
        DOMAIN,
        "--workflow-id",
        workflow_id,
        "--input",
        json.dumps([n]),
        "bench_workflows.Chain",
    ]


def _swf_client(environ: dict[str, str]):
    import boto3

    return boto3.client(
        "swf",
        endpoint_url=environ["AWS_ENDPOINT_URL"],
        region_name=environ["AWS_DEFAULT_REGION"],
        aws_access_key_id=environ["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=environ["AWS_SECRET_ACCESS_KEY"],
    )


def _check_completed(client, workflow_id: str, n: int) -> None:
    """The execution is closed COMPLETED with result *n* (moto ignores executionFilter: filter here)."""
    listed = client.list_closed_workflow_executions(
        domain=DOMAIN, startTimeFilter={"oldestDate": datetime.datetime(2000, 1, 1)}
    )["executionInfos"]
    infos = [i for i in listed if i["execution"]["workflowId"] == workflow_id]
    if not infos:
        raise BenchError(f"{workflow_id}: no closed execution")
    info = infos[-1]
    if info.get("closeStatus") != "COMPLETED":
        raise BenchError(f"{workflow_id}: closed {info.get('closeStatus')}")
    events = client.get_workflow_execution_history(domain=DOMAIN, execution=info["execution"])["events"]
    done = [e for e in events if e["eventType"] == "WorkflowExecutionCompleted"]
    result = done[-1]["workflowExecutionCompletedEventAttributes"].get("result") if done else None
    if result is None or json.loads(result) != n:
        raise BenchError(f"{workflow_id}: result {result!r}, expected {n}")


def _run(label: str, cmd: list[str], env: dict[str, str], client, workflow_id: str, n: int, timeout: float) -> float:
    say(f"standalone, {label}: Chain {n} on the moto server (the peer takes minutes)")
    proc = run_process(cmd, env=env, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"{label} standalone exited {proc.returncode}: {tail(proc.stderr)}")
    _check_completed(client, workflow_id, n)
    return proc.seconds


class Burners:
    """*count* processes spinning on the CPU for as long as the ``with`` lasts: other work on the machine."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._processes: list[subprocess.Popen] = []

    def __enter__(self) -> Burners:
        self._processes = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(self.count)]
        return self

    def __exit__(self, *exc: object) -> None:
        for process in self._processes:
            process.kill()
            process.wait()


def measure(
    peer: Peer | None,
    inputs: Path,
    n: int = 200,
    timeout: float = 1800.0,
    peer_only: bool = False,
    burners: int = 0,
) -> tuple[float | None, float | None]:
    """Seconds for ours and the peer (None where not measured), with *burners* CPU burners running beside
    both. Call ``ours_missing_reason`` first."""
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from tests.moto_server import MotoServer

    try:
        server = MotoServer(stock=True)  # moto as released: the peer's ~220 s is measured there
    except TypeError:  # a tests/moto_server.py from before the patched launcher: always stock
        server = MotoServer()
    server.start()
    try:
        environ = server.environ()
        # This checkout's simpleflow for ours (an editable install may point elsewhere); the peer's own.
        ours_env = dict(os.environ, **environ, PYTHONPATH=pythonpath(REPO, inputs), LOG_LEVEL="WARNING")
        peer_env = dict(os.environ, **environ, PYTHONPATH=pythonpath(inputs), LOG_LEVEL="WARNING")
        for env in (ours_env, peer_env):
            env.pop("PYTHONHOME", None)
        client = _swf_client(environ)
        client.register_domain(name=DOMAIN, workflowExecutionRetentionPeriodInDays="1")
        label = f", {burners} CPU burner(s) beside" if burners else ""
        with Burners(burners):
            ours = None
            if not peer_only:
                wid = f"bench-ours-{uuid.uuid4().hex[:8]}"
                ours = _run("ours" + label, _ours_cmd(wid, n), ours_env, client, wid, n, timeout)
            theirs = None
            if peer is not None:
                wid = f"bench-peer-{uuid.uuid4().hex[:8]}"
                theirs = _run("peer" + label, _peer_cmd(peer, wid, n), peer_env, client, wid, n, timeout)
        return ours, theirs
    finally:
        server.stop()
