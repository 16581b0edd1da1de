"""Row-label consistency: a figure copied from a table row must come from a row the sentence names.

Small models often copy a real figure from the wrong row ("Products" instead of "Total net
sales"). The figure is then printed in the cited passage, so numeric grounding alone passes it.
When every line that holds the figure is a table row whose label shares no word (after light
synonym folding) with the sentence, the claim is flagged.
"""

from __future__ import annotations

import re

# A parenthetical aside in a label or heading: "(loss)", "($0.01 par value; ...)", "(Dollars in Millions)".
ASIDE = re.compile(r"\([^()]*\)")
# A footnote mark after a row's label: "Online stores (1) $ 51,129 $ 51,096".
_FOOTNOTE_MARK = re.compile(r"\(\d{1,2}\)|\d{1,2}\)")


def without_footnote_mark(figures: list[str], columns: int) -> list[str]:
    """A row's figures without the footnote mark its label carries, read as a first figure: only
    when the row then has exactly one figure per column (otherwise it was never readable)."""
    if len(figures) == columns + 1 and columns > 0 and _FOOTNOTE_MARK.fullmatch(figures[0].strip()):
        return figures[1:]
    return figures


# A small number that is part of a row's name, after a capitalised word: "Corporate bonds Level 2
# 416,420 213,875" (a fair-value level column), "Tier 1", "Stage 3".
_NAMED_NUMBER = re.compile(r"\d{1,2}")
_SMALL = re.compile(r"\(?\d{1,2}\)?")


def with_label_number(label: str, figures: list[str], columns: int) -> tuple[str, list[str]]:
    """(label, figures) with the row's first figure moved into its label when it is a small bare
    number after a capitalised word and the row then has exactly one figure per column, each an
    amount (not another small number: then the columns were misread, and the row stays unread)."""
    words = label.split()
    if (
        columns > 0
        and len(figures) == columns + 1
        and words
        and words[-1][:1].isupper()
        and words[-1].isalpha()
        and _NAMED_NUMBER.fullmatch(figures[0].strip())
        and not any(_SMALL.fullmatch(f.strip().lstrip("$").strip()) for f in figures[1:])
    ):
        return f"{label} {figures[0].strip()}", figures[1:]
    return label, figures


_SYNONYMS = {
    "revenue": "sales",
    "revenues": "sales",
    "turnover": "sales",
    "earnings": "income",
    "profit": "income",
    "profits": "income",
    "expenses": "expense",
    "costs": "cost",
    "liabilities": "liability",
    "assets": "asset",
    "shares": "share",
    "dividends": "dividend",
    "payments": "payment",
    "purchases": "purchase",
    "equivalents": "equivalent",
    "inventories": "inventory",
    "receivables": "receivable",
}
_GENERIC = set(
    [
        "total",
        "net",
        "the",
        "and",
        "of",
        "for",
        "from",
        "in",
        "on",
        "to",
        "a",
        "an",
        "other",
        "per",
        "$",
        "gross",
    ]
)
_MONTH = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b", re.I)
_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z ,&'’.()/-]{2,100}?)\s*(?:\$|\(|\d)")


# A row that sums others (or removes what they double count) is never one of the parts.
TOTAL_ROW = re.compile(
    r"^\s*(?:total|consolidated|subtotal|eliminations?|intersegment|inter-segment)\b", re.I
)


def stems(text: str) -> set[str]:
    """Word stems that survive 'operations' vs 'operating', 'service' vs 'services' (first five letters)."""
    return {w[:5] for w in label_words(text)}


def label_words(text: str) -> set[str]:
    out = set()
    for w in re.findall(r"[a-z]+", text.lower()):
        w = _SYNONYMS.get(w, w)
        if w not in _GENERIC and len(w) > 2:
            out.add(w)
    return out


def row_label(line: str) -> str | None:
    """The label of a table row ("Total net sales 81,797 82,959" -> "Total net sales")."""
    m = _LABEL.match(line)
    if not m or _MONTH.match(m.group(1).strip()):
        return None  # "July 1, 2023" is a header date, not a row
    label = m.group(1).strip(" ,:")
    # A sentence is not a row label: rows are short and carry few words before the figures.
    return label if 0 < len(label.split()) <= 12 else None


def label_mismatch(claim_text: str, lines: list[str]) -> str | None:
    """The row label when every supporting line is a table row the sentence does not name."""
    claim_words = label_words(claim_text)
    labels = []
    for line in lines:
        label = row_label(line)
        if label is None or not label_words(label) or label_words(label) & claim_words or _prose(line, label):
            return None
        labels.append(label)
    return labels[0] if labels else None


