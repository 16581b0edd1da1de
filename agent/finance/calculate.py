"""Figures answered by our code from the stored facts: one line item, a textbook metric, or the
formula the question spells out, each a typed :class:`~agent.schemas.Calculation` over fact ids.

The facts were parsed once at ingest with their row, period, sign and scale
(:mod:`agent.finance.facts`, :mod:`agent.finance.ixbrl`). Here an operand is the fact of a
vocabulary line item for one fiscal year (or quarter) of the scoped company: a flow over the whole
period, a balance at its end, from the statement that reports the item, taken from the filing
whose own year it is before a later filing's comparatives. When the candidates disagree, or a
row the question names more precisely exists ("iPhone" net sales, not the total), there is no
calculation and the model drafts as before: the code answers only what it can read unambiguously.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from agent.finance.arithmetic import CalcError, arithmetic
from agent.finance.derived import AVERAGE, Metric, asked_metric, average_span, question_years
from agent.finance.formula import Formula, Term, asked_expression, read_formula
from agent.finance.labels import label_words
from agent.finance.select import Dated, asked_date, pick_fact, pick_year_to_date
from agent.finance.share import member_fact
from agent.finance.vocabulary import ITEMS, SIGNED, item_of
from agent.schemas import Calculation, Fact, Operand, QuestionPlan


def _digits(fact: Fact, key: str) -> str:
    """The operand as the filing prints it: a loss keeps its minus sign, an amount spent its size."""
    digits = re.sub(r"[^\d.,]", "", fact.text).strip(".,") or f"{abs(fact.value):g}"
    return f"-{digits}" if fact.value < 0 and key in SIGNED else digits


def operand_of(fact: Fact, key: str) -> Operand:
    """The fact as an operand of item ``key``'s calculation (an amount spent by its size)."""
    value = fact.value if key in SIGNED else abs(fact.value)
    return Operand(
        fact_id=fact.id,
        chunk_id=fact.chunk_id,
        doc_id=fact.doc_id,
        page=fact.page,
        item=key,
        label=fact.label,
        period=fact.period.label or str(fact.period.end or ""),
        fiscal_year=fact.period.fiscal_year,
        value=value,
        printed=_digits(fact, key),
        scale=fact.scale,
        unit=fact.unit,
        stands_in=fact.stands_in,
    )


class _Builder:
    """Collects operands while an expression is written, failing as soon as one is missing."""

    def __init__(self, lookup: Callable[[str, int], Fact | None]) -> None:
        self.lookup = lookup
        self.operands: list[Operand] = []
        self.values: list[str] = []  # the same expression over exact values, to compute with

    def value(self, key: str, year: int) -> tuple[str, str] | None:
        fact = self.lookup(key, year)
        if fact is None or fact.chunk_id is None:
            return None
        operand = operand_of(fact, key)
        if operand.fact_id not in {o.fact_id for o in self.operands}:
            self.operands.append(operand)
        return f"{operand.printed}<{operand.scale}>", f"{operand.value!r}<{operand.scale}>"

    def scale(self) -> int:
        return min(o.scale for o in self.operands)

    def resolve(self, expression: str, exact: bool) -> str:
        """Operands in different scales brought to the smallest ("(2,912.9 * 1000)" millions
        beside thousands); the factor is a unit conversion, not a figure."""
        low = self.scale()

        def sub(m: re.Match[str]) -> str:
            factor = 10 ** (int(m.group(2)) - low)
            if factor == 1:
                return m.group(1)
            return f"({m.group(1)} * {factor})" if not exact else repr(float(m.group(1)) * factor)

        return re.sub(r"(-?[\d.,e+]+)<(-?\d+)>", sub, expression)


def _evaluate(expression: str) -> float | None:
    try:
        return arithmetic(expression)
    except (CalcError, SyntaxError, ZeroDivisionError, RecursionError, ValueError):
        return None


def _term(builder: _Builder, term: Term, year: int) -> tuple[str, str] | None:
    if term.kind == "value":
        return builder.value(term.item.key, term.years[0] if term.years else year)
    first, last = builder.value(term.item.key, term.years[0]), builder.value(term.item.key, term.years[1])
    if first is None or last is None:
        return None
    if term.kind == "average":
        return f"(({first[0]} + {last[0]}) / 2)", f"(({first[1]} + {last[1]}) / 2)"
    return f"({last[0]} - {first[0]})", f"({last[1]} - {first[1]})"


