"""Open the store a setting names: ``disk`` (default), ``memory`` or ``sparql:URL``."""

from __future__ import annotations

from attestgraph import config
from attestgraph.errors import ConfigurationError
from attestgraph.graph.build import Progress
from attestgraph.graph.sources import DataRoot
from attestgraph.graph.store import GraphStore


def data_root(path: str | None = None) -> DataRoot:
    chosen = path or config.data_setting()
    return DataRoot.at(chosen) if chosen else DataRoot.shipped()


def connect(
    store: str | None = None,
    *,
    data: str | None = None,
    rebuild: bool = False,
    progress: Progress | None = None,
) -> GraphStore:
    """The store named by ``store`` (or ``ATTESTGRAPH_STORE``), built first when needed."""
    setting = store or config.store_setting()
    if setting in ("disk", "memory"):
        from attestgraph.graph.embedded import open_embedded

        opened, _ = open_embedded(data_root(data), memory=setting == "memory", rebuild=rebuild, progress=progress)
        return opened
    if setting.startswith("sparql:"):
        from attestgraph.graph.remote import RemoteStore

        return RemoteStore.from_setting(setting)
    raise ConfigurationError(
        f"store setting {setting!r} is not one of: disk, memory, sparql:QUERY_URL[|UPDATE_URL]"
    )
