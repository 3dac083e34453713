"""Schedules: a long-running execution starting a workflow (or a DAG spec) at cron fire times."""

from __future__ import annotations

from simpleflow.schedule._cron import check, due, next_fire, stamp
from simpleflow.schedule._local import Fire, run_local, run_local_fires
from simpleflow.schedule._target import schedule_input, target_of
from simpleflow.schedule._workflow import ScheduleWorkflow

__all__ = [
    "Fire",
    "ScheduleWorkflow",
    "check",
    "due",
    "next_fire",
    "run_local",
    "run_local_fires",
    "schedule_input",
    "stamp",
    "target_of",
]
