"""Plan indicators: areas, towns and parks per zone, axes, and investment progress.

:func:`indicators` returns a dict of tables (pandas DataFrames) and figures,
all measured in the plan's metric CRS (EPSG:4550):

``areas``
    The core, each zone and each control line: ``area_ha`` and
    ``pct_of_district`` (its area inside the district over the district's area).
``per_zone``
    Per zone (plus ``core`` and ``(outside zones)``): the towns whose point
    lies in it and the parks whose largest part lies in it.
``axes``
    Per axis: ``length_km`` inside the district (and in total).
``towns_to_axes`` and ``town_axis_distance``
    Each town's distance to the nearest axis, and the mean and maximum.
``progress``, ``by_industry``, ``by_zone`` (with projects)
    Projects counted against the plan's ``[targets]``. ``by_zone`` uses the
    same rows as ``per_zone``: each zone, ``core`` and ``(outside zones)``.

Counting projects
-----------------
A project counts when ``investment_rmb`` is at least ``threshold_rmb``
(亿元以上 includes the 100 million itself). The plan's 2023 targets are four
separate work counts: sign 120 projects (签约), land 70 (落地), resume work
on 120 (复工: projects under construction, signed and landed in earlier
years, that resumed work) and put 50 into operation (投产). Signing, landing
and operating form one pipeline, signed → landed → operating, and a
project's ``status`` is the furthest stage it has reached. By default
(``cumulative=True``) an ``operating`` project also counts as landed and
signed, and a ``landed`` one as signed. ``resumed`` is not a stage of that
pipeline: a resumed project counts as resumed only (not as a 2023 signing
or landing, which happened in earlier years). ``cumulative=False`` counts
every project for its own status only. The choice is printed with the
table.

Examples
--------
>>> from lzspatial.plan import load_plan
>>> data = indicators(load_plan())
>>> sorted(data["areas"]["layer"].unique())
['control_lines', 'core', 'zones']
"""

from __future__ import annotations

import io
import json
import os
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from lzspatial._util.text import term_safe
from lzspatial.errors import InputError
from lzspatial.rules.siting import parse_industry
from lzspatial.screening.engine import screen
from lzspatial.screening.sites import read_sites

if TYPE_CHECKING:
    from lzspatial.plan import Plan

__all__ = ["PIPELINE", "STAGES", "format_csv", "format_json", "format_table", "indicators", "read_projects"]

#: Project statuses, in the order of the plan's targets.
STAGES = ("signed", "landed", "resumed", "operating")
#: The cumulative pipeline: a project counts for its own stage and every earlier one.
PIPELINE = ("signed", "landed", "operating")
#: Row of ``by_zone`` / ``per_zone`` for projects, towns and parks in the core (outside every zone).
CORE = "core"
#: Row for those outside every zone and the core.
OUTSIDE = "(outside zones)"


def _areas(plan: Plan, district: Any, district_area: float) -> Any:

    rows = []
    for layer in ("core", "zones", "control_lines"):
        if layer not in plan:
            continue
        f = plan.layer(layer, metric=True)
        inside = shapely.area(shapely.intersection(f.geometry.values, district))
        for (fid, zh, en), geom, a_in in zip(
            f[["id", "name_zh", "name_en"]].itertuples(index=False), f.geometry.values, inside, strict=True
        ):
            rows.append(
                {
                    "layer": layer,
                    "id": fid,
                    "name_zh": zh,
                    "name_en": en,
                    "area_ha": geom.area / 1e4,
                    "pct_of_district": a_in / district_area * 100,
                }
            )
    return pd.DataFrame(rows)


def _per_zone(plan: Plan) -> Any:

    zones = plan.layer("zones", metric=True)
    areas = [(CORE, g) for g in plan.layer("core", metric=True).geometry] if "core" in plan else []
    areas = [(z, g) for z, g in zip(zones["id"], zones.geometry, strict=True)] + areas
    out: dict[str, dict[str, list[str]]] = {zid: {"towns": [], "parks": []} for zid, _ in areas}
    out[OUTSIDE] = {"towns": [], "parks": []}
    towns = plan.layer("towns", metric=True) if "towns" in plan else None
    for tid, pt in zip(towns["id"], towns.geometry, strict=True) if towns is not None else ():
        hit = next((zid for zid, g in areas if g.covers(pt)), OUTSIDE)
        out[hit]["towns"].append(tid)
    parks = plan.layer("parks", metric=True) if "parks" in plan else None
    for pid, pg in zip(parks["id"], parks.geometry, strict=True) if parks is not None else ():
        shares = [shapely.area(shapely.intersection(pg, g)) for _, g in areas]
        hit = areas[int(np.argmax(shares))][0] if shares and max(shares) > 0 else OUTSIDE
        out[hit]["parks"].append(pid)
    return pd.DataFrame(
        [
            {
                "zone_id": k,
                "towns": len(v["towns"]),
                "parks": len(v["parks"]),
                "town_ids": ";".join(v["towns"]),
                "park_ids": ";".join(v["parks"]),
            }
            for k, v in out.items()
        ]
    )


