"""The ``simpleflow`` console script run as a user runs it: after ``pip install -e .`` of this checkout.

Only the ``simpleflow`` package is importable (an editable install maps that package alone: the
repository root is not on the path), the script's own folder comes first on ``sys.path`` (not the
current directory, as with ``python -m``), and no ``AWS_*``, ``SWF_*`` or ``SIMPLEFLOW_*`` variable is
set unless a test gives it.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.testing.project import site_with_entry_points

REPO = Path(__file__).resolve().parent.parent


def install(root: Path) -> dict[str, str]:
    """A ``site`` and a ``bin`` folder under *root* as ``pip install -e .`` leaves them; the shell's environment."""
    site, bin_dir = root / "site", root / "bin"
    site.mkdir(parents=True, exist_ok=True)
    bin_dir.mkdir(exist_ok=True)
    if not (site / "simpleflow").exists():
        (site / "simpleflow").symlink_to(REPO / "simpleflow")
        site_with_entry_points(site)  # and its entry points (pytest's plugin), as pip's metadata registers them
    script = bin_dir / "simpleflow"
    script.write_text(f"#!{sys.executable}\nimport sys\nfrom simpleflow.command import main\nsys.exit(main())\n")
    script.chmod(0o755)
    for name in ("python", "python3"):
        # A script, not a symlink: Python 3.13 run through a link from elsewhere finds no pyvenv.cfg beside
        # it and starts outside the venv (without its packages).
        python = bin_dir / name
        if not python.exists():
            python.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
            python.chmod(0o755)
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("AWS_", "SWF_", "SIMPLEFLOW_", "PYTHON")) and name != "LOG_LEVEL"
    }
    env["PATH"] = f"{bin_dir}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONPATH"] = str(site)
    env["AWS_EC2_METADATA_DISABLED"] = "true"  # a command that wrongly reaches for credentials fails fast
    return env


def run(
    env: dict[str, str], *args: str, cwd: Path, extra: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """``simpleflow ARGS`` from *cwd* with the environment *env* (plus *extra*)."""
    return subprocess.run(
        ["simpleflow", *args],
        cwd=cwd,
        env={**env, **(extra or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def page_once_up(url: str, within: float = 20) -> str:
    """The text of *url* once the server starting behind it answers (within *within* seconds)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5).read().decode()
        except urllib.error.URLError:
            assert time.monotonic() < deadline, f"{url} never answered"
            time.sleep(0.2)
