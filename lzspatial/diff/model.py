"""What a plan diff holds: :class:`PlanDiff` and its parts, and their JSON form.

:func:`lzspatial.diff.diff_plans` builds a :class:`PlanDiff`. Every number is
rounded when the diff is built (metres to 0.01, hectares to 0.0001, percentages
to 0.01), so the JSON, GeoJSON and HTML outputs are byte-identical for the same
inputs. The JSON schema (``lzspatial.diff/1``) is documented in ``docs/diff.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from lzspatial._util.pause import gc_paused
from lzspatial.plan.schema import BASES

__all__ = [
    "SCHEMA",
    "AreaRow",
    "FeatureChange",
    "FieldChange",
    "KindArea",
    "LayerSummary",
    "PlanDiff",
    "RuleChange",
    "RuleDelta",
    "SiteChange",
    "SiteDelta",
    "Transfer",
    "Version",
    "ViolationChange",
    "ZoneMove",
]

#: The name and version of the JSON schema; a change of meaning bumps the number.
SCHEMA = "lzspatial.diff/1"


class _Unusual(Exception):
    """A value :func:`pretty_json` leaves to :mod:`json`."""


_STR = json.encoder.encode_basestring  # the C escaper json.dumps(ensure_ascii=False) uses
_SCALARS = (str, int, float, bool, type(None))
_INF = float("inf")
_FLAT: dict[int, Any] = {}  # indent level -> json's C encoder writing one flat container at that level


def pretty_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2, allow_nan=False)``, byte for byte, faster.

    Containers holding only text, numbers, booleans and None are written by json's C
    encoder (items separated by a newline and the indent of their level); the nesting
    above them here. Dict keys must be text; anything json would treat its own way
    (other types, subclasses, non-finite floats) raises ``_Unusual``: use :mod:`json`.

    Examples
    --------
    >>> doc = {"a": [1, 2.5, None, True], "b": {}, "c": [], "d": {"é": "中"}, "e": [{"f": []}]}
    >>> pretty_json(doc) == json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False)
    True
    """
    out: list[str] = []
    _encode(value, 0, out)
    return "".join(out)


def _flat(level: int, value: Any) -> str:
    """One non-empty container of scalars at indent *level*, through json's C encoder."""
    enc = _FLAT.get(level)
    if enc is None:
        make = getattr(json.encoder, "c_make_encoder", None)
        if make is None:  # a Python without json's C accelerator
            raise _Unusual
        sep = ",\n" + "  " * (level + 1)
        enc = _FLAT[level] = make(None, _refuse, _STR, None, ": ", sep, False, False, False)
    try:
        text = "".join(enc(value, 0))
    except ValueError:  # NaN or infinity
        raise _Unusual from None
    return text[0] + "\n" + "  " * (level + 1) + text[1:-1] + "\n" + "  " * level + text[-1]


def _flat_dicts(items: list[Any]) -> bool:
    """Whether *items* are all non-empty dicts of text keys and scalar values (rows of a table)."""
    return all(
        type(d) is dict
        and d
        and all(type(k) is str for k in d)
        and all(type(x) in _SCALARS for x in d.values())
        for d in items
    )


def _flat_list(level: int, rows: list[dict[str, Any]]) -> str:
    """Write a list of flat dicts at indent *level* in one C-encoder call.

    Encoded with the separator of the dicts' items, then the seams between dicts get the
    list's indent: a newline never occurs inside encoded text (it is escaped), so ``},``
    followed by a newline is always a seam.
    """
    body = _flat(level + 1, rows)  # "[" NL in2 "{" ... "}" "," NL in2 "{" ... "}" NL in1 "]"
    in1, in2 = "\n" + "  " * (level + 1), "\n" + "  " * (level + 2)
    head = "[" + in2 + "{"
    tail = "}" + in1 + "]"
    if not (body.startswith(head) and body.endswith(tail)):
        raise _Unusual
    inner = body[len(head) : -len(tail)].replace("}," + in2 + "{", in1 + "}," + in1 + "{" + in2)
    return "[" + in1 + "{" + in2 + inner + in1 + "}" + "\n" + "  " * level + "]"


def _refuse(value: Any) -> Any:
    raise _Unusual


