"""Where the embedded store lives on disk, and how a new build replaces the old.

A store is kept in ``HOME/stores/<fingerprint>``, where the fingerprint digests
every source file. When a source changes the fingerprint changes, so the next
command builds a new store: into ``.building-*`` first, then renamed into place
in one step once complete. A build killed half-way leaves only a ``.building-*``
folder that is never opened and is cleared by the next build.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox

from attestgraph import config
from attestgraph.errors import StoreError
from attestgraph.graph.build import BuildReport, Progress, build_stage
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import EmbeddedStore, GraphStore

COMPLETE_MARKER = "attestgraph-complete"


def store_dir(data: DataRoot, home: Path | None = None) -> Path:
    return (home or config.home()) / "stores" / data.fingerprint()


def open_embedded(
    data: DataRoot,
    *,
    memory: bool = False,
    rebuild: bool = False,
    home: Path | None = None,
    progress: Progress | None = None,
) -> tuple[EmbeddedStore, BuildReport | None]:
    """Open the store for ``data``, building it first if it is missing or out of date.

    Returns the store and the build report when a build ran (else ``None``).
    """
    if memory:
        stage, built = build_stage(data, progress=progress)
        return EmbeddedStore(stage, location="memory", writable=True), built
    target = store_dir(data, home)
    report: BuildReport | None = None
    if rebuild or not (target / COMPLETE_MARKER).exists():
        report = _build_on_disk(data, target, rebuild=rebuild, progress=progress)
    try:
        return EmbeddedStore(ox.Store.read_only(str(target)), location=str(target), writable=False), report
    except OSError as exc:
        raise StoreError(f"cannot open store {target}: {exc}") from None


def in_memory(stage: ox.Store) -> GraphStore:
    """A built stage (or any pyoxigraph store in this process) as a writable store."""
    return EmbeddedStore(stage, location="memory", writable=True)


def open_on_disk(folder: str | Path, *, writable: bool = False) -> GraphStore:
    """An on-disk store that already exists (a built store, a snapshot, a checkpoint),
    read-only unless ``writable`` (a writable handle holds the store's lock)."""
    try:
        handle = ox.Store(str(folder)) if writable else ox.Store.read_only(str(folder))
    except OSError as exc:
        raise StoreError(f"cannot open store {folder}: {exc}") from None
    return EmbeddedStore(handle, location=str(folder), writable=writable)


def _build_on_disk(data: DataRoot, target: Path, *, rebuild: bool, progress: Progress | None) -> BuildReport | None:
    stores = target.parent
    stores.mkdir(parents=True, exist_ok=True)
    with _lock(stores / ".build.lock"):
        # Another process may have finished the same build while we waited.
        if not rebuild and (target / COMPLETE_MARKER).exists():
            return None
        stage, report = build_stage(data, progress=progress)
        building = stores / f".building-{target.name}-{os.getpid()}"
        shutil.rmtree(building, ignore_errors=True)
        try:
            disk = ox.Store(str(building))
            disk.bulk_extend(stage.quads_for_pattern(None, None, None, None))
            disk.flush()
            del disk
            (building / COMPLETE_MARKER).write_text(report.fingerprint + "\n")
            retired = None
            if target.exists():
                retired = stores / f".retired-{target.name}-{os.getpid()}"
                os.rename(target, retired)
            os.rename(building, target)
        except OSError as exc:
            shutil.rmtree(building, ignore_errors=True)
            raise StoreError(f"cannot write store under {stores}: {exc}") from None
        _clear_stale(stores, keep=target.name)
        return report


def _clear_stale(stores: Path, keep: str, recent: int = 3) -> None:
    """Remove abandoned half-builds and retired stores, and all but the ``recent`` most
    recently built stores (so switching between the shipped data and a working copy
    does not rebuild every time). Best effort: another reader may still hold one."""
    built = []
    for entry in stores.iterdir():
        if not entry.is_dir() or entry.name == keep:
            continue
        if entry.name.startswith((".building-", ".retired-")):
            shutil.rmtree(entry, ignore_errors=True)
        elif (entry / COMPLETE_MARKER).exists():
            built.append(entry)
    built.sort(key=lambda e: (e / COMPLETE_MARKER).stat().st_mtime, reverse=True)
    for entry in built[recent - 1:]:
        shutil.rmtree(entry, ignore_errors=True)


@contextmanager
def _lock(path: Path) -> Iterator[None]:
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
