"""`attestgraph init` and `attestgraph plan --example`: the sample engagement shipped
in the package, reachable without a checkout (the wheel itself: tests/test_packaging.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from attestgraph.commands import sample_engagement

SAMPLE = Path(__file__).parents[1] / "examples" / "acme-ai.yaml"
CliRunner = Callable[..., tuple[int, str, str]]  # the cli fixture (tests/conftest.py)


def test_the_packaged_sample_is_the_checkout_sample() -> None:
    assert sample_engagement().read_text(encoding="utf-8") == SAMPLE.read_text(encoding="utf-8")


def test_init_writes_the_sample_and_never_overwrites(cli: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "client" / "engagement.yaml"
    code, _, err = cli("init", str(tmp_path / "client"))
    assert code == 0 and target.read_text() == SAMPLE.read_text()
    assert f"attestgraph plan --engagement {target}" in err
    target.write_text("edited")
    code, out, err = cli("init", str(tmp_path / "client"))
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "exists" in err and "Traceback" not in err
    assert target.read_text() == "edited"


def test_init_refuses_a_file_as_its_folder(cli: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    code, _, err = cli("init", str(tmp_path / "taken"))
    assert code == 2 and "not a folder" in err


def test_plan_takes_either_an_engagement_or_the_example(cli: CliRunner, capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["plan"], ["plan", "--example", "--engagement", str(SAMPLE)]):
        with pytest.raises(SystemExit) as exit_:
            cli(*argv)
        assert exit_.value.code == 2
    assert "--example" in capsys.readouterr().err
