"""JSON encoding of inputs and results, as simpleflow writes them on SWF; simpleflow's jumbo field API.

``dumps``, ``loads``, ``pretty``, ``format_reason`` and ``status_text`` are what this code uses.
simpleflow 0.36's names are here too: ``encode(message, max_length)`` and ``decode(content)`` of a
field that may be a jumbo field (see :mod:`simpleflow.jumbo`; ``decode`` returns a lazy proxy that
reads S3 on first use), and the per-field helpers ``input``, ``result``, ``control`` (JSON-encode,
then ``encode``), ``reason``, ``details``, ``heartbeat_details``, ``execution_context`` (``encode``)
and ``identity`` (cut to 256 characters, never a jumbo field).
"""

from __future__ import annotations

import datetime
import json
import logging
import re
import signal
import threading
import types
import uuid
from typing import Any

from simpleflow import constants
from simpleflow.exceptions import DataError, JumboTooLargeError
from simpleflow.utils import LazyProxy, collector_paused, is_proxy

logger = logging.getLogger(__name__)


def _import_orjson() -> Any:
    """orjson, a core dependency (a history file's parse in two thirds of json's time: bench/RESULTS.md), or None
    where it is not installed (json does the same work).

    Ctrl-C is held back while its extension module initialises (a few ms, delivered right after): a
    KeyboardInterrupt raised in the middle of that crashed the process (SIGSEGV, orjson 3.8), where
    anywhere else it is one line.
    """
    hold = hasattr(signal, "pthread_sigmask") and threading.current_thread() is threading.main_thread()
    before = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hold else None
    try:
        import orjson
    except ImportError:  # pragma: no cover
        return None
    finally:
        if before is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
    return orjson


_orjson = _import_orjson()


def _default(obj: Any) -> Any:
    if is_proxy(obj):
        return obj.__wrapped__
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    if isinstance(obj, datetime.datetime):
        text = obj.isoformat()
        if obj.microsecond:
            text = text[:23] + text[26:]  # milliseconds only, as simpleflow
        return text[:-6] + "Z" if text.endswith("+00:00") else text
    if isinstance(obj, (datetime.date, datetime.time)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, types.GeneratorType)):
        return list(obj)
    if isinstance(obj, uuid.UUID):
        return str(obj)
    # A future is serialized as its value (simpleflow does the same).
    from simpleflow.futures import Future

    if isinstance(obj, Future):
        if obj._settled() and obj._exception is not None:
            # Its result reads None only because no task computed one: never write that None as a value.
            raise TypeError(f"the future of a task that failed has no value ({obj._exception!r})")
        return obj.result
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_compact = json.JSONEncoder(separators=(",", ":"), sort_keys=True, default=_default)


def dumps(obj: Any) -> str:
    """Compact, key-sorted JSON: the form task ids are hashed from.

    Raises:
        TypeError: *obj* holds a value JSON cannot encode.
        DataError: *obj* nests too deep for the encoder (see ``MAX_JSON_DEPTH``).
    """
    try:
        return _compact.encode(obj)
    except RecursionError:
        raise DataError(TOO_DEEP) from None


def pretty(obj: Any) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, default=_default)


_scan = json.JSONDecoder().scan_once

