"""Filing metadata from, in order of trust: a sidecar the user provides, inline-XBRL cover facts,
the cover-page text, then the file name. Every field records which source it came from.

Sidecars (documented in the README):

* ``<file>.meta.json`` beside the file, e.g. ``{"company": "Apple Inc.", "form_type": "10-Q",
  "fiscal_year": 2023, "fiscal_quarter": 3}``;
* or ``metadata.csv`` in the file's folder with a ``file`` column (the file name) and any of the
  columns ``company, ticker, cik, form_type, fiscal_year, fiscal_quarter, period_end, accession, amends``.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from agent.schemas import FILING_FIELDS, FilingFields
from agent.text import MONTHS_RE

_INT_FIELDS = {"fiscal_year", "fiscal_quarter"}


class MetadataError(ValueError):
    """A sidecar the user wrote is malformed."""


@dataclass
class FilingMeta(FilingFields):
    """The filing fields found so far, and which source gave each one."""

    sources: dict[str, str] = field(default_factory=dict)

    def fill(self, values: dict[str, Any], source: str) -> None:
        """Set fields still unknown from ``values`` (earlier sources win)."""
        for key, value in values.items():
            if key in FILING_FIELDS and value not in (None, "") and getattr(self, key) is None:
                setattr(self, key, value)
                self.sources[key] = source


# --- helpers --------------------------------------------------------------------------------
_MONTHS = MONTHS_RE
_DATE = rf"(?:{_MONTHS})\s+\d{{1,2}}\s*,\s*\d{{4}}"
_ORD = {"first": 1, "second": 2, "third": 3, "fourth": 4, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4}
ACCESSION = re.compile(r"\b(\d{10}-\d{2}-\d{6})\b")
FORM_NORMAL = {
    "10K": "10-K",
    "10-K": "10-K",
    "10-K/A": "10-K/A",
    "10KA": "10-K/A",
    "10Q": "10-Q",
    "10-Q": "10-Q",
    "10-Q/A": "10-Q/A",
    "8K": "8-K",
    "8-K": "8-K",
    "EARNINGS": "EARNINGS",
}


def parse_date(text: str) -> str | None:
    """ISO date from 'June 25, 2022', '2022-06-25' or '06/25/2022'."""
    text = re.sub(r"\s+", " ", text.strip()).replace(" ,", ",")
    for fmt in ("%B %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%b %d, %Y"):
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


def normalise_form(value: str) -> str | None:
    key = value.strip().upper().replace(" ", "")
    return FORM_NORMAL.get(key) or FORM_NORMAL.get(key.replace("-", ""))


_NAME_AFTER_FILE_NUMBER = re.compile(
    r"Commission\s+File\s+(?:Number|No\.?):?\s*[\d-]+\s*\n\s*"
    r"([A-Z][A-Za-z0-9&.,' -]{1,70}?\b(?:CORPORATION|Corporation|INC\.?|Inc\.?|COMPANY|Company|CORP\.?|"
    r"Corp\.?|LTD\.?|Ltd\.?|PLC|plc|N\.V\.|S\.A\.|HOLDINGS|Holdings|GROUP|Group)),?\s*\n",
)
_SPLIT_CAPS = re.compile(r"\b([A-Z]) ([A-Z]{2,})\b")


def tidy_company(name: str) -> str:
    """'AMAZON.COM, INC.' -> 'Amazon.com, Inc.'; mixed-case names are kept as written."""
    name = re.sub(r"\s+", " ", name).strip().strip(",")
    name = re.sub(r"\s+([.,])", r"\1", name)  # layout text pads "Co ." apart
    # Small caps extracted letter-spaced: "MGM R ESORTS I NTERNATIONAL" (twice or more, so a
    # real initial such as "A O SMITH" is left alone).
    if len(_SPLIT_CAPS.findall(name)) >= 2:
        name = _SPLIT_CAPS.sub(r"\1\2", name)
    if name.isupper():
        name = " ".join(w.capitalize() for w in name.split())
    return name


# --- sources --------------------------------------------------------------------------------
def _coerce(values: dict[str, Any], where: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key not in FILING_FIELDS or value in (None, ""):
            continue
        if key in _INT_FIELDS:
            try:
                value = int(value)
            except (TypeError, ValueError):
                raise MetadataError(f"{where}: {key} must be an integer, got {value!r}") from None
        elif key == "form_type":
            value = normalise_form(str(value)) or str(value).upper()
        elif key == "period_end":
            value = parse_date(str(value)) or str(value)
        else:
            value = str(value).strip()
        out[key] = value
    return out


def from_sidecar(path: Path) -> dict[str, Any]:
    """Fields from ``<file>.meta.json`` or the folder's ``metadata.csv`` (JSON wins)."""
    side = path.with_name(path.name + ".meta.json")
    if side.is_file():
        try:
            data = json.loads(side.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise MetadataError(f"{side.name}: invalid JSON ({exc})") from exc
        if not isinstance(data, dict):
            raise MetadataError(f"{side.name}: expected a JSON object")
        return _coerce(data, side.name)
    table = path.parent / "metadata.csv"
    if table.is_file():
        with table.open(newline="", encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                if (row.get("file") or "").strip() == path.name:
                    return _coerce(row, f"metadata.csv row {path.name}")
    return {}


def from_xbrl(facts: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if name := facts.get("EntityRegistrantName"):
        out["company"] = tidy_company(name)
    if sym := facts.get("TradingSymbol"):
        out["ticker"] = sym.split()[0].upper()
    if cik := facts.get("EntityCentralIndexKey"):
        out["cik"] = cik.strip().zfill(10)
    form = normalise_form(facts.get("DocumentType", "")) if facts.get("DocumentType") else None
    if form and facts.get("AmendmentFlag", "").lower() == "true" and not form.endswith("/A"):
        form += "/A"
    if form:
        out["form_type"] = form
    if (fy := facts.get("DocumentFiscalYearFocus", "")).isdigit():
        out["fiscal_year"] = int(fy)
    period = facts.get("DocumentFiscalPeriodFocus", "").upper()
    if re.fullmatch(r"Q[1-4]", period):
        out["fiscal_quarter"] = int(period[1])
    if pe := facts.get("DocumentPeriodEndDate"):
        out["period_end"] = parse_date(pe)
    return out


def from_cover(text: str, first_page_chars: int = 0) -> dict[str, Any]:
    """Fields stated on the cover page (the first ``first_page_chars`` of ``text``) and first pages."""
    flat = re.sub(r"\s+", " ", text)
    out: dict[str, Any] = {}
    low = flat.lower()
    cover_page = text[:first_page_chars] if first_page_chars else text[:3000]
    out.update(_cover_form(cover_page, low))
    out.update(_cover_company(flat, cover_page))
    kind, period = _cover_period(flat)
    out.update(period)
    out.update(_cover_ticker(flat))
    fy, fq = _named_period(flat)
    if fy:
        out["fiscal_year"] = fy
    if fq:
        out["fiscal_quarter"] = fq
    if fy is None and kind == "fiscal year" and out.get("period_end"):
        # A 10-K names its fiscal year by the year in which it ends (the common convention).
        out["fiscal_year"] = int(out["period_end"][:4])
    if m := ACCESSION.search(flat[:5000]):
        out["accession"] = m.group(1)
    return out


def _cover_form(cover_page: str, low: str) -> dict[str, Any]:
    """``form_type`` from the cover's heading, or EARNINGS for a results press release."""
    out: dict[str, Any] = {}
    # The form is the cover's own heading ("FORM 10-K" on a line of its own), not a mention
    # such as "furnished on Form 8-K" inside a press release.
    m = re.search(
        r"^\s*FORM\s+(10-K/A|10-Q/A|10-K|10-Q|8-K)\s*(?:\(?Amendment No\.\s*\d+\)?)?\s*$",
        cover_page,
        re.IGNORECASE | re.MULTILINE,
    )
    if m:
        out["form_type"] = m.group(1).upper()
        if out["form_type"] in ("10-K", "10-Q") and re.search(r"\bamendment no\.\s*\d", low[:4000]):
            out["form_type"] += "/A"
    elif re.search(
        r"\b(?:announce[sd]?|reports?|reported)\b[^.]{0,120}\b(?:quarter|full[- ]year|annual)\b[^.]{0,40}\bresults\b",
        low[:6000],
    ) or ("for immediate release" in low[:2000] and "quarter" in low[:6000]):
        out["form_type"] = "EARNINGS"
    return out


def _cover_company(flat: str, cover_page: str) -> dict[str, Any]:
    """``company`` from the text before "(Exact name of registrant ...)" or after the file number."""
    out: dict[str, Any] = {}
    m = re.search(r"([A-Z][^()]{1,80}?)\s*\(\s*exact name of (?:the )?registrant", flat, re.IGNORECASE)
    if m:
        name = re.sub(
            r"^.*?(?:Commission [Ff]ile (?:[Nn]umber|[Nn]o\.?):?\s*[\d-]+|\d{3}-\d{5})\s*", "", m.group(1)
        ).strip()
        name = re.sub(r"^.*_{3,}\s*", "", name)
        name = re.sub(r"^(?:number|no\.)\s*[\d-]+\s*", "", name, flags=re.IGNORECASE)
        name = re.sub(rf"^.*(?:{_DATE})\s*(?:\([^)]*\))?\s*", "", name, flags=re.IGNORECASE).strip()
        # Two-column covers interleave "Commission file" / date / "number 1-5805" before the name.
        name = re.sub(r"^(?:number|no\.)\s*[\d-]+\s*", "", name, flags=re.IGNORECASE)
        if 2 <= len(name) <= 80:
            out["company"] = tidy_company(name)
    elif m := _NAME_AFTER_FILE_NUMBER.search(cover_page):
        # Covers without the "(Exact name of registrant ...)" caption (Microsoft's 10-Qs): the
        # registrant's name is the line after the Commission file number.
        out["company"] = tidy_company(m.group(1))
    return out


def _cover_period(flat: str) -> tuple[str | None, dict[str, Any]]:
    """The kind of period the cover reports ('fiscal year', 'quarter', ...) and its ``period_end``."""
    out: dict[str, Any] = {}
    m = re.search(
        rf"for the (fiscal year|quarterly period|quarter|fiscal quarter|year) ended:?\s*(?:[A-Za-z ]{{0,30}}?\s)?({_DATE})",
        flat,
        re.IGNORECASE,
    )
    kind = None
    if m:
        kind = m.group(1).lower()
        out["period_end"] = parse_date(m.group(2))
    elif m := re.search(rf"date of report[^:]{{0,60}}:?\s*({_DATE})", flat, re.IGNORECASE):
        out["period_end"] = parse_date(m.group(1))
    return kind, out


def _cover_ticker(flat: str) -> dict[str, Any]:
    """``ticker`` from "(NYSE: XYZ)" or the securities table beside the exchange's name."""
    out: dict[str, Any] = {}
    m = re.search(r"\((?:NYSE|NASDAQ|Nasdaq|NYSE American|Nasdaq GS)\s*:\s*([A-Z.]{1,6})\)", flat)
    if m:
        out["ticker"] = m.group(1)
    else:
        m = re.search(
            r"par value[^|]{0,60}?\s([A-Z]{1,5})\s+(?:The\s+)?(?:Nasdaq|New York Stock Exchange|NYSE)", flat
        )
        if m:
            out["ticker"] = m.group(1)
    return out


def _named_period(flat: str) -> tuple[int | None, int | None]:
    """Fiscal year/quarter when the filing names them ('Q3 2022 Form 10-Q', 'second quarter of fiscal 2023')."""
    pats = [
        (r"\bQ([1-4])\s+(?:FY\s*|fiscal\s+)?((?:19|20)\d\d)\s+Form\s+10-Q", "qy"),
        (r"\b(first|second|third|fourth)[- ]quarter\s+(?:of\s+)?fiscal\s+(?:year\s+)?((?:19|20)\d\d)", "qy"),
        (r"\bfiscal\s+((?:19|20)\d\d)\s+(first|second|third|fourth)[- ]quarter", "yq"),
        (r"\b((?:19|20)\d\d)\s+(first|second|third|fourth)[- ]quarter", "yq"),
        (r"\b(first|second|third|fourth)[- ]quarter\s+(?:of\s+)?((?:19|20)\d\d)\b", "qy"),
    ]
    head = flat[:8000]
    for pat, order in pats:
        m = re.search(pat, head, re.IGNORECASE)
        if m:
            a, b = m.group(1), m.group(2)
            q, y = (a, b) if order == "qy" else (b, a)
            quarter = int(q) if q.isdigit() else _ORD[q.lower()]
            return int(y), quarter
    return None, None


_NAME_PATTERNS = [
    # 2023 Q1 AAPL.pdf
    re.compile(r"^(?P<year>(?:19|20)\d\d)\s+Q(?P<quarter>[1-4])\s+(?P<ticker>[A-Z.]{1,6})$"),
    # 3M_2018_10K, AMCOR_2023Q2_10Q, FOOTLOCKER_2022_8K_dated-2022-05-20, JOHNSON_JOHNSON_2023Q2_EARNINGS
    re.compile(
        r"^(?P<company>[A-Za-z0-9&]+(?:_[A-Za-z0-9&]+)*?)_(?P<year>(?:19|20)\d\d)(?:Q(?P<quarter>[1-4]))?"
        r"_(?P<form>10-?K(?:A|/A)?|10-?Q|8-?K|EARNINGS)(?:_dated-(?P<dated>\d{4}-\d{2}-\d{2}))?$",
        re.IGNORECASE,
    ),
]


def from_filename(path: Path) -> dict[str, Any]:
    stem = path.stem
    out: dict[str, Any] = {}
    if m := ACCESSION.search(stem):
        out["accession"] = m.group(1)
    for pat in _NAME_PATTERNS:
        m = pat.match(stem)
        if not m:
            continue
        g = m.groupdict()
        out["fiscal_year"] = int(g["year"])
        if g.get("quarter"):
            out["fiscal_quarter"] = int(g["quarter"])
        if g.get("ticker"):
            out["ticker"] = g["ticker"]
        if g.get("company"):
            out["company"] = g["company"].replace("_", " ").title()
        if g.get("form"):
            out["form_type"] = normalise_form(g["form"])
        if g.get("dated"):
            out["period_end"] = g["dated"]
        break
    return out


def derived(meta: FilingMeta) -> dict[str, Any]:
    """Last resort: a calendar reading of the period end (marked 'derived')."""
    out: dict[str, Any] = {}
    if meta.period_end and re.fullmatch(r"\d{4}-\d{2}-\d{2}", meta.period_end):
        d = date.fromisoformat(meta.period_end)
        out["fiscal_year"] = d.year
        if meta.form_type and meta.form_type.startswith("10-Q"):
            out["fiscal_quarter"] = (d.month - 1) // 3 + 1
    return out


def resolve(path: Path, xbrl: dict[str, str], cover_text: str, first_page_chars: int = 0) -> FilingMeta:
    """Merge the sources in order of trust; 8-K/earnings keep no fiscal quarter unless one is named."""
    meta = FilingMeta()
    meta.fill(from_sidecar(path), "sidecar")
    meta.fill(from_xbrl(xbrl), "xbrl")
    cover = from_cover(cover_text, first_page_chars)
    name = from_filename(path)
    # The period a filing names beats a file name; a file name beats a calendar guess.
    meta.fill(cover, "cover")
    meta.fill(name, "filename")
    meta.fill(derived(meta), "derived")
    # An annual report has no fiscal quarter, whatever a press-release phrase on its cover says.
    if (
        meta.form_type in ("10-K", "10-K/A")
        and meta.fiscal_quarter is not None
        and (meta.sources.get("fiscal_quarter") != "sidecar")
    ):
        meta.fiscal_quarter = None
        meta.sources.pop("fiscal_quarter", None)
    return meta
