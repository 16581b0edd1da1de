"""10-K / 10-Q / 8-K "Item N." headings: find them in page text, skip the table of contents,
and cut blocks at headings so that every block (hence every chunk) lies inside one Item."""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.base import Block, Page

TITLES_10K = {
    "1": "Business",
    "1A": "Risk Factors",
    "1B": "Unresolved Staff Comments",
    "1C": "Cybersecurity",
    "2": "Properties",
    "3": "Legal Proceedings",
    "4": "Mine Safety Disclosures",
    "5": "Market for Registrant's Common Equity, Related Stockholder Matters and Issuer Purchases of Equity Securities",
    "6": "Selected Financial Data",
    "7": "Management's Discussion and Analysis of Financial Condition and Results of Operations",
    "7A": "Quantitative and Qualitative Disclosures About Market Risk",
    "8": "Financial Statements and Supplementary Data",
    "9": "Changes in and Disagreements with Accountants on Accounting and Financial Disclosure",
    "9A": "Controls and Procedures",
    "9B": "Other Information",
    "9C": "Disclosure Regarding Foreign Jurisdictions that Prevent Inspections",
    "10": "Directors, Executive Officers and Corporate Governance",
    "11": "Executive Compensation",
    "12": "Security Ownership of Certain Beneficial Owners and Management and Related Stockholder Matters",
    "13": "Certain Relationships and Related Transactions, and Director Independence",
    "14": "Principal Accountant Fees and Services",
    "15": "Exhibits and Financial Statement Schedules",
    "16": "Form 10-K Summary",
}
# Item 6 is "[Reserved]" since 2021; other common variants of the canonical titles.
ALT_TITLES = {
    "6": ["Reserved"],
    "15": ["Exhibits, Financial Statement Schedules"],
    "1": ["Business Overview"],
}
TITLES_10Q = {
    ("I", "1"): "Financial Statements",
    ("I", "2"): "Management's Discussion and Analysis of Financial Condition and Results of Operations",
    ("I", "3"): "Quantitative and Qualitative Disclosures About Market Risk",
    ("I", "4"): "Controls and Procedures",
    ("II", "1"): "Legal Proceedings",
    ("II", "1A"): "Risk Factors",
    ("II", "2"): "Unregistered Sales of Equity Securities and Use of Proceeds",
    ("II", "3"): "Defaults Upon Senior Securities",
    ("II", "4"): "Mine Safety Disclosures",
    ("II", "5"): "Other Information",
    ("II", "6"): "Exhibits",
}

