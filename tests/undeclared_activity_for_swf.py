"""An activity only the decider imports (see tests.workflows_for_swf.UndeclaredWorkflow)."""

from __future__ import annotations

from simpleflow import activity


@activity.with_attributes(name="tests.swf.ghost", task_list="swf-e2e", version="e2e", raises_on_failure=True)
def ghost() -> str:
    return "a worker that runs this has imported a module it was not given"
