"""Environment variables lzspatial reads that are not input limits: ``SOURCE_DATE_EPOCH``."""

from __future__ import annotations

import datetime as _dt
import os

from lzspatial.errors import InputError

__all__ = ["source_date"]


def source_date() -> _dt.date | None:
    """Return the UTC date of ``SOURCE_DATE_EPOCH`` (reproducible builds), or None if unset.

    Raises
    ------
    InputError
        If it is set but not a whole number of seconds since 1970 within the years 1970-9999.

    Examples
    --------
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1675209600"
    >>> source_date()
    datetime.date(2023, 2, 1)
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        seconds = int(raw)
        if seconds < 0:
            raise ValueError(raw)
        return _dt.datetime.fromtimestamp(seconds, _dt.UTC).date()
    except (ValueError, OverflowError, OSError) as err:
        raise InputError(
            f"SOURCE_DATE_EPOCH={raw[:30]!r} is not a time: give whole seconds since 1970-01-01 UTC "
            "(for example 1675209600), up to the year 9999, or unset it"
        ) from err
