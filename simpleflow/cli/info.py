"""``simpleflow info``: versions, settings, and the AWS/simpleflow environment.

What a section needs (``importlib.metadata``, about 10 ms; ``platform``; the settings) is imported when
that section is asked for, so that ``simpleflow --help`` stays fast.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

import click

from simpleflow import __version__
from simpleflow.cli.failures import user_errors

__all__ = ["COMMANDS", "environment_lines", "parse_sections", "report", "settings_lines", "version_lines"]

SECTIONS = ("versions", "settings", "environment")
# pyproject.toml's dependencies (tests/cli/test_settings.py holds the two lists together), and botocore.
DEPENDENCIES = ("boto3", "botocore", "click", "croniter", "diskcache", "orjson", "tabulate", "venusian")
OPTIONAL = (("PyYAML", "yaml"),)  # (distribution, the extra that installs it)
_SECRET_MARKERS = ("SECRET", "TOKEN", "PASSWORD")


@click.command("info")
@click.argument("sections", required=False, default="versions,settings,environment")
@user_errors
def info(sections: str) -> None:
    """Versions, settings and environment: SECTIONS is a comma-separated list of versions, settings, environment."""
    click.echo(report(parse_sections(sections)))


def package_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def version_lines() -> list[str]:
    """``name: version`` for simpleflow and Python (simpleflow 0.36.0's lines, its names and order), then
    each dependency."""
    import platform

    lines = [
        f"simpleflow: {__version__}",
        f"python_version: {platform.python_version()}",
        f"python_build: {platform.python_compiler()}",
        f"platform: {platform.platform()}",
        f"python_implementation: {platform.python_implementation()}",
    ]
    lines += [f"{name}: {package_version(name)}" for name in DEPENDENCIES]
    lines += [f"{name}: {package_version(name)} (extra {extra})" for name, extra in OPTIONAL]
    return lines


def settings_lines() -> list[str]:
    """``NAME=value`` for every setting, sorted, as ``simpleflow.settings.print_settings`` prints them."""
    from pprint import pformat

    from simpleflow import settings

    return [f"{name}={pformat(value)}" for name, value in settings.values().items()]


def environment_lines(environ: Mapping[str, str] | None = None) -> list[str]:
    """The ``AWS*`` and ``SIMPLEFLOW*`` variables, secrets redacted."""
    environ = os.environ if environ is None else environ
    lines = []
    for key in sorted(environ):
        if not key.startswith(("AWS", "SIMPLEFLOW")):
            continue
        value = "<redacted>" if any(marker in key for marker in _SECRET_MARKERS) else environ[key]
        lines.append(f"{key}={value}")
    return lines


def parse_sections(text: str) -> list[str]:
    """The sections the comma-separated *text* names, in ``SECTIONS``' order (as simpleflow 0.36.0 prints
    them, whatever order they are asked in); ValueError naming an unknown one."""
    wanted = [part.strip().lower() for part in text.split(",") if part.strip()]
    unknown = [part for part in wanted if part not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown info section {unknown[0]!r} (one of: {', '.join(SECTIONS)})")
    return [section for section in SECTIONS if section in wanted] or list(SECTIONS)


def report(sections: list[str]) -> str:
    """The text ``simpleflow info`` prints for *sections*."""
    builders = {
        "versions": ("Versions", version_lines),
        "settings": ("Settings", settings_lines),
        "environment": ("Environment AWS* SIMPLEFLOW*", environment_lines),
    }
    parts = []
    for section in sections:
        title, build = builders[section]
        parts.append("\n".join([f"# {title}", *build()]))
    return "\n\n".join(parts)


COMMANDS = [info]
