"""``schedule.pause`` and ``schedule.resume`` of a schedule that is so already."""

from __future__ import annotations

from simpleflow.swf import client
from tests.swf_e2e_helpers import ROOT, simpleflow_here


def test_a_pause_of_a_paused_schedule_says_so_and_sends_nothing_and_so_does_a_resume_of_an_active_one(swf_domain):
    # Each said "schedule nightly: pause" (or resume) as if it had changed something, and sent one more signal.
    common = ("--domain", swf_domain)
    target = f"{ROOT}/examples/dag/diamond.yaml"
    done = simpleflow_here("schedule.create", *common, "nightly", target, "--cron", "0 6 * * *", "--input", "{}")
    assert done.returncode == 0, done.stderr
    run_id = done.stdout.split()[1]
    said = []
    for action in ("resume", "pause", "pause", "resume", "resume"):
        answer = simpleflow_here(f"schedule.{action}", "nightly", *common)
        assert (answer.returncode, answer.stderr) == (0, ""), answer.stderr
        said.append(answer.stdout)
    assert said == [
        "schedule nightly: resume: already active\n",
        "schedule nightly: pause\n",
        "schedule nightly: pause: already paused\n",
        "schedule nightly: resume\n",
        "schedule nightly: resume: already active\n",
    ]
    history = client.get_history(swf_domain, "schedule-nightly", run_id)
    signals = [e["workflowExecutionSignaledEventAttributes"] for e in history if "Signaled" in e["eventType"]]
    assert [s["signalName"] for s in signals] == ["pause", "resume"]
