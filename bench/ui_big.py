"""An execution page of a big history, in a real browser: a 4,000-activity chain (24,006 events, open) and the
same run pushed to SWF's 25,000-event limit (closed), against the test server.

    python3 bench/ui_big.py [--steps 4000] [--updates 10] [--ui-repo PATH ...]

Grows one open run on the test server as a chain (each step: a decision task scheduling one activity, which a
worker completes: six events), runs ``simpleflow ui`` as a process (*--ui-repo*: another checkout's, to measure
before a change) and measures, for the run's page: its bytes, the server's time (request to last byte) and the
UI process's CPU, first load (the history derived) and then (held); then headless Chromium's first
contentful paint, load event, JS heap and DOM nodes. Then the live path on the open run: *--updates* updates
(a signal added before each) without the timeline and as many with it (CPU, time, bytes), and a "more" page
when the UI has one. Then the run is pushed on until the server terminates it at 25,000 events, and its
(closed) page is measured the same way.
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
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import REPO, say, tree_cpu  # noqa: E402
from bench.ui_update import Run  # noqa: E402
from tests.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.moto_server import MotoServer  # noqa: E402


def _get(url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        body = response.read()
    return time.perf_counter() - start, body


def chain(run: Run, steps: int) -> int:
    """*steps* more steps of a chain (one activity a decision); the history's length after (None once closed)."""
    length = 0
    for _ in range(steps):
        length = run.decide(1)
        run._work_one(0)
    return length


def until_closed(run: Run) -> int:
    """Signal the run until the server terminates it at the history's limit; the signals sent."""
    from botocore.exceptions import ClientError

    sent = 0
    while True:
        try:
            run.signal(f"fill-{sent}")
        except ClientError as err:
            if err.response["Error"]["Code"] != "UnknownResourceFault":
                raise
            return sent
        sent += 1


def server_side(ui: subprocess.Popen, url: str, repeat: int = 3) -> dict:
    """Bytes, first and later request times and CPU of the page at *url*."""
    out: dict = {}
    times, cpus = [], []
    for _ in range(repeat):
        before = tree_cpu([ui])
        seconds, body = _get(url)
        cpus.append(tree_cpu([ui]) - before)
        times.append(seconds)
    out["bytes"] = len(body)
    out["first_s"], out["first_cpu"] = times[0], cpus[0]
    out["then_s"], out["then_cpu"] = statistics.median(times[1:]), statistics.median(cpus[1:])
    out["rss"] = rss(ui.pid)
    out["event_rows"] = body.count(b'<tr id="event-')
    out["events"] = int(re.search(rb'<span class="count" data-part="history-count"[^>]*>(\d+) events', body).group(1))
    out["task_rows"] = body.count(b"<tr data-task-id=")
    return out


def rss(pid: int) -> int:
    """The resident memory of process *pid*, in bytes (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def in_browser(url: str, repeat: int = 3) -> dict:
    """First contentful paint, load event, JS heap and DOM nodes of the page at *url* in headless Chromium (the
    median of *repeat* loads, each in a new browser context)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            loads = [_load(browser, url) for _ in range(repeat)]
        finally:
            browser.close()
    return {key: statistics.median(load[key] for load in loads) for key in loads[0]}


def _load(browser: Any, url: str) -> dict:
    """One load of *url* in a new context of *browser*: its paint and load times, JS heap and DOM nodes."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url, timeout=300_000, wait_until="load")
        page.wait_for_function("() => performance.getEntriesByName('first-contentful-paint').length > 0")
        timing = page.evaluate(
            """() => ({
              fcp: performance.getEntriesByName('first-contentful-paint')[0].startTime,
              load: performance.getEntriesByType('navigation')[0].loadEventEnd,
            })"""
        )
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    finally:
        context.close()
    return {
        "fcp_ms": timing["fcp"],
        "load_ms": timing["load"],
        "heap": metrics["JSHeapUsedSize"],
        "nodes": metrics["Nodes"],
    }


def measure_page(ui: subprocess.Popen, base: str, run: Run, label: str) -> str:
    """Print what the run's page costs the server and the browser; the page."""
    query = urlencode({"domain": run.domain, "workflow_id": run.workflow_id, "run_id": run.run_id})
    url = f"{base}/execution?{query}"
    side = server_side(ui, url)
    browser = in_browser(url)
    print(
        f"{label}, {side['events']} events: page {side['bytes'] / 1e6:.2f} MB"
        f" ({side['event_rows']} event rows, {side['task_rows']} task rows);"
        f" server first {side['first_s'] * 1000:.0f} ms (CPU {side['first_cpu'] * 1000:.0f} ms),"
        f" then {side['then_s'] * 1000:.0f} ms (CPU {side['then_cpu'] * 1000:.0f} ms),"
        f" UI process {side['rss'] / 1e6:.0f} MB;"
        f" Chromium first paint {browser['fcp_ms']:.0f} ms, load {browser['load_ms']:.0f} ms,"
        f" JS heap {browser['heap'] / 1e6:.1f} MB, {browser['nodes']:.0f} DOM nodes",
        flush=True,
    )
    return _get(url)[1].decode()


