"""Plan folders from git history: ``HEAD~1:layers`` read with git itself, with no checkout.

:func:`revision_folder` asks ``git rev-parse`` for the tree of ``REV:PATH`` and
the commit of ``REV``, then unpacks that tree with ``git archive`` into a
temporary folder (removed on exit). The working tree, the index and HEAD are
never touched. ``PATH`` is relative to the repository's top level, as git reads
it (``REV:./PATH`` is relative to the current folder).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from lzspatial.errors import PlanFileError

__all__ = ["is_revision", "resolve_revision", "revision_folder"]

#: Seconds any one git command may take.
_TIMEOUT = 120


def is_revision(spec: str) -> bool:
    """Tell whether *spec* names a git revision of a folder (``REV:PATH``) rather than a folder.

    An existing path is always a folder; otherwise a ``:`` after the first character makes it a revision.

    Examples
    --------
    >>> is_revision("HEAD~1:layers"), is_revision("v2023:"), is_revision("layers")
    (True, True, False)
    """
    if Path(spec).exists():
        return False
    return ":" in spec[1:]


def _git(args: list[str], cwd: Path, side: str, spec: str) -> bytes:
    exe = shutil.which("git")
    if exe is None:
        raise PlanFileError(f"{side}: {spec!r}: reading a git revision needs git, which is not installed")
    try:
        proc = subprocess.run(
            [exe, *args], cwd=cwd, capture_output=True, timeout=_TIMEOUT, check=False, env=_env()
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise PlanFileError(f"{side}: {spec!r}: git {args[0]} failed: {err}") from err
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        text = msg[0] if msg else f"exit code {proc.returncode}"
        if "not a git repository" in text:
            raise PlanFileError(
                f"{side}: {spec!r} is not a plan folder, and {cwd} is not in a git repository "
                "(a revision REV:PATH, such as HEAD~1:layers, is read from the repository of the "
                "current folder)"
            )
        raise PlanFileError(
            f"{side}: {spec!r}: not a revision of a folder in this repository (git: {text}); "
            "use REV:PATH with PATH relative to the repository top, e.g. HEAD~1:layers"
        )
    return proc.stdout


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(GIT_TERMINAL_PROMPT="0", LC_ALL="C", GIT_PAGER="cat")
    return env


def resolve_revision(
    spec: str, *, side: str = "A", cwd: str | os.PathLike[str] | None = None
) -> dict[str, str]:
    """Return ``spec``, ``commit`` and ``tree`` (full ids) of the folder revision *spec*.

    Raises
    ------
    PlanFileError
        Not a git repository, an unknown revision, a path that is not a folder at
        that revision, or git missing; the message names the *side*.
    """
    where = Path.cwd() if cwd is None else Path(cwd)
    rev, _, path = spec.partition(":")
    if not rev:
        raise PlanFileError(f"{side}: {spec!r}: no revision before ':'; use REV:PATH, e.g. HEAD~1:layers")
    commit = _git(["rev-parse", "--verify", "--end-of-options", f"{rev}^{{commit}}"], where, side, spec)
    tree_spec = f"{rev}^{{tree}}" if path in ("", ".", "/") else spec
    tree = _git(["rev-parse", "--verify", "--end-of-options", tree_spec], where, side, spec)
    kind = _git(["cat-file", "-t", tree.decode().strip()], where, side, spec).decode().strip()
    if kind != "tree":
        raise PlanFileError(f"{side}: {spec!r}: is a {kind} (a file) at that revision, not a plan folder")
    return {"spec": spec, "commit": commit.decode().strip(), "tree": tree.decode().strip()}


def _safe_name(name: str) -> bool:
    """Tell whether an archive member stays inside the folder (relative, no ``..``)."""
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


@contextlib.contextmanager
def revision_folder(
    spec: str, *, side: str = "A", cwd: str | os.PathLike[str] | None = None
) -> Iterator[tuple[Path, dict[str, str]]]:
    """Unpack the folder revision *spec* (``REV:PATH``) into a temporary folder.

    Yields the folder and the revision (``spec``, ``commit``, ``tree``); the
    folder is removed when the block ends. Only regular files and folders are
    unpacked (symbolic links and other members are skipped).

    Examples
    --------
    In a git checkout of this repository (the working folder must be inside it)::

        with revision_folder("HEAD:layers") as (folder, rev):
            ...  # read the plan in `folder` (rev["commit"] names the commit)
    """
    where = Path.cwd() if cwd is None else Path(cwd)
    rev = resolve_revision(spec, side=side, cwd=where)
    data = _git(["archive", "--format=tar", rev["tree"]], where, side, spec)
    tmp = Path(tempfile.mkdtemp(prefix="lzspatial-diff-"))
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            members = [m for m in tar.getmembers() if (m.isfile() or m.isdir()) and _safe_name(m.name)]
            if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4 (PEP 706)
                tar.extractall(tmp, members=members, filter="data")
            else:  # pragma: no cover - older 3.11: the names are checked above, links are skipped
                tar.extractall(tmp, members=members)
        yield tmp, rev
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
