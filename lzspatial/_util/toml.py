"""Reading the plan's TOML files (manifest, rules, siting) with one set of messages."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from lzspatial._util.files import read_limited
from lzspatial.errors import LzSpatialError

__all__ = ["read_toml"]


def read_toml(path: Path, error: type[LzSpatialError], *, missing: str = "file not found") -> dict[str, Any]:
    """Parse a UTF-8 TOML file (a BOM is tolerated) or raise *error* with a one-line message.

    Only a regular file within the input size limit is read.

    Parameters
    ----------
    path : Path
        The file.
    error : type
        The ``LzSpatialError`` subclass to raise.
    missing : str
        The message when the file does not exist.
    """
    data = read_limited(path, error, missing=missing)  # a FIFO or /dev/zero is refused, not read
    try:
        return tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        raise error(f"{path}: not UTF-8 text ({err.reason} at byte {err.start})") from err
    except tomllib.TOMLDecodeError as err:
        raise error(f"{path}: TOML syntax error: {err}") from err
    except RecursionError as err:
        raise error(f"{path}: TOML nested too deeply to parse") from err
