"""Retry policies: simpleflow workflow.start --local examples.retry_policy.RetryPolicyWorkflow

``fetch_rates`` stands for a flaky service: its first two attempts fail, the third succeeds. Its
policy waits 30 s, then 60 s (less up to 20 % of jitter, fixed by the task id and the attempt
number, so every replay agrees) through SWF timers: virtual time with --local. ``check_order``
raises ``InvalidOrder``, which its policy names as non-retryable: one attempt, and the task fails.
Attempts are counted in files under *workdir* (the system's temporary folder by default), one per
execution, so they count the same in a worker's processes as here.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from simpleflow import RetryPolicy, Workflow, activity, futures
from simpleflow.constants import MINUTE

FETCH_POLICY = RetryPolicy(
    maximum_attempts=5, initial_interval=30, backoff_coefficient=2.0, maximum_interval=10 * MINUTE, jitter=0.2
)


class InvalidOrder(Exception):
    """No retry can mend this order."""


def _attempt(act: activity.Activity, workdir: str | None) -> int:
    context = act.context or {}
    counter = Path(workdir or tempfile.gettempdir()) / f"simpleflow-example-{context.get('run_id')}-{act.name}"
    attempt = int(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text(str(attempt))
    return attempt


@activity.with_attributes(task_list="example", version="example", retry=FETCH_POLICY)
def fetch_rates(workdir=None):
    attempt = _attempt(fetch_rates, workdir)
    if attempt < 3:
        raise ConnectionError(f"the rates service is unavailable (attempt {attempt})")
    return {"attempts": attempt}


@activity.with_attributes(
    task_list="example",
    version="example",
    retry=RetryPolicy(maximum_attempts=5, initial_interval=30, non_retryable_errors=[InvalidOrder]),
)
def check_order(order, workdir=None):
    _attempt(check_order, workdir)
    if not order.get("items"):
        raise InvalidOrder(f"order {order['id']} has no items")
    return order


class RetryPolicyWorkflow(Workflow):
    """Fetches the rates (retried with backoff) and checks an empty order (not retried)."""

    name = "example_retry_policy"
    version = "example"
    task_list = "example"

    def run(self, workdir=None):
        rates = self.submit(fetch_rates, workdir)
        checked = self.submit(check_order, {"id": 7, "items": []}, workdir)
        futures.wait(rates, checked)
        return {"fetched": rates.result, "checked": checked.exception.reason if checked.exception else "ok"}
