"""Fixtures for the LangChain-way tests (servers, embedding examples, notebooks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .servers import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a real PostgreSQL started from the Debian package on loopback for this session."""
    with postgres_server() as url:
        yield url
