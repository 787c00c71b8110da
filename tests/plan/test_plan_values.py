"""Plan data the exports could not hold is refused by validation (exit 2), never an exit 3 later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lzspatial.errors import SchemaError
from lzspatial.plan import load_plan

from ..conftest import edit_layer


def _props(**extra):
    def fn(doc):
        doc["features"][0]["properties"].update(extra)

    return fn


def _text(old: str, new: str):
    def fn(path: Path) -> None:
        path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")

    return fn


LAYER_CASES = {
    "crs_properties_string": (lambda d: d.update(crs={"type": "name", "properties": "EPSG:4326"}), "'crs'"),
    "crs_properties_null": (lambda d: d.update(crs={"type": "name", "properties": None}), "'crs'"),
    "crs_not_object": (lambda d: d.update(crs="EPSG:4326"), "'crs'"),
    "layer_property": (_props(layer="x"), "reserved"),
    "geometry_property": (_props(geometry="x"), "reserved"),
    "fid_property": (_props(FID=3), "reserved"),
    "case_twins": (_props(Remark="a", remark="b"), "only in case"),
    "case_twin_of_common_field": (_props(NAME_ZH="x"), "only in case"),
}
TEXT_CASES = {
    "property_1e400": (_text('"name_en"', '"extra": 1e400, "name_en"'), "1e400 is out of range"),
    "property_minus_1e999": (_text('"name_en"', '"extra": [1, -1e999], "name_en"'), "out of range"),
    "coordinate_401_digits": (_text("[[", "[[" + "1" * 401 + ".5, 41.5], ["), "out of range"),
    "int_beyond_int64": (_text('"name_en"', '"extra": 99999999999999999999, "name_en"'), "64-bit"),
    "duplicate_key": (_text('"name_en"', '"name_en": "a", "name_en"'), "duplicate key 'name_en'"),
}


def _validate(folder: Path, capsys) -> tuple[int, str]:
    from lzspatial.cli import main

    with pytest.raises(SystemExit) as info:
        main(["validate", str(folder)])
    return info.value.code, capsys.readouterr().err


@pytest.mark.parametrize("case", sorted(LAYER_CASES))
def test_bad_layer_values(case, plan_copy, capsys):
    fn, fragment = LAYER_CASES[case]
    edit_layer(plan_copy, "zones", fn)
    code, err = _validate(plan_copy, capsys)
    assert code == 2 and fragment in err and "zones.geojson" in err, err


@pytest.mark.parametrize("case", sorted(TEXT_CASES))
def test_bad_layer_text(case, plan_copy, capsys):
    fn, fragment = TEXT_CASES[case]
    fn(plan_copy / "zones.geojson")
    code, err = _validate(plan_copy, capsys)
    assert code == 2 and fragment in err and "zones.geojson" in err, err


def test_case_twins_fail_before_build_writes_anything(plan_copy, tmp_path, capsys):
    from lzspatial.cli import main

    edit_layer(plan_copy, "towns", _props(Remark="a", remark="b"))
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as info:
        main(["build", str(plan_copy), "--out", str(out)])
    assert info.value.code == 2
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


@pytest.mark.parametrize("name", ["zones\x00.geojson", "z" * 300 + ".geojson", "区" * 90 + ".geojson"])
def test_impossible_file_names_in_the_manifest(name, plan_copy):
    toml = plan_copy / "plan.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace(
            'file = "zones.geojson"', "file = " + json.dumps(name, ensure_ascii=False)
        ),
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match="NUL byte|bytes; file systems allow 255"):
        load_plan(plan_copy)
