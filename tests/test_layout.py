"""The package's shape: no import cycle between modules, and the engine's wall.

The graph is read from the source (``ast``), not by importing: an edge is an import a module runs when it
is loaded (its top level, ``try`` and plain ``if`` blocks), not one under ``if TYPE_CHECKING`` nor one inside
a function (those run later, and are kept only where they make ``simpleflow --help`` or
``import simpleflow`` faster).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "simpleflow"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _imported_names(module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level:  # relative: from the module's package, one level up per extra dot
        package = module.split(".") if MODULES[module].name == "__init__.py" else module.split(".")[:-1]
        base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
    else:
        base = node.module or ""
    return [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]


def _load_time_imports(module: str, body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" not in ast.unparse(node.test):
            found += _load_time_imports(module, node.body) + _load_time_imports(module, node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                found += _load_time_imports(module, block)
    return found


def _owner(name: str) -> str | None:
    """The package module *name* lands in (``simpleflow.history.History`` -> ``simpleflow.history``)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def import_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(), str(path))
        targets = {_owner(n) for node in _load_time_imports(module, tree.body) for n in _imported_names(module, node)}
        graph[module] = {t for t in targets if t and t != module}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph[target]))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_the_cycle_finder_finds_a_loop():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_another_that_imports_it_back_at_load_time():
    assert cycles(import_graph()) == []


def test_only_the_engines_exported_names_cross_its_wall():
    import simpleflow.engine

    exported = set(simpleflow.engine.__all__)
    crossing = []
    for module, path in MODULES.items():
        if module == "simpleflow.engine" or module.startswith("simpleflow.engine."):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("simpleflow.engine"):
                if node.module != "simpleflow.engine":
                    crossing.append(f"{module} imports {node.module}")
                else:
                    crossing += [f"{module} imports {a.name}" for a in node.names if a.name not in exported]
    assert crossing == []


# The rooms that run things (hosts) and those above them; docs/DESIGN.md's "Imports go one way".
UPPER_ROOMS = ("cli", "ui", "dag", "schedule", "testing", "devserver", "local", "swf")
# Ground-floor modules that are the original's import paths for what lives in upper rooms (re-exports).
ORIGINAL_PATHS = {"__main__", "command", "process"}


def test_no_room_below_the_hosts_imports_a_host_or_a_room_above_them():
    """Even inside a function: the engine, the runtime, jumbo, history, telemetry, settings, utils and the
    public API reach SWF or the local host only through what the hosts hand them."""
    upward = []
    for module, path in MODULES.items():
        parts = module.split(".")
        if len(parts) > 1 and (parts[1] in UPPER_ROOMS or parts[1] in ORIGINAL_PATHS):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                rooms = [n for n in names if n.startswith("simpleflow.") and n.split(".")[1] in UPPER_ROOMS]
                upward += [f"{module} imports {n}" for n in rooms]
    assert upward == []


MAX_MODULE_LINES = 550  # one idea per module: past this, a module is holding two


def test_no_module_grows_past_one_sitting():
    long = {m: n for m, p in MODULES.items() if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES}
    assert long == {}, f"split these by idea: {long}"


def test_the_ground_floor_holds_the_public_api_and_no_new_room():
    """``simpleflow/*.py``: what users import (ours and the original's names); new code goes into a room."""
    ground = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert ground == [
        "__init__", "__main__", "activity", "cached", "canvas", "command", "constants", "download",
        "exceptions", "execute", "format", "futures", "log", "logging_context", "marker", "metrology",
        "process", "registry", "retry", "signal", "storage", "task", "workflow",
    ]  # fmt: skip


# The rooms: simpleflow's folders (docs/DESIGN.md's "Layers"), each entered from outside by its front.
ROOMS = {m.split(".")[1] for m, p in MODULES.items() if p.name == "__init__.py" and m.count(".") == 1}
# The modules outside a room that may reach past its front, with why. The trace command is telemetry's own
# tooling (rebuilding and exporting a trace, over the SDK's exporters), imported inside the command: its
# names stay out of the front the hosts call.
PAST_FRONTS = {"simpleflow.cli.trace": {"telemetry"}}
_DOTTED = re.compile(r"simpleflow(\.\w+)+")


def _room_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else None


def _past_front(module: str, node: ast.AST) -> list[str]:
    """The private modules (or private names of a front) of other rooms that *node* imports, or names as text
    (``sys.modules.get("simpleflow.utils._endpoints")``)."""
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        names = _imported_names(module, node)
        if isinstance(node, ast.ImportFrom) and (node.module or "").count(".") == 1:
            names += [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_")]
    elif isinstance(node, ast.Constant) and isinstance(node.value, str) and _DOTTED.fullmatch(node.value):
        names = [node.value]
    else:
        return []
    found = []
    for name in names:
        room = _room_of(name)
        private = any(part.startswith("_") for part in name.split(".")[2:])
        if room and private and room != _room_of(module) and room not in PAST_FRONTS.get(module, ()):
            found.append(f"{module} imports {name}")
    return found


def test_a_room_is_entered_by_its_front():
    """From outside a room, what its ``__init__.py`` exports or one of its public modules, never a ``_module``
    (even inside a function): a room's front says what the others may use."""
    past_front = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            past_front += _past_front(module, node)
    assert sorted(set(past_front)) == []


def test_the_front_check_sees_every_spelling():
    spellings = [
        "from simpleflow.dag._graph import to_svg",
        "from simpleflow.dag import _graph",
        "import simpleflow.dag._graph",
        "from simpleflow.telemetry import _otel",
        "sys.modules.get('simpleflow.utils._endpoints')",
    ]
    found = [_past_front("simpleflow.ui.execution", n) for s in spellings for n in ast.walk(ast.parse(s))]
    found = [f for f in found if f]
    assert len(found) == len(spellings), found
    assert _past_front("simpleflow.dag._execute", ast.parse("from simpleflow.dag._graph import to_svg").body[0]) == []
    assert _past_front("simpleflow.ui.execution", ast.parse("from simpleflow.dag import to_svg").body[0]) == []
