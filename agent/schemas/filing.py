"""Where a passage comes from: a filing's identifying fields, a chunk's metadata, a question's scope.

Chroma metadata must be flat scalars with no ``None``: :meth:`ChunkMetadata.to_store` /
:meth:`ChunkMetadata.from_store` are the only translation between the two.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Literal

from pydantic import BaseModel, Field

FormType = Literal["10-K", "10-K/A", "10-Q", "10-Q/A", "8-K", "EARNINGS", "OTHER"]


@dataclass(kw_only=True)
class FilingFields:
    """What identifies a filing: the fields read from sidecars, XBRL and covers (``FilingMeta``) and
    stored per document in the manifest (``DocumentRecord``). Keyword-only, so a subclass may put
    its own required fields first. :class:`ChunkMetadata` carries the same names on every chunk."""

    company: str | None = None
    ticker: str | None = None
    cik: str | None = None
    form_type: str | None = None
    fiscal_year: int | None = None
    fiscal_quarter: int | None = None
    period_end: str | None = None
    accession: str | None = None
    amends: str | None = None

    def filing_fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FILING_FIELDS}


FILING_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(FilingFields))


def period_label(fiscal_year: int | None, fiscal_quarter: int | None) -> str:
    """A filing's period as it names it: 'FY2023 Q3', 'FY2022', or '?' when the year is unknown."""
    if fiscal_year is None:
        return "?"
    return f"FY{fiscal_year}" + (f" Q{fiscal_quarter}" if fiscal_quarter else "")


class ChunkMetadata(BaseModel):
    """Everything known about where a chunk came from."""

    doc_id: str = Field(description="Accession number when known, else 'sha256:<hex>' of the file bytes.")
    source_path: str = Field(description="Absolute path of the ingested file.")
    company: str | None = Field(default=None, description="Registrant name, e.g. 'Apple Inc.'.")
    ticker: str | None = None
    cik: str | None = None
    form_type: str | None = Field(default=None, description="One of FormType.")
    fiscal_year: int | None = Field(default=None, description="Fiscal year as the filing names it.")
    fiscal_quarter: int | None = Field(default=None, description="1-4 for quarterly reports, else None.")
    period_end: str | None = Field(default=None, description="ISO date of the period end.")
    accession: str | None = None
    amends: str | None = Field(default=None, description="doc_id of the filing this one amends (10-K/A).")
    page: int = Field(default=0, description="Zero-based page index (evaluation).")
    section: str | None = Field(
        default=None, description='e.g. "Item 7. Management\'s Discussion and Analysis".'
    )
    item: str | None = Field(
        default=None, description="Normalised Item id, e.g. '7', '1A'; None outside Items."
    )
    part: str | None = Field(default=None, description="'I' / 'II' for 10-Q parts when known.")
    chunk_index: int = Field(default=0, description="Position of the chunk within its document.")
    is_table: bool = False
    flagged: str | None = Field(
        default=None,
        description="Set when the chunk holds text addressed to the reader or a model (a prompt-injection "
        "cue, see agent.injection): such sentences are shown as removed and are never evidence.",
    )

    @property
    def page_number(self) -> int:
        """1-based page number for display."""
        return self.page + 1

    @property
    def period_label(self) -> str:
        return period_label(self.fiscal_year, self.fiscal_quarter)

    def to_store(self) -> dict[str, str | int | float | bool]:
        return {k: v for k, v in self.model_dump().items() if v is not None}

    @classmethod
    def from_store(cls, meta: dict[str, Any]) -> ChunkMetadata:
        return cls.model_validate({k: v for k, v in meta.items() if k in cls.model_fields})


class Chunk(BaseModel):
    id: str = Field(description="Stable id: '<doc_id>::<chunk_index>'.")
    text: str
    metadata: ChunkMetadata


class ScoredChunk(BaseModel):
    chunk: Chunk
    score: float = Field(description="Score of the last stage that ranked it (higher is better).")
    stage_scores: dict[str, float] = Field(
        default_factory=dict, description="e.g. {'dense': .., 'bm25': .., 'rrf': ..}"
    )

    @property
    def id(self) -> str:
        return self.chunk.id


class Scope(BaseModel):
    """Which filings a question is about; applied as a hard pre-filter (fails closed)."""

    companies: list[str] = Field(
        default_factory=list, description="Canonical company names as stored in the index."
    )
    fiscal_years: list[int] = Field(default_factory=list)
    quarters: list[int] = Field(default_factory=list)
    form_types: list[str] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list, description="Normalised Item ids, e.g. ['7'].")
    sections: list[str] = Field(
        default_factory=list,
        description="Section labels the question names ('Part II, Item 1. Legal Proceedings'): their "
        "passages are searched on their own as well, so that they reach the candidates.",
    )
    doc_ids: list[str] = Field(
        default_factory=list,
        description="Documents the scope resolves to; empty with status 'ok' means unscoped.",
    )
    status: Literal["ok", "unscoped", "no_match"] = "unscoped"
    reason: str = Field(default="", description="Human-readable explanation, esp. for no_match.")
    assumptions: list[str] = Field(
        default_factory=list,
        description="What resolving the scope had to assume (a fiscal year named differently by the filer, "
        "a later report's comparatives); an accepted answer states them.",
    )
    source: dict[str, str] = Field(
        default_factory=dict, description="How each part was found: 'parsed', 'llm', 'inherited'."
    )

    @property
    def is_empty(self) -> bool:
        return not (self.companies or self.fiscal_years or self.quarters or self.form_types or self.items)
