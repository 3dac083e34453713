"""A source file's path as messages show it."""

from __future__ import annotations

import os


def shown_path(path: str) -> str:
    """*path* relative to the current directory when it lies under it (as a project's own files do), else as is."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return path
    return path if relative.startswith("..") else relative
