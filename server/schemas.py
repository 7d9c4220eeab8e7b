"""The response bodies of the JSON API, as pydantic models, so ``/openapi.json``
documents every body a route answers.

Fields the query layer computes and the API passes through are declared with their
types; the nested documents of an analysis or an overlap (findings, plans, coverage
tables) are declared as objects and allow extra keys, so a field added in the query
layer is passed on rather than silently dropped.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Open(BaseModel):
    """A document whose keys beyond the declared ones are passed through."""

    model_config = ConfigDict(extra="allow")


class Page(BaseModel, Generic[T]):
    """One page of a list: every list of the API pages this way (``offset``, ``limit``)."""

    total: int = Field(description="how many items the whole list holds")
    offset: int = Field(description="index of the first item of this page")
    limit: int = Field(description="how many items a page holds at most")
    items: list[T]


class Framework(BaseModel):
    slug: str
    title: str
    version: str | None = None
    levels: dict[str, int] = Field(description="requirement counts by level (criterion, clause, ...)")
    requirements: int


class Requirement(BaseModel):
    id: str = Field(description="slug:notation, e.g. soc2:CC6.1")
    framework: str
    notation: str = Field(description="the official id, exactly as cited")
    title: str | None = None
    summary: str | None = None
    level: str | None = None
    parent: str | None = None
    category: str | None = None
    leaf: bool
    mandatory: Any = None
    not_applicable: Any = None


class Control(Open):
    id: str
    label: str | None = None
    definition: str | None = None
    domain: str | None = None
    dependsOn: list[str] = Field(default_factory=list, description="ids of the controls it needs first")
    evidence: list[str] = Field(default_factory=list, description="ids of the evidence types it produces")
    components: list[str] = Field(default_factory=list)


class EvidenceType(Open):
    id: str
    label: str | None = None
    definition: str | None = None
    form: str | None = None
    cadence: str | None = None


class OverlapPair(Open):
    a: str
    b: str
    relationship: str | None = None
    strength: int | None = None
    rationale: str | None = None
    via: Any = None
    kind: str | None = None
    reason: str | None = None
    source: str | None = None


class Overlap(Open):
    """Overlap of two frameworks; the related pairs paged like every other list."""

    a: str
    b: str
    headline: dict[str, Any]
    headline_reverse: dict[str, Any]
    coverage: dict[str, Any]
    coverage_reverse: dict[str, Any]
    pairs: Page[OverlapPair]
    crosswalk_counts: dict[str, Any]
    shared_implementation: list[dict[str, Any]]
    shared_implementation_counts: dict[str, int]
    unique: dict[str, list[str]]


class SharedEvidence(Open):
    frameworks: list[str]
    evidence: list[dict[str, Any]] = Field(description="evidence types ranked by the requirements they serve")


class Explanation(Open):
    x: str
    y: str
    direct: list[dict[str, Any]]
    chains: list[dict[str, Any]]
    inferred: dict[str, Any] | None = None
    shared_implementation: list[dict[str, Any]]


class Analysis(Open):
    """An engagement's findings, gaps and plan: the document the CLI's --format json prints."""

    engagement: str
    as_of: str
    gaps: dict[str, Any]
    findings: list[dict[str, Any]]
    plan: dict[str, Any]
    overlap: dict[str, Any]


class EngagementIds(BaseModel):
    items: list[str]


class StoredEngagement(BaseModel):
    id: str
    graph: str = Field(description="the named graph the engagement is stored in")