def _scalar(v: Any) -> str:
    if isinstance(v, str):
        return _STR(v)
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    t = type(v)
    if t is int:
        return int.__repr__(v)
    if t is float and v == v and v not in (_INF, -_INF):
        return float.__repr__(v)
    raise _Unusual  # subclasses of int/float, numpy scalars, NaN, other objects: json's rules


def _encode(v: Any, level: int, out: list[str]) -> None:
    """Append the text of *v* at indent *level*."""
    t = type(v)
    if t is dict:
        items: Any = v.values()
    elif t is list or t is tuple:
        items = v
    else:
        out.append(_scalar(v))
        return
    if not v:
        out.append("{}" if t is dict else "[]")
        return
    if all(type(x) in _SCALARS for x in items):
        if t is dict and not all(type(k) is str for k in v):
            raise _Unusual
        out.append(_flat(level, v))
        return
    if t is list and _flat_dicts(v):
        out.append(_flat_list(level, v))
        return
    inner = "\n" + "  " * (level + 1)
    first = True
    if t is dict:
        for key, item in v.items():
            if type(key) is not str:
                raise _Unusual
            out.append(("{" if first else ",") + inner + _STR(key) + ": ")
            first = False
            _encode(item, level + 1, out)
        out.append("\n" + "  " * level + "}")
        return
    for item in v:
        out.append(("[" if first else ",") + inner)
        first = False
        _encode(item, level + 1, out)
    out.append("\n" + "  " * level + "]")


@dataclass(frozen=True)
class Version:
    """One side of a diff: how it was named, and the git revision it was read from (if any).

    ``revision`` holds ``spec`` (``HEAD~1:layers``), ``commit`` and ``tree`` (full ids).
    """

    label: str
    plan_id: str = ""
    revision: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this side."""
        return {"label": self.label, "plan_id": self.plan_id, "revision": self.revision}


@dataclass(frozen=True)
class FieldChange:
    """One property whose value differs: ``field: old → new`` (``None`` = absent)."""

    field: str
    old: Any
    new: Any

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this change."""
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass
class FeatureChange:
    """A feature added, removed or changed in one layer (matched by ``id``).

    Attributes
    ----------
    status : {"added", "removed", "changed"}
    kind : {"polygon", "line", "point"}
    geometry_changed : bool
        The geometries differ by more than the tolerance (Hausdorff distance, m).
    measures : dict
        Polygons: ``area_a_ha``, ``area_b_ha``, ``area_delta_ha``, ``area_delta_pct``,
        ``hausdorff_m``, ``centroid_moved_m``; lines: ``hausdorff_m``, ``length_a_m``,
        ``length_b_m``, ``length_delta_m``; points: ``moved_m``. Added and removed
        features carry ``area_ha`` or ``length_m``. All in the plan's metric CRS.
    attributes : list of FieldChange
        Every property that differs, ``geometry_basis`` and ``source`` included.
    geom_a, geom_b : shapely geometry or None
        The geometries in EPSG:4326 (None on the side where the feature is absent).
    anchor_a, anchor_b : (lon, lat) or None
        Where an arrow old → new starts and ends (centroid, line midpoint or the point).
    """

    layer: str
    element: str
    id: str
    status: str
    name_zh: str
    name_en: str
    kind: str
    basis_a: str | None
    basis_b: str | None
    geometry_changed: bool = False
    measures: dict[str, float | None] = field(default_factory=dict)
    attributes: list[FieldChange] = field(default_factory=list)
    geom_a: Any = None
    geom_b: Any = None
    anchor_a: tuple[float, float] | None = None
    anchor_b: tuple[float, float] | None = None

    @property
    def schematic(self) -> bool:
        """The feature is schematic on either side (its measures are indicative)."""
        return "schematic" in (self.basis_a, self.basis_b)

    @property
    def basis_change(self) -> str | None:
        """``"up"`` (e.g. schematic → sourced), ``"down"``, or None when the basis is unchanged."""
        if self.status != "changed" or self.basis_a == self.basis_b:
            return None
        rank = {b: i for i, b in enumerate(BASES)}
        return "up" if rank.get(str(self.basis_b), 9) < rank.get(str(self.basis_a), 9) else "down"

    @property
    def source_changed(self) -> bool:
        """The ``source`` property differs."""
        return any(c.field == "source" for c in self.attributes)

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this change (geometries are in the GeoJSON output, not here)."""
        return {
            "layer": self.layer,
            "element": self.element,
            "id": self.id,
            "status": self.status,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "kind": self.kind,
            "geometry_basis": {"a": self.basis_a, "b": self.basis_b},
            "schematic": self.schematic,
            "basis_change": self.basis_change,
            "source_changed": self.source_changed,
            "geometry_changed": self.geometry_changed,
            "measures": dict(self.measures),
            "attributes": [c.to_json() for c in self.attributes],
            "anchor": {"a": _pair(self.anchor_a), "b": _pair(self.anchor_b)},
        }


def _pair(xy: tuple[float, float] | None) -> list[float] | None:
    return None if xy is None else [xy[0], xy[1]]


@dataclass(frozen=True)
class LayerSummary:
    """Counts of one layer: ``status`` is ``both``, ``added`` (only in B) or ``removed`` (only in A)."""

    layer: str
    element: str
    status: str
    features_a: int
    features_b: int
    added: int
    removed: int
    changed: int

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this layer."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class AreaRow:
    """The area of one zone, core or control line in A and B (ha; 0 where it is absent)."""

    layer: str
    element: str
    id: str
    name_zh: str
    name_en: str
    kind: str | None
    area_a_ha: float
    area_b_ha: float
    delta_ha: float
    delta_pct: float | None
    schematic: bool

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this row."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class KindArea:
    """The total area of one control-line kind in A and B (ha)."""

    kind: str
    name_zh: str
    name_en: str
    area_a_ha: float
    area_b_ha: float
    delta_ha: float

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this row."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ZoneMove:
    """A town or park whose zone differs between A and B (``None`` = in no zone)."""

    layer: str
    id: str
    name_zh: str
    name_en: str
    zone_a: str | None
    zone_b: str | None
    zone_a_zh: str | None
    zone_b_zh: str | None
    schematic: bool

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this move."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Transfer:
    """Land that lies in zone ``zone_a`` in A and in zone ``zone_b`` in B (None = no zone).

    ``geometry`` is in EPSG:4326; ``area_ha`` is measured in the metric CRS.
    """

    zone_a: str | None
    zone_b: str | None
    zone_a_zh: str | None
    zone_b_zh: str | None
    area_ha: float
    geometry: Any

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this transfer (its geometry is in the GeoJSON output)."""
        return {k: v for k, v in self.__dict__.items() if k != "geometry"}


