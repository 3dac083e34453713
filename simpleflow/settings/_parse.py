"""How each setting's value is read: from an environment string, or as a settings module gave it."""

from __future__ import annotations

import json
import logging
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


def as_int_or_none(name: str, value: Any) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return as_int(name, value)


def _whole_number_at_least_zero(name: str, value: Any, expected: str) -> int:
    try:
        number = as_int(name, value)
    except ValueError:
        number = -1
    if number < 0:
        raise ValueError(f"{name}={value!r}: expected {expected}")
    return number


def as_size(name: str, value: Any) -> int:
    """A size in bytes: a whole number, 0 or more."""
    return _whole_number_at_least_zero(name, value, "a size in bytes (a whole number, 0 or more)")


def as_seconds(name: str, value: Any) -> int:
    """A duration in whole seconds, 0 or more (SWF's timeouts are whole seconds)."""
    return _whole_number_at_least_zero(name, value, "a whole number of seconds, 0 or more")


def as_wait(name: str, value: Any) -> float:
    """A wait in seconds, fractions allowed, 0 or more."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not 0 <= number < float("inf"):  # NaN neither
        raise ValueError(f"{name}={value!r}: expected a number of seconds, 0 or more")
    return number


def as_float(name: str, value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r}: expected a number") from None


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
            f"{name}={value!r}: expected DEBUG, INFO, WARNING, ERROR or CRITICAL (or their numbers, 10 to 50)"
        )
    return level
