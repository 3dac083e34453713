"""One line for each failure a command can meet, and the exit code it deserves.

The command line's single error-translation layer: ``explain(error)`` says what went wrong in words a
user can act on (the file and line of a module that does not import, the endpoint that cannot be
reached, the missing credentials); ``EXIT_USAGE`` (2) is for what the user can fix in their input or
configuration, ``EXIT_FAILURE`` (1) for the rest (an endpoint that answered earlier in the command and no
longer does: an outage, not a configuration). ``user_errors`` wraps every command with it.
Tracebacks are for ``LOG_LEVEL=DEBUG`` only.

What ``explain`` needs (botocore, the library, ``http``) and the settings are imported when a command
fails, so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any

import click

from simpleflow.exceptions import (
    ChildrenKeepDying,
    DataError,
    JumboFieldNotStored,
    PicklesAsIs,
    UnknownTaskError,
    UsageError,
)

__all__ = [
    "EXIT_FAILURE",
    "EXIT_USAGE",
    "Explained",
    "OneLineGroup",
    "debug",
    "details_wanted",
    "explain",
    "service_error",
    "stdout_closed",
    "usage_line",
    "user_errors",
]

EXIT_FAILURE = 1
EXIT_USAGE = 2

logger = logging.getLogger("simpleflow")

# Codes of a request the service refused for who sent it: a configuration to fix.
_CREDENTIAL_CODES = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredTokenException",
    "ExpiredToken",
    "AccessDeniedException",
    "AccessDenied",
    "InvalidAccessKeyId",
}


def user_errors(func: Callable) -> Callable:
    """Turn any failure into one line on stderr and its exit code (``explain``); a traceback only with DEBUG."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as err:
            if isinstance(err, BrokenPipeError) and stdout_closed():
                raise  # nothing reads our output any more: the group exits quietly (_quiet_once_stdout_closed)
            line, code = explain(err)
            if debug():
                logger.exception("error")
            for problem in getattr(err, "problems", None) or [line]:  # a spec: one line per problem
                click.echo(f"simpleflow: error: {problem}", err=True)
            sys.exit(code)

    return wrapper


# click 8.2+ shows a group's help for no arguments by raising this usage error (older ones exit instead).
_NO_ARGS_IS_HELP: Any = getattr(click.exceptions, "NoArgsIsHelpError", ())


class _OneLineUsageError(click.ClickException):
    """A click usage error shown as the command line's other errors are: one line, exit 2."""

    exit_code = EXIT_USAGE

    def show(self, file: Any = None) -> None:
        click.echo(f"simpleflow: error: {self.message}", err=True)


EXIT_INTERRUPTED = 128 + 2  # SIGINT, as a shell reports a process Ctrl-C ended


def interrupted() -> None:
    """Ctrl-C reached a command that has nothing to stop: one line, exit 130 (not click's "Aborted!", exit 1).

    ``os._exit``: a second Ctrl-C must not interrupt the way out with a traceback."""
    with contextlib.suppress(OSError):
        os.write(2, b"simpleflow: interrupted\n")
    os._exit(EXIT_INTERRUPTED)


class OneLineGroup(click.Group):
    """A click group whose usage errors (a bad option value, a missing argument, an unknown command) are
    one line, ``simpleflow: error: <option>: <message>``, instead of click's usage block; help is unchanged.
    Ctrl-C is one line and exit 130 (``interrupted``)."""

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _on_ctrl_c(), _quiet_once_stdout_closed(), _one_line_usage_errors():  # (--help and --version print here)
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _on_ctrl_c(), _quiet_once_stdout_closed(), _one_line_usage_errors():  # a command's own options
            return super().invoke(ctx)


@contextlib.contextmanager
def _on_ctrl_c() -> Iterator[None]:
    try:
        yield
    except KeyboardInterrupt:
        sys.stdout.flush()
        interrupted()


@contextlib.contextmanager
def _quiet_once_stdout_closed() -> Iterator[None]:
    """Exit 1 without a word once the reader of stdout is gone (``| head -1``), as Python's docs on SIGPIPE
    advise: stdout then points at devnull, so the flush at exit finds no closed pipe either."""
    try:
        try:
            yield
        finally:
            sys.stdout.flush()  # what is still buffered meets the closed pipe here, not at exit
    except BrokenPipeError:
        with contextlib.suppress(OSError, ValueError):  # (a stdout with no file descriptor)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_FAILURE)


