"""simpleflow's pytest plugin (loaded through the ``pytest11`` entry point): the ``workflow_env`` fixture.

Loaded by pytest at start-up wherever simpleflow is installed, so it imports nothing but pytest until a test
asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from simpleflow.testing._env import WorkflowEnv


@pytest.fixture
def workflow_env() -> Iterator[WorkflowEnv]:
    """Runs workflows on the local host's virtual clock: ``workflow_env.run(MyWorkflow, *args)``,
    ``workflow_env.start(...)`` to step through time, ``workflow_env.override(activity, replacement)``
    (simpleflow.testing.WorkflowEnv). Jumbo fields go to an in-memory store."""
    from simpleflow.testing._env import WorkflowEnv

    with WorkflowEnv() as env:
        yield env
