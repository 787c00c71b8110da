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
        self, violations: gpd.GeoDataFrame, summary: Any, *, plan_id: str, rules_name: str, metric_crs: str
    ) -> None:
        self.violations = violations
        self.summary = summary
        self.plan_id = plan_id
        self.rules_name = rules_name
        self.metric_crs = metric_crs

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
        order = {r.id: i for i, r in enumerate(ruleset.rules)}
        keys = [np.array([str(r[k] or "") for r in rows], dtype=str) for k in ("related_id", "feature_id")]
        keys += [
            np.array([order[r["rule_id"]] for r in rows], dtype=int),
            np.array([_SEVERITY_RANK[r["severity"]] for r in rows], dtype=int),
        ]
        rows = [rows[i] for i in np.lexsort(keys)] if rows else rows
        data = {c: [r[c] for r in rows] for c in VIOLATION_COLUMNS}
        frame = pd.DataFrame(data, columns=list(VIOLATION_COLUMNS), dtype=object)
        frame = frame.astype({"measure": float, "accepted": bool})  # text stays object: None stays None
        violations = gpd.GeoDataFrame(frame, geometry=[r["geometry"] for r in rows], crs=metric_crs)
        violations = violations.to_crs("EPSG:4326")
        total = Counter(r["rule_id"] for r in rows)
        accepted = Counter(r["rule_id"] for r in rows if r["accepted"])
        summary = []
        for rule, n in zip(ruleset.rules, checked, strict=True):
            acc = accepted[rule.id]
            bad = total[rule.id] - acc
            status = "fail" if bad else ("accepted-only" if acc else "pass")
            summary.append(
                (rule.id, rule.severity, rule.kind, rule.title_en, rule.title_zh, status, n, bad, acc)
            )
        name = os.path.basename(ruleset.source)
        return cls(
            violations,
            pd.DataFrame(summary, columns=list(SUMMARY_COLUMNS)),
            plan_id=plan_id,
            rules_name=name,
            metric_crs=metric_crs,
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
