"""Finding tables in plain page text (PDF text layers lose table structure).

A table is a run of lines most of which end in two or more numeric cells; its header is the
lines just above it (title, unit line such as "(In millions)", column headings).
"""

from __future__ import annotations

import re

from agent.text import MONTHS_RE
from loaders.base import ITEM_LINE, Block

_NUM = r"\(?-?\$?\s?\(?\d[\d,]*(?:\.\d+)?\)?%?|—|–|-"
NUMERIC_LINE = re.compile(rf"(?:(?:^|\s)(?:{_NUM})\s*){{2,}}$")
UNIT_LINE = re.compile(
    r"\b(?:in|\$\s*in|dollars in|amounts in|expressed in)\s+(?:millions|thousands|billions)\b|"
    r"\((?:in\s+)?(?:millions|thousands|billions)\b",
    re.IGNORECASE,
)
_HEADERISH = re.compile(
    r"(?:\b(?:19|20)\d\d\b|months ended|weeks ended|year ended|quarter|fiscal|change|%|total|"
    + MONTHS_RE
    + r"|q[1-4])",
    re.IGNORECASE,
)
MAX_HEADER_LINES = 14


# "2016 2015 2014" or "Fiscal Years Ended January 28, 2017 January 30, 2016" is the column header
# of a statement, not a row of figures: it must stay in the header that chunking repeats above every
# part of a long table.
_DATE_OR_YEAR = re.compile(rf"\b(?:(?:{MONTHS_RE})\.?\s+\d{{1,2}},?\s*)?(?:19|20)\d\d\b", re.IGNORECASE)


def _is_date_header(line: str) -> bool:
    dates = _DATE_OR_YEAR.findall(line)
    return len(dates) >= 2 and not re.search(r"\d", _DATE_OR_YEAR.sub(" ", line))


def is_numeric_line(line: str) -> bool:
    stripped = line.strip()
    if _is_date_header(stripped):
        return False
    return bool(NUMERIC_LINE.search(stripped)) and len(stripped) < 250


def split_blocks(text: str) -> list[Block]:
    """Split one page's text into prose blocks and table blocks (with their header lines)."""
    lines = [ln.rstrip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln.strip()]
    blocks: list[Block] = []
    prose: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        if not is_numeric_line(lines[i]):
            prose.append(lines[i])
            i += 1
            continue
        # Extend the table over numeric lines, tolerating short label lines ("Net sales:") in between.
        j = i
        last_numeric = i
        while j < n:
            if is_numeric_line(lines[j]):
                last_numeric = j
            elif j - last_numeric > 2 or len(lines[j]) > 120:
                break
            j += 1
        rows = lines[i : last_numeric + 1]
        if sum(is_numeric_line(r) for r in rows) < 2:
            prose.append(lines[i])
            i += 1
            continue
        header = _take_header(prose)
        if prose:
            blocks.append(Block("\n".join(prose)))
            prose = []
        blocks.append(Block("\n".join(rows), kind="table", header=header))
        i = last_numeric + 1
    if prose:
        blocks.append(Block("\n".join(prose)))
    return blocks


def _take_header(prose: list[str]) -> list[str]:
    """Pop the table's header lines off the end of ``prose`` (mutates it)."""
    take = 0
    unit_at = None
    for k in range(1, min(MAX_HEADER_LINES, len(prose)) + 1):
        line = prose[-k]
        if ITEM_LINE.match(line):
            break
        if UNIT_LINE.search(line):
            unit_at = k
        if len(line) > 160:
            break
        if _HEADERISH.search(line) or UNIT_LINE.search(line) or len(line) < 40:
            take = k
        else:
            break
    if unit_at is not None:
        take = max(take, unit_at)
        # the table title usually sits right above the unit line
        above = prose[-take - 1] if take < len(prose) else ""
        if above and take < MAX_HEADER_LINES and len(above) < 120 and not ITEM_LINE.match(above):
            take += 1
    header = prose[len(prose) - take :] if take else []
    del prose[len(prose) - take :]
    return header
