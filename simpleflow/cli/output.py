"""Text output of the inspection commands: tables as any tabulate format, JSON or CSV.

``Output`` is where a command prints them, as the global options (``--header``, ``--format``) chose.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from collections.abc import Sequence
from datetime import date, datetime, time, timezone
from typing import Any

import click

from simpleflow.exceptions import UsageError

__all__ = ["FORMAT_ALIASES", "Output", "OptionFile", "cannot_write", "format_table", "is_format"]

# tabulate (and wcwidth under it) is imported only for a table or a format name to check: a command that
# prints no table, ``workflow.start --local`` say, starts without it (20 ms of CPU of workflow.replay's 124).
_KNOWN_WITHOUT_TABULATE = frozenset({"plain", "json", "csv", "tsv", "human"})  # the default among them: tabulate has it


@functools.cache
def _formats() -> tuple[str, ...]:
    from tabulate import tabulate_formats

    return tuple(sorted({*tabulate_formats, "json", "csv", "tsv", "human"}))


def __getattr__(name: str) -> Any:
    if name == "FORMATS":  # every format name accepted, tabulate's own plus ours (lazily)
        return _formats()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_format(fmt: str) -> bool:
    """*fmt* is a format name ``format_table`` accepts (one of ``FORMATS``)."""
    return fmt in _KNOWN_WITHOUT_TABULATE or fmt in _formats()


#: simpleflow's own format names, as (format, header forced or None): "tabular" is its plain table,
#: "human" its own format with headers, "prettyjson" JSON with headers (keyed objects).
FORMAT_ALIASES: dict[str, tuple[str, bool | None]] = {
    "tabular": ("plain", None),
    "human": ("human", True),
    "prettyjson": ("json", True),
}


class Output:
    """How a command prints its tables, as ``simpleflow --header --format FORMAT COMMAND`` chose."""

    def __init__(self, header: bool, fmt: str) -> None:
        self.header = header
        self.format = fmt

    def table(self, headers: list[str], rows: list[list[Any]]) -> None:
        """Print a table (``headers``, one list of cells per row)."""
        click.echo(format_table(headers, rows, fmt=self.format, header=self.header))


def _check(fmt: str) -> None:
    if not is_format(fmt):
        raise ValueError(f"unknown output format {fmt!r}; valid formats: {', '.join(_formats())}")


def _json_default(obj: Any) -> Any:
    if isinstance(obj, datetime):
        if obj.tzinfo is not None:
            obj = obj.astimezone(timezone.utc).replace(tzinfo=None)
            return obj.isoformat() + "Z"
        return obj.isoformat()
    if isinstance(obj, (date, time)):
        return obj.isoformat()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf-8", errors="replace")
    return str(obj)


def _dumps(obj: Any, indent: int | None = None) -> str:
    return json.dumps(obj, default=_json_default, indent=indent, ensure_ascii=False)


def _cell(value: Any) -> Any:
    """A table cell as text formats show it: datetimes in UTC to the second (or millisecond), structures as JSON."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.isoformat(sep=" ", timespec="milliseconds" if value.microsecond else "seconds")
    if isinstance(value, (dict, list, tuple)):
        return _dumps(value)
    return value


def _csv_cell(value: Any) -> Any:
    """A CSV cell: machine-readable like JSON (ISO 8601 UTC datetimes, structures as JSON), None empty."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date, time)):
        return _json_default(value)
    if isinstance(value, (dict, list, tuple)):
        return _dumps(value)
    return value


def _csv(rows: Sequence[Sequence[Any]], headers: Sequence[str] | None, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    if headers is not None:
        writer.writerow(headers)
    writer.writerows([[_csv_cell(cell) for cell in row] for row in rows])
    return out.getvalue()[:-1]  # no final line break, like the other formats


def format_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    fmt: str = "simple",
    header: bool = True,
) -> str:
    """Render ``rows`` (with ``headers`` when ``header``) as ``fmt``.

    Args:
        headers: column names.
        rows: one sequence of cells per row; cells may be datetimes, numbers, None, dicts or lists.
        fmt: any name in :data:`FORMATS`: a tabulate format, ``"json"`` (a list of objects keyed by the
            headers, or a list of lists without header), ``"csv"`` or ``"tsv"`` (a header line first when
            ``header``) or ``"human"`` (one row as name/value lines, more as a table with headers).
        header: whether to show the column names.

    Raises:
        ValueError: ``fmt`` is not a known format; the message lists the valid ones.
    """
    _check(fmt)
    if fmt == "json":
        if header:
            return _dumps([dict(zip(headers, row)) for row in rows])
        return _dumps([list(row) for row in rows])
    if fmt in ("csv", "tsv"):  # tsv: tab-separated values, as simpleflow 0.36.0 writes them (no padding)
        return _csv(rows, headers if header else None, "\t" if fmt == "tsv" else ",")
    from tabulate import tabulate

    cells = [[_cell(cell) for cell in row] for row in rows]
    if fmt == "human":  # simpleflow's: one record as "name  value" lines; several, a table with its headers
        if len(cells) == 1 and header:
            return tabulate(list(zip(headers, cells[0])), tablefmt="plain")
        if not header:  # rows without their names: no rule above and below them
            return tabulate(cells, tablefmt="plain")
        return tabulate(cells, headers=list(headers), tablefmt="simple")
    return tabulate(cells, headers=list(headers) if header else (), tablefmt=fmt)


def cannot_write(option: str, path: str, err: OSError) -> UsageError:
    """The one line (exit 2) of a file *option* names that cannot be written: ``--svg x.svg: cannot write it: ...``."""
    return UsageError(f"{option} {path}: cannot write it: {err.strerror or err}")


class OptionFile:
    """The file *option* names, written whole by one ``write`` (opened only then: a command that fails before
    leaves no empty file); an error is ``cannot_write``'s line."""

    def __init__(self, option: str, path: str) -> None:
        self.option, self.path = option, path

    def write(self, text: str) -> None:
        try:
            with open(self.path, "w", encoding="utf-8") as stream:
                stream.write(text)
        except OSError as err:
            raise cannot_write(self.option, self.path, err) from None
