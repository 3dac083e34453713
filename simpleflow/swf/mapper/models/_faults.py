"""How the models turn SWF's faults into the layer's errors (one place for the pattern every call repeats)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from simpleflow.swf.mapper.exceptions import (
    DoesNotExistError,
    ResponseError,
    SWFError,
    extract_error_code,
    extract_message,
)


@contextmanager
def swf_faults(
    unknown: type[Exception] | None = DoesNotExistError,
    *,
    when_unknown: Callable[[Exception], bool] | None = None,
    message: str | None = None,
    others: type[Exception] | None = ResponseError,
    codes: dict[str, type[Exception] | tuple[type[Exception], str]] | None = None,
) -> Iterator[None]:
    """Raise *unknown* for an ``UnknownResourceFault`` (those *when_unknown* accepts), the class *codes*
    maps a fault to (or its class and message) for it, *others* (with SWF's code) for any other fault;
    None lets a fault through.

    *message* replaces SWF's message for *unknown*.
    """
    try:
        yield
    except ClientError as error:
        code = extract_error_code(error) or ""
        text = extract_message(error) or ""
        if code == "UnknownResourceFault" and unknown is not None and (when_unknown is None or when_unknown(error)):
            text = message if message is not None else text
            raise (unknown(text, error_code=code) if issubclass(unknown, SWFError) else unknown(text)) from error
        if codes and code in codes:
            error_class, text = codes[code] if isinstance(codes[code], tuple) else (codes[code], text)  # type: ignore[misc]
            raise error_class(text) from error
        if others is None:
            raise
        raise others(text, error_code=code) from error
