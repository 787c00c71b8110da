"""The README's Python example runs, and its command table matches the CLI."""

from __future__ import annotations

import re

from tests.conftest import REPO, run_cli

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_python_example_runs(monkeypatch):
    block = re.search(r"```python\n(.*?)```", README, re.S).group(1)
    monkeypatch.chdir(REPO)
    namespace: dict = {}
    exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102 - our own documentation
    assert namespace["res"]["verdict"].notna().all()
    assert len(namespace["zones"]) == 4


def test_every_documented_command_exists():
    documented = set(re.findall(r"^\| `lzspatial (\w+)", README, re.M))
    commands = run_cli("--help").stdout.split("Commands:")[1]
    listed = set(re.findall(r"^  (\w+)\s", commands, re.M))
    assert documented == listed


def test_quick_start_has_exactly_two_commands():
    quick = README.split("## Quick start")[1].split("\n## ")[0]
    blocks = re.findall(r"```bash\n(.*?)```", quick, re.S)
    assert len(blocks) == 2
    assert "lzspatial build" in blocks[0] and "pytest" in blocks[1]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert (
        "pip install -e '.[test]' && python -m pytest" in ci
        and "pip install -e '.[test]' && python -m pytest" in blocks[1]
    )