# How deep JSON read from outside may nest (lists and objects within each other). Python's parser
# gives up near 1,000 levels with a RecursionError, and the code that walks a value (encoding it,
# resolving the futures among a submit's arguments, the workflow's own) recurses too: well below
# that, data of any real use stays far above it (serde_json stops at 128, .NET at 64).
MAX_JSON_DEPTH = 256
TOO_DEEP = f"JSON nested more than {MAX_JSON_DEPTH} levels deep"
# A JSON string (escapes included): the brackets inside one nest nothing.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def nesting_exceeds(text: str, limit: int = MAX_JSON_DEPTH) -> bool:
    """Whether the JSON *text* nests lists and objects more than *limit* levels deep (without parsing it).

    Text with no more than *limit* opening brackets is answered at once; other text costs a few
    passes of ``str.replace`` per level it really nests, each in C.
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text)).replace("{", "[").replace("}", "]")
    for level in range(limit):
        inner = brackets.replace("[]", "")  # one level, innermost first
        if len(inner) == len(brackets):
            # Nothing pairs any more: closers then openers, not JSON. A parser would still go down into
            # each opener before finding out: count them as levels.
            return level + inner.count("[") > limit
        brackets = inner
    return "[" in brackets


def parse_bounded(text: str, **options: Any) -> Any:
    """``json.loads`` of JSON read from outside (a command's option, a spec file), refused past
    ``MAX_JSON_DEPTH`` levels: checked before parsing, as Python's parser raises RecursionError near
    1,000 levels up to 3.12 but only near 10,000 on 3.13.

    Raises:
        DataError: *text* nests too deep (``TOO_DEEP``).
        ValueError: *text* is not JSON (json's message), or what an *options* hook raised.
    """
    if nesting_exceeds(text):
        raise DataError(TOO_DEEP)
    try:
        return json.loads(text, **options)
    except RecursionError:  # brackets the check did not pair (not JSON), deeper than the parser goes
        raise DataError(TOO_DEEP) from None


def check_nesting(text: str | None, where: str = "") -> None:
    """Raise DataError (naming *where*) when the JSON *text* nests more than ``MAX_JSON_DEPTH`` levels."""
    if text and nesting_exceeds(text):
        raise DataError(TOO_DEEP, where)


INPUT_SHAPES = (
    "a JSON list of positional arguments, an object of keyword arguments, "
    '{"args": [...], "kwargs": {...}}, or any other JSON value as the one argument'
)


def is_envelope(value: Any) -> bool:
    """Whether *value* is simpleflow's ``{"args": ..., "kwargs": ...}`` (rather than an object of keyword
    arguments): an object with either key, as simpleflow 0.36 reads it (its other keys are not arguments),
    or one with no key but its own ``__extra``."""
    return isinstance(value, dict) and ("args" in value or "kwargs" in value or set(value) <= {"__extra"})


def input_shape_problem(value: Any) -> str | None:
    """What is wrong with a workflow's decoded input *value*, or None when it fits ``INPUT_SHAPES``.

    Only ``{"args": ..., "kwargs": ...}`` can be wrong: "args" must be a list and "kwargs" an object.
    """
    if not is_envelope(value):
        return None
    args, kwargs = value.get("args"), value.get("kwargs")
    if args is not None and not isinstance(args, list):
        return f'"args" must be a list, not {json_type(args)}'
    if kwargs is not None and not isinstance(kwargs, dict):
        return f'"kwargs" must be an object, not {json_type(kwargs)}'
    return None


def json_type(value: Any) -> str:
    """What *value* is, in JSON's words ("the number 5", "a string", "a list"...)."""
    if isinstance(value, bool):
        return f"the boolean {json.dumps(value)}"
    if isinstance(value, (int, float)):
        return f"the number {json.dumps(value)}"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "a list" if isinstance(value, list) else "null"


def loads(text: str | None) -> Any:
    """JSON-decode *text*; None stays None, and a non-JSON string is returned as is.

    Raises:
        DataError: *text* nests too deep for Python's parser (see ``MAX_JSON_DEPTH``).
    """
    if not text:
        return None
    try:
        # The scanner alone first: most values here are small, json.loads' wrapper doubles their cost.
        value, end = _scan(text, 0)
        if end == len(text):
            return value
    except (ValueError, StopIteration):
        pass
    except RecursionError:
        raise DataError(TOO_DEEP) from None
    try:
        return json.loads(text)  # surrounding white space, or not JSON at all
    except ValueError:
        return text


_LARGE_DOCUMENT = 1 << 16  # bytes


def parse_document(text: bytes | str) -> Any:
    """JSON-decode a whole document (a history file): orjson when it is installed, else json.

    The values are json's, but for integers past 64 bits, which orjson gives as floats (no SWF history holds
    one: its ids and counts are 64-bit); what orjson refuses (NaN, a lone surrogate...) json takes.

    Raises:
        ValueError: *text* is not JSON (json's message).
    """
    if len(text) < _LARGE_DOCUMENT:
        return _parse(text)
    with collector_paused():  # one container per JSON object and none freed: nothing for it to find
        return _parse(text)


def _parse(text: bytes | str) -> Any:
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass  # NaN, an integer past 64 bits, a lone surrogate... or not JSON: json takes it or says why
    return json.loads(text)


# SWF's API reference, of every duration (a timer's startToFireTimeout, a task's timeouts...): "Length Constraints:
# Minimum length of 1. Maximum length of 8." A longer one is refused with the whole decision task.
MAX_DURATION = 99_999_999


def duration(value: Any, *, unlimited: bool = True) -> str:
    """*value* as SWF takes a duration: whole seconds as text, or ``NONE`` when *unlimited* may be given.

    SWF's API reference: "The duration is specified in seconds, an integer greater than or equal to 0. You
    can use NONE to specify unlimited duration" (a timer's startToFireTimeout has no NONE). A whole float
    (``30.0``, ``"30.0"``) is taken as its integer: SWF would refuse it in a decision, as it refuses ``0.5``.

    Raises:
        ValueError: *value* is none of those (its message says what a duration must be).
    """
    number = value
    if isinstance(value, str):
        text = value.strip()
        if unlimited and text.upper() == "NONE":
            return "NONE"
        try:
            number = (int(text) if text.isdigit() else float(text)) if text.isascii() else None
        except ValueError:
            number = None
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    if isinstance(number, int) and not isinstance(number, bool) and 0 <= number <= MAX_DURATION:
        return str(number)
    expected = f"a whole number of seconds (0 to {MAX_DURATION})" + (" or 'NONE'" if unlimited else "")
    raise ValueError(f"must be {expected}, not {value!r}")


_NOT_IN_IDS = re.compile(r"[:/|\x00-\x1f\x7f-\x9f]")


def breaks_id_rule(value: str) -> bool:
    """Whether *value* breaks SWF's rule for ids and names (a ':', '/', '|', a control character, or "arn")."""
    return value == "arn" or _NOT_IN_IDS.search(value) is not None


def swf_name(value: Any, what: str, *, id_rule: bool = False) -> str:
    """*value* if SWF takes it as *what* (a timer id, a marker name...): text of 1 to 256 characters.

    With *id_rule*, also SWF's API reference rule for ids (a timer's, a child workflow's): "The specified
    string must not contain a : (colon), / (slash), | (vertical bar), or any control characters
    (\\u0000-\\u001f | \\u007f-\\u009f). Also, it must not be the literal string arn."

    Raises:
        ValueError: SWF would refuse it, and with it the whole decision task (the message names *what*).
    """
    if not isinstance(value, str):
        raise ValueError(f"{what} must be text, not {type(value).__name__} {value!r}")
    if not 1 <= len(value) <= constants.MAX_NAME_LENGTH:
        shown = value if len(value) <= 60 else f"{value[:57]}..."
        raise ValueError(f"{what} {shown!r} must have 1 to {constants.MAX_NAME_LENGTH} characters, not {len(value)}")
    if id_rule and breaks_id_rule(value):
        raise ValueError(f"{what} {value!r} must not contain ':', '/', '|' or a control character, nor be 'arn'")
    return value


def domain_name(value: Any) -> str:
    """*value* if SWF takes it as a domain's name (RegisterDomain): :func:`swf_name`'s id rule, and "The
    specified string must not start or end with whitespace" (SWF's API reference).

    Raises:
        ValueError: SWF would refuse it (the message says why).
    """
    swf_name(value, "domain name", id_rule=True)
    if value != value.strip():
        raise ValueError(f"domain name {value!r} must not start or end with whitespace")
    return value


def format_reason(reason: str | None) -> str | None:
    """SWF caps reasons at 256 characters: keep the start and say it was cut."""
    if reason is None or len(reason) <= constants.MAX_REASON_LENGTH:
        return reason
    return reason[: constants.MAX_REASON_LENGTH - 4] + " ..."


def status_text(value: Any) -> str:
    """*value* as ``Workflow.set_status`` sends it: JSON within SWF's executionContext size.

    Raises:
        TypeError: *value* is not JSON-encodable.
        ValueError: its JSON passes 32,768 characters.
    """
    try:
        text = dumps(value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"set_status: the status must be JSON-encodable ({err})") from err
    if len(text) > constants.MAX_EXECUTION_CONTEXT_LENGTH:
        raise ValueError(
            f"set_status: the status is {len(text)} characters of JSON, more than SWF's "
            f"{constants.MAX_EXECUTION_CONTEXT_LENGTH} for an executionContext"
        )
    return text


# -- simpleflow 0.36's jumbo field API ------------------------------------------------------------


def decode(content: str | None, parse_json: bool = True, use_proxy: bool = True) -> Any:
    """The value of an SWF field: a jumbo field is read from S3, JSON is parsed (with *parse_json*).

    A jumbo field gives, with *use_proxy*, a lazy proxy that reads S3 when first used (a ``str`` or
    what the JSON holds, for ``isinstance`` and every operation); otherwise the value itself.
    Text that is not JSON comes back as is, and ``""`` as None when *parse_json*.
    """
    if content is None:
        return None
    if content.startswith(constants.JUMBO_FIELDS_PREFIX):

        def read() -> Any:
            from simpleflow import jumbo

            text = jumbo.decode(content)
            return loads(text) if parse_json else text

        return LazyProxy(read) if use_proxy else read()
    return loads(content) if parse_json else content


def _too_long(message: str, text: str) -> JumboTooLargeError:
    shown = message if len(message) <= constants.MAX_LOG_FIELD else message[: constants.MAX_LOG_FIELD] + " <...cut>"
    logger.error("Message too long, will raise: %s", shown)
    return JumboTooLargeError(text)


def encode(message: str | None, max_length: int, allow_jumbo_fields: bool = True) -> str | None:
    """*message* as it may go into an SWF field of *max_length* characters: itself, or a jumbo field reference.

    Raises:
        JumboTooLargeError: it is longer than *max_length* and cannot be a jumbo field (not allowed,
            ``SIMPLEFLOW_JUMBO_FIELDS_BUCKET`` unset, over ``JUMBO_FIELDS_MAX_SIZE``), or the reference
            would be longer than *max_length* itself.
    """
    if not message or len(message) <= max_length:
        return message
    from simpleflow import jumbo, settings

    if not allow_jumbo_fields or not str(settings.get("SIMPLEFLOW_JUMBO_FIELDS_BUCKET") or "").strip("/ "):
        raise _too_long(message, f"Message too long ({len(message)} chars)")
    if len(message) > constants.JUMBO_FIELDS_MAX_SIZE:
        raise _too_long(message, f"Message too long even for a jumbo field ({len(message)} chars)")
    try:
        return jumbo.store(message, "details", limit=max_length)
    except jumbo.JumboFieldTooLarge as err:
        raise JumboTooLargeError(
            f"Jumbo field signature is longer than the max allowed length for this field ({err}); "
            "reduce jumbo bucket length?"
        ) from err


def details(message: str | None) -> str | None:
    return encode(message, constants.MAX_DETAILS_LENGTH)


def execution_context(message: str | None) -> str | None:
    return encode(message, constants.MAX_EXECUTION_CONTEXT_LENGTH)


def heartbeat_details(message: str | None) -> str | None:
    return encode(message, constants.MAX_HEARTBEAT_DETAILS_LENGTH)


def reason(message: str | None) -> str | None:
    return encode(message, constants.MAX_REASON_LENGTH)


def identity(message: str | None) -> str | None:
    """*message* cut to SWF's 256 characters (ending ``" ..."``); an identity is never a jumbo field."""
    if not message or len(message) <= constants.MAX_IDENTITY_LENGTH:
        return message
    return message[: constants.MAX_IDENTITY_LENGTH - 4] + " ..."


def input(message: Any) -> str:
    """*message* as JSON, then ``encode``-d for an SWF input."""
    return encode(dumps(message), constants.MAX_INPUT_LENGTH)  # type: ignore[return-value]


def result(message: Any) -> str:
    """*message* as JSON, then ``encode``-d for an SWF result."""
    return encode(dumps(message), constants.MAX_RESULT_LENGTH)  # type: ignore[return-value]


def control(message: Any) -> str:
    """*message* as JSON, then ``encode``-d for an SWF control field."""
    return encode(dumps(message), constants.MAX_CONTROL_LENGTH)  # type: ignore[return-value]
