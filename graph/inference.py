"""Inferred mappings: placeholder replaced in the query-layer work."""

from __future__ import annotations

import pyoxigraph as ox


def materialise_inferred(stage: ox.Store) -> int:
    return 0
