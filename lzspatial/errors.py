"""Exception hierarchy of lzspatial.

Every error the toolkit raises on purpose derives from :class:`LzSpatialError`.
Each subclass also derives from the matching built-in, so callers may catch
either (``except ValueError`` keeps working). The CLI turns any
``LzSpatialError`` into one line on stderr and exit code 2.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "InputError",
    "LzSpatialError",
    "OutputError",
    "PlanFileError",
    "RuleError",
    "SchemaError",
]


class LzSpatialError(Exception):
    """Root of every error lzspatial raises on purpose."""


class PlanFileError(LzSpatialError, OSError):
    """A file of the plan cannot be found, read or parsed."""


class SchemaError(LzSpatialError, ValueError):
    """Plan data breaks the schema (properties, geometry, ids, vocabularies)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        #: Every problem found, one line each (validation collects them all).
        self.problems: list[str] = list(problems) if problems else [message]


class CRSError(LzSpatialError, ValueError):
    """A coordinate reference system is missing, unknown or wrong."""


class RuleError(LzSpatialError, ValueError):
    """A rule file is malformed (unknown kind, layer or field, bad filter)."""


class InputError(LzSpatialError, ValueError):
    """User input (sites, projects, options) cannot be used."""


class OutputError(LzSpatialError, OSError):
    """An output cannot be written."""