def _axes(plan: Plan, district: Any) -> Any:

    axes = plan.layer("axes", metric=True)
    return pd.DataFrame(
        [
            {
                "id": i,
                "name_zh": zh,
                "name_en": en,
                "length_km_in_district": g.intersection(district).length / 1000,
                "length_km": g.length / 1000,
            }
            for i, zh, en, g in zip(axes["id"], axes["name_zh"], axes["name_en"], axes.geometry, strict=True)
        ]
    )


def _towns_to_axes(plan: Plan) -> tuple[Any, dict[str, Any]]:

    axes = plan.layer("axes", metric=True)
    towns = plan.layer("towns", metric=True)
    rows = []
    for tid, name, pt in zip(towns["id"], towns["name_en"], towns.geometry, strict=True):
        d = [pt.distance(g) for g in axes.geometry]
        k = int(np.argmin(d))
        rows.append({"town_id": tid, "name_en": name, "nearest_axis_id": axes["id"].iloc[k], "dist_m": d[k]})
    table = pd.DataFrame(rows)
    worst = table.iloc[int(np.argmax(table["dist_m"].to_numpy()))] if len(table) else None
    summary = {
        "towns": len(table),
        "mean_m": float(table["dist_m"].mean()) if len(table) else None,
        "max_m": float(worst["dist_m"]) if worst is not None else None,
        "max_town_id": worst["town_id"] if worst is not None else None,
    }
    return table, summary


def read_projects(projects: Any, plan: Plan, crs: str | None = None) -> gpd.GeoDataFrame:
    """Read and check a projects file (or GeoDataFrame) of points.

    Columns ``status`` (signed, landed, resumed, operating), ``industry``
    (an industry chain key or label of the plan) and ``investment_rmb``
    (a number, RMB). Bad values raise one InputError naming every bad row.
    """
    if isinstance(projects, gpd.GeoDataFrame):
        gdf, label = projects.to_crs("EPSG:4326"), "projects"
    else:
        gdf, _ = read_sites(projects, crs=crs)
        label = str(projects)
    missing = [c for c in ("status", "industry", "investment_rmb") if c not in gdf.columns]
    if missing:
        raise InputError(
            f"{label}: missing column(s) {', '.join(missing)}; a projects file needs status, "
            "industry and investment_rmb"
        )
    problems = []
    status = gdf["status"].astype(str).str.strip().str.lower()
    money = pd.to_numeric(gdf["investment_rmb"], errors="coerce")
    chains: list[str | None] = []
    for row, st, ind, amount, raw in zip(
        gdf.index, status, gdf["industry"], money, gdf["investment_rmb"], strict=True
    ):
        if st not in STAGES:
            problems.append(f"row {row}: status {st!r} is not one of {', '.join(STAGES)}")
        if not np.isfinite(amount) or amount < 0:
            problems.append(f"row {row}: investment_rmb {raw!r} is not a non-negative number")
        try:
            chains.append(parse_industry(plan, str(ind)))
        except InputError:
            chains.append(None)
            problems.append(f"row {row}: industry {ind!r} is not an industry chain of the plan")
    if problems:
        more = f"; and {len(problems) - 10} more" if len(problems) > 10 else ""
        raise InputError(f"{label}: {len(problems)} bad value(s): " + "; ".join(problems[:10]) + more)
    out = gdf.copy()
    out["status"], out["industry"], out["investment_rmb"] = status.to_numpy(), chains, money.to_numpy()
    return out


def _progress(plan: Plan, projects: gpd.GeoDataFrame, cumulative: bool) -> dict[str, Any]:

    targets = plan.targets
    threshold = float(targets.get("threshold_rmb", 0))
    big = projects[projects["investment_rmb"] >= threshold]
    status = big["status"].to_numpy(dtype=object)
    zone = _zone_of(big, plan)
    # per stage, the statuses counted for it (see "Counting projects" in the module docstring)
    counted = {s: PIPELINE[PIPELINE.index(s) :] if cumulative and s in PIPELINE else (s,) for s in STAGES}
    hits = {s: np.isin(status, counted[s]) for s in STAGES}

    def counts(mask: np.ndarray) -> dict[str, int]:
        return {s: int(hits[s][mask].sum()) for s in STAGES}

    every = np.ones(len(big), dtype=bool)
    total = counts(every)
    progress = pd.DataFrame(
        [
            {
                "stage": s,
                "target": targets.get(s),
                "count": total[s],
                "pct_of_target": (100.0 * total[s] / targets[s]) if targets.get(s) else None,
            }
            for s in STAGES
        ]
    )
    chains = list(plan.vocabularies.get("industry_chains", {}))
    by_industry = pd.DataFrame([{"industry": c, **counts(big["industry"].to_numpy() == c)} for c in chains])
    zones = [*plan.layer("zones")["id"], *([CORE] if "core" in plan else []), OUTSIDE]
    by_zone = pd.DataFrame([{"zone_id": z, **counts(zone == z)} for z in zones])
    return {
        "threshold_rmb": threshold,
        "cumulative": cumulative,
        "projects": int(len(projects)),
        "below_threshold": int(len(projects) - len(big)),
        "progress": progress,
        "by_industry": by_industry,
        "by_zone": by_zone,
    }


