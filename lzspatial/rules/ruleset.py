"""Rule files: loading and validating ``rules.toml`` into dataclasses.

A rule file holds ``[[rules]]`` and optional ``[[exceptions]]``::

    [[rules]]
    id = "parks-trade-in-trade-zones"
    title_zh = "商贸物流类园区位于商贸物流或开放合作分区"
    title_en = "Trade and logistics parks lie in a trade or opening-up zone"
    severity = "error"                      # error | warning | info
    kind = "must_be_within"
    subject = {layer = "parks", where = "kind in ['bonded_zone', 'logistics_park']"}
    objects = {layer = "zones", where = "functions contains 'trade_logistics'"}
    tolerance_m = 50
    basis = "the sentence of the plan text, or the planning practice"

    [[exceptions]]
    rule = "parks-trade-in-trade-zones"
    feature = "park-x"
    related = "zone-y"                      # optional
    reason = "why the violation is accepted"

``subject``, ``objects`` and ``container`` take one selection or a list of
them (their features are pooled). Every problem raises :class:`RuleError`
naming the file, the rule id and the key. Layers and fields are checked
against a plan with :meth:`RuleSet.validate_for`.
"""

from __future__ import annotations

import math
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lzspatial._util.toml import read_toml
from lzspatial.errors import RuleError
from lzspatial.rules.filters import Filter, parse_filter

__all__ = [
    "KINDS",
    "SEVERITIES",
    "AcceptedException",
    "KindSpec",
    "Rule",
    "RuleSet",
    "Selection",
    "load_rules",
    "parse_rules",
]

SEVERITIES = ("error", "warning", "info")
_ID_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789-_")
_COMMON_KEYS = ("id", "title_zh", "title_en", "severity", "kind", "subject", "basis", "note")


@dataclass(frozen=True)
class KindSpec:
    """What a rule kind needs: selections and numeric or other parameters."""

    selections: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    optional: tuple[tuple[str, Any], ...] = ()
    doc: str = ""


#: Every rule kind, with the keys it takes (besides the common ones).
KINDS: dict[str, KindSpec] = {
    "must_be_within": KindSpec(
        ("objects",),
        (),
        (("tolerance_m", 0.0),),
        "each subject feature is covered by the objects (buffered by tolerance_m)",
    ),
    "must_contain": KindSpec(
        ("objects",),
        (),
        (("min_count", 1),),
        "each subject feature covers at least min_count object features",
    ),
    "must_not_overlap": KindSpec(
        (), (), (("tolerance_m2", 0.0),), "no two subject features overlap by more than tolerance_m2"
    ),
    "must_not_overlap_with": KindSpec(
        ("objects",),
        (),
        (("tolerance_m2", 0.0),),
        "no subject feature overlaps an object by more than tolerance_m2",
    ),
    "must_not_have_gaps": KindSpec(
        ("container",),
        (),
        (("tolerance_m2", 0.0),),
        "the subject features cover the container; gaps up to tolerance_m2 pass",
    ),
    "must_be_within_distance": KindSpec(
        ("objects",), ("distance_m",), (), "each subject feature lies within distance_m of an object"
    ),
    "must_be_farther_than": KindSpec(
        ("objects",),
        ("distance_m",),
        (),
        "each subject feature lies farther than distance_m from every object",
    ),
    "count": KindSpec(
        (),
        (),
        (("exact", None), ("min", None), ("max", None)),
        "the number of subject features (exact, min and/or max)",
    ),
    "attribute_in": KindSpec(
        (),
        ("field",),
        (("values", None), ("vocabulary", None), ("allow_null", False)),
        "a field's values (every item of a list) lie in a domain",
    ),
    "unique": KindSpec((), ("field",), (), "a field's values are unique across the subject features"),
    "valid_geometry": KindSpec((), (), (), "geometry is present, non-empty and valid (OGC)"),
}
_NUMBER_KEYS = {"tolerance_m": "metres", "tolerance_m2": "square metres", "distance_m": "metres"}
_COUNT_KEYS = ("min_count", "exact", "min", "max")
#: Largest value of each measure the engine can compute with (beyond any plan on Earth).
_NUMBER_MAX = {"metres": 1e7, "square metres": 1e14}


