"""Text encodings of files that do not say theirs.

UTF-8 is tried first and strictly; anything else is detected with charset-normalizer (a
maintained detector) instead of being decoded with U+FFFD replacements, which silently turns a
cp1252 "€" or "é" into "?". A decode that still has to replace bytes says how many.
"""

from __future__ import annotations

import re

# An encoding the HTML declares for itself (<meta charset>, http-equiv, or an XML declaration).
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def declared_encoding(head: bytes) -> str | None:
    m = _DECLARED.search(head)
    return m.group(1).decode("ascii", "replace") if m else None


def detect(raw: bytes) -> tuple[str, str | None]:
    """(encoding, warning) for bytes that are not valid UTF-8 or are; warning says what was assumed."""
    try:
        raw.decode("utf-8")
        return "utf-8-sig" if raw.startswith(b"\xef\xbb\xbf") else "utf-8", None
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw[: 1 << 20]).best()
    if best is not None and best.encoding:
        encoding = str(best.encoding)
        try:
            raw.decode(encoding)
            return encoding, f"not UTF-8: decoded as {encoding} (detected)"
        except (UnicodeDecodeError, LookupError):
            pass
    return "utf-8", None


def decode(raw: bytes) -> tuple[str, str | None]:
    """The text of ``raw`` and a warning when it was not UTF-8 or could not be decoded losslessly."""
    encoding, warning = detect(raw)
    try:
        return raw.decode(encoding), warning
    except UnicodeDecodeError:
        text = raw.decode("utf-8", errors="replace")
        lost = text.count("\ufffd") - raw.decode("utf-8", errors="ignore").count("\ufffd")
        return text, f"lossy decode: {lost} byte sequence(s) in no detectable encoding replaced by U+FFFD"
