"""Subcommands beyond build/query/check, registered on the CLI's parser."""

from __future__ import annotations


def register(sub, common) -> None:
    return None
