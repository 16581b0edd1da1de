"""filings-agent: building blocks (no graph wiring) of a cited research assistant for SEC filings."""

__version__ = "0.1.0"
