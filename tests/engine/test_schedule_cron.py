"""Fire times of schedules: croniter read in a time zone, ids from fire times, bad input refused."""

from __future__ import annotations

import datetime
import re

import pytest

from simpleflow import schedule
from simpleflow.exceptions import UsageError

UTC = datetime.timezone.utc


def _epoch(*args: int) -> float:
    return datetime.datetime(*args, tzinfo=UTC).timestamp()


def test_a_daily_cron_follows_its_time_zone_across_a_daylight_saving_change():
    # 06:00 in Paris is 05:00 UTC in winter and 04:00 UTC in summer (the change was on 2026-03-29).
    fires = schedule.due("0 6 * * *", "Europe/Paris", _epoch(2026, 3, 27, 12), _epoch(2026, 3, 30, 12))
    assert [schedule.stamp(f) for f in fires] == ["20260328T050000Z", "20260329T040000Z", "20260330T040000Z"]


def test_due_fire_times_are_those_after_the_last_up_to_now_included():
    fires = schedule.due("0 * * * *", "UTC", _epoch(2026, 1, 1, 0), _epoch(2026, 1, 1, 3))
    assert [schedule.stamp(f) for f in fires] == ["20260101T010000Z", "20260101T020000Z", "20260101T030000Z"]
    assert schedule.next_fire("0 * * * *", "UTC", _epoch(2026, 1, 1, 3)) == _epoch(2026, 1, 1, 4)


@pytest.mark.parametrize(
    ("cron", "zone", "message"),
    [
        ("every day", "UTC", "--cron 'every day' is not a cron expression"),
        ("0 6 * * *", "Nowhere/Land", "--timezone 'Nowhere/Land' is not a known time zone"),
    ],
)
def test_a_bad_cron_or_time_zone_is_one_clear_error(cron, zone, message):
    with pytest.raises(UsageError, match=message):
        schedule.check(cron, zone)


@pytest.mark.parametrize("cron", ["0 0 31 2 *", "0 0 30 2 *", "0 12 31 4,6,9,11 *"])
def test_a_cron_expression_that_never_fires_is_refused_in_one_line(cron):
    with pytest.raises(UsageError, match=r"^--cron '.*' never fires: no fire time in the next 5 years$"):
        schedule.check(cron, "UTC", now=_epoch(2026, 3, 1))


def test_a_cron_expression_firing_once_in_four_years_is_accepted():
    schedule.check("0 0 29 2 *", "Europe/Paris", now=_epoch(2024, 3, 1))  # next: 2028-02-29
    assert schedule.next_fire("0 0 29 2 *", "UTC", _epoch(2024, 3, 1)) == _epoch(2028, 2, 29)


def test_a_schedule_name_that_cannot_be_part_of_a_workflow_id_is_refused():
    with pytest.raises(UsageError, match="schedule name 'a/b'"):
        schedule.schedule_input("a/b", "0 6 * * *", {"target": {}, "input": {}})


@pytest.mark.parametrize(("cron", "fields"), [("0 0 6 * * *", 6), ("*/10 * * * * *", 6), ("0 30 2 * * * 2027", 7)])
def test_a_sixth_or_seventh_field_is_refused_in_one_line_naming_the_expression(cron, fields):
    # croniter would read them as seconds and a year; a schedule fires at most once a minute
    with pytest.raises(UsageError, match=rf"^--cron '{re.escape(cron)}' has {fields} fields; a schedule takes 5, "):
        schedule.check(cron, "UTC")


@pytest.mark.parametrize("cron", ["@hourly", "@daily", "@midnight", "@weekly", "@monthly", "@yearly", "@annually"])
def test_croniter_s_aliases_are_accepted_as_the_docs_list_them(cron):
    schedule.check(cron, "UTC")
    assert schedule.stamp(schedule.next_fire(cron, "UTC", _epoch(2026, 1, 1, 0, 30))).endswith("0000Z")
