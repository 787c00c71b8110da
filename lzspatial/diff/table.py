"""The terminal view of a diff: rich tables, Chinese-first labels, schematic features marked.

Basis changes (schematic → sourced) come first, then the features per layer, the
areas, the towns and parks that changed zone, the rule check and the sites.
Every data text is escaped for rich markup and terminal control characters.
"""

from __future__ import annotations

from typing import Any

from lzspatial._util.text import term_safe
from lzspatial.diff.model import PlanDiff
from lzspatial.diff.wording import SCHEMATIC_MARK, change_text, label, measure_text, value_text
from lzspatial.plan.labels import DIFF_LABELS, field_label

__all__ = ["print_diff"]

_STATUS_STYLE = {"added": "green", "removed": "red", "changed": "yellow"}


def _m(text: object) -> str:
    from rich.markup import escape

    return escape(term_safe(text))


def _table(*cols: str) -> Any:
    from rich import box
    from rich.table import Table

    table = Table(*cols, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for col in table.columns:
        col.overflow = "fold"  # wrap long names, never cut them
    return table


def _side(v: Any) -> str:
    rev = v.revision
    if rev:
        return f"{_m(rev['spec'])} (commit {rev['commit'][:10]})"
    return _m(v.label)


def print_diff(diff: PlanDiff, console: Any, *, max_rows: int = 200) -> None:
    """Print *diff* on a rich ``Console``; at most *max_rows* rows per table (the JSON has all)."""
    zh, en = DIFF_LABELS["title"]
    console.print(f"[bold]{zh} {en}[/bold]  A = {_side(diff.a)}  →  B = {_side(diff.b)}")
    console.print(
        f"{label('tolerance')}: {diff.tolerance_m:g} m (Hausdorff, {_m(diff.metric_crs)}); "
        f"[italic]{SCHEMATIC_MARK}[/italic]: {DIFF_LABELS['schematic_note'][0]} / "
        f"{DIFF_LABELS['schematic_note'][1]}"
    )
    if not diff.changed:
        console.print(f"[bold green]{label('no_change')}[/bold green]")
        return
    _basis(diff, console)
    _features(diff, console, max_rows)
    _manifest(diff, console)
    _areas(diff, console, max_rows)
    _zone_moves(diff, console, max_rows)
    _rules(diff, console, max_rows)
    _sites(diff, console, max_rows)
    c = diff.counts()
    console.print(
        f"{label('added')} {c['added']} · {label('removed')} {c['removed']} · {label('geometry')} "
        f"{c['geometry']} · {label('attribute')} {c['attributes']} · {label('basis')} {c['basis']} · "
        f"{SCHEMATIC_MARK} {c['schematic']}"
    )


def _basis(diff: PlanDiff, console: Any) -> None:
    rows = [c for c in diff.features if c.basis_change is not None]
    if not rows:
        return
    console.print(f"\n[bold reverse] {label('basis')} [/bold reverse]")
    for c in rows:
        up = c.basis_change == "up"
        colour = "bold green" if up else "bold red"
        word = label("basis_up") if up else label("basis_down")
        src = " · " + label("source") if c.source_changed else ""
        console.print(
            f"  [{colour}]{word}[/{colour}] {_m(c.layer)}/{_m(c.id)} {_m(c.name_zh)}: "
            f"{_m(value_text(c.basis_a))} → [bold]{_m(value_text(c.basis_b))}[/bold]{src}"
        )


def _features(diff: PlanDiff, console: Any, max_rows: int) -> None:
    if not diff.features and all(la.status == "both" for la in diff.layers):
        return
    console.print()
    for la in diff.layers:
        if la.status != "both":
            console.print(f"[bold]{label('layer_' + la.status)}[/bold]: {_m(la.layer)}")
    t = _table(label("layer"), label("feature"), label("change"), label("measure"))
    for c in diff.features[:max_rows]:
        style = _STATUS_STYLE[c.status]
        mark = f" [italic]({SCHEMATIC_MARK})[/italic]" if c.schematic else ""
        t.add_row(
            _m(c.layer),
            f"{_m(c.name_zh)}{mark}\n[dim]{_m(c.id)}[/dim]",
            f"[{style}]{_m(change_text(c))}[/{style}]",
            _m(measure_text(c)),
        )
    console.print(t)
    if len(diff.features) > max_rows:
        console.print(f"… {len(diff.features) - max_rows} more (--format json lists all)")


def _manifest(diff: PlanDiff, console: Any) -> None:
    if not diff.manifest:
        return
    console.print("\nplan.toml:")
    for fc in diff.manifest:
        console.print(f"  {_m(fc.field)}: {_m(value_text(fc.old))} → {_m(value_text(fc.new))}")


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:+.2f} %"


