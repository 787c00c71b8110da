"""The result of a rule check: :class:`CheckReport` and how it is shown.

:func:`lzspatial.check.check_plan` returns a :class:`CheckReport`. This
module holds the class and its renderings: deterministic JSON and GeoJSON,
an HTML table for notebooks and a rich table for the terminal. Import it
from :mod:`lzspatial.check`.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd

from lzspatial._util.text import esc, term_safe
from lzspatial.io import feature_collection_text, geometry_to_geojson

if TYPE_CHECKING:
    from lzspatial.rules.context import Found
    from lzspatial.rules.ruleset import RuleSet

__all__ = ["SUMMARY_COLUMNS", "VIOLATION_COLUMNS", "CheckReport"]

#: Columns of :attr:`CheckReport.violations` (besides ``geometry``).
VIOLATION_COLUMNS = (
    "rule_id",
    "severity",
    "title_zh",
    "title_en",
    "layer",
    "feature_id",
    "related_id",
    "measure",
    "unit",
    "message",
    "accepted",
)
#: Columns of :attr:`CheckReport.summary`.
SUMMARY_COLUMNS = (
    "rule_id",
    "severity",
    "kind",
    "title_en",
    "title_zh",
    "status",
    "checked",
    "violated",
    "accepted",
)
_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
_NON_PLAIN = re.compile(r"[^\x20-\x7e\n]")

_SUFFIX = {"m2": " m²", "m": " m", "count": ""}


def format_measure(value: float | None, unit: str) -> str:
    """Format a measure: ``1,234 m²``, ``3.5 m``, ``2``."""
    if value is None or value != value:
        return "unknown"
    text = f"{value:,.1f}" if unit != "count" and 0 < abs(value) < 10 else f"{value:,.0f}"
    return text + _SUFFIX.get(unit, " " + unit)


class _Columns:
    """The violations of every rule, sorted, column by column; messages and geometries made on demand."""

    def __init__(
        self, ruleset: RuleSet, found: list[Found], accepted: list[list[str | None]], *, note: bool = True
    ) -> None:
        order = {r.id: i for i, r in enumerate(ruleset.rules)}
        blocks: dict[tuple[int, int], list[int]] = {}  # rules sorted by severity, then rule order
        for pos, rule in enumerate(ruleset.rules):
            if len(found[pos]):
                blocks.setdefault((_SEVERITY_RANK[rule.severity], order[rule.id]), []).append(pos)
        self.total: Counter[str] = Counter()
        self.accepted_count: Counter[str] = Counter()
        # (rule position, row positions in the rule's columns in sorted order) per block
        self.parts: list[list[tuple[int, Any]]] = []
        for key in sorted(blocks):
            members = blocks[key]
            rel = [str(x or "") for pos in members for x in found[pos].related_ids]
            fid = [str(x or "") for pos in members for x in found[pos].feature_ids]
            perm = np.lexsort((np.array(rel, dtype=str), np.array(fid, dtype=str)))
            sizes = [len(found[pos]) for pos in members]
            owner = np.repeat(np.arange(len(members)), sizes)
            local = np.arange(len(perm)) - np.repeat(np.cumsum([0, *sizes[:-1]]), sizes)
            owner, local = owner[perm], local[perm]
            runs = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
            ends = np.r_[runs[1:], len(owner)]
            self.parts.append([(members[owner[a]], local[a:b]) for a, b in zip(runs, ends, strict=True)])
        for rule, acc in zip(ruleset.rules, accepted, strict=True):
            self.total[rule.id] += len(acc)
            self.accepted_count[rule.id] += sum(r is not None for r in acc)
        self.ruleset, self.found, self.accepted = ruleset, found, accepted
        self.note = note  # append "[accepted: reason]" to the message of accepted violations

    def _pieces(self) -> Any:
        for block in self.parts:
            yield from block

    def keys(self, cols: list[str]) -> pd.DataFrame:
        rule_ids: list[str] = []
        fids: list[Any] = []
        rids: list[Any] = []
        units: list[Any] = []
        measures: list[float] = []
        for pos, rows in self._pieces():
            f = self.found[pos]
            idx = rows.tolist()
            rule_ids += [self.ruleset.rules[pos].id] * len(idx)
            fids += [f.feature_ids[i] for i in idx]
            rids += [f.related_ids[i] for i in idx]
            units += [f.units[i] for i in idx]
            measures += [f.measures[i] for i in idx]
        data = {
            "rule_id": rule_ids,
            "feature_id": fids,
            "related_id": rids,
            "unit": units,
            "measure": measures,
        }
        frame = pd.DataFrame(data, columns=cols, dtype=object)
        return frame.astype({"measure": float})

    def frame(self, metric_crs: str) -> gpd.GeoDataFrame:
        data: dict[str, list[Any]] = {c: [] for c in VIOLATION_COLUMNS}
        geoms: list[Any] = []
        made: dict[int, tuple[list[str], list[Any]]] = {}
        for pos, rows in self._pieces():
            rule, f, acc = self.ruleset.rules[pos], self.found[pos], self.accepted[pos]
            idx = rows.tolist()
            n = len(idx)
            if pos not in made:
                made[pos] = (f.messages(), f.geometries())
            messages, shapes = made[pos]
            data["rule_id"] += [rule.id] * n
            data["severity"] += [rule.severity] * n
            data["title_zh"] += [rule.title_zh] * n
            data["title_en"] += [rule.title_en] * n
            data["layer"] += [f.layers[i] for i in idx]
            data["feature_id"] += [f.feature_ids[i] for i in idx]
            data["related_id"] += [f.related_ids[i] for i in idx]
            data["measure"] += [f.measures[i] for i in idx]
            data["unit"] += [f.units[i] for i in idx]
            data["message"] += [
                messages[i] if acc[i] is None or not self.note else f"{messages[i]} [accepted: {acc[i]}]"
                for i in idx
            ]
            data["accepted"] += [acc[i] is not None for i in idx]
            geoms += [shapes[i] for i in idx]
        frame = pd.DataFrame(data, columns=list(VIOLATION_COLUMNS), dtype=object)
        frame = frame.astype({"measure": float, "accepted": bool})  # text stays object: None stays None
        violations = gpd.GeoDataFrame(frame, geometry=geoms, crs=metric_crs)
        return violations.to_crs("EPSG:4326")


class CheckReport:
    """The result of :func:`~lzspatial.check.check_plan`.

    Attributes
    ----------
    violations : geopandas.GeoDataFrame
        One row per violation, in EPSG:4326, columns :data:`VIOLATION_COLUMNS`
        and ``geometry`` (the overlap or gap, the shortest line of a distance
        rule, or the feature). Measures are in the metric CRS.
    summary : pandas.DataFrame
        One row per rule, columns :data:`SUMMARY_COLUMNS`; ``status`` is
        ``pass``, ``fail`` or ``accepted-only``.
    """

    def __init__(
        self,
        violations: gpd.GeoDataFrame | None,
        summary: Any,
        *,
        plan_id: str,
        rules_name: str,
        metric_crs: str,
        columns: _Columns | None = None,
    ) -> None:
        if violations is None and columns is None:
            raise TypeError("CheckReport needs violations (or their columns)")
        self._violations = violations
        self._columns = columns
        self.summary = summary
        self.plan_id = plan_id
        self.rules_name = rules_name
        self.metric_crs = metric_crs

    @property
    def violations(self) -> gpd.GeoDataFrame:
        """One row per violation (made on first use: a plan diff reads only :meth:`violation_keys`)."""
        if self._violations is None:
            assert self._columns is not None
            self._violations = self._columns.frame(self.metric_crs)
        return self._violations

    @violations.setter
    def violations(self, frame: gpd.GeoDataFrame) -> None:
        self._violations, self._columns = frame, None

    def violation_keys(self) -> pd.DataFrame:
        """Return the violations without messages and geometry (cheap: nothing is drawn or worded).

        Columns ``rule_id``, ``feature_id``, ``related_id``, ``unit`` and ``measure``; the
        same rows in the same order as :attr:`violations`.
        """
        cols = ["rule_id", "feature_id", "related_id", "unit", "measure"]
        if self._columns is None:
            return pd.DataFrame(self.violations[cols])
        return self._columns.keys(cols)

    @classmethod
    def build(
        cls,
        rows: list[dict[str, Any]],
        ruleset: RuleSet,
        checked: list[int],
        *,
        plan_id: str,
        metric_crs: str,
    ) -> CheckReport:
        """Assemble a report from violation rows (metric geometry); sorts deterministically."""
        from lzspatial.rules.context import Found

        found: list[Found] = []
        accepted: list[list[str | None]] = []
        first: dict[str, int] = {}
        for pos, rule in enumerate(ruleset.rules):
            first.setdefault(rule.id, pos)
        for pos in range(len(ruleset.rules)):
            mine = [r for r in rows if first.get(r["rule_id"]) == pos]
            found.append(Found.from_rows(mine))
            accepted.append(["" if r["accepted"] else None for r in mine])  # messages say it already
        if sum(map(len, found)) != len(rows):
            raise ValueError("violation rows name rules that are not in the rule set")
        return cls._assemble(
            _Columns(ruleset, found, accepted, note=False), ruleset, checked, plan_id, metric_crs
        )

    @classmethod
    def from_found(
        cls,
        found: list[Found],
        accepted: list[list[str | None]],
        ruleset: RuleSet,
        checked: list[int],
        *,
        plan_id: str,
        metric_crs: str,
    ) -> CheckReport:
        """Assemble a report from each rule's violations (:class:`~lzspatial.rules.context.Found`).

        *accepted* holds, per rule and violation, the reason of the accepted exception that
        covers it (None: open). Rows are sorted by severity, rule order, feature and related id.
        """
        return cls._assemble(_Columns(ruleset, found, accepted), ruleset, checked, plan_id, metric_crs)

    @classmethod
    def _assemble(
        cls, columns: _Columns, ruleset: RuleSet, checked: list[int], plan_id: str, metric_crs: str
    ) -> CheckReport:
        summary = []
        for rule, n in zip(ruleset.rules, checked, strict=True):
            acc = columns.accepted_count[rule.id]
            bad = columns.total[rule.id] - acc
            status = "fail" if bad else ("accepted-only" if acc else "pass")
            summary.append(
                (rule.id, rule.severity, rule.kind, rule.title_en, rule.title_zh, status, n, bad, acc)
            )
        name = os.path.basename(ruleset.source)
        return cls(
            None,
            pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)),
            plan_id=plan_id,
            rules_name=name,
            metric_crs=metric_crs,
            columns=columns,
        )

    @property
    def has_errors(self) -> bool:
        """Whether any error-severity violation is not accepted."""
        v = self.violations
        return bool(((v["severity"] == "error") & ~v["accepted"]).any())

    def totals(self) -> dict[str, int]:
        """Count open violations per severity, accepted ones, and rules."""
        v = self.violations
        out = {sev: int(((v["severity"] == sev) & ~v["accepted"]).sum()) for sev in _SEVERITY_RANK}
        out["accepted"] = int(v["accepted"].sum())
        out["rules"] = len(self.summary)
        out["failed_rules"] = int((self.summary["status"] == "fail").sum())
        return out

    def _records(self) -> list[dict[str, Any]]:
        recs = self.violations.drop(columns="geometry").to_dict("records")
        for rec in recs:
            m = rec["measure"]
            rec["measure"] = None if m is None or math.isnan(m) else round(float(m), 3)
            rec["accepted"] = bool(rec["accepted"])
            for k in ("feature_id", "related_id"):
                if isinstance(rec[k], float) and math.isnan(rec[k]):
                    rec[k] = None
        return recs

    def to_json(self, precision: int = 6) -> str:
        """Return the report as deterministic JSON text (keys sorted; geometry as GeoJSON in EPSG:4326)."""
        import json

        viols = []
        for rec, geom in zip(self._records(), self.violations.geometry.values, strict=True):
            rec["geometry"] = json.loads(geometry_to_geojson(geom, precision))
            viols.append(rec)
        summary = [
            {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
            for row in self.summary.to_dict("records")
        ]
        doc = {
            "plan": self.plan_id,
            "rules": self.rules_name,
            "measures_crs": self.metric_crs,
            "has_errors": self.has_errors,
            "totals": self.totals(),
            "summary": summary,
            "violations": viols,
        }
        text = json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True, allow_nan=False)
        return _json_safe(text) + "\n"

    def to_geojson(self, precision: int = 6) -> str:
        """Return the violations as an RFC 7946 FeatureCollection (text)."""
        rows = zip(self._records(), self.violations.geometry.values, strict=True)
        return _json_safe(feature_collection_text(rows, precision=precision, name="violations"))

    def __repr__(self) -> str:
        t = self.totals()
        return (
            f"<CheckReport {self.plan_id!r}: {t['rules']} rules, {t['failed_rules']} failed; "
            f"{t['error']} errors, {t['warning']} warnings, {t['info']} info, {t['accepted']} accepted>"
        )

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{esc(r.status)}</td><td>{esc(r.severity)}</td><td>{esc(r.rule_id)}</td>"
            f"<td>{esc(r.title_en)}<br>{esc(r.title_zh)}</td><td>{r.checked}</td><td>{r.violated}</td>"
            f"<td>{r.accepted}</td></tr>"
            for r in self.summary.itertuples()
        )
        vrows = "".join(
            f"<tr><td>{esc(r['severity'])}</td><td>{esc(r['rule_id'])}</td><td>{esc(r['layer'])}</td>"
            f"<td>{esc(r['feature_id'])}</td><td>{esc(r['related_id'] or '')}</td>"
            f"<td>{esc(format_measure(r['measure'], r['unit']))}</td><td>{esc(r['message'])}</td></tr>"
            for r in self._records()[:500]
        )
        head = "".join(
            f"<th>{h}</th>" for h in ("severity", "rule", "layer", "feature", "related", "measure", "message")
        )
        return (
            f"<div><b>{esc(repr(self))}</b><table><thead><tr><th>status</th><th>severity</th>"
            "<th>rule</th><th>title</th><th>checked</th><th>violated</th><th>accepted</th></tr></thead>"
            f"<tbody>{rows}</tbody></table><table><thead><tr>{head}</tr></thead><tbody>{vrows}</tbody>"
            "</table></div>"
        )

    def print_table(
        self, console: Any, max_rows: int = 200, *, more_hint: str = "see to_json() for all"
    ) -> None:
        """Print the report with rich: rule statuses, then violations grouped by severity.

        Past *max_rows* violations of a severity, one line says how many more, and *more_hint*.

        A console narrower than 120 columns lists only the rules that did not
        pass, and each violation as a short block instead of a table row.
        """
        from rich.table import Table

        wide = console.width >= 120
        console.print(
            f"[bold]Rule check of plan {_markup(self.plan_id)}[/bold] ({_markup(self.rules_name)}; "
            f"measures in {_markup(self.metric_crs)})"
        )
        if wide:
            table = Table("status", "severity", "rule", "checked", "violated", "accepted", "kind", "title")
            for r in self.summary.itertuples():
                table.add_row(
                    f"[{_COLOUR[r.status]}]{_markup(r.status)}[/]",
                    _markup(r.severity),
                    _markup(r.rule_id),
                    str(r.checked),
                    str(r.violated),
                    str(r.accepted),
                    _markup(r.kind),
                    _markup(r.title_en),
                )
            console.print(table)
        else:
            console.print(f"{int((self.summary.status == 'pass').sum())} of {len(self.summary)} rule(s) pass")
            for r in self.summary[self.summary.status != "pass"].itertuples():
                console.print(
                    f"[{_COLOUR[r.status]}]{_markup(r.status)}[/] {_markup(r.severity)} "
                    f"{_markup(r.rule_id)}: {r.violated} of {r.checked} violated, "
                    f"{r.accepted} accepted"
                )
        recs = self._records()
        for sev in _SEVERITY_RANK:
            mine = [r for r in recs if r["severity"] == sev]
            if mine:
                _print_violations(console, sev, mine[:max_rows], wide)
            if len(mine) > max_rows:
                console.print(f"... and {len(mine) - max_rows} more {sev} violation(s); {more_hint}")
        t = self.totals()
        console.print(
            f"{t['error']} error(s), {t['warning']} warning(s), {t['info']} info, "
            f"{t['accepted']} accepted; {t['failed_rules']} of {t['rules']} rules failed"
        )


_COLOUR = {"fail": "red", "pass": "green", "accepted-only": "yellow"}
_SEV_STYLE = {"error": "bold red", "warning": "bold yellow", "info": "bold blue"}


def _markup(text: Any) -> str:
    """Escape data text for rich: markup and terminal control characters."""
    from rich.markup import escape

    return escape(term_safe("" if text is None else text))


def _print_violations(console: Any, sev: str, recs: list[dict[str, Any]], wide: bool) -> None:
    from rich.table import Table

    title = f"[{_SEV_STYLE[sev]}]{sev}[/]: {len(recs)} violation(s)"
    if not wide:
        console.print(title)
        for r in recs:
            mark = " (accepted)" if r["accepted"] else ""
            console.print(
                f"  [bold]{_markup(r['rule_id'])}[/bold]  {_markup(r['feature_id'] or '-')}  "
                f"{_markup(format_measure(r['measure'], r['unit']))}{mark}"
            )
            console.print(f"    {_markup(r['message'])}")
        return
    vt = Table("rule", "layer", "feature", "related", "measure", "message", title=title, title_justify="left")
    for r in recs:
        vt.add_row(
            _markup(r["rule_id"]),
            _markup(r["layer"]),
            _markup(r["feature_id"]),
            _markup(r["related_id"]),
            _markup(format_measure(r["measure"], r["unit"])),
            _markup(r["message"]),
        )
    console.print(vt)


def _json_safe(text: str) -> str:
    r"""Escape control and bidi characters inside JSON text as ``\uXXXX`` (stays valid JSON)."""
    import unicodedata

    def sub(match: re.Match[str]) -> str:
        ch = match.group()
        if unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp"):
            return ch
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"
        return f"\\u{code:04x}"

    return _NON_PLAIN.sub(sub, text)
