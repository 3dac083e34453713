"""A log handler that keeps the records it gets, with the log context's fields on them (``ContextFilter``)."""

from __future__ import annotations

import logging

from simpleflow.logging_context import ContextFilter


class Captured(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.addFilter(ContextFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
