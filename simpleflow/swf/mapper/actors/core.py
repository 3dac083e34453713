"""``Actor``: the base of a decider or worker a user writes (a domain, a task list, ``start`` and ``stop``)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from botocore.exceptions import ClientError

from simpleflow.swf.mapper.core import ConnectedSWFObject
from simpleflow.swf.mapper.exceptions import DoesNotExistError, ResponseError, extract_error_code, extract_message
from simpleflow.swf.mapper.models.domain import Domain

MAX_IDENTITY_LENGTH = 256


class Actor(ConnectedSWFObject):
    """An SWF actor polling *task_list* of *domain*; subclasses say how it runs (``start``, ``stop``)."""

    def __init__(self, domain: Domain, task_list: str) -> None:
        super().__init__()
        self._set_domain(domain)
        self.task_list = task_list

    def _set_domain(self, domain: Domain) -> None:
        if not isinstance(domain, Domain):
            raise TypeError("domain arg must be a simpleflow.swf.mapper.models.Domain instance")
        self.domain = domain

    def start(self) -> None:
        """Run the actor (a subclass's loop: poll, work, answer)."""
        raise NotImplementedError

    def stop(self) -> None:
        """Stop the actor once its current poll or task is done."""
        raise NotImplementedError


def identity(text: str | None) -> str | None:
    """*text* within SWF's 256 characters for an identity (cut, ending with `` ...``)."""
    if text and len(text) > MAX_IDENTITY_LENGTH:
        return text[: MAX_IDENTITY_LENGTH - 4] + " ..."
    return text


@contextmanager
def task_faults(doing: str, **codes: type[Exception]) -> Iterator[None]:
    """SWF's faults of a task call as the layer's errors: ``DoesNotExistError(doing, SWF's message)`` for an
    unknown task or execution, the class *codes* names for a fault, ``ResponseError`` for any other."""
    try:
        yield
    except ClientError as error:
        code, message = extract_error_code(error) or "", extract_message(error) or ""
        if code == "UnknownResourceFault":
            raise DoesNotExistError(doing, message) from error
        if code in codes:
            raise codes[code](doing, message) from error
        raise ResponseError(message, error_code=code) from error
