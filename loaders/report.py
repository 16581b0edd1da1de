"""What an ingest reports: one result per file, the run's totals, and the progress hooks a
front end (the CLI's bar, the web app's upload) passes in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

Status = Literal["ingested", "replaced", "skipped", "failed", "removed"]


@dataclass
class FileResult:
    path: str
    status: Status
    doc_id: str | None = None
    pages: int = 0
    chunks: int = 0
    seconds: float = 0.0
    message: str = ""


@dataclass
class IngestReport:
    results: list[FileResult] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0

    def _n(self, *status: str) -> int:
        return sum(r.status in status for r in self.results)

    @property
    def ingested(self) -> int:
        return self._n("ingested", "replaced")

    @property
    def skipped(self) -> int:
        return self._n("skipped")

    @property
    def failed(self) -> int:
        return self._n("failed")

    @property
    def removed(self) -> int:
        return self._n("removed")

    @property
    def pages(self) -> int:
        return sum(r.pages for r in self.results if r.status in ("ingested", "replaced"))

    @property
    def chunks(self) -> int:
        return sum(r.chunks for r in self.results if r.status in ("ingested", "replaced"))

    @property
    def chunks_per_s(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return self.failed == 0


class Progress:
    """Hooks the CLI overrides to draw progress; the defaults do nothing."""

    def start(self, files: list[Path]) -> None: ...

    def file_started(self, path: Path) -> None: ...

    def advance(self, pages: int = 0, chunks: int = 0) -> None: ...

    def file_done(self, result: FileResult) -> None: ...

    def warning(self, message: str) -> None: ...


def summary_rows(report: IngestReport) -> dict[str, Any]:
    """Figures for the CLI summary table and benchmarks."""
    return {
        "ingested": report.ingested,
        "skipped": report.skipped,
        "failed": report.failed,
        "removed": report.removed,
        "pages": report.pages,
        "chunks": report.chunks,
        "seconds": round(report.seconds, 1),
        "chunks/s": round(report.chunks_per_s, 1),
    }
