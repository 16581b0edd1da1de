"""Row and column checks of a drafted figure: the table row it sits on must be the one the
sentence names (or a row the named metric is defined over), and its column the period stated.
Used by :func:`agent.critic.check.check_draft`."""

from __future__ import annotations

import re

from agent.critic.calc import CALC_PATTERN
from agent.critic.numbers import NumberMention, extract_numbers, is_grounded, supporting_lines, table_header
from agent.finance.derived import implied_rows, normalise_label
from agent.finance.headers import read_columns
from agent.finance.labels import best_row, column_header, column_mismatch, label_mismatch, label_words
from agent.finance.tables import data_row

# A table cell: a figure, "(16)", "$ 81", or a dash for nil.
_CELL = re.compile(r"(?<![\w.])(?:\(?\$?\s?\d[\d,]*(?:\.\d+)?\)?|[—–])(?![\w.])")
# Heading words that name the whole, not a part.
_NOT_A_PART = {"total", "totals", "costs", "cost", "amount", "amounts", "balance"}

_NAME_SUFFIXES = {
    "inc",
    "co",
    "corp",
    "corporation",
    "company",
    "ltd",
    "plc",
    "llc",
    "group",
    "holdings",
    "the",
}


def without_names(sentence: str, companies: set[str]) -> str:
    """``sentence`` with the words of ``companies``' names blanked (legal suffixes excepted)."""
    words = {w for name in companies for w in re.findall(r"[a-z]+", name.lower()) if w not in _NAME_SUFFIXES}
    if not words:
        return sentence
    return re.sub(rf"\b(?:{'|'.join(sorted(map(re.escape, words)))})\b", " ", sentence, flags=re.I)


def defined_row(lines: list[str], implied: list[re.Pattern[str]]) -> bool:
    """Whether every line holding an operand is a row the metric the sentence names is defined
    over ("Net sales" for an "operating margin"), so it need not be named in the sentence."""
    labels = [_row_of(line) for line in lines]
    return bool(implied and labels) and all(
        lbl is not None and any(p.fullmatch(normalise_label(lbl)) for p in implied) for lbl in labels
    )


def _row_of(line: str) -> str | None:
    row = data_row(line)  # only lines that are a label followed by figures, never a header
    return row[0] if row else None


def better_row(
    sentence: str, lines: list[str], sources: list[str], clause: bool = False
) -> tuple[str, str] | None:
    """(the figure's row, a row of the same table that the sentence names more fully), if any.

    "Operating income ... 85.65%" computed from the "Net income" row shares the word "income"
    with the sentence, which the plain row check accepts; the "Operating income" row of the same
    table shares more. Only rows that already share a word are compared (a bare "Consolidated"
    total row is left to the plain check), unless ``sentence`` is the figure's own clause of a list
    (:func:`own_clauses`): one naming another row names the figure wrongly."""
    wanted = label_words(sentence)
    own = [(len(label_words(lbl) & wanted), lbl) for line in lines if (lbl := _row_of(line))]
    if not own or len(own) != len(lines):
        return None
    score, label = max(own)
    if score == 0 and not clause:
        return None
    tables = [text for text in sources if any(line in text for line in lines)]
    rows = [
        (len(label_words(lbl) & wanted), lbl) for t in tables for ln in t.splitlines() if (lbl := _row_of(ln))
    ]
    best = max(rows, default=(0, ""))
    return (label, best[1]) if best[0] > score else None


def own_clauses(sentence: str, mentions: list[NumberMention]) -> list[str]:
    """The words naming each figure of a sentence that lists several: from the end of the figure
    before it (the sentence's start for the first) to its own end, where a list puts a figure's
    name ("Cost of sales of $17,405 million, Revenues of $32,376 million ..."). The whole sentence
    for a single figure (its name may follow it), or when a figure is not found as written."""
    if len(mentions) < 2:
        return [sentence] * len(mentions)
    clauses, start = [], 0
    for n in mentions:
        at = sentence.find(n.raw, start)
        if at < 0:
            return [sentence] * len(mentions)
        clauses.append(sentence[start : at + len(n.raw)])
        start = at + len(n.raw)
    return clauses


