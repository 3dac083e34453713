"""How each setting's value is read: from an environment string, or as a settings module gave it."""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from typing import Any

Parser = Callable[[str, Any], Any]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def as_str(name: str, value: Any) -> str:
    return "" if value is None else str(value)


def as_str_or_none(name: str, value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{name}={value!r}: expected a boolean (1/0, true/false, yes/no, on/off)")


def as_int(name: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}={value!r}: expected a whole number") from None


def _whole_number_at_least(name: str, value: Any, minimum: int, expected: str) -> int:
    try:
        number = as_int(name, value)
    except ValueError:
        number = minimum - 1
    if number < minimum:
        raise ValueError(f"{name}={value!r}: expected {expected}")
    return number


def whole_number(minimum: int, meaning: str = "") -> Parser:
    """A parser of a whole number, *minimum* or more (*meaning*: what a value means, said when refused)."""
    expected = f"a whole number, {minimum} or more" + (f" ({meaning})" if meaning else "")

    def parse(name: str, value: Any) -> int:
        return _whole_number_at_least(name, value, minimum, expected)

    return parse


def or_none(parser: Parser) -> Parser:
    """*parser*, with nothing given (None, blank) read as None."""

    def parse(name: str, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        return parser(name, value)

    return parse


def as_size(name: str, value: Any) -> int:
    """A size in bytes: a whole number, 0 or more."""
    return _whole_number_at_least(name, value, 0, "a size in bytes (a whole number, 0 or more)")


def as_seconds(name: str, value: Any) -> int:
    """A duration in whole seconds, 0 or more (SWF's timeouts are whole seconds)."""
    return _whole_number_at_least(name, value, 0, "a whole number of seconds, 0 or more")


def number(expected: str, *, positive: bool = False) -> Parser:
    """A parser of a finite number, 0 or more (more than 0 if *positive*); *expected* says what it is when refused."""

    def parse(name: str, value: Any) -> float:
        try:
            found = float(value)
        except (TypeError, ValueError):
            found = -1.0
        if not (0 < found if positive else 0 <= found) or found == float("inf"):  # NaN fails both
            raise ValueError(f"{name}={value!r}: expected {expected}")
        return found

    return parse


_seconds = number("a number of seconds, 0 or more")


def as_wait(name: str, value: Any) -> float:
    """Seconds a process waits (for its exporters, for an activity to stop), 0 or more, and no longer than a
    thread's wait can be (``threading.TIMEOUT_MAX``: a longer one raises OverflowError when it starts)."""
    seconds = _seconds(name, value)
    if seconds > threading.TIMEOUT_MAX:
        raise ValueError(f"{name}={seconds:g} is over the longest wait, {threading.TIMEOUT_MAX:g} seconds")
    return seconds


# What botocore lets a bucket name be (S3's rules today are stricter, but older buckets may hold capitals or "_").
_BUCKET_NAME = re.compile(r"[a-zA-Z0-9._-]{1,255}")


def as_bucket_location(name: str, value: Any) -> str:
    """``bucket`` or ``bucket/prefix``, leading and trailing slashes dropped ('' when nothing is given)."""
    text = "" if value is None else str(value).strip()
    location = text.strip("/")
    if not text:
        return ""
    if "://" in text:
        problem = f"expected bucket or bucket/prefix, not a URL (without {text.split('://', 1)[0]}://)"
    elif not _BUCKET_NAME.fullmatch(location.partition("/")[0]):
        problem = "expected bucket or bucket/prefix, the bucket named with letters, digits, '.', '-' and '_'"
    elif any(c.isspace() for c in location):
        # simpleflow 0.36 splits a reference at its blanks: it could not read one whose key holds a blank.
        problem = "a prefix with a blank makes references simpleflow 0.36 cannot read"
    else:
        return location
    raise ValueError(f"{name}={value!r}: {problem}")


def as_json_object_text(name: str, value: Any) -> str | None:
    """A JSON object, kept as its text (a settings module may give a dict)."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def one_of(*choices: str) -> Parser:
    """A parser of one of *choices* (case and surrounding blanks ignored)."""

    def parse(name: str, value: Any) -> str:
        text = str(value).strip().lower()
        if text not in choices:
            raise ValueError(f"{name}={value!r}: expected {' or '.join(choices)}")
        return text

    return parse


def level_name(value: Any) -> str | None:
    """The name of the log level *value* is (a name in any case, or logging's number for one: 10, "20"...)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = logging.getLevelName(value)  # "Level 15" for a number logging has no name for
    level = str(value).strip().upper()
    return level if isinstance(logging.getLevelName(level), int) else None


def as_level(name: str, value: Any) -> str:
    """A log level's name (DEBUG, INFO...; given so, or as logging's number for it: 10, "20"...)."""
    level = level_name("WARNING" if value is None or value == "" else value)
    if level is None:
        raise ValueError(
            f"{name}={value!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL (or 10, 20, 30, 40 or 50)"
        )
    return level
