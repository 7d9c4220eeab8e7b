"""Where the data files are, what named graph each one fills, and their fingerprint.

The shipped data lives inside the package (``attestgraph.ontologies`` and
``attestgraph.crosswalks``) and is found with :mod:`importlib.resources`, so an
installed wheel and a checkout behave the same. A different data root with the
same layout (``ontologies/``, ``crosswalks/``) can be given instead, which is how
``attestgraph check --data DIR`` validates a copy before it is committed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from attestgraph import vocabulary as v

BUILD_ROOT = "attestgraph.graph.build"


@lru_cache(maxsize=1)
def _origin(module: str) -> str:
    """The source file of an attestgraph module that :func:`build_modules` found."""
    import importlib.util

    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise ImportError(f"no source file for {module}")
    return spec.origin


def build_modules() -> tuple[str, ...]:
    """Every attestgraph module whose code can shape what a build writes: the build
    module and, transitively, each attestgraph module it imports (found by reading
    the imports, so a new helper, or ``attestgraph.vocabulary``, is never left out).
    Their source is part of the fingerprint, so a store built by older code is
    rebuilt even when no data changed."""
    import ast
    import importlib.util

    def spec_file(name: str) -> str | None:
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            return None
        return spec.origin if spec and spec.origin and spec.origin.endswith(".py") else None

    found: dict[str, str] = {}
    pending = [BUILD_ROOT]
    while pending:
        name = pending.pop()
        origin = spec_file(name)
        if name in found or origin is None:
            continue
        found[name] = origin
        tree = ast.parse(Path(origin).read_text(encoding="utf-8"))
        for statement in ast.walk(tree):
            if isinstance(statement, ast.Import):
                pending += [a.name for a in statement.names if a.name.startswith("attestgraph")]
            elif isinstance(statement, ast.ImportFrom) and (statement.module or "").startswith("attestgraph"):
                pending.append(statement.module or "")
                # ``from attestgraph.graph import inference``: the names may be modules.
                pending += [f"{statement.module}.{a.name}" for a in statement.names
                            if spec_file(f"{statement.module}.{a.name}")]
    return tuple(sorted(found))


@dataclass(frozen=True)
class Source:
    """One data file and the named graph it is loaded into."""

    kind: str  # "vocab", "framework", "catalog" or "crosswalk"
    name: str
    path: Path
    graph: str


@dataclass(frozen=True)
class DataRoot:
    """The two folders data is read from."""

    ontologies: Path
    crosswalks: Path

    @classmethod
    def shipped(cls) -> DataRoot:
        return cls(
            ontologies=Path(str(resources.files("attestgraph.ontologies"))),
            crosswalks=Path(str(resources.files("attestgraph.crosswalks"))),
        )

    @classmethod
    def at(cls, root: Path | str) -> DataRoot:
        root = Path(root)
        return cls(ontologies=root / "ontologies", crosswalks=root / "crosswalks")

    @property
    def shapes(self) -> Path:
        return self.ontologies / "shapes.ttl"

    def sources(self) -> list[Source]:
        """Every file the build loads, in load order (vocabulary first)."""
        found = [Source("vocab", "core", self.ontologies / "core.ttl", v.VOCAB_GRAPH)]
        for path in sorted((self.ontologies / "frameworks").glob("*.ttl")):
            found.append(Source("framework", path.stem, path, v.framework_graph(path.stem)))
        for path in sorted((self.ontologies / "catalog").glob("*.ttl")):
            found.append(Source("catalog", path.stem, path, v.catalog_graph(path.stem)))
        for path in sorted(self.crosswalks.glob("*.tsv")):
            found.append(Source("crosswalk", path.stem, path, v.mapping_graph(path.stem)))
        return found

    def fingerprint(self) -> str:
        """A digest of every source file, the shapes and the code of the build."""

        digest = hashlib.sha256()
        for name in build_modules():
            digest.update(name.encode() + b"\0")
            digest.update(Path(_origin(name)).read_bytes())
        for path in [s.path for s in self.sources()] + [self.shapes]:
            digest.update(path.name.encode() + b"\0")
            digest.update(path.read_bytes() if path.exists() else b"<missing>")
            digest.update(b"\0")
        return digest.hexdigest()[:16]
