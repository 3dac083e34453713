"""A user's project, outside the repository: its files copied or written to a folder, its pytest and its
``simpleflow`` commands run as processes there, with this checkout's simpleflow.

``site_with_entry_points`` stands for ``pip install -e .``: a folder holding the distribution metadata an
editable install writes (``entry_points.txt``, read from this checkout's pyproject.toml), so that pytest
finds the plugin as it does once simpleflow is installed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
EXAMPLE = REPO / "examples" / "testing"


def entry_points() -> dict[str, dict[str, str]]:
    """This checkout's ``[project.entry-points.<group>]`` tables: group -> name -> object reference.

    (Read line by line: tomllib is not in Python 3.10's standard library.)
    """
    found: dict[str, dict[str, str]] = {}
    group = None
    for line in (REPO / "pyproject.toml").read_text().splitlines():
        header = re.match(r"\[project\.entry-points\.([\w.-]+)\]\s*$", line)
        if header:
            group = found.setdefault(header.group(1), {})
        elif line.startswith("["):
            group = None
        elif group is not None and "=" in line and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            group[name.strip()] = value.strip().strip('"')
    return found


def site_with_entry_points(folder: Path) -> Path:
    """A folder for PYTHONPATH holding simpleflow's metadata with this checkout's entry points."""
    info = folder / "simpleflow-0.0.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: simpleflow\nVersion: 0.0.0\n")
    lines = []
    for group, named in entry_points().items():
        lines.append(f"[{group}]")
        lines += [f"{name} = {target}" for name, target in named.items()]
    (info / "entry_points.txt").write_text("\n".join(lines) + "\n")
    return folder


def copy_example(destination: Path) -> Path:
    """The testing guide's shop project (examples/testing), copied to *destination*."""
    shutil.copytree(EXAMPLE, destination, ignore=shutil.ignore_patterns("__pycache__", ".pytest_cache"))
    return destination


def environ(*first: Path) -> dict[str, str]:
    """The environment of a command in the project: *first*, then this checkout, on PYTHONPATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SIMPLEFLOW_JUMBO"))}
    env["PYTHONPATH"] = os.pathsep.join([*map(str, first), str(REPO)])
    return env


def run(project: Path, *args: str, site: Path | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    """``python -m <args>`` in *project* (it is on the path, as a project's root is)."""
    paths = [p for p in (site, project) if p is not None]
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=project,
        env=environ(*paths),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
