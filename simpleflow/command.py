"""The ``simpleflow`` command's entry point: ``simpleflow.command:cli``, ``python -m simpleflow.command``.

The commands live in :mod:`simpleflow.cli`, one module per job. This module sets the early SIGTERM
handler before anything else is imported, then hands over to :mod:`simpleflow.cli.main`.
"""

from __future__ import annotations

import os
import signal
import sys
import threading

# decider.start and worker.start honour SIGTERM from their first instant: until their loops install
# the graceful handler (which finishes the task in hand), SIGTERM exits at once with status 0.
# os._exit, not sys.exit: the signal lands in the middle of any import, and a SystemExit raised
# there can be caught on its way out (a module that exits as it loads is an import failure), which
# left the process polling; nothing has been taken yet, so there is nothing to clean up.
if {"decider.start", "worker.start"} & set(sys.argv[1:]):
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))


def _stop_at_once() -> None:
    # cli.failures.interrupted's line and exit: that module may be the one whose import was interrupted.
    os.write(2, b"simpleflow: interrupted\n")
    os._exit(130)


_signalled: list[int] = []


def _interrupt_while_loading(signum: int, frame: object) -> None:
    _signalled.append(signum)
    raise KeyboardInterrupt


# Ctrl-C while the command line loads (a second or so): no traceback, exit 130. The KeyboardInterrupt can
# land in a callback of the import machinery, which prints "Exception ignored" and goes on: the handler
# also notes the signal, so such a lost interrupt still stops the command once the imports are done.
# (Only where Ctrl-C would raise KeyboardInterrupt anyway: the main thread, Python's own handler. A program
# that set another handler keeps it.)
_watching = (
    threading.current_thread() is threading.main_thread()
    and signal.getsignal(signal.SIGINT) is signal.default_int_handler
)
if _watching:
    signal.signal(signal.SIGINT, _interrupt_while_loading)
try:
    from simpleflow.cli.main import cli, main

    if _watching:  # inside the try: a Ctrl-C may land while the handler is put back
        signal.signal(signal.SIGINT, signal.default_int_handler)
except KeyboardInterrupt:
    _stop_at_once()
if _signalled:
    _stop_at_once()

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
