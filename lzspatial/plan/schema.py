"""The plan schema, written down once.

Which elements a plan has, the geometry types each allows, and the
properties of their features with types and vocabularies. Loading
(:mod:`lzspatial.plan`) validates every layer against it, and
``layers/README.md`` documents it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = [
    "weakest_basis",
    "BASES",
    "COMMON_FIELDS",
    "ELEMENTS",
    "ID_PATTERN",
    "RESERVED_PROPERTIES",
    "FieldSpec",
    "LayerSpec",
    "schema_markdown",
]

#: How a feature's geometry was obtained, strongest first.
BASES = ("sourced", "derived", "schematic")


def weakest_basis(values: Iterable[object]) -> str | None:
    """Return the weakest ``geometry_basis`` among *values* (None when there are none).

    An answer computed from several features is only as strong as the weakest of them.

    Examples
    --------
    >>> weakest_basis(["sourced", "schematic"]), weakest_basis(["derived", "sourced"]), weakest_basis([])
    ('schematic', 'derived', None)
    """
    seen = {str(v) for v in values}
    for basis in reversed(BASES):
        if basis in seen:
            return basis
    return None


#: Feature ids: lower-case slugs, unique across the whole plan.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")

_POLY = ("Polygon", "MultiPolygon")
_LINE = ("LineString", "MultiLineString")
_POINT = ("Point",)


@dataclass(frozen=True)
class FieldSpec:
    """One feature property.

    Attributes
    ----------
    name : str
        Property name.
    type : str
        ``str``, ``int``, ``float``, ``bool`` or ``list`` (a list of strings).
    required : bool
        Whether every feature must carry it (``null`` counts as missing).
    vocab : str or tuple of str or None
        Allowed values: a tuple, or the name of a vocabulary of the manifest
        (``[vocabularies.NAME]`` in ``plan.toml``). For lists, every item.
    pattern : str or None
        A regular expression a string must match in full.
    doc : str
        One line for the documentation.
    """

    name: str
    type: str = "str"
    required: bool = True
    vocab: str | tuple[str, ...] | None = None
    pattern: str | None = None
    doc: str = ""


@dataclass(frozen=True)
class LayerSpec:
    """One element type: its geometry types and extra fields."""

    element: str
    geom_types: tuple[str, ...]
    fields: tuple[FieldSpec, ...] = ()
    #: Whether features must lie within the district boundary.
    within_boundary: bool = True
    doc: str = ""
    extra: dict[str, str] = field(default_factory=dict)


#: Properties every feature carries, in this order.
COMMON_FIELDS = (
    FieldSpec("id", pattern=ID_PATTERN.pattern, doc="stable slug, unique across the plan"),
    FieldSpec("name_zh", doc="Chinese name"),
    FieldSpec("name_en", doc="English name"),
    FieldSpec("geometry_basis", vocab=BASES, doc="sourced | derived | schematic"),
    FieldSpec("source", doc="citation of the source of the feature and its geometry"),
    FieldSpec("note", required=False, doc="how the feature was interpreted or drawn"),
    FieldSpec("note_zh", required=False, doc="the note in Chinese (else maps mark `note` 'English only')"),
    FieldSpec("source_zh", required=False, doc="the source in Chinese (else marked 'English only')"),
)

#: Property names a layer may not use, and why (compared without regard to case).
RESERVED_PROPERTIES = {
    "layer": "plan.geojson's layer column",
    "geometry": "the geometry column of every export",
    "fid": "the GeoPackage feature id",
}

_KIND = "kind"

#: Every element type a plan may hold, keyed by element name.
ELEMENTS: dict[str, LayerSpec] = {
    spec.element: spec
    for spec in (
        LayerSpec(
            "boundary",
            _POLY,
            (FieldSpec("adcode", pattern=r"\d{6}"),),
            within_boundary=False,
            doc="the district boundary (exactly one feature)",
        ),
        LayerSpec(
            "context",
            _POLY,
            (
                FieldSpec("adcode", pattern=r"\d{6}"),
                FieldSpec("in_shenyang", "bool"),
            ),
            within_boundary=False,
            doc="neighbouring districts and counties",
        ),
        LayerSpec(
            "places",
            _POINT,
            (FieldSpec(_KIND, vocab=("district_seat", "city_centre", "city")),),
            within_boundary=False,
            doc="reference places (district seat, Shenyang centre, cities)",
        ),
        LayerSpec("core", _POLY, doc="the core development plate"),
        LayerSpec(
            "zones",
            _POLY,
            (
                FieldSpec(
                    "functions", "list", vocab="functional_areas", doc="functional areas the zone serves"
                ),
            ),
            doc="the four zones",
        ),
        LayerSpec(
            "axes",
            _LINE,
            (
                FieldSpec("role", doc="what the axis connects, in words"),
                FieldSpec("role_zh", required=False, doc="the role in Chinese (else marked 'English only')"),
                FieldSpec("toward", required=False, doc="where the axis points (drawn direction)"),
                FieldSpec("toward_zh", required=False, doc="where the axis points, in Chinese"),
            ),
            doc="development axes, drawn in their direction",
        ),
        LayerSpec(
            "centers", _POINT, (FieldSpec("rank", vocab=("main", "secondary")),), doc="the two centers"
        ),
        LayerSpec(
            "towns",
            _POINT,
            (
                FieldSpec("code", pattern=r"\d{9}", doc="9-digit statistical code (NBS)"),
                FieldSpec(_KIND, vocab=("subdistrict", "town")),
                FieldSpec("rank", vocab=("seat", "key", "general")),
                FieldSpec("tags", "list", vocab="town_tags"),
                FieldSpec("pinyin", doc="pinyin of the name, for search"),
            ),
            doc="the township-level units (subdistricts and towns)",
        ),
        LayerSpec(
            "parks",
            _POLY,
            (
                FieldSpec(_KIND, vocab="park_kinds"),
                FieldSpec("industries", "list", vocab="industry_chains"),
                FieldSpec("status", vocab=("existing", "under_construction", "planned")),
            ),
            doc="industrial and logistics parks and nodes",
        ),
        LayerSpec(
            "transport",
            _LINE,
            (
                FieldSpec(_KIND, vocab=("railway", "expressway")),
                FieldSpec("ref", required=False, doc="route number"),
            ),
            within_boundary=False,
            doc="railways and expressways",
        ),
        LayerSpec("water", _LINE, (FieldSpec(_KIND, vocab=("river",)),), within_boundary=False, doc="rivers"),
        LayerSpec(
            "control_lines",
            _POLY,
            (FieldSpec(_KIND, vocab=("eco_red_line", "basic_farmland", "urban_development_boundary")),),
            doc="三区三线 control lines",
        ),
    )
}


def schema_markdown() -> str:
    """Render the schema as a Markdown table (used for ``layers/README.md``)."""
    rows = ["| element | geometry | fields (besides the common ones) |", "|---|---|---|"]
    for spec in ELEMENTS.values():
        parts = []
        for f in spec.fields:
            desc = f"`{f.name}` ({f.type}{'' if f.required else ', optional'})"
            if isinstance(f.vocab, tuple):
                desc += ": " + " \\| ".join(f.vocab)
            elif f.vocab:
                desc += f": vocabulary `{f.vocab}`"
            elif f.pattern:
                desc += f": `{f.pattern}`"
            parts.append(desc)
        rows.append(f"| `{spec.element}` | {', '.join(spec.geom_types)} | {'; '.join(parts) or '–'} |")
    return "\n".join(rows)
