"""The wheel: built without a setuptools warning, installed into a fresh virtual
environment, and working from there with the data and sample it ships."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# What setuptools prints that is not a warning about this project's configuration.
HARMLESS = ("byte-compiling is disabled",)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The wheel built from a copy of the checkout (no network: no build isolation), and the build's log."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".venv", ".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", "tests", "bench"))
    done = subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(work / "dist"),
                           str(source)], capture_output=True, text=True, timeout=600, check=False)
    log = done.stdout + done.stderr
    assert done.returncode == 0, log[-3000:]
    return next((work / "dist").glob("attestgraph-*.whl")), log


@pytest.mark.slow
def test_the_wheel_builds_without_a_warning(wheel: tuple[Path, str]) -> None:
    _, log = wheel
    warnings = [line for line in log.splitlines()
                if ("warning" in line.lower() or "deprecat" in line.lower() or "would be ignored" in line.lower())
                and not any(ok in line for ok in HARMLESS)]
    assert warnings == [], "\n".join(warnings)


@pytest.mark.slow
def test_the_wheel_holds_the_data_the_sample_and_the_licence(wheel: tuple[Path, str]) -> None:
    path, _ = wheel
    names = set(zipfile.ZipFile(path).namelist())
    for expected in ("attestgraph/examples/acme-ai.yaml", "attestgraph/ontologies/catalog/controls.ttl",
                     "attestgraph/ontologies/frameworks/soc2.ttl", "attestgraph/queries/sparql/controls.rq",
                     "attestgraph/server/static/index.html", "attestgraph/crosswalks/__init__.py"):
        assert expected in names, expected
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(path).read(metadata).decode()
    assert "License-Expression: Apache-2.0" in text
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.split("/")[0] in ("graph", "server", "queries", "examples") for n in names)


@pytest.mark.slow
def test_plan_example_from_a_fresh_install(wheel: tuple[Path, str], tmp_path: Path) -> None:
    """pip install of the wheel into a new venv, then the sample planned from an empty folder."""
    path, _ = wheel
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The dependencies come from this environment (no network); attestgraph itself only
    # from the wheel: a path line in a .pth file adds that folder, not the .pth files in
    # it, so this environment's editable install is not seen.
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    (site / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
                    str(path)], check=True, timeout=300)
    where = subprocess.run([str(python), "-c", "import attestgraph; print(attestgraph.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(site)), where
    empty = tmp_path / "elsewhere"
    empty.mkdir()
    env = dict(os.environ, ATTESTGRAPH_HOME=str(tmp_path / "home"))
    for name in ("ATTESTGRAPH_STORE", "ATTESTGRAPH_DATA", "PYTHONPATH"):
        env.pop(name, None)
    done = subprocess.run([str(venv / "bin" / "attestgraph"), "plan", "--example"], cwd=empty, env=env,
                          capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)
    assert report["engagement"]["id"] == "acme-ai" and report["plan"]["steps"] and report["plan"]["milestones"]
    initialised = subprocess.run([str(venv / "bin" / "attestgraph"), "init", "client"], cwd=empty, env=env,
                                 capture_output=True, text=True, timeout=120, check=False)
    assert initialised.returncode == 0, initialised.stderr
    assert (empty / "client" / "engagement.yaml").read_text() == (ROOT / "examples" / "acme-ai.yaml").read_text()
