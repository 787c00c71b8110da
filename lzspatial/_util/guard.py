"""Outputs never clobber inputs: the inputs of a run, and the check every output goes through.

While an :func:`input_scope` is open (the CLI opens one per command), every file read
through :func:`lzspatial._util.files.check_regular` and every plan folder loaded is
registered with :func:`protect`. :func:`check_output` then refuses an output file or
folder that *is*, *lies inside* or *contains* any registered input, comparing resolved
paths and (device, inode) pairs, so hard links, symlinks and ``..`` do not get around it.
The one atomic writer (:class:`lzspatial._util.atomic.AtomicTarget`) calls it for every
file, so no writer can forget it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from lzspatial.errors import OutputError

__all__ = ["check_output", "check_outputs", "editing", "input_scope", "protect", "protected"]


@dataclass(frozen=True)
class _Input:
    path: Path  # resolved
    ident: tuple[int, int] | None  # (st_dev, st_ino)
    folder: bool
    label: str


_SCOPES: list[list[_Input]] = []


def _ident(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino)


def _resolve(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _make(path: str | os.PathLike[str]) -> _Input:
    p = Path(path)
    return _Input(_resolve(p), _ident(p), p.is_dir(), str(p))


@contextlib.contextmanager
def input_scope() -> Iterator[list[_Input]]:
    """Open a scope in which inputs read are registered (nested scopes see the outer inputs)."""
    _SCOPES.append([])
    try:
        yield _SCOPES[-1]
    finally:
        _SCOPES.pop()


def protect(path: str | os.PathLike[str]) -> None:
    """Register *path* (a file or a folder) as an input of the current scope (no-op outside one)."""
    if _SCOPES:
        item = _make(path)
        if item not in _SCOPES[-1]:
            _SCOPES[-1].append(item)


@contextlib.contextmanager
def editing(folder: str | os.PathLike[str], files: Iterable[str | os.PathLike[str]] = ()) -> Iterator[None]:
    """Let outputs replace *files* in the input folder *folder* for the block (a plan edited on purpose).

    Only the registrations of *folder* and of *files* are lifted; every other input, including
    the other files read inside *folder*, stays protected.
    """
    targets = {_resolve(Path(folder))} | {_resolve(Path(f)) for f in files}
    lifted = [(scope, item) for scope in _SCOPES for item in scope if item.path in targets]
    for scope, item in lifted:
        scope.remove(item)
    try:
        yield
    finally:
        for scope, item in lifted:
            scope.append(item)


def protected() -> list[str]:
    """Return the inputs registered in the open scopes (as given)."""
    return [i.label for scope in _SCOPES for i in scope]


def _ancestors(path: Path) -> Iterator[Path]:
    yield path
    yield from path.parents


def _relation(out: Path, out_ident: tuple[int, int] | None, folder: bool, src: _Input) -> str | None:
    """How output *out* clobbers input *src*: 'is', 'inside', 'contains', or None."""
    if out == src.path or (out_ident is not None and out_ident == src.ident):
        return "is"
    if src.folder:
        if out.is_relative_to(src.path):
            return "inside"
        if src.ident is not None:
            for parent in out.parents:
                if _ident(parent) == src.ident:
                    return "inside"
    if folder:
        if src.path.is_relative_to(out):
            return "contains"
        if out_ident is not None:
            for parent in src.path.parents:
                if _ident(parent) == out_ident:
                    return "contains"
    return None


def check_output(
    path: str | os.PathLike[str],
    *,
    folder: bool = False,
    inputs: Iterable[str | os.PathLike[str]] = (),
    what: str = "output",
) -> None:
    """Refuse an output *path* that is, lies inside or (a *folder*) contains an input.

    The inputs are *inputs* plus those registered in the open :func:`input_scope`.

    Raises
    ------
    OutputError
        Naming the output, the input and what to do.

    Examples
    --------
    >>> try:
    ...     check_output("layers/zones.geojson", inputs=["layers"])
    ... except OutputError as err:
    ...     print(str(err).split(";")[0])
    layers/zones.geojson: the output lies inside the input folder 'layers'
    """
    p = Path(path)
    out, ident = _resolve(p), _ident(p)
    subject = "the output" if what == "output" else what
    everything = [_make(i) for i in inputs] + [i for scope in _SCOPES for i in scope]
    for src in everything:
        rel = _relation(out, ident, folder, src)
        if rel == "is":
            raise OutputError(f"{p}: {subject} would overwrite the input {src.label!r}; choose another file")
        if rel == "inside":
            raise OutputError(
                f"{p}: {subject} lies inside the input folder {src.label!r}; write outputs elsewhere"
            )
        if rel == "contains":
            raise OutputError(
                f"{p}: {subject} (a folder) contains the input {src.label!r}; "
                "choose a folder outside the inputs"
            )


def check_outputs(
    outputs: dict[str, str | os.PathLike[str] | None],
    *,
    inputs: Iterable[str | os.PathLike[str]] = (),
    folders: Iterable[str] = (),
) -> None:
    """Check every named output with :func:`check_output`, and that no two name the same file.

    *outputs* maps what an output is called (``--out``) to its path (None: not written);
    names in *folders* are output folders.
    """
    given = [(name, Path(p)) for name, p in outputs.items() if p is not None and str(p) != "-"]
    inputs = list(inputs)
    folders = set(folders)
    for name, p in given:
        check_output(p, folder=name in folders, inputs=inputs, what=name)
    for i, (name, p) in enumerate(given):
        for name2, p2 in given[i + 1 :]:
            same = _resolve(p) == _resolve(p2) or (_ident(p) is not None and _ident(p) == _ident(p2))
            if same:
                raise OutputError(f"{p}: {name} and {name2} name the same file; choose two files")