@dataclass(frozen=True)
class Selection:
    """Features of one layer, optionally filtered (``{layer = ..., where = ...}``)."""

    layer: str
    where: Filter | None = None
    key: str = "subject"

    @property
    def label(self) -> str:
        """The selection in words, for messages: ``parks where kind == 'x'``."""
        return self.layer if self.where is None else f"{self.layer} where {self.where.text}"


@dataclass(frozen=True)
class Rule:
    """One rule of a rule file."""

    id: str
    title_zh: str
    title_en: str
    severity: str
    kind: str
    subject: tuple[Selection, ...]
    basis: str
    objects: tuple[Selection, ...] = ()
    container: tuple[Selection, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    def param(self, name: str) -> Any:
        """Return parameter *name* (its default when the file leaves it out)."""
        return self.params.get(name, dict(KINDS[self.kind].optional).get(name))

    def selections(self) -> list[Selection]:
        """All selections of the rule: subject, objects, container."""
        return [*self.subject, *self.objects, *self.container]


@dataclass(frozen=True)
class AcceptedException:
    """A violation accepted on purpose (as in ArcGIS Data Reviewer), with its reason."""

    rule: str
    feature: str
    reason: str
    related: str | None = None

    def matches(self, rule_id: str, feature_id: Any, related_id: Any) -> bool:
        """Return whether the exception covers this violation."""
        return (
            rule_id == self.rule
            and feature_id == self.feature
            and (self.related is None or related_id == self.related)
        )


@dataclass(frozen=True)
class RuleSet:
    """A parsed rule file."""

    rules: tuple[Rule, ...]
    exceptions: tuple[AcceptedException, ...] = ()
    source: str = "<rules>"

    def __len__(self) -> int:
        return len(self.rules)

    def validate_for(
        self, fields: Mapping[str, Collection[str]], vocabularies: Mapping[str, Collection[str]] | None = None
    ) -> None:
        """Check layers, fields and vocabularies against the data to be checked.

        Parameters
        ----------
        fields : mapping of str to collection of str
            Layer name -> its field names.
        vocabularies : mapping, optional
            Vocabulary name -> its values (for ``attribute_in`` with ``vocabulary``).

        Raises
        ------
        RuleError
            Naming the rule, the key, the unknown name and the known ones.
        """
        for rule in self.rules:
            where = f"{self.source}: rule {rule.id!r}"
            for sel in rule.selections():
                if sel.layer not in fields:
                    raise RuleError(
                        f"{where}: key '{sel.key}.layer': unknown layer {sel.layer!r}; "
                        f"layers: {', '.join(sorted(fields))}"
                    )
                known = fields[sel.layer]
                for name in sorted(sel.where.fields if sel.where else ()):
                    if name not in known:
                        raise RuleError(
                            f"{where}: key '{sel.key}.where': unknown field {name!r} of layer "
                            f"{sel.layer!r} in filter {sel.where.text!r}; fields: "  # type: ignore[union-attr]
                            f"{', '.join(sorted(known))}"
                        )
            field_name = rule.params.get("field")
            if field_name is not None:
                for sel in rule.subject:
                    if field_name not in fields[sel.layer]:
                        raise RuleError(
                            f"{where}: key 'field': unknown field {field_name!r} of layer "
                            f"{sel.layer!r}; fields: {', '.join(sorted(fields[sel.layer]))}"
                        )
            vocab = rule.params.get("vocabulary")
            if vocab is not None and vocab not in (vocabularies or {}):
                raise RuleError(
                    f"{where}: key 'vocabulary': unknown vocabulary {vocab!r}; the plan has: "
                    f"{', '.join(sorted(vocabularies or {})) or 'none'}"
                )


def load_rules(path: str | os.PathLike[str]) -> RuleSet:
    """Read and validate a rules TOML file.

    Parameters
    ----------
    path : str or path-like
        The rule file (``rules.toml``).

    Returns
    -------
    RuleSet

    Raises
    ------
    RuleError
        The file is missing, is not TOML, or a rule is malformed.

    Examples
    --------
    >>> from lzspatial.plan import default_plan_dir
    >>> rs = load_rules(default_plan_dir() / "rules.toml")
    >>> rs.rules[0].kind
    'count'
    """
    path = Path(path)
    parsed = read_toml(path, RuleError, missing="rule file not found")
    return parse_rules(parsed, source=str(path))


def parse_rules(data: Mapping[str, Any], *, source: str = "<rules>") -> RuleSet:
    """Validate parsed TOML (a dict) and return a :class:`RuleSet`.

    Examples
    --------
    >>> rs = parse_rules({"rules": [{"id": "one-core", "title_zh": "一核", "title_en": "One core",
    ...     "severity": "error", "kind": "count", "subject": {"layer": "core"}, "exact": 1,
    ...     "basis": "one core and four zones"}]})
    >>> rs.rules[0].param("exact"), rs.rules[0].subject[0].label
    (1, 'core')
    """
    if not isinstance(data, Mapping):
        raise RuleError(f"{source}: a rule file must be a TOML table")
    unknown = sorted(set(data) - {"rules", "exceptions", "meta"})
    if unknown:
        raise RuleError(f"{source}: unknown top-level key {unknown[0]!r}; allowed: rules, exceptions, meta")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        raise RuleError(f"{source}: no [[rules]] found; a rule file needs at least one")
    rules: list[Rule] = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_rules, 1):
        rule = _parse_rule(raw, i, source)
        if rule.id in seen:
            raise RuleError(f"{source}: rule {rule.id!r}: key 'id': duplicate rule id; ids must be unique")
        seen.add(rule.id)
        rules.append(rule)
    raw_exc = data.get("exceptions", [])
    if not isinstance(raw_exc, list):
        raise RuleError(f"{source}: 'exceptions' must be an array of tables ([[exceptions]])")
    exceptions = tuple(_parse_exception(e, i, source, seen) for i, e in enumerate(raw_exc, 1))
    return RuleSet(tuple(rules), exceptions, source)


