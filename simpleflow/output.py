"""Moved to :mod:`simpleflow.cli.output`; this path stays for code that imported it."""

from __future__ import annotations

from simpleflow.cli.output import FORMATS, format_table, format_value

__all__ = ["FORMATS", "format_table", "format_value"]
