"""Lazy package faces (the SPEC 1 / ``lazy_loader`` pattern of scientific Python).

A subpackage's ``__init__`` re-exports its public names without importing the modules
that define them, so that importing one light module (a registry read by the CLI's
``--help``) does not load numpy, shapely or geopandas. Type checkers see the names
through an ``if TYPE_CHECKING:`` block beside the table.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["attach"]


def attach(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """Return ``__getattr__`` and ``__dir__`` for *package* that import *exports* on first use.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    exports : dict
        Public name -> the module that defines it.

    Examples
    --------
    >>> getattr_, dir_ = attach("demo", {"dumps": "json"})
    >>> getattr_("dumps")([1])
    '[1]'
    >>> dir_()
    ['dumps']
    """

    def __getattr__(name: str) -> Any:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
