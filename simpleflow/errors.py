"""Errors a user can act on, shared by the library and the command line.

``import_failure`` names why a user's module does not import (an unknown name, or the file and line
that failed); the command line turns every other failure into one line and an exit code
(:mod:`simpleflow.cli.failures`).
"""

from __future__ import annotations

import traceback

from simpleflow.exceptions import UsageError


def import_failure(module: str, error: BaseException) -> UsageError:
    """A UsageError naming why *module* does not import: an unknown name, or the file and line that failed."""
    if isinstance(error, ModuleNotFoundError) and error.name and (module + ".").startswith(error.name + "."):
        return UsageError(f"unknown module {error.name!r}" + (f" (from {module!r})" if error.name != module else ""))
    if isinstance(error, SyntaxError):
        return UsageError(
            f"cannot import {module!r}: {type(error).__name__} in {error.filename}, line {error.lineno}: {error.msg}"
        )
    return UsageError(f"cannot import {module!r}: {type(error).__name__}: {first_line(str(error))}{raised_at(error)}")


def raised_at(error: BaseException) -> str:
    """`` (file, line n)`` of the innermost frame that raised *error*, outside Python's import machinery."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if not f.filename.startswith("<frozen")]
    if not frames:
        return ""
    return f" ({frames[-1].filename}, line {frames[-1].lineno})"


def first_line(text: str) -> str:
    """The first line of *text* once its surrounding blanks are stripped ('' for none)."""
    lines = text.strip().splitlines()
    return lines[0] if lines else ""
