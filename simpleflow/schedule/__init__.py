"""Schedules: a long-running execution starting a workflow (or a DAG spec) at cron fire times.

``run_local`` runs one in this process; on SWF, ``create`` starts one, ``list_schedules`` lists the open ones,
``set_paused`` pauses or resumes one (``signal`` sends it a signal), ``trigger`` fires one now, ``delete`` ends one.
"""

from __future__ import annotations

from simpleflow.schedule._cron import check, due, next_fire, stamp
from simpleflow.schedule._local import Fire, run_local, run_local_fires
from simpleflow.schedule._swf import create, delete, list_schedules, set_paused, signal, trigger
from simpleflow.schedule._target import schedule_input, target_of
from simpleflow.schedule._workflow import ScheduleWorkflow

__all__ = [
    "Fire",
    "ScheduleWorkflow",
    "check",
    "create",
    "delete",
    "due",
    "list_schedules",
    "next_fire",
    "run_local",
    "run_local_fires",
    "schedule_input",
    "set_paused",
    "signal",
    "stamp",
    "target_of",
    "trigger",
]
