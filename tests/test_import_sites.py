"""docs/security.md lists every module of simpleflow that turns a name into an import, with its rule."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECURITY = REPO / "docs" / "security.md"
# Calls that import a module from a name: Python's own, and the loader's (which every other one goes through).
IMPORTING = {
    "import_module",
    "__import__",
    "load_workflow",
    "find_workflow_class",
    "import_named_module",
    "import_user_module",
    "scan_activities",
}


def importing_calls(path: Path) -> list[str]:
    """The names of the importing calls in the module at *path*."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in IMPORTING:
                found.append(name)
    return found


def test_every_module_that_imports_from_a_name_is_on_the_security_page():
    page = SECURITY.read_text(encoding="utf-8")
    sites = {
        str(path.relative_to(REPO)): calls
        for path in sorted((REPO / "simpleflow").rglob("*.py"))
        if (calls := importing_calls(path))
    }
    assert "simpleflow/runtime/loader.py" in sites and "simpleflow/swf/decider.py" in sites  # the scan sees them
    missing = {path: calls for path, calls in sites.items() if f"`{path}`" not in page}
    assert missing == {}, "add these to docs/security.md's table of imports from a name, with the rule each follows"


def test_the_scan_finds_both_spellings_of_a_call(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import importlib\nfrom x import load_workflow\nimportlib.import_module(n)\nload_workflow(p)\n")
    assert importing_calls(module) == ["import_module", "load_workflow"]