def _prose(line: str, label: str) -> bool:
    """A line of prose, not a table row: words go on after its first figures ("In November 2022,
    we amended the facility from $10.0 billion to $15.0 billion")."""
    return len(re.findall(r"[A-Za-z]{3,}", line.split(label, 1)[-1])) > 2


_SPAN = re.compile(r"\b(three|six|nine|twelve)\s+months\b|\b(years?)\s+ended\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_SPAN_WORDS = {"three": "3m", "six": "6m", "nine": "9m", "twelve": "12m", "year": "12m", "years": "12m"}


def _spans(text: str) -> list[str]:
    return [_SPAN_WORDS[(m.group(1) or m.group(2)).lower()] for m in _SPAN.finditer(text)]


def _header_years(table: str, row: str) -> list[int]:
    """Years of the column header above a row, also when PDF text puts each date on its own
    lines ("July 1," / "2023" / "June 25," / "2022")."""
    before = table.split(row, 1)[0]
    lines = before.splitlines()
    spans = [i for i, ln in enumerate(lines) if _SPAN.search(ln)]
    years: list[int] = []
    for line in lines[spans[-1] + 1 if spans else 0 :]:
        found = [int(y) for y in _YEAR.findall(line)]
        rest = re.sub(r"[^\d]", "", _YEAR.sub("", line))
        if _MONTH.search(line) or (found and len(rest) <= 2):
            years += found
        elif re.search(r"\d{2,}", rest) and years:
            break  # the first data row ends the header (a data row before it belongs to another table)
    return years


def _header_spans(table: str, row: str) -> list[str]:
    """Period lengths of the columns, from the header line nearest above the row."""
    before = table.split(row, 1)[0].splitlines()
    for line in reversed(before):
        spans = _spans(line)
        if len(spans) >= 2 or (spans and "ended" in line.lower() and not re.search(r"\d{2,}", line)):
            return list(dict.fromkeys(spans))
    return []


# "2019-2021" and "FY2019 - FY2021" name every year between (an average's span); "2019 to 2021"
# is left as two years, since a change from one to the other uses no year in between.
_YEAR_RANGE = re.compile(r"\b(?:fy\s?)?(19[5-9]\d|20\d\d)\s*[-–]\s*(?:fy\s?)?(19[5-9]\d|20\d\d)\b", re.I)


def sentence_years(text: str) -> set[int]:
    """The years a sentence names, with hyphenated ranges spelled out."""
    years = {int(y) for y in _YEAR.findall(text)}
    for m in _YEAR_RANGE.finditer(text):
        first, last = int(m.group(1)), int(m.group(2))
        if 0 < last - first <= 10:
            years.update(range(first, last + 1))
    return years


def column_mismatch(claim_text: str, value_index: int, n_values: int, row: str, table: str) -> str | None:
    """Why the figure at ``value_index`` of a row belongs to a period the sentence does not name."""
    header_spans = _header_spans(table, row)
    claim_spans = set(_spans(claim_text))
    if len(header_spans) >= 2 and claim_spans and n_values % len(header_spans) == 0:
        span = header_spans[value_index // (n_values // len(header_spans))]
        if span not in claim_spans:
            return f"the column for a {span.replace('m', '-month')} period"
    years = _header_years(table, row)
    claim_years = sentence_years(claim_text)
    if years and claim_years and n_values == len(years) and years[value_index] not in claim_years:
        return f"the {years[value_index]} column"
    return None


def best_row(sentence: str, sources: list[str]) -> str | None:
    """The table row whose label shares the most words with the sentence (a hint for redrafting)."""
    wanted = label_words(sentence)
    best, score = None, 0
    for text in sources:
        for line in text.splitlines():
            label = row_label(line)
            if label is None or _SPAN.search(line) or len(_YEAR.findall(line)) >= 2:
                continue
            words = label_words(label)
            overlap = len(words & wanted)
            # Prefer the exact label ("Total net sales") over a longer one that merely contains it.
            if overlap > score or (
                overlap == score
                and best is not None
                and overlap
                and len(words) < len(label_words(row_label(best) or ""))
            ):
                best, score = line.strip(), overlap
    return best[:200] if best and score else None


def column_header(row: str, table: str) -> str | None:
    """The periods of a row's columns in words ("column 1: 3 months 2023; column 2: ...")."""
    spans, years = _header_spans(table, row), _header_years(table, row)
    width = len(years) or len(spans)
    if not width:
        return None
    cols = []
    for i in range(width):
        parts = []
        if spans and (not years or len(years) % len(spans) == 0):
            span = spans[i // (width // len(spans))] if years else spans[i]
            parts.append(span.replace("m", " months"))
        if years:
            parts.append(str(years[i]))
        cols.append(f"column {i + 1}: {' '.join(parts)}")
    return "; ".join(cols)