def stdout_closed() -> bool:
    """Whether stdout is a pipe nobody reads any more (a BrokenPipeError of another pipe is a failure to tell)."""
    import select

    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(mask & (select.POLLERR | select.POLLHUP) for _, mask in poller.poll(0))
    except (AttributeError, OSError, ValueError):  # no poll (Windows), or no real stdout: not that pipe
        return False


@contextlib.contextmanager
def _one_line_usage_errors() -> Iterator[None]:
    try:
        yield
    except _NO_ARGS_IS_HELP:
        raise
    except click.UsageError as err:
        raise _OneLineUsageError(usage_line(err)) from err


def usage_line(err: click.UsageError) -> str:
    """The words of a click usage error, after the option or argument it is about (``--for: 'abc' is not...``)."""
    if isinstance(err, click.BadParameter) and not isinstance(err, click.MissingParameter):
        hint = err.param_hint or (_param_name(err.param) if err.param is not None else None)
        if hint:
            hint = hint if isinstance(hint, str) else " / ".join(hint)
            return f"{hint}: {err.message.rstrip('.')}"
    message = err.format_message().rstrip(".")
    return message[:1].lower() + message[1:]


def _param_name(param: click.Parameter) -> str:
    """How a user wrote *param*: its long option (``--for``), or an argument's metavar (``WORKFLOW``)."""
    if isinstance(param, click.Option):
        return next((opt for opt in param.opts if opt.startswith("--")), param.opts[0])
    return param.human_readable_name


def debug() -> bool:
    """Whether ``LOG_LEVEL=DEBUG`` (or ``10``, in the environment) asks for tracebacks."""
    from simpleflow.settings import level_name

    return level_name(os.environ.get("LOG_LEVEL", "")) == "DEBUG"


def details_wanted() -> bool:
    """Whether LOG_LEVEL asks for a failure's details (an unreadable settings module does not hide the error)."""
    from simpleflow import settings

    try:
        return settings.get("LOG_LEVEL") == "DEBUG"
    except Exception:
        return debug()


