"""PDF filings via pypdf (text layer only; scanned filings are reported, not OCR'd)."""

from __future__ import annotations

import logging
import re
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from loaders.base import LoadedDocument, LoadError, Page, page_limit_message
from loaders.tables import split_blocks

log = logging.getLogger(__name__)

# Fewer characters than this across the whole file means there is no usable text layer.
MIN_TEXT_CHARS = 200


def _raised_limits() -> AbstractContextManager[object]:
    """pypdf's element-count guards (100k) trip on some real filings (e.g. two Microsoft 10-Qs);
    retry once with limits 20x higher: still bounded, so a hostile file cannot exhaust memory."""
    import pypdf

    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:
        return nullcontext()
    return apply(
        array_maximum_element_count=2_000_000,
        dictionary_maximum_element_count=2_000_000,
        stream_parsing_work_maximum_count=40_000_000,
    )


def _open(path: Path, strict: bool):
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(str(path), strict=strict)
    except FileNotDecryptedError as exc:
        raise LoadError(f"password-protected PDF ({exc})") from exc
    except (PdfReadError, ValueError, OSError, KeyError, TypeError) as exc:
        raise LoadError(f"corrupt or truncated PDF ({type(exc).__name__}: {exc})") from exc
    if reader.is_encrypted:
        try:
            ok = reader.decrypt("")
        except (NotImplementedError, ImportError) as exc:  # cryptography missing for AES
            raise LoadError(f"encrypted PDF needs the 'cryptography' package ({exc})") from exc
        if not ok:
            raise LoadError("password-protected PDF (a non-empty password is required)")
    return reader


_GAP = re.compile(r"[ \t]{2,}")
_CURRENCY_GAP = re.compile(r"([$€£])\s+(?=[\d(.])")
_PERCENT_GAP = re.compile(r"(?<=[\d)])\s+%")


def tidy_layout(text: str) -> str:
    """Layout-mode text with its alignment padding squeezed to one space, as the plain mode
    spaces words (every parser downstream reads that), a currency sign or percent kept next to
    its figure ("$ 60,584", "9%"), blank lines dropped."""
    lines = (
        _PERCENT_GAP.sub("%", _CURRENCY_GAP.sub(r"\1 ", _GAP.sub(" ", line.strip())))
        for line in text.replace("\xa0", " ").splitlines()
    )
    return "\n".join(line for line in lines if line)


def _page_text(page) -> str:
    """The page's text in layout mode, which keeps each table row on one line ("Operating income
    1,854 1,375 1,450"); the plain mode interleaves cells of financial statements with the labels
    of the next row ("Net earnings attributab / le to ... $ 1,228"). Layout mode returns nothing
    or drops text on some pages (fonts without widths), so the plain text is used whenever layout
    mode lost more than a tenth of the page's characters, or failed."""
    from pypdf.errors import LimitReachedError

    try:
        plain = page.extract_text() or ""
    except LimitReachedError:
        plain = ""  # pypdf's decompression guard; layout mode walks the stream differently
    try:
        layout = tidy_layout(page.extract_text(extraction_mode="layout") or "")
    except (LimitReachedError, ValueError, KeyError, TypeError, AttributeError, ZeroDivisionError):
        return plain
    return layout if _chars(layout) >= 0.9 * _chars(plain) else plain


def _chars(text: str) -> int:
    return len(re.sub(r"\s", "", text))


def _read_pages(path: Path, strict: bool, warnings: list[str], max_pages: int | None = None) -> list[str]:
    from pypdf.errors import LimitReachedError, PdfReadError

    reader = _open(path, strict)
    n = len(reader.pages)
    if max_pages is not None and n > max_pages:
        raise LoadError(page_limit_message(n, max_pages))
    texts: list[str] = []
    failed = 0
    for i in range(n):
        try:
            texts.append(_page_text(reader.pages[i]))
        except (LimitReachedError, PdfReadError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # One unreadable page should not lose the filing; keep its index, say so.
            failed += 1
            texts.append("")
            warnings.append(f"page {i + 1}: {type(exc).__name__}: {exc}")
    if n and failed == n:
        raise LoadError(f"pypdf could not read any page ({warnings[-1]})")
    return texts


def load_pdf(path: Path, max_pages: int | None = None) -> LoadedDocument:
    """Text per page (zero-based index), split into prose and table blocks.

    Raises :class:`LoadError` for encrypted (non-empty password), corrupt, truncated or image-only files.
    """
    from pypdf.errors import LimitReachedError, PdfReadError

    warnings: list[str] = []
    errors: list[str] = []
    texts: list[str] | None = None
    for attempt, strict in enumerate((False, False, True)):
        if attempt == 1 and not any("LimitReachedError" in e for e in errors):
            continue  # the raised-limits retry is only for pypdf's resource guards
        try:
            with _raised_limits() if attempt == 1 else nullcontext():
                texts = _read_pages(path, strict, warnings, max_pages)
            break
        except LoadError as exc:
            errors.append(str(exc))
            texts = None
            if any(final in str(exc) for final in ("password", "cryptography", "per-document limit")):
                break
        except (LimitReachedError, PdfReadError, RecursionError) as exc:
            errors.append(f"pypdf failed ({type(exc).__name__}: {exc})")
            texts = None
    if texts is None:
        raise LoadError(errors[0] if errors else "unreadable PDF")
    if not texts:
        raise LoadError("PDF has no pages")
    if sum(len(t.strip()) for t in texts) < MIN_TEXT_CHARS:
        raise LoadError("no text layer (image-only/scanned PDF; OCR it first)")
    texts = [t.replace("\xa0", " ") for t in texts]
    pages = [Page(index=i, blocks=split_blocks(t)) for i, t in enumerate(texts)]
    return LoadedDocument(path=path, kind="pdf", pages=pages, warnings=warnings)
