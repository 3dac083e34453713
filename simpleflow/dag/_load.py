"""Reading spec files: JSON always, YAML through PyYAML's safe loader (the ``yaml`` extra)."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

from simpleflow import format
from simpleflow.constants import MAX_INPUT_LENGTH
from simpleflow.dag import _bounds, _floto, _input, _refs
from simpleflow.dag._spec import Spec, SpecError, normal_form
from simpleflow.exceptions import DataError, UsageError


class _DuplicateKey(ValueError):
    """A key given twice in one mapping (a parser would keep the last one, losing the first)."""

    def __init__(self, key: Any, line: int | None = None) -> None:
        where = f"line {line}: " if line else ""
        super().__init__(f"{where}{key!r} is given twice in one mapping (node ids and keys must be unique)")


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object's mapping (``object_pairs_hook``); _DuplicateKey for a key given twice."""
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")
_VERSION_KEYS = ("version", "workflow_type_version")


def _version_holders(doc: Any, child: Callable[[Any, str], Any], members: Callable[[Any], list[Any]]) -> list[Any]:
    """The parts of a spec (*doc*, parsed or still a YAML node tree) whose ``version`` (floto's
    ``workflow_type_version``) names a type's version, to be kept as written: the spec itself, its nodes (a
    mapping of id to node, or a list) and a floto spec's ``activity_tasks``. A value inside a node's input
    (``args: [{version: 1.10}]``) is data, and stays the number it reads as."""
    return [doc, *members(child(doc, "nodes")), *members(child(doc, "activity_tasks"))]


def _json_child(doc: Any, key: str) -> Any:
    return doc.get(key) if isinstance(doc, dict) else None


