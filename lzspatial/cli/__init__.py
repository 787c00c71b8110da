"""The ``lzspatial`` command line: a thin click layer over the library.

Library errors (:class:`~lzspatial.errors.LzSpatialError`) become one line on
stderr and exit code 2, with no traceback. Heavy modules (geopandas, folium)
are imported inside the commands, so ``--help`` and ``--version`` stay fast.

Exit codes: 0 success; 1 ``check`` found error-severity violations;
2 bad input or usage; 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from lzspatial import __version__
from lzspatial._util.text import term_safe
from lzspatial.cli.options import cli_message, load, plan_dir_argument
from lzspatial.errors import LzSpatialError

__all__ = ["cli", "main"]


def _echo_err(message: str) -> None:
    click.echo(term_safe(message), err=True)


def _fail(message: str, code: int = 2) -> NoReturn:
    _echo_err(f"lzspatial: error: {cli_message(message)}")
    raise SystemExit(code)


#: Commands defined in their own modules, imported only when used (or listed by --help).
_LAZY = {
    "check": "lzspatial.cli.check:check",
    "map": "lzspatial.cli.map:map_cmd",
    "export": "lzspatial.cli.export:export",
    "screen": "lzspatial.cli.screen:screen",
    "report": "lzspatial.cli.screen:report",
    "print": "lzspatial.cli.printmap:print_cmd",
    "indicators": "lzspatial.cli.screen:indicators",
    "import": "lzspatial.cli.importing:import_cmd",
    "diff": "lzspatial.cli.diff:diff",
}


class _LazyGroup(click.Group):
    """A group whose commands live in modules that import only click at top level."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self._available()})

    def _available(self) -> list[str]:
        import importlib.util

        return [n for n, ref in _LAZY.items() if importlib.util.find_spec(ref.split(":")[0])]

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _LAZY and name in self._available():
            import importlib

            mod, attr = _LAZY[name].split(":")
            return getattr(importlib.import_module(mod), attr)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="lzspatial")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Spatial-structure planning toolkit for Liaozhong District (辽中区) and plans like it.

    PLAN_DIR is a plan folder with plan.toml, or a PostGIS schema
    (postgresql://…?schema=NAME); without it, the default plan (Liaozhong 2023) is used.
    """
    from lzspatial._util.guard import input_scope

    ctx.with_resource(input_scope())  # every input read is protected from every output


@cli.command()
@plan_dir_argument
def validate(plan_dir: Path | None) -> None:
    """Validate a plan (layers, rules.toml, siting.toml): exit 0, or exit 2 and one line per problem."""
    from lzspatial.errors import RuleError, SchemaError

    try:
        plan = load(plan_dir)
    except SchemaError as err:
        for line in err.problems:
            _echo_err(line)
        _echo_err(f"lzspatial: {len(err.problems)} problem(s) found")
        raise SystemExit(2) from None
    problems = []
    if (plan.path / "rules.toml").exists():
        from lzspatial.rules.engine import validate_rules

        try:
            validate_rules(plan)
        except RuleError as err:
            problems.append(str(err))
    if (plan.path / "siting.toml").exists():
        from lzspatial.rules.siting import load_siting

        try:
            load_siting(plan)
        except RuleError as err:
            problems.append(str(err))
    if problems:
        for line in problems:
            _echo_err(line)
        _echo_err(f"lzspatial: {len(problems)} problem(s) found")
        raise SystemExit(2)
    click.echo(
        term_safe(
            f"{plan.label}: valid ({sum(len(plan[n]) for n in plan.layer_names)} features "
            f"in {len(plan.layer_names)} layers)"
        )
    )


@cli.command()
@plan_dir_argument
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def info(plan_dir: Path | None, as_json: bool) -> None:
    """Layers, feature counts, geometry bases, district area (km², EPSG:4550) and bbox."""
    import json

    plan = load(plan_dir)
    data = plan.info()
    if as_json:
        from lzspatial._util.text import json_term_safe

        click.echo(json_term_safe(json.dumps(data, ensure_ascii=False, indent=2)))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    console.print(f"[bold]{_markup(plan.title_zh)}[/bold]\n{_markup(plan.title_en)}")
    src = plan.source
    console.print(f"source: {_markup(src.get('publisher', ''))}, {_markup(src.get('date', ''))}")
    console.print(f"district area: {data['boundary_area_km2']:,.2f} km² ({plan.metric_crs})")
    from rich import box

    table = Table(
        "layer",
        "n",
        "sourced",
        "derived",
        "schematic",
        "lon",
        "lat",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    for name, d in data["layers"].items():
        b, (x0, y0, x1, y1) = d["geometry_basis"], d["bbox"]
        table.add_row(
            _markup(name),
            str(d["features"]),
            str(b["sourced"]),
            str(b["derived"]),
            str(b["schematic"]),
            f"{x0:.2f}–{x1:.2f}",
            f"{y0:.2f}–{y1:.2f}",
        )
    for col in table.columns:
        col.no_wrap = True
    console.print(table)
    if "key_towns" in data:
        console.print(f"key towns: {data['key_towns']}")
    if "park_kinds" in data:
        console.print("park kinds: " + ", ".join(_markup(k) for k in data["park_kinds"]))


def _markup(text: object) -> str:
    """Escape rich markup and terminal control characters in data text."""
    from rich.markup import escape

    return escape(term_safe(text))


@cli.command()
@plan_dir_argument
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("maps"),
    show_default=True,
    help="Output folder (created if missing).",
)
def build(plan_dir: Path | None, out_dir: Path) -> None:
    """Run the main job: validate, check, and write maps, exports and a summary into OUT.

    Exits 1 (after writing everything) when the check finds an error-severity violation.
    """
    from lzspatial.outputs.build import build_plan

    plan = load(plan_dir)
    result = build_plan(plan, out_dir, echo=lambda s: click.echo(term_safe(s)))
    click.echo(term_safe(f"wrote {len(result.files)} files into {out_dir}"))
    if result.has_errors:
        raise SystemExit(1)  # like `lzspatial check`: the outputs are written, the plan breaks a rule


def _show_warning(message: Warning | str, category: type[Warning], *args: object, **kwargs: object) -> None:
    """Print a warning as one clean line (no source path, no code line)."""
    _echo_err(f"lzspatial: warning: {message}")


def _tolerant_streams() -> None:
    """Let stdout/stderr that are not UTF-8 (``LANG=C``, ``PYTHONIOENCODING=ascii``) escape the rest."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (stream.encoding or "").lower().replace("-", "") != "utf8":
            reconfigure(errors="backslashreplace")


def _flush_stdout() -> None:
    """Flush stdout inside main(), so a full disk or closed pipe is reported, not lost at exit."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        _drop_stdout()
        raise OSError(err.errno, err.strerror, "stdout") from err


def _drop_stdout() -> None:
    """Point stdout at /dev/null so that Python's own flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


class _Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that every writer unwinds and removes its temp files."""


_SIGNALLED: list[int] = []


def _sigterm(signum: int, frame: object) -> None:
    _SIGNALLED.append(signum)  # click turns the KeyboardInterrupt into Abort: remember why
    raise _Terminated


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn library errors into one line and exit code 2."""
    import signal
    import warnings

    warnings.showwarning = _show_warning
    _tolerant_streams()
    previous: Any = None
    try:
        previous = signal.signal(signal.SIGTERM, _sigterm)
    except (ValueError, OSError):  # not the main thread
        pass
    try:
        _run(argv)
    finally:
        if previous is not None:  # leave a host process (a test runner) as it was
            signal.signal(signal.SIGTERM, previous)
        _SIGNALLED.clear()


def _run(argv: list[str] | None) -> None:
    """Run the command line; map every outcome to an exit code (see the module docstring)."""
    import errno

    try:
        from lzspatial.io.limits import MAX_INPUT_BYTES

        MAX_INPUT_BYTES()  # a bad LZSPATIAL_MAX_INPUT_MB is one clear error up front
        cli.main(args=argv, prog_name="lzspatial", standalone_mode=False)
        _flush_stdout()
    except click.exceptions.Abort:
        if _SIGNALLED:
            _fail("terminated (SIGTERM); no output was left half-written", 143)
        _fail("interrupted; no output was left half-written", 130)
    except click.ClickException as err:
        err.show()
        raise SystemExit(err.exit_code) from None
    except LzSpatialError as err:
        _fail(str(err))
    except _Terminated:
        _fail("terminated (SIGTERM); no output was left half-written", 143)
    except KeyboardInterrupt:
        _fail("interrupted; no output was left half-written", 130)
    except BrokenPipeError:
        _drop_stdout()
        raise SystemExit(0) from None
    except SystemExit:
        _flush_stdout_quietly()
        raise
    except OSError as err:  # the system refused: a full disk, a read-only or vanished folder
        if err.errno not in (errno.ENOSPC, errno.EIO, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM):
            _internal(err)
        _drop_stdout()
        where = f"{err.filename}: " if err.filename else ""
        _fail(f"{where}cannot write: {err.strerror or err}")
    except Exception as err:  # a bug: keep the terminal clean, say how to see more
        _internal(err)
    else:
        sys.exit(0)


def _flush_stdout_quietly() -> None:
    try:
        sys.stdout.flush()
    except OSError as err:
        _drop_stdout()
        _fail(f"stdout: cannot write: {err.strerror or err}")


def _internal(err: BaseException) -> NoReturn:
    if os.environ.get("LZSPATIAL_DEBUG"):
        raise err
    text = str(err).splitlines()[0][:300] if str(err) else ""
    _fail(
        f"internal error {type(err).__name__}: {text} "
        "(set LZSPATIAL_DEBUG=1 for the traceback; please report it)",
        3,
    )
