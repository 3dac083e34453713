"""``python -m simpleflow``: the command line."""

from __future__ import annotations

from simpleflow.command import main

main()
