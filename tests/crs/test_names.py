"""The CRS module: constants, parsing, the EPSG:4549 trap, transformers."""

from __future__ import annotations

import warnings

import pytest

from lzspatial import crs
from lzspatial.errors import CRSError


@pytest.mark.parametrize(
    ("given", "canon"),
    [
        ("EPSG:4326", "EPSG:4326"),
        ("epsg:4490", "EPSG:4490"),
        (" EPSG:4550 ", "EPSG:4550"),
        ("EPSG:4529", "EPSG:4529"),
        ("GCJ02", "gcj02"),
        ("bd-09", "bd09"),
        ("wgs84", "EPSG:4326"),
    ],
)
def test_parse_crs(given, canon):
    assert crs.parse_crs(given) == canon


@pytest.mark.parametrize("bad", ["EPSG:3857", "", "mars", "EPSG:455O"])
def test_parse_crs_rejects_with_choices(bad):
    with pytest.raises(CRSError, match="use one of: EPSG:4326"):
        crs.parse_crs(bad)


def test_epsg4549_warns():
    with pytest.warns(crs.CRSWarning, match="central meridian 120"):
        assert crs.parse_crs("EPSG:4549") == "EPSG:4549"


def test_other_crs_do_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        crs.parse_crs("EPSG:4550")


def test_allow_restricts():
    with pytest.raises(CRSError, match="EPSG:4550"):
        crs.parse_crs("gcj02", allow=("EPSG:4326", "EPSG:4550"))


def test_transformer_is_xy_and_metric():
    tr = crs.transformer(crs.WGS84, crs.GK_CM123)
    x, y = tr.transform(123.0, 41.5)  # on the central meridian: easting = false easting
    assert abs(x - 500_000) < 1e-6
    assert 4_590_000 < y < 4_600_000
    x41, _ = crs.transformer(crs.WGS84, crs.GK_ZONE41).transform(123.0, 41.5)
    assert abs(x41 - 41_500_000) < 1e-6
    assert crs.transformer(crs.WGS84, crs.GK_CM123) is tr  # cached


def test_trap_crs_is_far_off_for_liaozhong():
    # The same point in the 120°E zone lands ~250 km east of the false easting: the trap is real.
    x, _ = crs.transformer(crs.WGS84, crs.GK_CM120_TRAP).transform(122.72417, 41.50611)
    assert x - 500_000 > 200_000


def test_unknown_transform_raises_crs_error():
    with pytest.raises(CRSError, match="cannot transform"):
        crs.transformer("EPSG:999999", crs.WGS84)
