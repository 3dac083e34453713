"""How long the UI's list page takes for 1,000 closed executions, against the test server (one run).

    python3 bench/ui_list.py [--executions 1000] [--repeat 7]

Starts the test SWF server, closes N executions in a domain of its own, runs ``simpleflow ui`` as a
process, and times ``GET /executions?status=closed`` from request to last byte: the SWF list call, the
rows and the HTML, with every row on one page (``--page-size 1000``, SWF's largest page). Prints the
first (cold) and median (warm) times, the page's size and its row count. The target: under a second.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import REPO, say  # noqa: E402
from tests.moto_server import MotoServer  # noqa: E402


def _close_executions(domain: str, count: int) -> None:
    import boto3

    swf = boto3.client("swf")
    swf.register_domain(name=domain, workflowExecutionRetentionPeriodInDays="1")
    swf.register_workflow_type(
        domain=domain,
        name="bench.ui",
        version="1",
        defaultTaskList={"name": "bench-ui"},
        defaultExecutionStartToCloseTimeout="3600",
        defaultTaskStartToCloseTimeout="300",
        defaultChildPolicy="TERMINATE",
    )
    for i in range(count):
        workflow_id = f"bench-ui-{i:05d}"
        swf.start_workflow_execution(
            domain=domain,
            workflowId=workflow_id,
            workflowType={"name": "bench.ui", "version": "1"},
            input=json.dumps({"args": [i], "kwargs": {}}),
            tagList=[f"batch-{i % 10}"],
        )
        swf.terminate_workflow_execution(domain=domain, workflowId=workflow_id, reason="bench")


def _get(url: str) -> tuple[float, str]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read().decode()
    return time.perf_counter() - start, body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    server = MotoServer()
    server.start()
    server.apply_environ()
    ui = None
    try:
        domain = f"bench-ui-{uuid.uuid4().hex[:6]}"
        say(f"closing {args.executions} executions on the test server")
        started = time.perf_counter()
        _close_executions(domain, args.executions)
        say(f"done in {time.perf_counter() - started:.1f}s; starting simpleflow ui")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        command = [sys.executable, "-m", "simpleflow.command", "ui", "--domain", domain, "--port", "0"]
        command += ["--read-only", "--page-size", "1000"]
        ui = subprocess.Popen(command, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        base = re.search(r"(http://[^/\s]+)", ui.stdout.readline().decode()).group(1)
        url = f"{base}/executions?domain={domain}&status=closed&days=0"
        times = []
        body = ""
        for _ in range(args.repeat):
            seconds, body = _get(url)
            times.append(seconds)
        rows = body.count('<tr class="execution"')
        if rows != args.executions:
            raise SystemExit(f"the page shows {rows} rows, not {args.executions}")
        cold, warm = times[0], statistics.median(times[1:] or times)
        print(f"list page, {rows} closed executions: first {cold * 1000:.0f} ms, median {warm * 1000:.0f} ms")
        print(f"page size: {len(body) / 1024:.0f} KiB; target under 1000 ms: {'met' if warm < 1 else 'MISSED'}")
    finally:
        if ui is not None:
            ui.terminate()
            ui.wait(timeout=10)
        server.stop()


if __name__ == "__main__":
    main()