def _areas(diff: PlanDiff, console: Any, max_rows: int) -> None:
    rows = [r for r in diff.areas if r.delta_ha != 0]
    if not rows:
        return
    console.print(f"\n[bold]{label('areas')}[/bold] (ha, {_m(diff.metric_crs)})")
    t = _table(label("feature"), "A", "B", "Δ ha", "Δ %")
    for r in rows[:max_rows]:
        mark = f" ({SCHEMATIC_MARK})" if r.schematic else ""
        t.add_row(
            f"{_m(r.name_zh)}{mark}",
            f"{r.area_a_ha:,.2f}",
            f"{r.area_b_ha:,.2f}",
            f"{r.delta_ha:+,.2f}",
            _pct(r.delta_pct),
        )
    for k in diff.area_by_kind:
        if k.delta_ha != 0:
            t.add_row(
                f"[bold]Σ {_m(k.name_zh)}[/bold]",
                f"{k.area_a_ha:,.2f}",
                f"{k.area_b_ha:,.2f}",
                f"{k.delta_ha:+,.2f}",
                "",
            )
    console.print(t)
    if diff.transfers:
        console.print(f"{label('transfer')}:")
        for tr in diff.transfers[:max_rows]:
            console.print(
                f"  {_m(tr.zone_a_zh or label('no_zone'))} → {_m(tr.zone_b_zh or label('no_zone'))}: "
                f"{tr.area_ha:,.2f} ha"
            )


def _zone_moves(diff: PlanDiff, console: Any, max_rows: int) -> None:
    if not diff.zone_moves:
        return
    console.print(f"\n[bold]{label('zone_moves')}[/bold]")
    t = _table(label("layer"), label("feature"), label("zone_a"), label("zone_b"))
    for mv in diff.zone_moves[:max_rows]:
        mark = f" ({SCHEMATIC_MARK})" if mv.schematic else ""
        t.add_row(
            _m(mv.layer),
            f"{_m(mv.name_zh)}{mark}",
            _m(mv.zone_a_zh or label("no_zone")),
            _m(mv.zone_b_zh or label("no_zone")),
        )
    console.print(t)


def _rules(diff: PlanDiff, console: Any, max_rows: int) -> None:
    r = diff.rules
    if r is None:
        if diff.rules_note:
            console.print(f"\n{_m(diff.rules_note)}")
        return
    console.print(
        f"\n[bold]{label('rules')}[/bold]: A {r.failing_a}/{r.rules_a} fail, B {r.failing_b}/{r.rules_b} fail"
    )
    if not r.changed:
        console.print(f"  {label('no_change')}")
        return
    for key, colour in (("newly_failing", "red"), ("newly_passing", "green")):
        for rc in getattr(r, key)[:max_rows]:
            console.print(
                f"  [{colour}]{label(key)}[/{colour}] {_m(rc.rule_id)} ({_m(rc.severity)}) "
                f"{_m(rc.title_zh)}: {rc.violated_a} → {rc.violated_b}"
            )
    for rc in r.other[:max_rows]:
        console.print(
            f"  {_m(rc.rule_id)}: {_m(value_text(rc.status_a))} → {_m(value_text(rc.status_b))}, "
            f"{rc.violated_a} → {rc.violated_b}"
        )
    for v in r.measures_moved[:max_rows]:
        console.print(
            f"  {label('measure_moved')} {_m(v.rule_id)} {_m(v.feature_id)}/{_m(value_text(v.related_id))}: "
            f"{value_text(v.measure_a)} → {value_text(v.measure_b)} {_m(v.unit)}"
        )


def _sites(diff: PlanDiff, console: Any, max_rows: int) -> None:
    s = diff.sites
    if s is None:
        return
    verdict = "" if s.industry else " (no --industry: zone and flags only, no verdict)"
    console.print(f"\n[bold]{label('sites')}[/bold]: {len(s.changed)} of {s.sites}{verdict}")
    if s.data_basis_a == "schematic" or s.data_basis_b == "schematic":
        console.print(f"  [italic]{SCHEMATIC_MARK}[/italic]: screening answers rest on schematic geometry")
    t = _table(label("site"), label("change"))
    for sc in s.changed[:max_rows]:
        parts = [
            f"{field_label(fc.field)[0]} {fc.field}: {value_text(fc.old)} → {value_text(fc.new)}"
            for fc in sc.changes
        ]
        t.add_row(f"{_m(sc.label)}\n[dim]row {_m(sc.row)}[/dim]", _m("; ".join(parts)))
    if s.changed:
        console.print(t)