def _from_formula(formula: Formula, year: int, builder: _Builder) -> tuple[str, str] | None:
    shown, exact = [], []
    for token in formula.tokens:
        if isinstance(token, Term):
            pair = _term(builder, token, year)
            if pair is None:
                return None
            shown.append(pair[0])
            exact.append(pair[1])
        else:
            text = f"{token:g}" if isinstance(token, float) else token
            shown.append(text)
            exact.append(text)
    return " ".join(shown), " ".join(exact)


def _fill(template: str, year: int, builder: _Builder) -> tuple[str, str] | None:
    shown, exact = template, template
    for key in dict.fromkeys(re.findall(r"\{(\w+)\}", template)):
        pair = builder.value(key, year)
        if pair is None:
            return None
        shown, exact = shown.replace(f"{{{key}}}", pair[0]), exact.replace(f"{{{key}}}", pair[1])
    return shown, exact


def _conflicting_row(
    question: str, facts: Iterable[Fact], operands: Sequence[Operand], amount: float | None = None
) -> str | None:
    """A row of the same filing and period that the question names more precisely than the chosen
    rows: a part of the same item ("iPhone" under "Net sales", "Americas" under "Operating
    income") whose every word the question uses, while no chosen row's label has them. A row that
    prints our result's ``amount`` (in dollars; the filer's own "Free cash flow" row beside our
    cash from operations less capex) agrees with it."""
    asked = label_words(question)
    chosen = set().union(*(label_words(o.label) for o in operands))
    used = {(o.doc_id, o.fiscal_year) for o in operands}
    for fact in facts:
        if (fact.doc_id, fact.period.fiscal_year) not in used or item_of(fact) is not None:
            continue
        words = label_words(fact.label)
        related = label_words(fact.group) & chosen  # printed under the chosen item's heading
        if words and words <= asked and words - chosen and related:
            if amount is not None and abs(fact.value * 10**fact.scale - amount) <= 0.5 * 10**fact.scale:
                continue  # it prints what we computed
            return fact.label
    return None


def _metric_expression(
    question: str, years: list[int], builder: _Builder, metric: Metric | None
) -> tuple[str, str, str, str] | None:
    """(name, shown, exact, unit) of the textbook ``metric`` the question names, over its years:
    unit '%', 'USD' for an amount (free cash flow, EBITDA), '' for a ratio."""
    if metric is None:
        return None
    if metric.growth:
        key = next(iter(metric.items()))
        first, last = (years[0], years[-1]) if len(years) >= 2 else (years[0] - 1, years[0])
        a, b = builder.value(key, first), builder.value(key, last)
        if a is None or b is None:
            return None
        return (
            f"{metric.name}, FY{first} to FY{last}",
            f"({b[0]} - {a[0]}) / {a[0]} * 100",
            f"({b[1]} - {a[1]}) / {a[1]} * 100",
            "%",
        )
    span = average_span(question, years) if AVERAGE.search(question) else years[-1:]
    if len(span) > 1 and not AVERAGE.search(question):
        return None
    parts = []
    for year in span:
        filled = next((f for t in metric.formulas if (f := _fill(t, year, builder))), None)
        if filled is None:
            return None
        parts.append(filled)
    unit = "%" if metric.percent else "" if any("/" in t for t in metric.formulas) else "USD"
    if len(parts) == 1:
        return f"{metric.name}, FY{span[0]}", parts[0][0], parts[0][1], unit
    shown = f"({' + '.join(p[0] for p in parts)}) / {len(parts)}"
    exact = f"({' + '.join(p[1] for p in parts)}) / {len(parts)}"
    return f"{metric.name}, FY{span[0]}-FY{span[-1]} average", shown, exact, unit


def _from_question_formula(
    formula: Formula, year: int, question: str, builder: _Builder
) -> tuple[str, tuple[str, str] | None, str]:
    """(name, shown and exact expressions, unit) of the formula the question spells out."""
    pair = _from_formula(formula, year, builder)
    times_100 = bool(re.search(r"\*\s*100\b", formula.words()))
    if pair is not None and not times_100 and re.search(r"\bpercent|%", question, re.I):
        # "Answer in units of percents" over a ratio the definition leaves as a fraction.
        pair = (f"({pair[0]}) * 100", f"({pair[1]}) * 100")
        times_100 = True
    unit = "%" if times_100 else _formula_unit(formula, builder.operands)
    return f"{formula.name}, FY{year}", pair, unit


