"""A short run of the fault suite (bench/chaos.py): kills, an outage and lost answers lose nothing."""

from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench"


def test_executions_complete_with_the_right_result_under_kills_outages_and_lost_answers(tmp_path):
    sys.path.insert(0, str(BENCH))
    try:
        import chaos
    finally:
        sys.path.remove(str(BENCH))
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
