"""Shared fixtures: a tiny data root built from tests/data/mini plus the shipped
vocabulary and shapes, and the shipped graph built once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
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


# -- Virtuoso: a throwaway server on loopback (issue 16) ----------------------------
# One home for starting it: the Virtuoso tests and bench/engines.py (which loads this
# file by path) use start_virtuoso. The Debian package `virtuoso-opensource` is
# installed by .ci/run; a missing server fails the tests, it never skips them.

VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a fresh database's administrator: the db lives only as long as the test

VIRTUOSO_GRANTS = ('GRANT SPARQL_SPONGE TO "SPARQL"; GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL"; '
                   'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";')

_VIRTUOSO_INI = """\
[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{isql}
DisableUnixSocket = 1
MaxClientConnections = 10
CheckpointInterval = 60
CaseMode = 2
AllowOSCalls = 0
; the only folder the server may read or write files in: its own
DirsAllowed = {db}
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
MaxQueryMem = 500M
ThreadsPerQuery = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http}
ServerRoot = {db}
MaxClientConnections = 10
ServerThreads = 10
EnabledDavVSP = 0
HTTPProxyEnabled = 0
Charset = UTF-8
[SPARQL]
; attestgraph reads whole graphs (copy_to_memory, push checks): Virtuoso's default
; cuts answers at 10,000 rows; the remote store refuses a cut answer, so raise it
ResultSetMaxRows = 1000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def _loopback_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def start_virtuoso(folder: Path) -> Iterator[str]:
    """A Virtuoso server with a new database in ``folder``, on free loopback ports;
    yields its base URL (``http://127.0.0.1:PORT``) once it answers, always stopped."""
    import subprocess
    import time

    import httpx

    binary = shutil.which("virtuoso-t")
    if binary is None:
        pytest.fail("virtuoso-t is not installed: apt-get install virtuoso-opensource (.ci/run does)")
    folder.mkdir(parents=True, exist_ok=True)
    http, isql = _loopback_port(), _loopback_port()
    (folder / "virtuoso.ini").write_text(_VIRTUOSO_INI.format(db=folder, isql=isql, http=http))
    base = f"http://127.0.0.1:{http}"
    log = open(folder / "stdout.log", "wb")  # noqa: SIM115  # open as long as the server runs; closed below
    process = subprocess.Popen([binary, "+foreground", "+configfile", str(folder / "virtuoso.ini")],
                               cwd=folder, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise AssertionError(f"virtuoso-t exited with {process.returncode}: "
                                     f"{(folder / 'stdout.log').read_text(errors='replace')[-2000:]}")
            try:
                if httpx.get(base + "/sparql", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"Virtuoso did not answer on {base} in 120 s")
            time.sleep(0.3)
        # As permissive as an operator might make it: the anonymous SPARQL user may
        # sponge (fetch the graphs a query names from the Web) and call SERVICE, so the
        # guard is tested against an engine that would act on what it lets through.
        subprocess.run([shutil.which("isql-vt") or "isql-vt", f"127.0.0.1:{isql}", VIRTUOSO_USER, VIRTUOSO_PASSWORD,
                        "exec=" + VIRTUOSO_GRANTS], check=True, capture_output=True, timeout=60)
        yield base
    finally:
        process.terminate()  # Virtuoso checkpoints and exits on SIGTERM
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def virtuoso_setting(base: str) -> str:
    """The store setting for a Virtuoso at ``base``: the public endpoint to read, the
    authenticated ones to write (credentials from ATTESTGRAPH_STORE_USER/PASSWORD)."""
    return f"sparql:{base}/sparql|{base}/sparql-auth|{base}/sparql-graph-crud-auth"


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory) -> Iterator[str]:
    """One throwaway Virtuoso for the session (starting one takes seconds), empty at start."""
    with start_virtuoso(tmp_path_factory.mktemp("virtuoso")) as base:
        yield base


def open_virtuoso(base: str, timeout: float = 120):
    """A RemoteStore over the Virtuoso at ``base`` that can write (as its administrator)."""
    from attestgraph.graph.remote import RemoteStore

    setting = RemoteStore.from_setting(virtuoso_setting(base))
    return RemoteStore(setting.query_url, setting.update_url, graph_store_url=setting.graph_store_url,
                       user=VIRTUOSO_USER, password=VIRTUOSO_PASSWORD, timeout=timeout)


@pytest.fixture(scope="session")
def virtuoso_shipped(virtuoso, shipped_store) -> str:
    """The session's Virtuoso holding the shipped graph, pushed once by `attestgraph push`'s code."""
    remote = open_virtuoso(virtuoso)
    try:
        remote.push(shipped_store)
    finally:
        remote.close()
    return virtuoso


@pytest.fixture(scope="session")
def virtuoso_writer():
    """``open_virtuoso`` for tests (a fixture, since test modules cannot import conftest)."""
    return open_virtuoso
