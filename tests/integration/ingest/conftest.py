"""Fixtures for the ingestion tests: small real filings copied into tmp dirs, a CLI runner, and
a writer of minimal hand-made PDFs for the bad-input cases."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

FB = "financebench-dev/pdfs"
SMALL_8K = f"{FB}/FOOTLOCKER_2022_8K_dated-2022-05-20.pdf"  # 4 pages: cheap to embed
EARNINGS = f"{FB}/JOHNSON_JOHNSON_2023Q2_EARNINGS.pdf"


@pytest.fixture
def cli():
    """Invoke `filings ...` in-process (the embedding model stays cached across tests)."""
    from agent.cli import app

    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return run


@pytest.fixture
def small_filing(shared_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    return Path(shutil.copy(shared_data / SMALL_8K, folder))


def write_pdf(path: Path, pages: list[str], big_array: int = 0) -> Path:
    """A minimal valid PDF with one text line per page (Helvetica), optionally carrying an
    array of ``big_array`` integers on the first page to trip pypdf's element-count guard."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_num = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    for text in pages:
        stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_num = len(objects)
        extra = b""
        if big_array and len(kids) == 0:
            extra = b" /Junk [" + b" ".join(b"0" for _ in range(big_array)) + b"]"
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R%s >>" % (font_num, content_num, extra)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


@pytest.fixture
def make_pdf():
    """The minimal-PDF writer above, as a fixture (test modules here are not a package)."""
    return write_pdf
