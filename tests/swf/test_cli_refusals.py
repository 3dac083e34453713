"""What the SWF commands refuse before anything starts, against the dev server: an option that only
``--local`` uses, a --record path that cannot be written, a workflow id already in use."""

from __future__ import annotations

import boto3
import pytest

from tests.swf_e2e_helpers import usage_line

BASIC = ("examples.basic.BasicWorkflow", "--input", "[1, 5]")


def _open_executions(domain: str) -> list[str]:
    found = boto3.client("swf").list_open_workflow_executions(domain=domain, startTimeFilter={"oldestDate": 0})[
        "executionInfos"
    ]
    return [info["execution"]["workflowId"] for info in found]


@pytest.mark.parametrize(
    ("options", "line"),
    [
        (
            ("--signal", "foo=1"),
            "--signal applies with --local only (on SWF: workflow.signal, once the execution started)",
        ),
        (("--real-time",), "--real-time applies with --local only (on SWF, timers always take real time)"),
        (("--workers", "3"), "--workers applies with --local only (on SWF: worker.start -N, or standalone -W)"),
        (("--workers", "1"), "--workers applies with --local only (on SWF: worker.start -N, or standalone -W)"),
    ],
)
def test_an_option_only_local_uses_is_refused_on_swf_before_the_start(swf_domain, options, line):
    given = usage_line("workflow.start", "--domain", swf_domain, *BASIC, *options)
    assert given == f"simpleflow: error: {line}"
    assert _open_executions(swf_domain) == []


def test_schedule_for_is_refused_on_swf_before_the_schedule_starts(swf_domain):
    line = usage_line("schedule.create", "n", "--cron", "0 0 1 1 *", *BASIC, "--domain", swf_domain, "--for", "60")
    assert line == "simpleflow: error: --for applies with --local only (on SWF, a schedule runs until schedule.delete)"
    assert _open_executions(swf_domain) == []
