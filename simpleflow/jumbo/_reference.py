"""The text that stands in an SWF field for an object stored in S3.

A reference reads ``simpleflow+s3://<bucket>/<key> <size>``, the format the
released simpleflow writes and reads, so either can decode what the other
stored. We write the size in bytes of the UTF-8 object; simpleflow writes its
length in characters. The two agree for JSON, which is ASCII.
"""

from __future__ import annotations

from typing import NamedTuple

from simpleflow.exceptions import DataError, JumboFieldInvalid

PREFIX = "simpleflow+s3://"
# Digits a reference's size may have: more than any size S3 holds (``str.isdigit`` takes "²", which ``int`` does
# not, and ``int`` refuses over 4,300 digits: either was a ValueError, not a MalformedReference).
_SIZE_DIGITS = 20


class MalformedReference(JumboFieldInvalid):
    """A field that starts like a reference but is not one (``code`` ``Malformed``): data that can never be
    read, so the execution or task that needs it fails, and inspection shows it as it is."""

    def __init__(self, reference: str, problem: str) -> None:
        DataError.__init__(self, problem)
        self.reference = reference
        self.code = "Malformed"


class Reference(NamedTuple):
    """Where a jumbo field lives, and how big it said it was."""

    bucket: str
    key: str
    size: int


def format_reference(bucket: str, key: str, size: int) -> str:
    """The reference text for *key* in *bucket*, an object of *size* bytes."""
    return f"{PREFIX}{bucket}/{key} {size}"


def parse_reference(text: str) -> Reference:
    """Split a reference into bucket, key and size.

    Raises:
        MalformedReference: *text* starts like a reference but is not one (a ValueError, a DataError).
    """
    location, _, size = text[len(PREFIX) :].rpartition(" ")
    bucket, _, key = location.partition("/")
    if not (text.startswith(PREFIX) and bucket and key and _is_size(size)):
        shown = text if len(text) <= 200 else text[:200] + "..."
        problem = f"malformed jumbo field reference {shown!r}: expected '{PREFIX}<bucket>/<key> <size>'"
        raise MalformedReference(text, problem)
    return Reference(bucket, key, int(size))


def _is_size(text: str) -> bool:
    """Whether *text* is a size as references write it: ASCII digits, not too many to be one."""
    return 0 < len(text) <= _SIZE_DIGITS and text.isascii() and text.isdigit()
