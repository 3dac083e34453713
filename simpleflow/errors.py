"""One line for each failure a command can meet, and the exit code it deserves.

The command line's single error-translation layer: ``explain(error)`` says
what went wrong in words a user can act on (the file and line of a module
that does not import, the endpoint that cannot be reached, the missing
credentials); ``EXIT_USAGE`` (2) is for what the user can fix in their input
or configuration, ``EXIT_FAILURE`` (1) for the rest. Tracebacks are for
``LOG_LEVEL=DEBUG`` only.
"""

from __future__ import annotations

import http.client
import os
from typing import Any

from simpleflow.exceptions import JumboFieldUnavailable, UnknownTaskError, UsageError
from simpleflow.runtime.loader import first_line, where_raised

EXIT_FAILURE = 1
EXIT_USAGE = 2

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


def debug() -> bool:
    """Whether ``LOG_LEVEL=DEBUG`` asks for tracebacks."""
    return os.environ.get("LOG_LEVEL", "").upper() == "DEBUG"


def explain(error: BaseException) -> tuple[str, int]:
    """The one line that describes *error* and the exit code for it."""
    from botocore import exceptions as boto  # here: a command that succeeds never loads botocore for this

    if isinstance(error, (UsageError, ValueError, UnknownTaskError)):
        # ValueError: what a user sets wrong (an oversize --input, an environment variable...).
        return first_line(str(error)), EXIT_USAGE
    if isinstance(error, (boto.EndpointConnectionError, boto.ConnectTimeoutError, boto.ProxyConnectionError)):
        endpoint = error.kwargs.get("endpoint_url") or error.kwargs.get("proxy_url") or "the endpoint"
        return (
            f"cannot reach {endpoint}: check AWS_ENDPOINT_URL (or AWS_ENDPOINT_URL_SWF / AWS_ENDPOINT_URL_S3) "
            f"and AWS_DEFAULT_REGION, and that the service is up",
            EXIT_USAGE,
        )
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
    if isinstance(error, boto.ReadTimeoutError):
        return f"no answer from {error.kwargs.get('endpoint_url', 'the endpoint')} in time", EXIT_FAILURE
    if isinstance(error, JumboFieldUnavailable):
        return str(error), EXIT_FAILURE
    if isinstance(error, boto.ClientError):
        code = (error.response.get("Error") or {}).get("Code")
        return service_error(error), EXIT_USAGE if code in _CREDENTIAL_CODES else EXIT_FAILURE
    if isinstance(error, boto.BotoCoreError):
        return first_line(str(error)), EXIT_FAILURE
    if isinstance(error, OSError):
        return first_line(str(error)), EXIT_FAILURE
    where = where_raised(error)
    return (
        f"unexpected {type(error).__name__}: {first_line(str(error))}{where} (LOG_LEVEL=DEBUG shows the traceback)",
        EXIT_FAILURE,
    )


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
        return f"{err.operation_name} failed: HTTP {status} {http.client.responses.get(status, '')}".rstrip()
    return f"{err.operation_name} failed: {error.get('Code') or status}: {message.splitlines()[0]}"
