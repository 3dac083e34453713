"""Fire times of a cron expression (parsed by croniter), in a time zone, as epoch seconds."""

from __future__ import annotations

import datetime
import functools
import time
import zoneinfo

from simpleflow.exceptions import UsageError

HORIZON_YEARS = 5  # a cron expression that fires no time within this is refused (e.g. 0 0 31 2 *)
MAX_DUE = 1000  # fire times looked at in one go (a catch-up over a long outage keeps the latest)


def check(expression: str, timezone: str = "UTC", now: float | None = None) -> None:
    """UsageError when *expression* is not a five-field cron expression (or an @-alias: @daily...) or *timezone*
    not a known zone.

    Also when the expression never fires: no fire time in ``HORIZON_YEARS`` after *now* (default: the
    current time), as ``0 0 31 2 *`` (the 31st of February).
    """
    from croniter import CroniterBadDateError, croniter

    fields = len(expression.split()) if isinstance(expression, str) else 0
    if fields in (6, 7):  # croniter would read a 6th field as seconds, a 7th as a year
        raise UsageError(
            f"--cron {expression!r} has {fields} fields; a schedule takes 5, minute hour day month weekday "
            "(it fires at most once a minute: no seconds, no year)"
        )
    if not isinstance(expression, str) or not croniter.is_valid(expression):  # else 5 fields, or an @-alias
        raise UsageError(f"--cron {expression!r} is not a cron expression (e.g. '0 6 * * *': every day at 06:00)")
    tz = zone(timezone)
    start = datetime.datetime.fromtimestamp(time.time() if now is None else now, tz=tz)
    try:
        fire = croniter(expression, start, max_years_between_matches=HORIZON_YEARS).get_next(datetime.datetime)
    except CroniterBadDateError:
        fire = None
    if fire is None or fire - start > datetime.timedelta(days=366 * HORIZON_YEARS):
        raise UsageError(f"--cron {expression!r} never fires: no fire time in the next {HORIZON_YEARS} years")


def zone(name: str) -> datetime.tzinfo:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--timezone {name!r} is not a known time zone (e.g. 'UTC', 'Europe/Paris')") from None


@functools.lru_cache(maxsize=8192)  # replays of a schedule ask for the same fire times again and again
def next_fire(expression: str, timezone: str, after: float) -> float:
    """The first fire time strictly after *after*."""
    from croniter import croniter

    start = datetime.datetime.fromtimestamp(after, tz=zone(timezone))
    return croniter(expression, start).get_next(datetime.datetime).timestamp()


def due(expression: str, timezone: str, after: float, until: float) -> list[float]:
    """Fire times in (after, until], oldest first (the latest MAX_DUE of them)."""
    found: list[float] = []
    at = after
    while True:
        at = next_fire(expression, timezone, at)
        if at > until:
            return found[-MAX_DUE:]
        found.append(at)
        if len(found) > 2 * MAX_DUE:
            found = found[-MAX_DUE:]


def stamp(epoch: float) -> str:
    """A fire time as it appears in workflow ids: 20261202T060000Z."""
    return datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