@dataclass(frozen=True)
class RuleChange:
    """A rule whose status differs: ``pass``, ``fail``, ``accepted-only`` or None (not in that rule set)."""

    rule_id: str
    severity: str
    title_zh: str
    title_en: str
    status_a: str | None
    status_b: str | None
    violated_a: int
    violated_b: int

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this rule."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class ViolationChange:
    """A violation (rule, feature, related feature) whose measured value moved, or that came or went."""

    rule_id: str
    feature_id: str | None
    related_id: str | None
    unit: str
    measure_a: float | None
    measure_b: float | None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this violation."""
        return dict(self.__dict__)


@dataclass
class RuleDelta:
    """The rule check of A against B (each plan checked with its own ``rules.toml``)."""

    newly_failing: list[RuleChange] = field(default_factory=list)
    newly_passing: list[RuleChange] = field(default_factory=list)
    other: list[RuleChange] = field(default_factory=list)
    measures_moved: list[ViolationChange] = field(default_factory=list)
    violations_added: list[ViolationChange] = field(default_factory=list)
    violations_removed: list[ViolationChange] = field(default_factory=list)
    failing_a: int = 0
    failing_b: int = 0
    rules_a: int = 0
    rules_b: int = 0

    @property
    def changed(self) -> bool:
        """Any rule status, violation or measured value differs."""
        return bool(
            self.newly_failing
            or self.newly_passing
            or self.other
            or self.measures_moved
            or self.violations_added
            or self.violations_removed
        )

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of the rule delta."""
        lists = ("newly_failing", "newly_passing", "other")
        vlists = ("measures_moved", "violations_added", "violations_removed")
        out: dict[str, Any] = {k: [r.to_json() for r in getattr(self, k)] for k in lists}
        out.update({k: [r.to_json() for r in getattr(self, k)] for k in vlists})
        out.update(
            failing_a=self.failing_a, failing_b=self.failing_b, rules_a=self.rules_a, rules_b=self.rules_b
        )
        return out


