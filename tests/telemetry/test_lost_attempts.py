"""An attempt that answers after its start-to-close timeout: SWF drops the answer, and the attempt is ``lost``
on either host (its span and its duration), never ``completed``."""

from __future__ import annotations

import time

import pytest

from simpleflow.local.host import LocalExecution
from simpleflow.telemetry import names as n
from tests.fixtures import telemetry_workflows as tw
from tests.telemetry.helpers import run_on_swf, swf_hosts

LOST = ([("lost", "lost", False)], [("lost", 1)])  # the span's outcome, error type and status; the duration's


def late_attempt(otel, timeout: float = 10) -> tuple:
    """The outcome of the attempt of ``late`` once it ended (it outlives its run's close), as ``LOST`` says it."""
    deadline = time.monotonic() + timeout
    spans = []
    while not spans and time.monotonic() < deadline:
        time.sleep(0.05)
        spans = [span for span in otel.finished() if span.name == "activity tests.telemetry.late"]
    points = otel.points()[n.M_ACTIVITY_DURATION]
    return (
        [(span.attributes[n.OUTCOME], span.attributes.get(n.ERROR_TYPE), span.status.is_ok) for span in spans],
        [(point.attributes[n.OUTCOME], point.count) for point in points],
    )


@pytest.mark.parametrize("fails", [False, True])
def test_on_swf_an_answer_swf_dropped_is_a_lost_attempt(otel, swf_domain, fails):
    with swf_hosts(swf_domain):
        run_on_swf(swf_domain, tw.LateWorkflow, [1.5, fails])
        assert late_attempt(otel) == LOST


@pytest.mark.parametrize("fails", [False, True])
def test_locally_an_attempt_past_its_timeout_is_lost_as_on_swf(otel, fails):
    outcome = LocalExecution(tw.LateWorkflow, {"args": [1.5, fails]}).execute()
    assert outcome.result == "TimeoutError"
    assert late_attempt(otel) == LOST
