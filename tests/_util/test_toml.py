"""Reading TOML files: one-line errors of the caller's type."""

from __future__ import annotations

import pytest

from lzspatial._util.toml import read_toml
from lzspatial.errors import PlanFileError, RuleError


def test_reads_utf8_with_bom(tmp_path):
    path = tmp_path / "a.toml"
    path.write_bytes('\ufeffname = "辽中"\n'.encode())
    assert read_toml(path, PlanFileError) == {"name": "辽中"}


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (None, "nothing here"),
        (b"\xff\xfe bad", "not UTF-8 text"),
        (b"a = = 1\n", "TOML syntax error"),
    ],
)
def test_errors_are_the_callers_type(tmp_path, data, match):
    path = tmp_path / "a.toml"
    if data is not None:
        path.write_bytes(data)
    with pytest.raises(RuleError, match=match) as info:
        read_toml(path, RuleError, missing="nothing here")
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)
