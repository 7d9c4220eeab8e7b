"""The README documents every setting and every command (a setting without docs fails here)."""

from __future__ import annotations

from pathlib import Path

from attestgraph import config
from attestgraph.cli import parser
from attestgraph.server import settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def test_every_setting_is_documented():
    names = set(config.SETTINGS)
    names |= {line.split("``")[1] for line in settings.__doc__.splitlines() if line.startswith("| ``ATTESTGRAPH")}
    assert len(names) == 12
    for name in names:
        assert f"`{name}`" in README, name


def test_every_command_is_documented():
    commands = parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"attestgraph {name}" in README, name


def test_readme_starts_with_the_two_fresh_machine_commands():
    block = README.split("```bash\n", 1)[1].split("```", 1)[0].strip().splitlines()
    assert len(block) == 2
    assert "attestgraph plan --engagement examples/acme-ai.yaml --out report.html" in block[0]
    assert block[1].endswith(".venv/bin/pytest")
    assert block[1] in (Path(__file__).parents[1] / ".ci" / "run").read_text()