def _zone_of(projects: gpd.GeoDataFrame, plan: Plan) -> np.ndarray:
    """Return each project's zone id, ``core`` or ``(outside zones)``."""
    if not len(projects):
        return np.array([], dtype=object)
    res = screen(projects[["geometry"]], plan)
    zone = res["zone_id"].astype(object).to_numpy().copy()
    missing = res["zone_id"].isna().to_numpy()
    core = res["in_core"].to_numpy(bool)
    zone[missing & core] = CORE
    zone[missing & ~core] = OUTSIDE
    return zone


def indicators(
    plan: Plan, projects: Any = None, *, crs: str | None = None, cumulative: bool = True
) -> dict[str, Any]:
    """Compute the plan's indicators (see the module docstring).

    Parameters
    ----------
    plan : Plan
        The plan.
    projects : path or GeoDataFrame, optional
        Projects (points with ``status``, ``industry``, ``investment_rmb``).
    crs : str, optional
        CRS of the projects file's coordinates (as for :func:`lzspatial.sites.read_sites`).
    cumulative : bool
        Count an operating project also as landed and signed, and a landed
        one as signed (default); resumed projects count as resumed only.

    Returns
    -------
    dict
        Tables (DataFrames) and figures; ``projects`` is None without projects.
    """
    district = plan.boundary_metric
    district_area = district.area
    towns, summary = _towns_to_axes(plan)
    data: dict[str, Any] = {
        "plan": plan.id,
        "metric_crs": plan.metric_crs,
        "district_area_ha": district_area / 1e4,
        "areas": _areas(plan, district, district_area),
        "per_zone": _per_zone(plan),
        "axes": _axes(plan, district),
        "towns_to_axes": towns,
        "town_axis_distance": summary,
        "projects": None,
    }
    if projects is not None:
        data["projects"] = _progress(plan, read_projects(projects, plan, crs), cumulative)
    return data


# ---------------------------------------------------------------- formats


def _tables(data: dict[str, Any]) -> list[tuple[str, Any]]:
    out = [(k, data[k]) for k in ("areas", "per_zone", "axes", "towns_to_axes")]
    if data.get("projects"):
        out += [(k, data["projects"][k]) for k in ("progress", "by_industry", "by_zone")]
    return out


def _scalars(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in ("plan", "metric_crs", "district_area_ha")}
    out["town_axis_distance"] = data["town_axis_distance"]
    if data.get("projects"):
        out["projects"] = {k: v for k, v in data["projects"].items() if not hasattr(v, "to_dict")}
    return out


def format_json(data: dict[str, Any]) -> str:
    """Return the indicators as JSON text (tables as lists of records)."""
    doc = _scalars(data)
    doc["tables"] = {
        name: json.loads(t.to_json(orient="records", double_precision=6)) for name, t in _tables(data)
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def format_csv(data: dict[str, Any]) -> str:
    """Return the indicators as one tidy CSV: table, row key, column, value."""
    rows = [("summary", "", k, v) for k, v in _scalars(data).items() if not isinstance(v, dict)]
    for k, v in data["town_axis_distance"].items():
        rows.append(("town_axis_distance", "", k, v))
    for name, t in _tables(data):
        key = t.columns[0] if name != "areas" else "id"
        for rec in t.to_dict("records"):
            for col, val in rec.items():
                if col != key:
                    rows.append((name, rec[key], col, val))
    buf = io.StringIO()
    pd.DataFrame(rows, columns=["table", "key", "column", "value"]).to_csv(
        buf, index=False, lineterminator="\n"
    )
    return buf.getvalue()


def format_table(data: dict[str, Any], file: Any = None) -> None:
    """Print the indicators as rich tables (to stdout, or *file*)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(file=file, highlight=False, width=int(os.environ.get("COLUMNS", 120)))
    console.print(
        f"[bold]{escape(term_safe(data['plan']))}[/bold]: district "
        f"{data['district_area_ha']:,.1f} ha ({data['metric_crs']})"
    )
    d = data["town_axis_distance"]
    if d["mean_m"] is not None:
        console.print(
            f"towns to the nearest axis: mean {d['mean_m']:,.0f} m, max {d['max_m']:,.0f} m "
            f"({escape(term_safe(d['max_town_id']))})"
        )
    if data.get("projects"):
        p = data["projects"]
        console.print(
            f"projects: {p['projects']} ({p['below_threshold']} below {p['threshold_rmb']:,.0f} RMB, "
            "not counted); counting: "
            + (
                "cumulative (operating also counts as landed and signed, landed as signed; "
                "resumed only as resumed)"
                if p["cumulative"]
                else "current status only"
            )
        )
    for name, t in _tables(data):
        table = Table(*[escape(str(c)) for c in t.columns], title=name)
        for rec in t.itertuples(index=False):
            table.add_row(*[escape(term_safe(_cell(v))) for v in rec])
        console.print(table)


def _cell(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "" if not np.isfinite(v) else f"{v:,.2f}"
    return "" if v is None else str(v)
