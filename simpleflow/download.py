"""simpleflow 0.36's ``simpleflow.download``: programs fetched from S3 before an activity runs.

The code is :mod:`simpleflow.runtime.binaries`.
"""

from __future__ import annotations

from simpleflow.runtime.binaries import (
    RemoteBinary,
    binaries_directory,
    download_binaries,
    download_specs,
    parse_spec,
    with_binaries,
)

__all__ = ["RemoteBinary", "binaries_directory", "download_binaries", "download_specs", "parse_spec", "with_binaries"]
