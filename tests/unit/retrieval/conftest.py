"""Fixtures for the retrieval unit tests (helpers live in retrieval_fakes.py)."""

from __future__ import annotations

import pytest
from retrieval_fakes import sample_documents

from agent.retrieval.manifest import DocumentRecord


@pytest.fixture
def documents() -> list[DocumentRecord]:
    """Registrants and periods as they appear in the shared FinanceBench / sec-10-q filings."""
    return sample_documents()