@dataclass(frozen=True)
class SiteChange:
    """A screened site whose zone, flags or verdict differ between A and B."""

    row: str
    label: str
    changes: tuple[FieldChange, ...]

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of this site."""
        return {"row": self.row, "label": self.label, "changes": [c.to_json() for c in self.changes]}


@dataclass
class SiteDelta:
    """Sites screened against both versions; ``industry`` None means no verdict was computed."""

    sites: int
    industry: str | None
    fields: tuple[str, ...]
    changed: list[SiteChange] = field(default_factory=list)
    data_basis_a: str | None = None
    data_basis_b: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the JSON object of the site delta."""
        return {
            "sites": self.sites,
            "industry": self.industry,
            "fields": list(self.fields),
            "data_basis": {"a": self.data_basis_a, "b": self.data_basis_b},
            "changed": [s.to_json() for s in self.changed],
        }


@dataclass
class PlanDiff:
    """The difference between two versions of a plan (see :func:`lzspatial.diff.diff_plans`)."""

    a: Version
    b: Version
    tolerance_m: float
    metric_crs: str
    layers: list[LayerSummary]
    features: list[FeatureChange]
    manifest: list[FieldChange]
    areas: list[AreaRow]
    area_by_kind: list[KindArea]
    zone_moves: list[ZoneMove]
    transfers: list[Transfer]
    rules: RuleDelta | None
    rules_note: str | None = None
    sites: SiteDelta | None = None

    @property
    def changed(self) -> bool:
        """Anything differs: a feature, the manifest, a rule outcome or a screened site."""
        return bool(
            self.features
            or self.manifest
            or any(la.status != "both" for la in self.layers)
            or (self.rules is not None and self.rules.changed)
            or (self.sites is not None and self.sites.changed)
        )

    def counts(self) -> dict[str, int]:
        """How many features were added, removed, changed in geometry, attributes, basis and source."""
        f = self.features
        return {
            "added": sum(c.status == "added" for c in f),
            "removed": sum(c.status == "removed" for c in f),
            "geometry": sum(c.geometry_changed for c in f),
            "attributes": sum(bool(c.attributes) for c in f if c.status == "changed"),
            "basis": sum(c.basis_change is not None for c in f),
            "source": sum(c.source_changed for c in f),
            "schematic": sum(c.schematic for c in f),
        }

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as plain JSON values (schema ``lzspatial.diff/1``, see ``docs/diff.md``)."""
        return {
            "schema": SCHEMA,
            "changed": self.changed,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "tolerance_m": self.tolerance_m,
            "metric_crs": self.metric_crs,
            "counts": self.counts(),
            "layers": [la.to_json() for la in self.layers],
            "features": [c.to_json() for c in self.features],
            "manifest": [c.to_json() for c in self.manifest],
            "plan": {
                "areas": [r.to_json() for r in self.areas],
                "area_by_kind": [r.to_json() for r in self.area_by_kind],
                "zone_moves": [m.to_json() for m in self.zone_moves],
                "transfers": [t.to_json() for t in self.transfers],
                "rules": None if self.rules is None else self.rules.to_json(),
                "rules_note": self.rules_note,
            },
            "sites": None if self.sites is None else self.sites.to_json(),
        }

    def to_json(self) -> str:
        """Return the diff as deterministic JSON text (2-space indent, UTF-8 characters kept)."""
        with gc_paused():  # many small dicts and strings, nothing to collect
            doc = self.to_dict()
            try:
                return pretty_json(doc) + "\n"
            except _Unusual:  # a value json encodes its own way (or refuses): let it say
                return json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n"

    def __repr__(self) -> str:
        c = self.counts()
        return (
            f"<PlanDiff {self.a.label!r} -> {self.b.label!r}: {c['added']} added, {c['removed']} removed, "
            f"{c['geometry']} geometry, {c['attributes']} attributes, {c['basis']} basis>"
        )