def explain(error: BaseException) -> tuple[str, int]:
    """The one line that describes *error* and the exit code for it."""
    from botocore import exceptions as boto

    from simpleflow.runtime.loader import first_line, where_raised

    # read from SWF or S3 (a jumbo field...), or children that die at start: not the command line's fault
    if isinstance(error, (DataError, ChildrenKeepDying)):
        return first_line(str(error)), EXIT_FAILURE
    if isinstance(error, (UsageError, ValueError, UnknownTaskError)):
        # ValueError: what a user sets wrong (an oversize --input, an environment variable...).
        return first_line(str(error)), EXIT_USAGE
    if isinstance(error, Explained):
        return error.line, error.code
    if isinstance(error, JumboFieldNotStored):
        return _not_stored(error, boto)
    unreachable = _unreachable(error, boto)
    if unreachable is not None:
        return unreachable
    if isinstance(error, (boto.NoCredentialsError, boto.PartialCredentialsError)):
        return (
            f"{first_line(str(error))}: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, "
            f"or another source boto3 reads credentials from",
            EXIT_USAGE,
        )
    if isinstance(error, boto.NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION", EXIT_USAGE
    if isinstance(error, _configuration_errors(boto)):
        return first_line(str(error)), EXIT_USAGE
    if isinstance(error, boto.ParamValidationError):  # a value given that the API's shape refuses: every reason
        title, _, reasons = str(error).partition("\n")
        return f"{title} {'; '.join(line.strip() for line in reasons.splitlines() if line.strip())}", EXIT_USAGE
    if isinstance(error, boto.ReadTimeoutError):
        return f"no answer from {error.kwargs.get('endpoint_url', 'the endpoint')} in time", EXIT_FAILURE
    if isinstance(error, boto.ClientError):
        code = (error.response.get("Error") or {}).get("Code")
        # ValidationException: SWF refused a value the command line gave (an id with ':', a sixth tag...);
        # DomainDeprecatedFault: the domain given starts nothing new (a deprecated one).
        usage = code in _CREDENTIAL_CODES or code in ("ValidationException", "DomainDeprecatedFault")
        return service_error(error), EXIT_USAGE if usage else EXIT_FAILURE
    if isinstance(error, boto.BotoCoreError):
        return first_line(str(error)), EXIT_FAILURE
    if isinstance(error, OSError):
        return first_line(str(error)), EXIT_FAILURE
    return (
        f"unexpected {type(error).__name__}: {first_line(str(error))}{where_raised(error)} "
        f"(LOG_LEVEL=DEBUG shows the traceback)",
        EXIT_FAILURE,
    )


def _unreachable(error: BaseException, boto: Any) -> tuple[str, int] | None:
    """An endpoint that does not answer: one that answered earlier in this command stopped (an outage,
    exit 1); one that never did is a configuration to check (exit 2). None: another error."""
    never = (boto.EndpointConnectionError, boto.ConnectTimeoutError, boto.ProxyConnectionError)
    if not isinstance(error, (*never, boto.ConnectionClosedError)):
        return None
    endpoint = error.kwargs.get("endpoint_url") or error.kwargs.get("proxy_url") or "the endpoint"
    if _answered_before(endpoint):
        why = "it answered earlier in this command, then went down or out of reach"
        return f"{endpoint} stopped answering: {why}", EXIT_FAILURE
    if not isinstance(error, never):
        return None  # closed mid-answer, by an endpoint never heard from: botocore's words
    return (
        f"cannot reach {endpoint}: check AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SWF / AWS_ENDPOINT_URL_S3) "
        f"and AWS_DEFAULT_REGION, and that the service is up",
        EXIT_USAGE,
    )


def _not_stored(error: JumboFieldNotStored, boto: Any) -> tuple[str, int]:
    """A field S3 did not take: S3's own error, in the words ``explain`` gives it (an endpoint not reached, a
    bucket missing or refused: a setting to check, exit 2; an S3 that may take it later: exit 1)."""
    from simpleflow.jumbo import BUCKET_ENV
    from simpleflow.runtime.loader import first_line

    what = f"the {error.field} cannot be stored in S3 bucket {error.bucket!r}"
    unreachable = _unreachable(error.error, boto)
    if unreachable is not None:
        return f"{what}: {unreachable[0]}", unreachable[1]
    if not error.transient:  # NoSuchBucket, AccessDenied...: SIMPLEFLOW_JUMBO_FIELDS_BUCKET or its rights
        return f"{first_line(str(error))} (check {BUCKET_ENV} and its permissions)", EXIT_USAGE
    return first_line(str(error)), EXIT_FAILURE


def _answered_before(endpoint: str) -> bool:
    """Whether *endpoint* answered this process before (every client simpleflow builds notes its answers)."""
    utils = sys.modules.get("simpleflow.utils")  # not loaded: no client was built
    return utils is not None and utils.answered_before(endpoint)


class Explained(PicklesAsIs, Exception):
    """A failure already put in one line, with its exit code (``explain`` gives them as they are)."""

    def __init__(self, line: str, code: int) -> None:
        super().__init__(line)
        self.line = line
        self.code = code


def _configuration_errors(boto: Any) -> tuple[type[BaseException], ...]:
    """botocore's errors for an AWS configuration the user must fix: a profile, a config file, a setting."""
    return (
        boto.ProfileNotFound,
        boto.ConfigNotFound,
        boto.ConfigParseError,
        boto.InvalidConfigError,
        boto.UnknownCredentialError,
        boto.ValidationError,
        boto.InvalidEndpointConfigurationError,
    )


def service_error(err: Any) -> str:
    """One line for an error the service answered: the call, the fault and the first line of its message."""
    error = err.response.get("Error") or {}
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    message = (error.get("Message") or "").strip()
    if not message or message.startswith("<"):  # no fault, or an HTML error page (an HTTP 500...)
        line = f"{err.operation_name} failed: HTTP {status} {_reason_phrase(status)}".rstrip()
        if status in (404, 405):  # no such service there: a wrong path, or another server, at that address
            line += ": check AWS_ENDPOINT_URL (the address of SWF, or of a server that speaks its API)"
        return line
    return f"{err.operation_name} failed: {error.get('Code') or status}: {message.splitlines()[0]}"


def _reason_phrase(status: Any) -> str:
    """The reason phrase of an HTTP status code ('' for an unknown one), as ``http.client.responses`` has it."""
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
