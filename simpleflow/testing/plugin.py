"""simpleflow's pytest plugin (loaded through the ``pytest11`` entry point): the ``workflow_env`` fixture.

Loaded by pytest at start-up wherever simpleflow is installed, so it imports nothing but pytest until a test
asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from simpleflow.testing._env import WorkflowEnv


def pytest_configure(config: Any) -> None:
    config.addinivalue_line(
        "markers",
        "workflow_env(**options): the workflow_env fixture's WorkflowEnv options for this test "
        "(workers=2, replay_check=False...)",
    )


@pytest.fixture
def workflow_env(request: pytest.FixtureRequest) -> Iterator[WorkflowEnv]:
    """Runs workflows on the local host's virtual clock: ``workflow_env.run(MyWorkflow, *args)``,
    ``workflow_env.start(...)`` to step through time, ``workflow_env.override(activity, replacement)``
    (simpleflow.testing.WorkflowEnv). Jumbo fields go to an in-memory store. Each run that closes is replayed
    with its code: one that does not fit its own history fails the test. ``@pytest.mark.workflow_env(...)``
    gives the environment's options (``replay_check=False``, ``workers=2``...)."""
    from simpleflow.testing._env import WorkflowEnv

    marker = request.node.get_closest_marker("workflow_env")
    options = dict(marker.kwargs) if marker is not None else {}
    with WorkflowEnv(**options) as env:
        yield env
