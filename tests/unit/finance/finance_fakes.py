"""A filing record as the fact selection reads it (the manifest's DocumentRecord has more)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Filing:
    doc_id: str
    form_type: str
    fiscal_year: int
    fiscal_quarter: int | None
    period_end: str
    company: str = "Fabrikam Corp"
