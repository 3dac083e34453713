"""AWS settings of the object layer: ``~/.swf`` (INI), else ``AWS_DEFAULT_REGION``; ``set()`` overrides them.

``~/.swf``::

    [credentials]
    aws_access_key_id=...
    aws_secret_access_key=...

    [defaults]
    region=eu-west-1

Whatever is not given here comes from botocore's usual chain (environment, ``~/.aws``, roles).
"""

from __future__ import annotations

import os
from configparser import ConfigParser
from typing import TextIO

# What the layer's objects connect with: ``~/.swf``, read once, changed by ``set()`` and ``clear()``.
# ``AWS_DEFAULT_REGION`` is read when a client is needed, so a change of the environment is seen.
SETTINGS: dict[str, str] = {}


def from_stream(stream: TextIO) -> dict[str, str]:
    """The settings of an INI text: its ``[credentials]`` keys and ``[defaults]`` region (values may be None)."""
    config = ConfigParser(allow_no_value=True)
    config.read_file(stream)
    found: dict[str, str] = {}
    if config.has_section("credentials"):
        for key in ("aws_access_key_id", "aws_secret_access_key"):
            found[key] = config.get("credentials", key)
    if config.has_section("defaults"):
        found["region"] = config.get("defaults", "region")
    return found


def from_file(path: str | os.PathLike) -> dict[str, str]:
    """The settings of the INI file at *path*; ``{}`` when there is no such file."""
    if not os.path.exists(path):
        return {}
    with open(path) as stream:
        return from_stream(stream)


def from_env() -> dict[str, str]:
    """``{"region": $AWS_DEFAULT_REGION}`` when it is set, else ``{}``."""
    region = os.environ.get("AWS_DEFAULT_REGION")
    return {"region": region} if region is not None else {}


def from_home(path: str | os.PathLike = ".swf") -> dict[str, str]:
    """The settings of ``$HOME/<path>``; ``{}`` without ``HOME`` or the file."""
    home = os.environ.get("HOME")
    return from_file(os.path.join(home, path)) if home else {}


def get(path: str | os.PathLike = ".swf") -> dict[str, str]:
    """The settings of ``~/<path>`` if any, else those of the environment."""
    return from_home(path) or from_env()


def set(**settings: str | None) -> None:  # noqa: A001 - the original's name
    """Use these settings (``aws_access_key_id``, ``aws_secret_access_key``, ``region``) from now on."""
    SETTINGS.update({key: value for key, value in settings.items() if value is not None})


def clear() -> None:
    """Forget every setting: botocore's own chain decides."""
    SETTINGS.clear()


SETTINGS.update(from_home())