def measure_updates(ui: subprocess.Popen, base: str, run: Run, page: str, count: int) -> None:
    query = {"domain": run.domain, "workflow_id": run.workflow_id, "run_id": run.run_id}
    last = int(re.search(r'data-last="(\d+)"', page).group(1))
    digests = dict(re.findall(r'data-part="([^"]+)" data-digest="([^"]+)"', page))
    for timeline in (False, True):
        cpu = size = 0.0
        walls = []
        for i in range(count):
            run.signal(f"tick-{timeline}-{i}")
            have = ",".join(f"{k}:{v}" for k, v in digests.items() if timeline or k != "timeline")
            before = tree_cpu([ui])
            wall, body = _get(f"{base}/execution/update?{urlencode({**query, 'after': last, 'have': have})}")
            cpu += tree_cpu([ui]) - before
            walls.append(wall)
            size += len(body)
            change = json.loads(body)
            last = change["last"]
            digests.update({name: value[0] for name, value in change["parts"].items()})
        what = "with the timeline" if timeline else "without the timeline"
        print(
            f"  update bringing one event, {what}: CPU {cpu / count * 1000:.1f} ms,"
            f" median {statistics.median(walls) * 1000:.1f} ms, {size / count / 1024:.1f} KiB",
            flush=True,
        )
    buttons = re.findall(r'data-kind="(\w+)" data-head="\d+" data-before="(\d+)" data-more="([^"]+)"', page)
    for kind, before, address in buttons:
        url = f"{base}{address.replace('&amp;', '&')}&before={before}"
        start = tree_cpu([ui])
        wall, body = _get(url)
        print(
            f"  'show more' of the {kind}: {wall * 1000:.0f} ms, CPU {(tree_cpu([ui]) - start) * 1000:.0f} ms,"
            f" {len(body) / 1024:.0f} KiB",
            flush=True,
        )


def start_ui(checkout: Path, domain: str) -> tuple[subprocess.Popen, str]:
    """``simpleflow ui`` of *checkout* (read-only) over *domain*, and its address."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    command = [sys.executable, "-m", "simpleflow.command", "ui", "--domain", domain, "--port", "0", "--read-only"]
    ui = subprocess.Popen(command, env=env, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    return ui, re.search(r"(http://[^/\s]+)", ui.stdout.readline().decode()).group(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--updates", type=int, default=10)
    parser.add_argument(
        "--ui-repo",
        type=Path,
        action="append",
        help="a checkout whose simpleflow ui is measured (repeatable: each against the same run); default: this one",
    )
    args = parser.parse_args()

    server = MotoServer()
    server.start()
    server.apply_environ()
    uis: list[tuple[Path, subprocess.Popen, str]] = []
    try:
        run = Run()
        say(f"growing an open chain of {args.steps} activities on the test server")
        started = time.perf_counter()
        chain(run, args.steps)
        say(f"done in {time.perf_counter() - started:.0f}s")
        for checkout in args.ui_repo or [REPO]:
            uis.append((checkout, *start_ui(checkout, run.domain)))
        for checkout, ui, base in uis:
            print(f"simpleflow ui of {checkout}:", flush=True)
            page = measure_page(ui, base, run, "  open run")
            measure_updates(ui, base, run, page, args.updates)
        say(f"pushed to the history's limit by {until_closed(run)} signals")
        for checkout, ui, base in uis:
            print(f"simpleflow ui of {checkout}:", flush=True)
            measure_page(ui, base, run, "  closed run (terminated at the limit)")
    finally:
        for _, ui, _ in uis:
            ui.terminate()
            ui.wait(timeout=10)
        server.stop()


if __name__ == "__main__":
    main()
