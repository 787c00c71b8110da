"""Regenerate the bad-input corpus (plan layers and manifests) from the default plan.

Run from the repository root: ``python tests/data/bad/make_corpus.py``. Each case is a
file here plus an entry in ``cases.toml`` saying how it is fed to the CLI and what the
one-line error must mention. Rule-file and site-file cases are written by hand.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
LAYERS = HERE.parents[2] / "layers"


def load(name):
    return json.loads((LAYERS / f"{name}.geojson").read_text(encoding="utf-8"))


def dump(doc):
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def with_feature(name, fid, fn):
    doc = copy.deepcopy(load(name))
    for f in doc["features"]:
        if f["properties"]["id"] == fid:
            fn(f)
    return dump(doc)


def geom(gtype, coords):
    def fn(f):
        f["geometry"] = {"type": gtype, "coordinates": coords}

    return fn


def props(**kw):
    def fn(f):
        for k, v in kw.items():
            if v is None:
                f["properties"].pop(k, None)
            else:
                f["properties"][k] = v

    return fn


towns_text = (LAYERS / "towns.geojson").read_text(encoding="utf-8")
SQUARE_M = [[[476000.0, 4595000.0], [477000.0, 4595000.0], [477000.0, 4596000.0], [476000.0, 4595000.0]]]

LAYER_CASES = {
    # name: (layer, bytes, fragments that the one-line message must contain)
    "empty": ("towns", b"", ["towns.geojson", "file is empty"]),
    "whitespace_only": ("towns", b"  \n\t\n", ["towns.geojson", "file is empty"]),
    "truncated": (
        "towns",
        towns_text[: len(towns_text) // 2].encode(),
        ["towns.geojson", "invalid JSON at line"],
    ),
    "bom": ("towns", b"\xef\xbb\xbf" + towns_text.encode(), ["towns.geojson", "byte-order mark"]),
    "non_utf8": ("towns", towns_text.encode("gb18030"), ["towns.geojson", "not UTF-8"]),
    "nested_10000": ("towns", b"[" * 10000 + b"]" * 10000, ["towns.geojson", "nested too deeply"]),
    "not_feature_collection": (
        "towns",
        dump(load("towns")["features"][0]),
        ["towns.geojson", "not a GeoJSON FeatureCollection"],
    ),
    "top_level_array": ("towns", b"[]", ["towns.geojson", "not a GeoJSON FeatureCollection"]),
    "features_not_list": (
        "towns",
        b'{"type":"FeatureCollection","features":{}}',
        ["towns.geojson", "'features' must be a list"],
    ),
    "no_features": ("towns", b'{"type":"FeatureCollection","features":[]}', ["towns.geojson", "no features"]),
    "feature_without_geometry": (
        "towns",
        with_feature("towns", "town-210115108", lambda f: f.pop("geometry")),
        ["towns.geojson", "town-210115108", "geometry", "missing or null"],
    ),
    "null_geometry": (
        "towns",
        with_feature("towns", "town-210115109", lambda f: f.update(geometry=None)),
        ["towns.geojson", "town-210115109", "missing or null"],
    ),
    "wrong_geometry_type": (
        "towns",
        with_feature("towns", "town-210115108", geom("LineString", [[122.8, 41.6], [122.81, 41.61]])),
        ["towns.geojson", "town-210115108", "'geometry'", "not allowed"],
    ),
    "unclosed_ring": (
        "parks",
        with_feature(
            "parks",
            "park-devzone",
            geom("Polygon", [[[122.76, 41.52], [122.77, 41.52], [122.77, 41.53], [122.76, 41.53]]]),
        ),
        ["parks.geojson", "park-devzone", "not closed"],
    ),
    "bow_tie": (
        "parks",
        with_feature(
            "parks",
            "park-devzone",
            geom(
                "Polygon",
                [[[122.76, 41.52], [122.77, 41.53], [122.77, 41.52], [122.76, 41.53], [122.76, 41.52]]],
            ),
        ),
        ["parks.geojson", "park-devzone", "Self-intersection"],
    ),
    "nan_coordinates": (
        "centers",
        (LAYERS / "centers.geojson").read_text(encoding="utf-8").replace("122.955", "NaN", 1).encode(),
        ["centers.geojson", "NaN"],
    ),
    "infinity_coordinates": (
        "centers",
        (LAYERS / "centers.geojson").read_text(encoding="utf-8").replace("122.955", "Infinity", 1).encode(),
        ["centers.geojson", "Infinity"],
    ),
    "latitude_out_of_range": (
        "centers",
        with_feature("centers", "center-east", geom("Point", [122.955, 95.0])),
        ["centers.geojson", "center-east", "out of lon/lat range"],
    ),
    "projected_metres": (
        "parks",
        with_feature("parks", "park-devzone", geom("Polygon", SQUARE_M)),
        ["parks.geojson", "park-devzone", "projected"],
    ),
    "swapped_lat_lon": (
        "centers",
        with_feature("centers", "center-east", geom("Point", [41.585, 122.955])),
        ["centers.geojson", "center-east", "swapped"],
    ),
    "string_coordinate": (
        "centers",
        with_feature("centers", "center-east", geom("Point", ["122.955", 41.585])),
        ["centers.geojson", "center-east", "numbers"],
    ),
    "outside_boundary": (
        "centers",
        with_feature("centers", "center-east", geom("Point", [123.43278, 41.79222])),
        ["centers.geojson", "center-east", "outside the district boundary"],
    ),
    "duplicate_id": (
        "towns",
        with_feature("towns", "town-210115109", props(id="town-210115108")),
        ["towns.geojson", "duplicate id", "town-210115108"],
    ),
    "missing_property": (
        "towns",
        with_feature("towns", "town-210115108", props(code=None)),
        ["towns.geojson", "town-210115108", "'code'", "missing"],
    ),
    "wrong_property_type": (
        "towns",
        with_feature("towns", "town-210115108", props(code=210115108)),
        ["towns.geojson", "town-210115108", "'code'", "must be a string"],
    ),
    "value_outside_vocabulary": (
        "parks",
        with_feature("parks", "park-timber-port", props(kind="casino")),
        ["parks.geojson", "park-timber-port", "'kind'", "'casino'"],
    ),
    "bad_geometry_basis": (
        "parks",
        with_feature("parks", "park-timber-port", props(geometry_basis="surveyed")),
        ["parks.geojson", "park-timber-port", "geometry_basis"],
    ),
    "bad_id_slug": (
        "parks",
        with_feature("parks", "park-timber-port", props(id="Timber Port!")),
        ["parks.geojson", "'id'", "pattern"],
    ),
    "properties_not_object": (
        "parks",
        with_feature("parks", "park-timber-port", lambda f: f.update(properties=[1, 2])),
        ["parks.geojson", "'properties' must be an object"],
    ),
    "crs_member_projected": (
        "zones",
        dump(
            {**load("zones"), "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4550"}}}
        ),
        ["zones.geojson", "'crs'", "EPSG::4550"],
    ),
    "list_of_non_strings": (
        "zones",
        with_feature("zones", "zone-east", props(functions=[1, 2])),
        ["zones.geojson", "zone-east", "'functions'", "list of strings"],
    ),
    # issue 11: values the exports could not hold are refused by validation
    "crs_properties_string": (
        "zones",
        dump({**load("zones"), "crs": {"type": "name", "properties": "EPSG:4326"}}),
        ["zones.geojson", "'crs'"],
    ),
    "crs_properties_null": (
        "zones",
        dump({**load("zones"), "crs": {"type": "name", "properties": None}}),
        ["zones.geojson", "'crs'"],
    ),
    "coordinate_401_digits": (
        "towns",
        towns_text.replace('"coordinates":[', '"coordinates":[' + "9" * 401 + ",", 1)
        .replace('"coordinates": [', '"coordinates": [' + "9" * 401 + ",", 1)
        .encode("utf-8"),
        ["towns.geojson", "out of range"],
    ),
    "property_1e400": (
        "towns",
        towns_text.replace('"name_en"', '"extra": 1e400, "name_en"', 1).encode("utf-8"),
        ["towns.geojson", "1e400", "out of range"],
    ),
    "duplicate_key": (
        "towns",
        towns_text.replace('"name_en"', '"name_en": "x", "name_en"', 1).encode("utf-8"),
        ["towns.geojson", "duplicate key 'name_en'"],
    ),
    "property_named_layer": (
        "zones",
        with_feature("zones", "zone-east", props(layer="towns")),
        ["zones.geojson", "zone-east", "'layer'", "reserved"],
    ),
    "property_named_geometry": (
        "zones",
        with_feature("zones", "zone-east", props(geometry="POINT (1 2)")),
        ["zones.geojson", "zone-east", "'geometry'", "reserved"],
    ),
    "properties_differ_in_case": (
        "towns",
        with_feature("towns", "town-210115001", props(Remark="a", remark="b")),
        ["towns.geojson", "'remark'", "only in case"],
    ),
}

manifest = (LAYERS / "plan.toml").read_text(encoding="utf-8")
MANIFEST_CASES = {
    "manifest_toml_syntax": (manifest.replace("[source]", "[source", 1), ["plan.toml", "TOML syntax error"]),
    "manifest_missing_file": (
        manifest.replace('file = "axes.geojson"', 'file = "axes_missing.geojson"'),
        ["axes_missing.geojson", "file not found"],
    ),
    "manifest_path_traversal": (
        manifest.replace('file = "axes.geojson"', 'file = "../../etc/passwd"'),
        ["plan.toml", "../../etc/passwd", "outside the plan folder"],
    ),
    "manifest_absolute_path": (
        manifest.replace('file = "axes.geojson"', 'file = "/etc/passwd"'),
        ["plan.toml", "/etc/passwd", "outside the plan folder"],
    ),
    "manifest_unknown_element": (
        manifest.replace('element = "axes"', 'element = "axles"'),
        ["plan.toml", "'axles'", "unknown"],
    ),
    "manifest_no_plan_table": (manifest.replace("[plan]\n", "[plan_x]\n", 1), ["plan.toml", "[plan]"]),
    "manifest_non_utf8": (None, ["plan.toml", "not UTF-8"]),
    "manifest_empty": ("", ["plan.toml", "[plan]"]),
    "manifest_nul_in_file_name": (
        manifest.replace('file = "axes.geojson"', 'file = "axes\\u0000.geojson"'),
        ["plan.toml", "NUL byte"],
    ),
    "manifest_file_name_too_long": (
        manifest.replace('file = "axes.geojson"', 'file = "' + "a" * 300 + '.geojson"'),
        ["plan.toml", "308 bytes", "255"],
    ),
}


def main() -> None:
    lines = [
        "# Bad-input corpus: generated by make_corpus.py (plan cases) and written by hand (rules, sites).",
        "# kind: layer (replaces LAYER in a copy of the default plan), manifest (replaces plan.toml),",
        "# rules (lzspatial check --rules FILE), sites (lzspatial screen FILE [ARGS]), output.",
        "",
    ]
    for name, (layer, data, frags) in LAYER_CASES.items():
        fname = f"layer_{name}.geojson"
        (HERE / fname).write_bytes(data)
        lines += [
            "[[case]]",
            f'name = "layer_{name}"',
            'kind = "layer"',
            f'layer = "{layer}"',
            f'file = "{fname}"',
            f"expect = {json.dumps(frags, ensure_ascii=False)}",
            "",
        ]
    for name, (text, frags) in MANIFEST_CASES.items():
        fname = f"{name}.toml"
        data = manifest.encode("gb18030") if text is None else text.encode("utf-8")
        (HERE / fname).write_bytes(data)
        lines += [
            "[[case]]",
            f'name = "{name}"',
            'kind = "manifest"',
            f'file = "{fname}"',
            f"expect = {json.dumps(frags, ensure_ascii=False)}",
            "",
        ]
    (HERE / "cases_plan.toml").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
