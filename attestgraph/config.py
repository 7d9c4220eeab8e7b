"""Settings read from the environment, each documented in the README.

| variable | meaning | default |
|---|---|---|
| ``ATTESTGRAPH_HOME`` | folder for the built embedded store | the user data dir (platformdirs) |
| ``ATTESTGRAPH_STORE`` | ``disk``, ``memory`` or ``sparql:QUERY_URL[|UPDATE_URL]`` | ``disk`` |
| ``ATTESTGRAPH_DATA`` | a data root to build from instead of the shipped data | shipped data |
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

SETTINGS = {
    "ATTESTGRAPH_HOME": "folder for the built embedded store",
    "ATTESTGRAPH_STORE": "disk, memory or sparql:QUERY_URL[|UPDATE_URL]",
    "ATTESTGRAPH_DATA": "a data root (ontologies/, crosswalks/) to build from instead of the shipped data",
}


def home() -> Path:
    configured = os.environ.get("ATTESTGRAPH_HOME")
    return Path(configured) if configured else Path(platformdirs.user_data_dir("attestgraph"))


def store_setting() -> str:
    return os.environ.get("ATTESTGRAPH_STORE", "disk")


def data_setting() -> str | None:
    return os.environ.get("ATTESTGRAPH_DATA") or None
