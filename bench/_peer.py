"""The released peer (simpleflow 0.36.0), in a venv of its own, created on first use."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _common import BENCH_DIR, BenchError, say

PEER_VERSION = "0.36.0"
DEFAULT_VENV = BENCH_DIR / ".peer-venv"  # git-ignored


@dataclass
class Peer:
    venv: Path

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def cli(self) -> Path:
        return self.venv / "bin" / "simpleflow"


def _installed_version(venv: Path) -> str | None:
    python = venv / "bin" / "python"
    if not python.exists():
        return None
    # -I and cwd: never let a simpleflow/ folder in the current directory or $PYTHONPATH answer for the peer.
    proc = subprocess.run(
        [str(python), "-I", "-c", "import simpleflow; print(simpleflow.__version__)"],
        capture_output=True,
        text=True,
        cwd=venv,
    )
    return proc.stdout.strip() if proc.returncode == 0 else None


def ensure_peer(venv: Path = DEFAULT_VENV) -> Peer:
    """The peer in *venv*; the venv is created and the peer installed there when missing."""
    venv = venv.resolve()
    found = _installed_version(venv)
    if found == PEER_VERSION:
        return Peer(venv)
    if found is not None:
        raise BenchError(
            f"{venv} holds simpleflow {found}, not the peer {PEER_VERSION}: remove it or pass another --peer-venv"
        )
    say(f"installing the peer simpleflow=={PEER_VERSION} into {venv} (once)")
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", f"simpleflow=={PEER_VERSION}"], check=True)
    found = _installed_version(venv)
    if found != PEER_VERSION:
        raise BenchError(f"installing simpleflow=={PEER_VERSION} into {venv} failed (found {found})")
    return Peer(venv)
