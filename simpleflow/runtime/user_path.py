"""Where user modules are found: the current directory first, then the installed packages.

Kept apart from ``loader`` (which imports the library) so that the settings module, read before any
command runs, follows the same rule at no cost.
"""

from __future__ import annotations

import os
import sys


def use_current_directory() -> None:
    """Put the current directory first on ``sys.path`` (unless it is there), as ``python -m`` does.

    A console script's path starts with its own ``bin`` folder, not the directory it runs from: without
    this, ``simpleflow dag.run examples/dag/diamond.yaml`` from a project's root could not import
    ``examples.dag.activities`` while ``python -m simpleflow`` could.
    """
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