def _json_members(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


@functools.cache
def _yaml_loader(yaml: Any) -> type:
    """PyYAML's safe loader (plain data only), refusing a key given twice in one mapping, and keeping
    versions as written (see _version_holders): ``1.10`` would read as the float 1.1 (``010`` as the int 8)."""

    def child(node: Any, key: str) -> Any:
        if isinstance(node, yaml.MappingNode):
            return next((value for key_node, value in node.value if key_node.value == key), None)
        return None

    def members(node: Any) -> list[Any]:
        if isinstance(node, yaml.MappingNode):
            return [value for _, value in node.value]
        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    class Loader(yaml.SafeLoader):
        def construct_document(self, node: Any) -> Any:
            for holder in _version_holders(node, child, members):
                if not isinstance(holder, yaml.MappingNode):
                    continue
                for i, (key_node, value) in enumerate(holder.value):
                    if key_node.value in _VERSION_KEYS and value.tag in _NUMBER_TAGS:  # a scalar's value is its text
                        text = yaml.ScalarNode("tag:yaml.org,2002:str", value.value, value.start_mark, value.end_mark)
                        holder.value[i] = (key_node, text)  # a new node: an alias elsewhere keeps its number
            return super().construct_document(node)

        def construct_mapping(self, node: Any, deep: bool = False) -> dict:
            if isinstance(node, yaml.MappingNode):
                seen: set[Any] = set()
                for key_node, _ in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue  # merged keys may be overridden: that is what '<<' is for
                    key = self.construct_object(key_node, deep=deep)
                    try:
                        if key in seen:
                            raise _DuplicateKey(key, key_node.start_mark.line + 1)
                        seen.add(key)
                    except TypeError:
                        pass  # unhashable: PyYAML's own error says so
            return super().construct_mapping(node, deep=deep)

    return Loader


def _yaml_load(text: str, source: str) -> Any:
    try:
        import yaml
    except ImportError:
        raise UsageError(
            f"{source}: YAML specs need PyYAML (pip install 'simpleflow[yaml]'); JSON specs need nothing"
        ) from None
    try:
        return yaml.load(text, Loader=_yaml_loader(yaml))  # a SafeLoader: plain data only, no tags that build objects
    except _DuplicateKey as err:
        raise UsageError(f"{source}: {err}") from None
    except RecursionError:
        raise UsageError(f"{source}: nested too deep to read") from None
    except yaml.YAMLError as err:
        raise UsageError(f"{source}: not valid YAML: {' '.join(str(err).split())}") from None


def _json_version_as_written(raw: Any, text: str) -> Any:
    """*raw* with versions (see _version_holders) given as JSON numbers kept as written: ``1.10``, not the
    float's ``1.1``."""

    def numbers(holder: Any) -> list[str]:
        if not isinstance(holder, dict):
            return []
        return [k for k in _VERSION_KEYS if isinstance(holder.get(k), (int, float)) and not isinstance(holder[k], bool)]

    holders = _version_holders(raw, _json_child, _json_members)
    if any(numbers(holder) for holder in holders):
        written = json.loads(text, parse_float=str, parse_int=str)  # json hands these hooks the number's text
        for holder, as_text in zip(holders, _version_holders(written, _json_child, _json_members)):  # same walk
            for key in numbers(holder):
                holder[key] = as_text[key]
    return raw


def load_text(text: str, source: str = "spec") -> Any:
    """Plain data from a spec's text: JSON if it parses as JSON (or the file says .json), else YAML."""
    stripped = text.lstrip()
    if source.endswith(".json") or stripped.startswith(("{", "[")):
        try:
            return _json_version_as_written(format.parse_bounded(text, object_pairs_hook=_unique_pairs), text)
        except _DuplicateKey as err:
            raise UsageError(f"{source}: {err}") from None
        except DataError:
            raise UsageError(f"{source}: nested too deep to read") from None
        except ValueError as err:
            if source.endswith(".json"):
                raise UsageError(f"{source}: not valid JSON: {err}") from None
    return _yaml_load(text, source)


def parse(raw: Any) -> Spec:
    """A checked spec from plain data (a DAG spec, or a floto decider spec)."""
    spec, problems = parse_all(raw)
    if problems:
        raise SpecError(problems)
    return spec


def parse_all(raw: Any) -> tuple[Spec, list[str]]:
    """The spec in *raw* as far as it goes, and every problem in it (a floto spec is converted first: the
    problems of converting it, then those of the spec it converts to)."""
    if not _floto.is_floto(raw):
        return normal_form(raw)
    problem = _bounds.size_problem(raw)  # before converting (a DAG spec's is checked by normal_form)
    if problem:
        return normal_form({})[0], [problem]
    converted, problems = _floto.to_dag(raw)
    if not converted:  # no tasks: nothing more to check
        return normal_form({})[0], problems
    spec, more = normal_form(converted)
    return spec, problems + more


def read(path: str) -> Any:
    """The plain data of the spec file at *path*."""
    if path.endswith(".py"):  # read as YAML, a module says "not valid YAML" or "must be a mapping"
        raise UsageError(
            f"{path!r} is a Python file, not a DAG spec (YAML or JSON): a workflow class runs with "
            "'simpleflow workflow.start' or 'simpleflow standalone'"
        )
    if not os.path.isfile(path):
        raise UsageError(
            f"spec file {path!r} does not exist" if not os.path.exists(path) else f"{path!r} is not a file"
        )
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read spec {path!r}: {err}") from None
    return load_text(text, path)


def load(path: str) -> Spec:
    """Read and check the spec file at *path*; UsageError (SpecError: one line per problem) when it is wrong."""
    return parse(read(path))


def execution_input(compiled: dict[str, Any], input: Any = None) -> dict[str, Any]:
    """The input of a DagWorkflow execution running *compiled* on *input* (the spec packed: see ``_input``).

    Raises:
        UsageError: *input* is None and the spec reads a part of it (``$input.x``): every run would fail.
    """
    if input is None:
        for text, ref in _refs.references(compiled.get("nodes")):
            if isinstance(ref, _refs.Reference) and ref.root == "input" and ref.path:
                raise UsageError(f"the spec reads {text} and no input was given: pass --input (JSON)")
    return input_of(compiled, input)


# Room left in an execution's input for what the starter adds to it (``__extra``: the workflow's class path).
_STARTER_ROOM = 256


def input_of(compiled: dict[str, Any], input: Any) -> dict[str, Any]:
    """The execution's input, unchecked (``dag.check`` sizes it with no input): the compiled spec as it is when
    that fits SWF's limit, packed (``_input``) only when it does not.

    A decider deployed before packed inputs existed fails an execution whose input is packed: an input it could
    read stays readable to it, so a fleet part-way through a deploy runs every spec it ran before.
    """
    whole = {"args": [], "kwargs": {"spec": compiled, "input": input}}
    if len(format.dumps(whole)) + _STARTER_ROOM <= MAX_INPUT_LENGTH:
        return whole
    return {"args": [], "kwargs": {"spec": _input.pack(compiled), "input": input}}