def _share(
    plan: QuestionPlan, year: int, quarter: int | None, facts: Sequence[Fact], builder: _Builder
) -> tuple[str, tuple[str, str], str] | None:
    """(name, expressions, unit) of the plan's member's share of its one line item: the member's
    row over the item's."""
    if len(plan.items) != 1:
        return None
    key = plan.items[0]
    whole = builder.lookup(key, year)
    part = member_fact(whole, plan.share_of, facts) if whole is not None else None
    if whole is None or part is None or not whole.value:
        return None
    operand = operand_of(part, key)
    numerator = (f"{operand.printed}<{part.scale}>", f"{operand.value!r}<{part.scale}>")
    denominator = builder.value(key, year)
    if denominator is None:
        return None
    builder.operands.insert(0, operand)
    name = f"{part.label.strip(' :')} as a share of {whole.label.strip(' :').lower()}, FY{year}"
    name += f" Q{quarter}" if quarter else ""
    return name, (f"{numerator[0]} / {denominator[0]} * 100", f"{numerator[1]} / {denominator[1]} * 100"), "%"


def _one_row(members: Sequence[str], whole: Fact | None, facts: Sequence[Fact]) -> bool:
    """Whether one row of the item's table names every listed part (``whole``: the item's fact)."""
    rows = {f.id if (f := member_fact(whole, m, facts)) else None for m in members} if whole else {None}
    return len(rows) == 1 and None not in rows


def _member(
    member: str, key: str, year: int, quarter: int | None, facts: Sequence[Fact], builder: _Builder
) -> tuple[str, tuple[str, str], str] | None:
    """(name, expressions, unit) of the member's row of line item ``key`` for the period: printed
    beside the item's own figure (:func:`agent.finance.share.member_fact`)."""
    whole = builder.lookup(key, year)
    part = member_fact(whole, member, facts) if whole is not None else None
    if part is None or part.chunk_id is None:
        return None
    operand = operand_of(part, key)
    builder.operands.append(operand)
    label = part.label.strip(" :")
    item = ITEMS[key].name
    name = label if item.lower() in label.lower() else f"{label} {item}"
    name += f", FY{year}{f' Q{quarter}' if quarter else ''}"
    return name, (f"{operand.printed}<{part.scale}>", f"{operand.value!r}<{part.scale}>"), part.unit


def calculate(
    plan: QuestionPlan,
    question: str,
    facts: Sequence[Fact],
    filings: Mapping[str, Any],
    years: Sequence[int] = (),
    level: bool = False,
    whole: bool = False,
) -> Calculation | None:
    """The figure question's answer computed from the facts of the scoped ``filings``
    (doc_id -> a record with form_type, fiscal_year, fiscal_quarter, period_end); None unless
    the question asks one figure of one company that the facts give unambiguously.

    ``years`` overrides the years the question names; ``level`` asks for the level of what the
    question names in that year, not its growth (a trend is two levels, :mod:`agent.finance.trend`);
    ``whole`` the item's own figure even where the question names its rows (a breakdown lists them)."""
    if plan.explanatory or not _one_filer(plan.companies) or len(plan.quarters) > 1:
        return None
    if plan.form != "figure" and not level:
        return None
    quarter = plan.quarters[0] if plan.quarters else None
    formula = None if level else read_formula(question)
    # "EBITDA less capex": the expression asked, over the definition and the line items.
    expression = None if level else asked_expression(question, formula)
    if expression is not None and not expression.tokens:
        return None  # an expression we cannot read whole: never another figure in its place
    formula = expression or formula
    metric = asked_metric(question)
    if level and metric is not None and metric.growth:
        metric = None  # the level of the item whose growth the words name
    # The years inside a definition are the formula's own, not the question's.
    named = question_years(question[: formula.start] if formula else question)
    years = list(years) or named or sorted(plan.fiscal_years)
    if not years:
        return None
    # A period the question prints ("nine months ended September 30, 2023") is what it asks,
    # whatever quarter its report is.
    dated = asked_date(question) if formula is None else None
    if dated is not None:
        quarter = None
    builder = _Builder(lambda key, year: pick_fact(facts, filings, key, year, quarter, dated))
    found = _expression(
        plan, question, facts, filings, _Asked(years, quarter, dated, formula, metric, level), builder
    )
    if found is None:
        return None
    builder, (name, pair, unit) = found
    if pair is None or not builder.operands:
        return None
    if quarter is not None and f"Q{quarter}" not in name:
        name = f"{name} Q{quarter}"
    if dated is not None:  # the period as the question prints it, not a fiscal-year label
        name = f"{name.rsplit(', ', 1)[0]}, {dated.words()}"
    return _computed(plan, "" if whole else question, facts, builder, (name, pair, unit), formula)


