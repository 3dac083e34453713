"""The UI process's CPU per update of an open execution's page, for a run of 4,000 events (test server).

    python3 bench/ui_update.py [--events 4000] [--updates 30]

Starts the test SWF server and grows an open run to about N events (activities scheduled 100 a decision,
each started and completed by a worker with a small result; the last decision task left open), runs
``simpleflow ui`` as a process, loads the run's page once, then, as an open page does every 5 s, adds an
event (a signal) and asks ``/execution/update`` for what changed since the last event it shows, with the
page's digests: *--updates* times without the timeline's (as 5 updates in 6: the page asks for it at most
every 30 s), then as many with it. Prints the UI process's CPU per update (the kernel's count for the
process: its SWF reads, the view and the answer), the median time from request to last byte (mostly the
test server's), and the answers' size.
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
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import REPO, say, tree_cpu  # noqa: E402
from tests.moto_server import MotoServer  # noqa: E402

ACTIVITY = {"name": "bench.step", "version": "1"}
BATCH = 100  # activities a decision schedules


class Run:
    """An open run on the test server whose decisions and activities this script answers itself."""

    def __init__(self) -> None:
        import boto3

        self.swf = boto3.client("swf")
        self.domain = f"bench-update-{uuid.uuid4().hex[:6]}"
        self.swf.register_domain(name=self.domain, workflowExecutionRetentionPeriodInDays="1")
        self.swf.register_workflow_type(
            domain=self.domain,
            name="bench.update",
            version="1",
            defaultTaskList={"name": "deciders"},
            defaultExecutionStartToCloseTimeout="36000",
            defaultTaskStartToCloseTimeout="3600",
            defaultChildPolicy="TERMINATE",
        )
        self.swf.register_activity_type(domain=self.domain, **ACTIVITY)
        self.workflow_id = f"bench-update-{uuid.uuid4().hex[:6]}"
        self.run_id = self.swf.start_workflow_execution(
            domain=self.domain,
            workflowId=self.workflow_id,
            workflowType={"name": "bench.update", "version": "1"},
            input=json.dumps({"args": [], "kwargs": {"steps": "many"}}),
        )["runId"]
        self.scheduled = 0

    def _poll(self, call: str, task_list: str, **page: Any) -> dict:
        while True:
            task = getattr(self.swf, call)(domain=self.domain, taskList={"name": task_list}, identity="bench", **page)
            if task.get("taskToken"):
                return task

    def decide(self, count: int) -> int:
        """Answer the open decision task by scheduling *count* activities; the history's length after."""
        task = self._poll("poll_for_decision_task", "deciders", reverseOrder=True, maximumPageSize=1)
        decisions = [
            {
                "decisionType": "ScheduleActivityTask",
                "scheduleActivityTaskDecisionAttributes": {
                    "activityType": ACTIVITY,
                    "activityId": f"activity-bench.step-{self.scheduled + i}",
                    "taskList": {"name": "workers"},
                    "input": json.dumps({"args": [self.scheduled + i], "kwargs": {}}),
                    "scheduleToCloseTimeout": "36000",
                    "scheduleToStartTimeout": "36000",
                    "startToCloseTimeout": "36000",
                    "heartbeatTimeout": "NONE",
                },
            }
            for i in range(count)
        ]
        self.scheduled += count
        self.swf.respond_decision_task_completed(taskToken=task["taskToken"], decisions=decisions)
        return task["events"][0]["eventId"] + 1 + count  # (the newest event: DecisionTaskStarted)

    def _work_one(self, _: int) -> None:
        task = self._poll("poll_for_activity_task", "workers")
        result = json.dumps({"step": json.loads(task["input"])["args"][0], "rows": 12})
        self.swf.respond_activity_task_completed(taskToken=task["taskToken"], result=result)

    def work(self, count: int) -> None:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(self._work_one, range(count)))

    def grow(self, events: int) -> None:
        """Decide and work until the history holds about *events* events (a decision task left open)."""
        length = 0
        while length + 3 * BATCH + 4 <= events:
            length = self.decide(BATCH)
            self.work(BATCH)
            length += 2 * BATCH + 1  # started and completed, and the decision task they scheduled

    def signal(self, name: str) -> None:
        self.swf.signal_workflow_execution(domain=self.domain, workflowId=self.workflow_id, signalName=name)


def _get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    return time.perf_counter() - start, body


def _updates(ui: subprocess.Popen, base: str, run: Run, shown: dict, count: int, timeline: bool) -> list[float]:
    """*count* updates (one signal before each) of a page showing *shown* (its last event and digests,
    kept current): the CPU seconds and bytes per update on average, and the median seconds."""
    last, digests = shown["last"], shown["digests"]
    query = {"domain": run.domain, "workflow_id": run.workflow_id, "run_id": run.run_id}
    cpu = size = 0.0
    walls = []
    for i in range(count):
        run.signal(f"tick-{i}")
        have = ",".join(f"{k}:{v}" for k, v in digests.items() if timeline or k != "timeline")
        url = f"{base}/execution/update?{urlencode({**query, 'after': last, 'have': have})}"
        before = tree_cpu([ui])
        wall, body = _get(url)
        cpu += tree_cpu([ui]) - before
        walls.append(wall)
        size += len(body)
        change = json.loads(body)
        if change["reload"]:
            raise SystemExit("the update asked for a reload: the run closed?")
        last = change["last"]
        digests.update({name: value[0] for name, value in change["parts"].items()})
    shown["last"] = last
    return [cpu / count, statistics.median(walls), size / count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=4000)
    parser.add_argument("--updates", type=int, default=30)
    args = parser.parse_args()

    server = MotoServer()
    server.start()
    server.apply_environ()
    ui = None
    try:
        run = Run()
        say(f"growing an open run to about {args.events} events on the test server")
        started = time.perf_counter()
        run.grow(args.events)
        say(f"done in {time.perf_counter() - started:.1f}s; starting simpleflow ui")
        env = dict(os.environ, PYTHONPATH=str(REPO))
        command = [sys.executable, "-m", "simpleflow.command", "ui", "--domain", run.domain, "--port", "0"]
        ui = subprocess.Popen(command + ["--read-only"], env=env, cwd=REPO, stdout=subprocess.PIPE)
        base = re.search(r"(http://[^/\s]+)", ui.stdout.readline().decode()).group(1)
        query = urlencode({"domain": run.domain, "workflow_id": run.workflow_id, "run_id": run.run_id})
        before = tree_cpu([ui])
        seconds, body = _get(f"{base}/execution?{query}")
        page = body.decode()
        events = re.search(r'data-part="history-count"[^>]*>(\d+) events', page).group(1)  # (a big run shows some)
        print(
            f"page of an open run of {events} events: {seconds * 1000:.0f} ms, CPU {tree_cpu([ui]) - before:.2f} s,"
            f" {len(body) / 1024:.0f} KiB"
        )
        shown = {
            "last": int(re.search(r'data-last="(\d+)"', page).group(1)),
            "digests": dict(re.findall(r'data-part="([^"]+)" data-digest="([^"]+)"', page)),
        }
        for timeline in (False, True):
            cpu, wall, size = _updates(ui, base, run, shown, args.updates, timeline)
            what = "with the timeline" if timeline else "without the timeline"
            print(
                f"update bringing one event, {what}: CPU {cpu * 1000:.1f} ms, "
                f"median {wall * 1000:.1f} ms, {size / 1024:.1f} KiB"
            )
    finally:
        if ui is not None:
            ui.terminate()
            ui.wait(timeout=10)
        server.stop()


if __name__ == "__main__":
    main()
