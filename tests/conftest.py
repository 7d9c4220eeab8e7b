"""Shared fixtures: a tiny data root built from tests/data/mini plus the shipped
vocabulary and shapes, and the shipped graph built once per session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attestgraph.graph.sources import DataRoot

MINI = Path(__file__).parent / "data" / "mini"


def make_mini_root(target: Path) -> Path:
    """Copy the mini data set to ``target`` with the real core.ttl and shapes.ttl beside it."""
    shutil.copytree(MINI, target)
    shipped = DataRoot.shipped().ontologies
    for name in ("core.ttl", "shapes.ttl"):
        shutil.copy(shipped / name, target / "ontologies" / name)
    return target


@pytest.fixture
def mini_root(tmp_path) -> Path:
    return make_mini_root(tmp_path / "data")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """An empty ATTESTGRAPH_HOME so no test touches the user's store."""
    folder = tmp_path / "home"
    monkeypatch.setenv("ATTESTGRAPH_HOME", str(folder))
    monkeypatch.delenv("ATTESTGRAPH_STORE", raising=False)
    monkeypatch.delenv("ATTESTGRAPH_DATA", raising=False)
    return folder


@pytest.fixture(scope="session")
def shipped_store():
    """The shipped graph, built once in memory for the whole session, and read-only:
    the tests share it, so one that needs to write makes its own copy
    (``store.copy_to_memory()``) and a write by mistake fails instead of leaking."""
    from attestgraph.graph.embedded import open_embedded

    store, _ = open_embedded(DataRoot.shipped(), memory=True)
    store.writable = False
    return store


@pytest.fixture(scope="session")
def disk_home(tmp_path_factory):
    """One on-disk store for the CLI tests, built on first use like a user's."""
    folder = tmp_path_factory.mktemp("home")
    patch = pytest.MonkeyPatch()
    patch.setenv("ATTESTGRAPH_HOME", str(folder))
    patch.delenv("ATTESTGRAPH_STORE", raising=False)
    patch.delenv("ATTESTGRAPH_DATA", raising=False)
    yield folder
    patch.undo()


@pytest.fixture
def cli(capsys):
    """Run the CLI in-process: ``cli("plan", ...)`` gives (exit code, stdout, stderr)."""
    from attestgraph.cli import main

    def run(*argv):
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return run
