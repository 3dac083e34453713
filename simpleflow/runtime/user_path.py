"""Where user modules are found: the current directory first, then the installed packages.

Kept apart from ``loader`` (which imports the library) so that the settings module, read before any
command runs, follows the same rule at no cost.
"""

from __future__ import annotations

import logging
import os
import sys

from simpleflow.utils._trust import untrusted_reason

logger = logging.getLogger(__name__)


def use_current_directory() -> None:
    """Put the current directory first on ``sys.path`` (unless it is there), as ``python -m`` does.

    A console script's path starts with its own ``bin`` folder, not the directory it runs from: without
    this, ``simpleflow dag.run examples/dag/diamond.yaml`` from a project's root could not import
    ``examples.dag.activities`` while ``python -m simpleflow`` could.

    Not a directory another user can change (``utils._trust``): a module they put there would be
    imported in our name, the standard library's names included. It is left off the path, with a warning.
    """
    cwd = os.getcwd()
    if cwd in sys.path or "" in sys.path:
        return
    reason = untrusted_reason(cwd, root_may_own=True)
    if reason is not None:
        logger.warning("not importing from the current directory %s: it %s", cwd, reason)
        return
    sys.path.insert(0, cwd)
