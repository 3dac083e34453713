"""The object layer's errors, and the helpers that turn SWF's faults into them.

A fault SWF answers comes as botocore's ``ClientError`` (its code in ``response["Error"]["Code"]``, e.g.
``UnknownResourceFault``); the models translate the ones they know into ``DoesNotExistError``,
``AlreadyExistsError``... and anything else into ``ResponseError``, whose ``error_code`` keeps SWF's code.
"""

from __future__ import annotations

import functools
import logging
import re
import types
from collections.abc import Callable, Sequence
from typing import Any

from botocore.exceptions import ClientError

logger = logging.getLogger("simpleflow")


class SWFError(Exception):
    """An SWF error: ``message``; ``kind`` and ``details`` from ``raw_error`` (``"kind: details"``); ``error_code``."""

    def __init__(self, message: str = "", raw_error: str = "", error_code: str = "", *args: Any) -> None:
        super().__init__(message, *args)
        kind, _, details = raw_error.partition(":")
        self.kind = kind.strip()
        self.details = details.strip()
        self.type_ = self.kind.lower().replace(" ", "_") if self.kind else None
        self.error_code = error_code

    @property
    def message(self) -> str:
        return self.args[0] if self.args else ""

    def __str__(self) -> str:
        text = str(self.message)
        if self.kind and self.details:
            text += f"\nReason: {self.kind}, {self.details}"
        return text

    def __repr__(self) -> str:
        text = str(self.message).strip()
        if self.kind and self.details:
            text += f"\nReason: {self.kind}, {self.details}"
        return text


class PollTimeout(SWFError):
    """A poll returned no task."""


class ResponseError(SWFError):
    """SWF answered with a fault the layer has no more precise error for (see ``error_code``)."""


class DoesNotExistError(SWFError):
    """The domain, type or execution does not exist on SWF."""


class AlreadyExistsError(SWFError):
    """The domain or type is already registered."""


class InvalidKeywordArgumentError(SWFError):
    """A query was given an argument its status does not take."""


class RateLimitExceededError(SWFError):
    """SWF throttled the call."""


class WorkflowExecutionAlreadyStartedError(SWFError):
    """An execution with that workflow id is already open."""


def extract_error_code(error: Exception) -> str | None:
    """SWF's fault name of a botocore ``ClientError`` (``"UnknownResourceFault"``...), else None."""
    response = getattr(error, "response", None)
    return response["Error"]["Code"] if isinstance(response, dict) else None


def extract_message(error: Exception) -> str | None:
    """SWF's message of a botocore ``ClientError``, else None."""
    response = getattr(error, "response", None)
    return response["Error"]["Message"] if isinstance(response, dict) else None


def ignore(*args: Any, **kwargs: Any) -> None:
    """A handler that swallows the error (returns None)."""


# "Unknown domain: d", "Unknown type: WorkflowType=[name=n, version=v]",
# "Unknown execution: WorkflowExecution=[workflowId=w, runId=r]", "Unknown execution, workflowId = w".
REGEX_UNKNOWN_RESOURCE = re.compile(r"^Unknown ([^ :,]+)")
REGEX_NESTED_RESOURCE = re.compile(r"Unknown (?:type|execution)[:,]\s*([^ =]+)\s*=")


def match_equals(regex: re.Pattern, string: str | None, values: str | Sequence[str]) -> bool:
    """Whether the first match of *regex*'s group in *string* is *values* (or one of them)."""
    if string is None:
        return False
    found = regex.findall(string)
    if not found:
        return False
    if isinstance(values, str):
        values = (values,)
    return found[0] in values


def is_unknown_resource_raised(error: Exception, *args: Any, **kwargs: Any) -> bool:
    """Whether *error* is SWF's ``UnknownResourceFault``."""
    return isinstance(error, ClientError) and extract_error_code(error) == "UnknownResourceFault"


def is_unknown(resource: str | Sequence[str]) -> Callable[..., bool]:
    """A predicate: is the error an ``UnknownResourceFault`` about *resource* (``"domain"``, ``"WorkflowType"``...)?"""

    def unknown(error: Exception, *args: Any, **kwargs: Any) -> bool:
        if not is_unknown_resource_raised(error):
            return False
        message = extract_message(error)
        if match_equals(REGEX_UNKNOWN_RESOURCE, message, ("type", "execution")):
            return match_equals(REGEX_NESTED_RESOURCE, message, resource)
        return match_equals(REGEX_UNKNOWN_RESOURCE, message, resource)

    return unknown


def always(value: Any) -> Callable[..., Any]:
    """A function returning *value* whatever its arguments (*value*'s result when it is a function)."""

    def constant(*args: Any, **kwargs: Any) -> Any:
        return value() if isinstance(value, types.FunctionType) else value

    return constant


def generate_resource_not_found_message(error: Exception) -> str:
    """``"Resource <what> does not exist"`` for an ``UnknownResourceFault``.

    Raises:
        ValueError: *error* is not an ``UnknownResourceFault``.
    """
    if extract_error_code(error) != "UnknownResourceFault":
        raise ValueError(f"cannot extract resource from {error}")
    message = extract_message(error)
    found = REGEX_UNKNOWN_RESOURCE.findall(message) if message else None
    return f"Resource {found[0] if found else 'unknown'} does not exist"


def _swf_error(exception: type[Exception], error: Exception, extract: Callable[[Any], str]) -> Exception:
    if isinstance(getattr(error, "response", None), dict) and issubclass(exception, SWFError):
        return exception(extract_message(error) or "", error_code=extract_error_code(error) or "")
    return exception(extract(error))


def raises(
    exception: type[Exception],
    when: Callable[..., bool],
    extract: Callable[[Any], str] = str,
) -> Callable[..., Any]:
    """A handler raising *exception* when ``when(error, ...)`` is true, else the error itself again."""

    def handle(error: Exception, *args: Any, **kwargs: Any) -> Any:
        if when(error, *args, **kwargs) is True:
            raise _swf_error(exception, error, extract) from error
        raise error from None

    return handle


def catch(
    exceptions: type[Exception] | Sequence[type[Exception]],
    handle_with: Callable[..., Any] | None = None,
    log: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator: call ``handle_with(error, *args, **kwargs)`` when the function raises one of *exceptions*.

    Without *handle_with* the error goes on; with ``log=True`` it is logged first.
    """
    caught = tuple(exceptions) if isinstance(exceptions, Sequence) else (exceptions,)

    def wrap(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def decorated(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except caught as err:
                if log:
                    logger.error("call to %s raised: %s", func.__name__, err)
                if handle_with is None:
                    raise
                return handle_with(err, *args, **kwargs)

        return decorated

    return wrap


is_not = functools.partial(catch, handle_with=always(False))
is_not.__doc__ = "Decorator: the function returns False when it raises one of *exceptions*."


def translate(exceptions: type[Exception] | Sequence[type[Exception]], to: type[Exception]) -> Callable:
    """Decorator: one of *exceptions* raised by the function is raised again as *to* (SWF's message and code kept)."""

    def throw(error: Exception, *args: Any, **kwargs: Any) -> Any:
        raise _swf_error(to, error, extract_message) from error  # type: ignore[arg-type]

    return catch(exceptions, handle_with=throw)
