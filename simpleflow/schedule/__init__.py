"""Schedules: a long-running execution starting a workflow (or a DAG spec) at cron fire times."""

from __future__ import annotations

from simpleflow.schedule._cron import check, due, next_fire, stamp
from simpleflow.schedule._local import run_local
from simpleflow.schedule._target import schedule_input, target_of
from simpleflow.schedule._workflow import ScheduleWorkflow

__all__ = ["ScheduleWorkflow", "check", "due", "next_fire", "run_local", "schedule_input", "stamp", "target_of"]
