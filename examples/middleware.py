"""Middleware functions for ``--middleware-pre-execution`` / ``--middleware-post-execution``.

    simpleflow workflow.start --local examples.basic.BasicWorkflow --input '[1, 0]' \
        --middleware-pre-execution examples.middleware.my_pre_execution_middleware \
        --middleware-post-execution examples.middleware.my_post_execution_middleware

Each activity is announced before it runs and its result shown after (on stderr,
so the workflow's result stays alone on stdout).
"""

from __future__ import annotations

import sys
import time
from typing import Any

_started: dict[str, float] = {}


def my_pre_execution_middleware(context: dict[str, Any], **kwargs: Any) -> None:
    """Called before each activity with its context (name, activity_id, workflow_id, input...)."""
    _started[context["activity_id"]] = time.monotonic()
    print(f"pre-execution: {context['activity_id']} ({context['name']}) input={context['input']}", file=sys.stderr)


def my_post_execution_middleware(context: dict[str, Any], result: Any, **kwargs: Any) -> None:
    """Called after each activity that returned, with its context and result."""
    took = time.monotonic() - _started.pop(context["activity_id"], time.monotonic())
    print(f"post-execution: {context['activity_id']} returned {result!r} in {took:.3f}s", file=sys.stderr)
