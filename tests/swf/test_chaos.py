"""A short run of the fault suite (bench/chaos.py): kills, an outage and lost answers lose nothing."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def _accounting():
    sys.path.insert(0, str(BENCH))
    try:
        import chaos
    finally:
        sys.path.remove(str(BENCH))
    return chaos


def test_executions_complete_with_the_right_result_under_kills_outages_and_lost_answers(tmp_path):
    chaos = _accounting()
    report = chaos.run_chaos(
        executions=3,
        chain=4,
        fan=4,
        deciders=2,
        workers=2,
        fault_seconds=12.0,
        lose_probability=0.05,
        seed=3,
        close_timeout=120.0,
        work_dir=tmp_path,
    )
    assert report.decider_kills + report.worker_kills > 0 and report.outage_seconds > 0, report.text()
    assert report.ok, report.text()
    assert report.activities == 3 * (4 + 4), report.text()


def _run(start, end):
    return {"start": start, "end": end, "pid": 1}


def test_a_rerun_is_explained_by_a_fault_near_it_or_by_a_timeout_swf_recorded_then():
    chaos = _accounting()
    runs = [_run(10.0, 10.2), _run(30.0, 30.2), _run(60.0, 60.2), _run(90.0, 90.2)]
    timed_out = chaos.AttemptEnd("ActivityTaskTimedOut", "HEARTBEAT", 36.0)
    completed = chaos.AttemptEnd("ActivityTaskCompleted", "", 61.0)
    causes = chaos._rerun_causes(runs, [(12.0, 14.0)], [timed_out, completed], window=12.0)
    assert causes == [chaos.FAULT, chaos.TIMEOUT, None]


def test_one_timeout_explains_one_rerun_only_and_a_cut_short_run_needs_no_fault():
    chaos = _accounting()
    runs = [_run(10.0, 10.2), _run(11.0, 11.2), _run(12.0, None), _run(30.0, 30.2)]
    timed_out = chaos.AttemptEnd("ActivityTaskTimedOut", "HEARTBEAT", 16.0)
    assert chaos._rerun_causes(runs, [], [timed_out], window=12.0) == [chaos.TIMEOUT, None, chaos.CUT_SHORT]