def _text(raw: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
    value = raw.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or not value.strip():
        what = "is missing" if value is None else f"must be a non-empty string, got {value!r}"
        raise RuleError(f"{where}: key {key!r} {what}")
    return value


def _parse_rule(raw: Any, i: int, source: str) -> Rule:
    if not isinstance(raw, Mapping):
        raise RuleError(f"{source}: [[rules]] #{i}: must be a table")
    rid = raw.get("id")
    if not isinstance(rid, str) or not rid or not set(rid) <= _ID_CHARS:
        raise RuleError(
            f"{source}: [[rules]] #{i}: key 'id' must be a slug of a-z, 0-9, '-' and '_', got {rid!r}"
        )
    where = f"{source}: rule {rid!r}"
    kind = _text(raw, "kind", where)
    if kind not in KINDS:
        raise RuleError(f"{where}: key 'kind': unknown kind {kind!r}; use one of: {', '.join(KINDS)}")
    spec = KINDS[kind]
    allowed = {*_COMMON_KEYS, *spec.selections, *spec.required, *(k for k, _ in spec.optional)}
    for key in raw:
        if key not in allowed:
            raise RuleError(
                f"{where}: key {key!r} is not used by kind {kind!r}; its keys: "
                f"{', '.join(k for k in sorted(allowed) if k not in _COMMON_KEYS) or 'none'}"
            )
    severity = _text(raw, "severity", where)
    if severity not in SEVERITIES:
        raise RuleError(f"{where}: key 'severity': {severity!r} is not one of {', '.join(SEVERITIES)}")
    sels = {key: _selections(raw.get(key), key, rid, source) for key in ("subject", *spec.selections)}
    params = {key: _param(raw, key, where) for key in raw if key in {*spec.required, *dict(spec.optional)}}
    for key in spec.required:
        if key not in raw:
            unit = f" (in {_NUMBER_KEYS[key]})" if key in _NUMBER_KEYS else ""
            raise RuleError(f"{where}: key {key!r} is missing; kind {kind!r} needs it{unit}")
    _check_kind_params(kind, params, where)
    return Rule(
        id=rid,
        title_zh=_text(raw, "title_zh", where),
        title_en=_text(raw, "title_en", where),
        severity=severity,
        kind=kind,
        subject=sels["subject"],
        basis=_text(raw, "basis", where),
        objects=sels.get("objects", ()),
        container=sels.get("container", ()),
        params=params,
        note=_text(raw, "note", where, required=False),
    )


def _selections(value: Any, key: str, rid: str, source: str) -> tuple[Selection, ...]:
    where = f"{source}: rule {rid!r}"
    if value is None:
        raise RuleError(
            f'{where}: key {key!r} is missing; give {{layer = "...", where = "..."}} or a list of them'
        )
    items = value if isinstance(value, list) else [value]
    if not items:
        raise RuleError(f"{where}: key {key!r} is an empty list; give at least one selection")
    out = []
    for n, item in enumerate(items):
        k = f"{key}[{n}]" if isinstance(value, list) else key
        if not isinstance(item, Mapping):
            raise RuleError(f"{where}: key {k!r} must be a table {{layer = ..., where = ...}}, got {item!r}")
        extra = sorted(set(item) - {"layer", "where"})
        if extra:
            raise RuleError(f"{where}: key '{k}.{extra[0]}' is unknown; a selection has 'layer' and 'where'")
        layer = item.get("layer")
        if not isinstance(layer, str) or not layer:
            raise RuleError(f"{where}: key '{k}.layer' must name a layer, got {layer!r}")
        flt = item.get("where")
        parsed = None if flt is None else parse_filter(flt, rule_id=rid, key=f"{k}.where", source=source)
        out.append(Selection(layer, parsed, k))
    return tuple(out)


def _param(raw: Mapping[str, Any], key: str, where: str) -> Any:
    value = raw[key]
    if key in _NUMBER_KEYS or key in _COUNT_KEYS:
        integral = key in _COUNT_KEYS
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
        if not ok or value < 0 or (integral and value != int(value)):
            kind = "a whole number" if integral else f"a number of {_NUMBER_KEYS[key]}"
            raise RuleError(f"{where}: key {key!r} must be {kind} >= 0, got {value!r}")
        top = 2**31 if integral else _NUMBER_MAX[_NUMBER_KEYS[key]]
        if value > top:
            unit = "" if integral else f" {_NUMBER_KEYS[key]}"
            raise RuleError(f"{where}: key {key!r} must be at most {top:,.0f}{unit}, got {value!r}")
        return int(value) if integral else float(value)
    if key == "field" or key == "vocabulary":
        return _text(raw, key, where)
    if key == "values":
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: key 'values' must be a non-empty list, got {value!r}")
        for k, item in enumerate(value, 1):
            if not isinstance(item, (str, int, float, bool)) or (
                isinstance(item, float) and not math.isfinite(item)
            ):
                raise RuleError(
                    f"{where}: key 'values' item #{k} must be a string, a number or true/false, got {item!r}"
                )
        return tuple(value)
    if key == "allow_null" and not isinstance(value, bool):
        raise RuleError(f"{where}: key 'allow_null' must be true or false, got {value!r}")
    return value


def _check_kind_params(kind: str, params: dict[str, Any], where: str) -> None:
    if kind == "count":
        if not any(k in params for k in ("exact", "min", "max")):
            raise RuleError(f"{where}: key 'exact' is missing; kind 'count' needs 'exact', 'min' or 'max'")
        if "exact" in params and ("min" in params or "max" in params):
            raise RuleError(f"{where}: key 'exact' cannot be combined with 'min' or 'max'")
        if params.get("min", 0) > params.get("max", math.inf):
            raise RuleError(f"{where}: key 'min' ({params['min']}) is larger than 'max' ({params['max']})")
    if kind == "attribute_in" and ("values" in params) == ("vocabulary" in params):
        raise RuleError(
            f"{where}: key 'values' is missing; kind 'attribute_in' needs exactly one of "
            "'values' (a list) or 'vocabulary' (a vocabulary of the plan)"
        )


def _parse_exception(raw: Any, i: int, source: str, rule_ids: set[str]) -> AcceptedException:
    where = f"{source}: [[exceptions]] #{i}"
    if not isinstance(raw, Mapping):
        raise RuleError(f"{where}: must be a table")
    extra = sorted(set(raw) - {"rule", "feature", "related", "reason"})
    if extra:
        raise RuleError(f"{where}: key {extra[0]!r} is unknown; use rule, feature, related, reason")
    rule = _text(raw, "rule", where)
    if rule not in rule_ids:
        raise RuleError(f"{where}: key 'rule': no rule has id {rule!r}")
    related = raw.get("related")
    if related is not None and not isinstance(related, str):
        raise RuleError(f"{where}: key 'related' must be a feature id string, got {related!r}")
    return AcceptedException(
        rule=rule, feature=_text(raw, "feature", where), reason=_text(raw, "reason", where), related=related
    )