_HEADING = re.compile(
    r"^\s*(?:PART\s+(?P<part>I{1,3}V?|IV)\s*[,.:—–-]*\s*)?ITEM\s*(?P<item>\d{1,2}(?:\.\d{2})?[A-C]?)\b\s*[.:—–-]?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_PART = re.compile(r"^\s*PART\s+(?P<part>I{1,3}V?|IV)\b\s*[.:—–-]?\s*(?P<rest>.*)$", re.IGNORECASE)
_LETTERS = re.compile(r"[^a-z]")
# A TOC is dense with headings and sits near the front of the filing.
TOC_MIN_HEADINGS = 4


@dataclass
class Heading:
    item: str
    part: str | None
    title: str

    @property
    def label(self) -> str:
        return f"Item {self.item}. {self.title}" if self.title else f"Item {self.item}"


def section_label(item: str, part: str | None, title: str) -> str:
    """A chunk's section as :func:`segment` writes it: 'Item 3. Legal Proceedings', or with a
    10-Q's part, 'Part II, Item 1. Legal Proceedings'."""
    return (f"Part {part}, " if part else "") + Heading(item, part, title).label


def canonical_labels(annual_item: str, quarterly_item: str) -> list[str]:
    """The section labels :func:`segment` gives an Item with its canonical title: the 10-K's
    ("Item 3. Legal Proceedings") and the 10-Q's of the same title ("Part II, Item 1. Legal
    Proceedings"). Retrieval finds an asked section's chunks by them."""
    title = TITLES_10K.get(annual_item)
    labels = [section_label(annual_item, None, title)] if title else []
    for (part, item), quarterly in TITLES_10Q.items():
        if item == quarterly_item and (title is None or quarterly == title):
            labels.append(section_label(item, part, quarterly))
    return labels


@dataclass
class Segment:
    """A block placed in the filing's structure."""

    page: int
    block: Block
    section: str | None
    item: str | None
    part: str | None


_ARTICLES = re.compile(r"\b(?:the|of|and|for|in|on)\b")
# Some PDF text layers glue a heading to the previous sentence ("...55423.Item 1A. Risk Factors").
# Only after a sentence end, so that "Refer to Item 2. Properties" stays a cross-reference.
_MIDLINE = re.compile(r"(?<=[.)”\"])\s*(?=Item\s*\d{1,2}[A-C]?\.\s+[A-Z])")


def _letters(text: str) -> str:
    return _LETTERS.sub("", _ARTICLES.sub("", text.lower()))


def split_glued_headings(line: str, form: str | None) -> list[str]:
    """Split ``line`` before any mid-line Item heading whose title matches the canonical one."""
    cuts = [m.start() for m in _MIDLINE.finditer(line) if m.start() > 0]
    if not cuts:
        return [line]
    pieces: list[str] = []
    last = 0
    for cut in cuts:
        tail = line[cut:].strip()
        m = _HEADING.match(tail)
        if m and m.group("rest").strip() and parse_heading(tail[:220], form, None):
            pieces.append(line[last:cut])
            last = cut
    pieces.append(line[last:])
    return [p.strip() for p in pieces if p.strip()]


def _title_matches(rest: str, canonical: list[str]) -> bool:
    got = _letters(rest)
    if not got:
        return True  # title on the next line
    for title in canonical:
        want = _letters(title)
        n = min(len(got), len(want), 14)
        if n >= 5 and (got[:n] == want[:n]):
            return True
    return False


def _canonical(item: str, part: str | None, form: str | None) -> list[str]:
    titles: list[str] = []
    if form and form.startswith("10-Q"):
        titles += [t for (p, i), t in TITLES_10Q.items() if i == item and (part is None or p == part)]
    if item in TITLES_10K and not (form and form.startswith("10-Q")):
        titles.append(TITLES_10K[item])
        titles += ALT_TITLES.get(item, [])
    return titles


def parse_heading(line: str, form: str | None, part: str | None) -> Heading | None:
    """A heading if ``line`` starts an Item whose title matches the form's canonical one."""
    m = _HEADING.match(line)
    if not m or len(line) > 300:
        return None
    item = m.group("item").upper()
    rest = m.group("rest").strip()
    if rest.startswith(","):
        return None  # "Item 7, Management's Discussion ..." is a cross-reference in running text
    line_part = m.group("part").upper() if m.group("part") else None
    if "." in item:  # 8-K items (e.g. 5.07) have free titles
        if form not in (None, "8-K", "OTHER", "EARNINGS") or (rest and not rest[0].isalpha()):
            return None
        return Heading(item=item, part=None, title=rest.rstrip(". ").strip())
    if form is None and not rest:
        return None
    titles = _canonical(item, line_part or part, form)
    if not titles or not _title_matches(rest, titles):
        return None
    # Prefer the canonical title: PDF text layers mangle headings ("Fin ancial").
    return Heading(item=item, part=line_part, title=titles[0])


def _order(item: str) -> tuple[float, str]:
    m = re.match(r"(\d+(?:\.\d+)?)([A-C]?)", item)
    return (float(m.group(1)), m.group(2)) if m else (0.0, "")


def _toc_pages(pages: list[Page], form: str | None) -> set[int]:
    front = max(5, len(pages) // 10)
    out: set[int] = set()
    for page in pages[:front]:
        lines = page.text.splitlines()
        found = {h.item for ln in lines if (h := parse_heading(ln, form, None))}
        if len(found) >= TOC_MIN_HEADINGS:
            out.add(page.index)
    return out


def segment(pages: list[Page], form: str | None, skip: frozenset[int] = frozenset()) -> list[Segment]:
    """Cut every page's blocks at Item headings and label each piece with its section; pages in
    ``skip`` (a cross-reference index) are read like a table of contents, for no heading."""
    is_10q = bool(form and form.startswith("10-Q"))
    toc = _toc_pages(pages, form) | skip
    section: str | None = None
    item: str | None = None
    part: str | None = None
    current: tuple[float, str] | None = None
    out: list[Segment] = []
    for page in pages:
        for block in page.blocks:
            if page.index in toc or block.kind == "table":
                out.append(Segment(page.index, block, section, item, part))
                continue
            lines = [p for ln in block.text.splitlines() for p in split_glued_headings(ln, form)]
            start = 0
            for i, line in enumerate(lines):
                pm = _PART.match(line)
                if pm and is_10q and not _HEADING.match(line):
                    new_part = pm.group("part").upper()
                    if new_part != part and new_part in ("I", "II"):
                        part, current = new_part, None
                    continue
                h = parse_heading(line, form, part)
                if h is None:
                    continue
                if h.part and is_10q and h.part != part:
                    part, current = h.part, None
                key = _order(h.item)
                if current is not None and key <= current:
                    # The same Item again is a running header (some filers print "PART I / Item 1"
                    # atop every page) or its title line; only a smaller Item restarts the numbering.
                    if is_10q and part in (None, "I") and key < current:
                        part = "II"  # Part II restarts the numbering
                        h = parse_heading(line, form, part) or h
                    else:
                        continue  # a cross-reference or running header, not a new Item
                if i > start:
                    out.append(Segment(page.index, Block("\n".join(lines[start:i])), section, item, part))
                start = i
                current = key
                item = h.item
                title = h.title
                if is_10q:
                    canon = TITLES_10Q.get((part or "I", h.item))
                    title = canon or title
                section = section_label(h.item, part if is_10q else None, title)
            if start < len(lines):
                out.append(Segment(page.index, Block("\n".join(lines[start:])), section, item, part))
    return out
