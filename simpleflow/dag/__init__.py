"""Declarative workflows: DAG specs (YAML or JSON, or floto's JSON decider specs) run by one generic workflow.

``load(path)`` reads and checks a spec file, ``compile_spec`` resolves its
activities, ``DagWorkflow`` runs the result on the ordinary engine (``unpack``: the compiled spec an
execution's input carries, packed or not). ``to_dot`` and ``to_svg`` draw a spec
(``node_states``: coloured by an execution's history); they are imported on first use, as a run needs none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from simpleflow.dag._compile import compile_spec
from simpleflow.dag._execute import check, local_execution, looks_like_spec, parse_value, prepare, run_local, start
from simpleflow.dag._input import BadInput, unpack
from simpleflow.dag._load import execution_input, load, load_text, parse
from simpleflow.dag._spec import Spec, SpecError, normalize
from simpleflow.dag._workflow import DagWorkflow, NodeActivity, child_stand_in, workflow_class_for

if TYPE_CHECKING:
    from simpleflow.dag._graph import check_ran, drawing_size, node_states, to_dot, to_svg

__all__ = [
    "BadInput",
    "DagWorkflow",
    "NodeActivity",
    "Spec",
    "SpecError",
    "check",
    "check_ran",
    "child_stand_in",
    "compile_spec",
    "drawing_size",
    "execution_input",
    "load",
    "local_execution",
    "looks_like_spec",
    "node_states",
    "parse_value",
    "prepare",
    "run_local",
    "start",
    "to_dot",
    "to_svg",
    "load_text",
    "normalize",
    "parse",
    "unpack",
    "workflow_class_for",
]

_DRAWING = ("check_ran", "drawing_size", "node_states", "to_dot", "to_svg")


def __getattr__(name: str) -> Any:
    if name not in _DRAWING:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from simpleflow.dag import _graph

    value = getattr(_graph, name)
    globals()[name] = value
    return value