class _Asked(NamedTuple):
    """What :func:`calculate` read from the question: years, quarter, printed period, formula, metric."""

    years: list[int]
    quarter: int | None
    dated: Dated | None
    formula: Formula | None
    metric: Metric | None
    level: bool


def _expression(
    plan: QuestionPlan,
    question: str,
    facts: Sequence[Fact],
    filings: Mapping[str, Any],
    asked: _Asked,
    builder: _Builder,
) -> tuple[_Builder, tuple[str, tuple[str, str] | None, str]] | None:
    """The builder that read the operands and (name, shown and exact expressions, unit) of the
    figure asked: a member's share, the question's own formula, a named metric or one line item."""
    years, quarter, dated, formula, metric, level = asked
    if plan.share_of:
        share = None if level or len(years) != 1 else _share(plan, years[0], quarter, facts, builder)
        # None: never the whole's own figure in place of the share asked.
        return None if share is None else (builder, share)
    if formula is not None:
        return builder, _from_question_formula(formula, years[-1], question, builder)
    if (found := _metric_expression(question, years, builder, metric)) is not None:
        name, shown, exact, unit = found
        return builder, (name, (shown, exact), unit)
    if metric is not None or len(plan.items) != 1 or len(years) != 1:
        return None
    key = plan.items[0]
    if plan.members:
        # A part of the item ("Services" revenue): that row or nothing, never the total. Parts
        # listed side by side are one calculation each (series.calculate_member_series), unless
        # one row names them all ("Server products and cloud services").
        if len(plan.members) > 1 and not _one_row(plan.members, builder.lookup(key, years[0]), facts):
            return None
        member = _member(plan.members[0], key, years[0], quarter, facts, builder)
        return None if member is None else (builder, member)
    pair = builder.value(key, years[0])
    # A row standing in for the item is named as the filer prints it, never as the item.
    stand_in = builder.operands[0].stands_in if builder.operands else None
    name = (
        f"{stand_in.label if stand_in else ITEMS[key].name}, FY{years[0]}{f' Q{quarter}' if quarter else ''}"
    )
    if pair is None and quarter is not None and dated is None:
        # The quarter's report prints this cash flow year to date only: that figure, so named.
        builder = _Builder(lambda k, y: pick_year_to_date(facts, filings, k, y, quarter))
        pair = builder.value(key, years[0])
        name += f" year to date ({builder.operands[0].period})" if builder.operands else ""
    return builder, (name, pair, builder.operands[0].unit if builder.operands else "")


def _computed(
    plan: QuestionPlan,
    question: str,
    facts: Sequence[Fact],
    builder: _Builder,
    named: tuple[str, tuple[str, str], str],
    formula: Formula | None,
) -> Calculation | None:
    """The calculation of the ``named`` (name, shown and exact expressions, unit) expression over
    the builder's operands; None when it cannot be evaluated or a row the question names prints
    another figure."""
    name, pair, unit = named
    result = _evaluate(builder.resolve(pair[1], exact=True))
    if result is None:
        return None
    printed = result * 10 ** builder.scale() if unit == "USD" else None
    if _conflicting_row(question, facts, builder.operands, printed):
        return None
    return Calculation(
        name=name,
        expression=builder.resolve(pair[0], exact=False),
        formula=formula.words() if formula else "",
        operands=builder.operands,
        result=result,
        unit=unit,
        scale=builder.scale() if unit == "USD" else 0,
        decimals=plan.decimals,
        scale_asked=plan.scale,
    )


def _one_filer(companies: Sequence[str]) -> bool:
    """One company, or the names one filer used over the years ("Acme Systems Incorporated",
    "Acme Inc."): the same first word."""
    firsts = {re.split(r"[\s,.]+", c.strip().lower())[0] for c in companies if c.strip()}
    return len(firsts) == 1


def _formula_unit(formula: Formula, operands: Sequence[Operand]) -> str:
    """The unit of the operands for sums and differences of amounts, '' (a ratio) otherwise."""
    if any(t in ("*", "/") for t in formula.tokens) or not operands:
        return ""
    return operands[0].unit if all(o.unit == operands[0].unit for o in operands) else ""


__all__ = ["calculate", "pick_fact"]
