"""``simpleflow info`` as simpleflow 0.36.0's scripts read it: its version lines, its section order."""

from __future__ import annotations

import platform

from click.testing import CliRunner

import simpleflow
from simpleflow.command import cli


def info(*args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["info", *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_versions_start_with_0_36_s_lines():
    assert info("versions")[:5] == [
        "# Versions",
        f"simpleflow: {simpleflow.__version__}",
        f"python_version: {platform.python_version()}",
        f"python_build: {platform.python_compiler()}",
        f"platform: {platform.platform()}",
    ]


def test_sections_come_in_0_36_s_order_whatever_order_they_are_asked_in():
    titles = [line for line in info("environment,versions") if line.startswith("# ")]
    assert titles == ["# Versions", "# Environment AWS* SIMPLEFLOW*"]
