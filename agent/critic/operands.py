"""Checks of a drafted CALC's operands: each figure operand printed in the cited passages, on a
row (and, over named years, a column) the sentence names, of one period length, and agreeing with
the figure list's own calculation of the same metric. Used by :func:`agent.critic.check.check_draft`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from agent.critic.calc import CALC_PATTERN, evaluate, format_result
from agent.critic.numbers import NumberMention, extract_numbers, is_grounded, supporting_lines, table_header
from agent.critic.restore import DerivedCalc
from agent.critic.rows import better_row, defined_row, wrong_columns
from agent.finance.derived import asked_metric, implied_rows
from agent.finance.labels import column_header, label_mismatch, sentence_years
from agent.finance.tables import YEAR

# Unit conversions and "x 100" for percentages are not figures from the filing.
CALC_CONSTANTS = {100.0, 1000.0, 1_000_000.0, 1_000_000_000.0}


def _constant(value: float, given: frozenset[float] = frozenset()) -> bool:
    """A number a calculation may use without a passage printing it: a unit conversion, "x 100",
    a small count, or a number the question itself states ("365 * average payables / ...")."""
    return value in CALC_CONSTANTS or (value.is_integer() and value <= 12) or value in given


def _figure_operands(expression: str, given: frozenset[float]) -> list[tuple[str, NumberMention | None]]:
    """The operands of a CALC that are figures from a passage (not constants), with their mention."""
    out = []
    for operand in evaluate(expression).operands:
        if not _constant(float(operand), given):
            mentions = extract_numbers(operand, skip_years=False)
            out.append((operand, mentions[0] if mentions else None))
    return out


def calc_operands_grounded(
    expression: str, sources: list[str], given: frozenset[float] = frozenset()
) -> tuple[bool, list[str]]:
    calc = evaluate(expression)
    if calc.result is None:
        return False, [f"cannot evaluate CALC({expression}): {calc.error}"]
    figures = _figure_operands(expression, given)
    missing = [o for o, n in figures if n is None or not is_grounded(n, sources)]
    # "CALC(15.0 - 10.0)" over "from $10.0 billion to $15.0 billion": each operand is printed
    # before one scale word, the same for all of them, so their difference is in that scale.
    worded = _worded_scales([o for o, _ in figures], sources) if missing else None
    if worded is not None and len(worded) == 1:
        missing = []
    if missing:
        return False, [f"calculation operand(s) {', '.join(missing)} not found in the cited passages"]
    used = ", ".join(o for o, _n in figures)
    return True, [f"computed {format_result(calc.result)} from cited figures {used}"]


def _worded_scales(operands: list[str], sources: list[str]) -> set[float] | None:
    """The scale words the sources print right after the operands' digits ("15.0 billion"); None
    when one of them is printed before none."""
    printed: dict[float, set[float]] = {}
    for text in sources:
        for m in extract_numbers(text, skip_years=False):
            if m.has_scale:
                printed.setdefault(round(m.magnitude / m.scale, 9), set()).add(m.scale)
    scales: set[float] = set()
    for operand in operands:
        found = printed.get(round(float(operand.replace(",", "")), 9))
        if not found:
            return None
        scales |= found
    return scales


def operand_rows(
    sentence: str, expression: str, sources: list[str], given: frozenset[float] = frozenset()
) -> str:
    """A reason when a calculation operand comes only from table rows the sentence does not name.

    Operands are held to the same row check as copied figures, so a growth rate over unrelated rows
    cannot pass as ours. The column check applies only when the sentence names two or more years
    ("from FY2015 to FY2016"): a change over one named year uses the year before by design."""
    check_columns = len(set(YEAR.findall(CALC_PATTERN.sub(" ", sentence)))) >= 2
    implied = implied_rows(CALC_PATTERN.sub(" ", sentence))
    for operand, mention in _figure_operands(expression, given):
        if mention is None:
            continue
        lines = supporting_lines(mention, sources)
        if not defined_row(lines, implied):
            label = label_mismatch(sentence, lines)
            if label:
                return f"operand {operand} of CALC({expression}) is on the row '{label}', which the sentence does not name"
            better = better_row(sentence, lines, sources) if lines else None
            if better:
                return f"operand {operand} of CALC({expression}) is on the row '{better[0]}', but the sentence names '{better[1]}'"
        wrong = wrong_columns(sentence, mention, lines, sources) if check_columns and lines else ""
        if wrong:
            return f"operand {operand} of CALC({expression}) is in {wrong}, not a period the sentence names"
    return ""


def _operand_spans(n: NumberMention, sources: list[str]) -> set[str | None]:
    """The lengths ("3 months", "9 months") of the columns that print a figure; None for a
    column whose length the header does not give."""
    spans: set[str | None] = set()
    for line in supporting_lines(n, sources):
        table = next((s for s in sources if line in s), "")
        header = column_header(line, table)
        values = [v for v in extract_numbers(line, skip_years=False) if not v.is_percent]
        cols = header.split("; ") if header else []
        for i, v in enumerate(values):
            if is_grounded(n, [f"{table_header(table)}\n{v.raw}"]):
                found = re.search(r"(\d+ months)", cols[i]) if len(cols) == len(values) else None
                spans.add(found.group(1) if found else None)
    return spans


def mixed_spans(expression: str, sources: list[str], given: frozenset[float] = frozenset()) -> str:
    """A reason when a calculation combines figures of different period lengths: each operand is
    printed only in columns of one length, and the lengths differ (a nine-month total over a
    quarter is no growth rate)."""
    lengths: list[str] = []
    for _operand, mention in _figure_operands(expression, given):
        spans = _operand_spans(mention, sources) if mention else set()
        if len(spans) != 1 or None in spans:
            continue  # unknown or ambiguous: no verdict from this check
        lengths.append(next(iter(spans)))  # type: ignore[arg-type]
    if len(set(lengths)) > 1:
        return f"CALC({expression}) combines figures of different period lengths ({' and '.join(dict.fromkeys(lengths))})"
    return ""


def listed_conflict(sentence: str, expressions: list[str], derived: Sequence[DerivedCalc]) -> str:
    """A reason when the sentence states, with its own CALC, a metric the figure list gives our
    calculation of for the very period the sentence names, and no CALC of it gives that result.

    Operands on the right rows can still be combined wrongly (a 3-year average of capex as a share
    of revenue that forgets to divide); our calculation over the same rows is the reference."""
    plain = CALC_PATTERN.sub(" ", sentence)
    metric = asked_metric(plain)
    years = sentence_years(plain)
    if metric is None or not years:
        return ""
    name = metric.name.lower()
    listed = [d for d in derived if d.label.lower().startswith(name) and sentence_years(d.label) == years]
    results = [r for e in expressions if (r := evaluate(e).result) is not None]
    if not listed or not results:
        return ""
    # Sizes are compared: "declined by CALC((old - new) / old * 100)%" states a negative growth.
    if any(abs(abs(r) - abs(d.result)) <= 0.005 * max(abs(d.result), 1e-9) for r in results for d in listed):
        return ""
    d, unit = listed[0], "%" if listed[0].percent else ""
    return (
        f"CALC gives {format_result(results[0])}{unit}, but the figure list's {d.label} is "
        f"CALC({d.expression}) = {format_result(d.result)}{unit}"
    )
