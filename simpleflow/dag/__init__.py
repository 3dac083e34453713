"""Declarative workflows: DAG specs (YAML or JSON, or floto's JSON decider specs) run by one generic workflow.

``load(path)`` reads and checks a spec file, ``compile_spec`` resolves its
activities, ``DagWorkflow`` runs the result on the ordinary engine.
"""

from __future__ import annotations

from simpleflow.dag._compile import compile_spec
from simpleflow.dag._execute import local_execution, looks_like_spec, parse_value, prepare, run_local, start
from simpleflow.dag._load import execution_input, load, load_text, parse
from simpleflow.dag._spec import Spec, SpecError, normalize
from simpleflow.dag._workflow import DagWorkflow, NodeActivity, workflow_class_for

__all__ = [
    "DagWorkflow",
    "NodeActivity",
    "Spec",
    "SpecError",
    "compile_spec",
    "execution_input",
    "load",
    "local_execution",
    "looks_like_spec",
    "parse_value",
    "prepare",
    "run_local",
    "start",
    "load_text",
    "normalize",
    "parse",
    "workflow_class_for",
]
