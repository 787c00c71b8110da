"""Run the numpydoc ``Examples`` of every public module, so they cannot drift."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import lzspatial

MODULES = ["lzspatial"] + sorted(
    m.name
    for m in pkgutil.iter_modules(lzspatial.__path__, "lzspatial.")
    if not m.name.startswith("lzspatial._cli") and m.name != "lzspatial.__main__"
)


@pytest.mark.parametrize("name", MODULES)
def test_module_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {name}"
