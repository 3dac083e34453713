"""The ``simpleflow`` command's entry point: ``simpleflow.command:cli``, ``python -m simpleflow.command``.

The commands live in :mod:`simpleflow.cli`, one module per job. This module sets the early SIGTERM
handler before anything else is imported, then hands over to :mod:`simpleflow.cli.main`.
"""

from __future__ import annotations

import os
import signal
import sys

# decider.start and worker.start honour SIGTERM from their first instant: until their loops install
# the graceful handler (which finishes the task in hand), SIGTERM exits at once with status 0.
# os._exit, not sys.exit: the signal lands in the middle of any import, and a SystemExit raised
# there can be caught on its way out (a module that exits as it loads is an import failure), which
# left the process polling; nothing has been taken yet, so there is nothing to clean up.
if {"decider.start", "worker.start"} & set(sys.argv[1:]):
    signal.signal(signal.SIGTERM, lambda signum, frame: os._exit(0))

try:
    from simpleflow.cli.main import cli, main
except KeyboardInterrupt:  # Ctrl-C while the command line loads (a second or so): no traceback, exit 130
    os.write(2, b"simpleflow: interrupted\n")
    os._exit(130)

__all__ = ["cli", "main"]

if __name__ == "__main__":
    main()
