"""CSV for spreadsheets: one encoding and one formula guard for every CSV lzspatial writes."""

from __future__ import annotations

import re
from typing import Final

import numpy as np
import pandas as pd

__all__ = ["CSV_ENCODING", "FORMULA_START", "guard_cell", "guard_frame", "guard_series"]

#: Encoding of CSV outputs: UTF-8 with a byte-order mark, so that Excel (zh-CN) shows Chinese correctly.
CSV_ENCODING: Final = "utf-8-sig"
#: First characters that make a spreadsheet run a cell as a formula (OWASP "CSV injection").
FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE: Final = re.compile(_NUMBER)


def guard_cell(text: str) -> str:
    """Return *text* prefixed by ``'`` if a spreadsheet would run it as a formula.

    Text that is a plain number (``-12.5``) stays as it is.

    Examples
    --------
    >>> guard_cell("=1+1"), guard_cell("-12.5"), guard_cell("-x"), guard_cell("a")
    ("'=1+1", '-12.5', "'-x", 'a')
    """
    if text.startswith(FORMULA_START) and not _NUMBER_RE.fullmatch(text):
        return "'" + text
    return text


def guard_series(s: pd.Series) -> pd.Series:
    """Apply :func:`guard_cell` to the text cells of *s* (vectorised; *s* itself if none changes)."""
    try:
        hit = s.str.startswith(FORMULA_START, na=False).to_numpy(bool)
    except AttributeError:  # no text in the column
        return s
    if not hit.any():
        return s
    idx = np.flatnonzero(hit)
    number = s.iloc[idx].str.fullmatch(_NUMBER, na=False).to_numpy(bool)
    idx = idx[~number]  # "-12.5" stays a number
    if not idx.size:
        return s
    out = s.astype(object).copy()
    out.iloc[idx] = ["'" + v for v in s.iloc[idx]]
    return out


def guard_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Return *df* with every text cell guarded by :func:`guard_cell`.

    Numeric columns are left alone; categorical columns keep their dtype.

    Examples
    --------
    >>> guard_frame(pd.DataFrame({"a": ["=1+1", "-3", "x"], "n": [-1.5, 2, 3]})).values.tolist()
    [["'=1+1", -1.5], ['-3', 2.0], ['x', 3.0]]
    """
    out = {}
    for c in df.columns:
        s = df[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            cats = pd.Series(s.cat.categories, dtype=object)
            new = guard_series(cats)
            if new is not cats and new.is_unique:
                s = s.cat.rename_categories(list(new))
            elif new is not cats:
                s = guard_series(s.astype(object))
        elif s.dtype == object or pd.api.types.is_string_dtype(s):
            s = guard_series(s)
        out[c] = s
    return pd.DataFrame(out, index=df.index)