def wrong_row(sentence: str, sources: list[str]) -> str:
    """A reason when a figure was taken from a table row the sentence does not name."""
    plain = CALC_PATTERN.sub(" ", sentence)
    implied = implied_rows(plain, operands=False)
    mentions = extract_numbers(plain)
    # A list whose first figure follows its own row's name ("Cost of sales of $17,405 million,
    # Revenues of ..."): each figure's clause names its row, and one naming another row is wrong.
    labels_lead: bool | None = None if len(mentions) > 1 else False
    for n, clause in zip(mentions, own_clauses(plain, mentions), strict=True):
        lines = supporting_lines(n, sources)
        if labels_lead is None:
            labels_lead = any(label_words(lbl) & label_words(clause) for ln in lines if (lbl := _row_of(ln)))
        named = defined_row(lines, implied)  # "capital expenditures" printed as "Purchases of property ..."
        label = None if named else label_mismatch(sentence, lines)
        if label:
            hint = best_row(sentence, sources)
            where = f" The matching row reads: '{hint}'." if hint else ""
            header = column_header(hint, next((s for s in sources if hint in s), "")) if hint else None
            where += f" Its columns are: '{header}'." if header else ""
            return f"{n.raw} is on the row '{label}', which the sentence does not name.{where}"
        # Another row named more fully: by the figure's own clause, not another figure's name.
        better = None if named else better_row(clause, lines, sources, labels_lead)
        if better:
            return f"{n.raw} is on the row '{better[0]}', but the sentence names the row '{better[1]}'."
        wrong = wrong_columns(sentence, n, lines, sources)
        if wrong:
            header = column_header(lines[0], next((s for s in sources if lines[0] in s), ""))
            cols = f" The columns are: '{header}'." if header else ""
            return f"{n.raw} is in {wrong}, not the period the sentence states.{cols}"
        part = part_of_total(sentence, n, lines, sources)
        if part:
            return part
    return ""


def _heading_above(table: str, line: str) -> str:
    """The column headings printed right above a table's first row: the label-only lines before it
    (a caption ending in ':' or '.' is not a heading)."""
    rows = table.splitlines()
    at = rows.index(line) if line in rows else -1
    while at > 0 and len(_CELL.findall(rows[at - 1])) >= 2:
        at -= 1  # up to the table's first row
    heading: list[str] = []
    for above in reversed(rows[max(0, at - 3) : max(0, at)]):
        if above.rstrip().endswith((":", ".")) or len(above.split()) > 14 or _CELL.search(above):
            break
        heading.insert(0, above)
    return " ".join(heading)


def part_of_total(sentence: str, n: NumberMention, lines: list[str], sources: list[str]) -> str:
    """A reason when the figure is one part of a row whose last figure adds its parts up ("Employee
    costs 81, Other 10, ..., Total 93") under column headings that are no periods, and the sentence
    names neither the part's column nor the total: it presents a part as the whole."""
    said = label_words(sentence)
    for line in lines:
        figures = extract_numbers(line)
        *parts, total = [f.magnitude for f in figures] or [0.0]
        if len(parts) < 2 or not total or abs(sum(parts) - total) > 0.5 * len(parts):
            continue
        table = next((s for s in sources if line in s), "")
        unit = table_header(table)

        def prints(f: NumberMention, unit: str = unit) -> bool:
            return is_grounded(n, [f"{unit}\n{f.raw}"])

        if prints(figures[-1]) or not any(prints(f) for f in figures[:-1]):
            continue
        heading = re.sub(r"([a-z])([A-Z])", r"\1 \2", _heading_above(table, line))
        if not heading or read_columns([heading]) or any(is_grounded(f, [sentence]) for f in figures[-1:]):
            continue
        label = line[: line.find(figures[0].raw)].strip(" $")
        # The words next to "Total" name the total's column ("Total Restructuring Costs"), not a part.
        tokens = re.findall(r"[A-Za-z]+", heading.lower())
        beside = {
            tokens[j]
            for i, t in enumerate(tokens)
            if t == "total"
            for j in (i - 1, i + 1)
            if 0 <= j < len(tokens)
        }
        naming = label_words(heading) - label_words(label) - label_words(" ".join(beside)) - _NOT_A_PART
        if naming and not naming & said:
            return (
                f"{n.raw} is one part of the row '{label}', whose parts add up to {figures[-1].raw} "
                f"(columns: '{heading}'): say which part it is, or give the total"
            )
    return ""


def wrong_columns(sentence: str, n: NumberMention, lines: list[str], sources: list[str]) -> str:
    """A reason when every row holding the figure has it only in another period's column."""
    reasons = []
    for line in lines:
        table = next((s for s in sources if line in s), "")
        values = [v for v in extract_numbers(line, skip_years=False) if not v.is_percent or n.is_percent]
        idx = [i for i, v in enumerate(values) if is_grounded(n, [f"{table_header(table)}\n{v.raw}"])]
        if not idx:
            return ""
        why = [column_mismatch(sentence, i, len(values), line, table) for i in idx]
        if any(w is None for w in why):
            return ""
        reasons.append(why[0] or "")
    return reasons[0] if reasons else ""
