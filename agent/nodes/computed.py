"""A figure question answered by our code: the calculation over stored facts, worded and cited.

When the question plan asks one figure of one company and the stored facts give it unambiguously
(:mod:`agent.finance.calculate`), the draft is written here instead of by the model: the passages
that print the operands join the context (so the answer cites the page), the figure list holds the
calculation in the form the critic re-checks (``[c1][c2] <name> = CALC(...) (from ...)``), and the
sentence states the result with its unit and scale. The critic then checks it like any draft; if
it fails, the model drafts as before. No model call, so the answer takes seconds, not a minute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

from agent.critic.change import asked_change
from agent.critic.numbers import NumberMention
from agent.finance.labels import stems
from agent.finance.series import Shape, series_shape
from agent.finance.units import SCALE_WORDS
from agent.finance.vocabulary import ITEMS
from agent.injection import without_instructions
from agent.nodes.resources import Resources
from agent.schemas import (
    Breakdown,
    Calculation,
    Operand,
    Presence,
    QuestionPlan,
    ScoredChunk,
    Series,
    StandIn,
    Trend,
)
from agent.state import State

# Our calculation for the question (a Calculation, Trend, Series, a list of Series (one per part
# the question lists), Breakdown or None), made on first call.
Calculated = Callable[[], Any]
Found = Calculation | Trend | Presence | Series | list[Series] | Breakdown


def series_of(found: object) -> list[Series]:
    """The series of our calculation: one, one per listed part, or none."""
    if isinstance(found, Series):
        return [found]
    if isinstance(found, list) and found and all(isinstance(s, Series) for s in found):
        return found
    return []


def _amount(calc: Calculation) -> tuple[str, str]:
    """(expression or printed figure, scale word) of an amount, in the scale the question asked."""
    expression = calc.expression
    scale = calc.scale_asked if calc.scale_asked is not None else calc.scale
    shift = scale - calc.scale
    single = len(calc.operands) == 1 and expression == calc.operands[0].printed
    if shift > 0:
        expression = f"CALC({expression} / {10**shift})"
    elif shift < 0:
        expression = f"CALC({expression} * {10**-shift})"
    elif not single:
        expression = f"CALC({expression})"
    return expression, SCALE_WORDS.get(scale, "")


def _cites(calcs: list[Calculation], aliases: dict[str, str]) -> str:
    ids = dict.fromkeys(aliases[o.chunk_id] for c in calcs for o in c.operands if o.chunk_id)
    return "".join(f"[{a}]" for a in ids)


def _stated(calc: Calculation) -> str:
    """The result as the answer states it: an amount with its scale, a CALC with its unit."""
    if calc.unit == "USD":
        figure, word = _amount(calc)
        return f"${figure}{f' {word}' if word else ''}".replace("$-", "-$")
    if calc.unit in ("USD/share", "shares") and len(calc.operands) == 1:
        return calc.expression + (" per share" if calc.unit == "USD/share" else " shares")
    return f"CALC({calc.expression}){'%' if calc.unit == '%' else ''}"


def figure_line(calc: Calculation, aliases: dict[str, str]) -> str:
    """The calculation as a figure-list line, the form the critic reads back."""
    sources = "; ".join(
        f"{o.label} {o.period} = {o.printed} [{aliases[o.chunk_id or '']}]" for o in calc.operands
    )
    stated = _stated(calc)
    value = stated if "CALC(" in stated else f"CALC({calc.expression})"
    label = f"{calc.name} ({calc.formula})" if calc.formula else calc.name
    return f"{_cites([calc], aliases)} {label} = {value} (from {sources})"


def _operand_amount(operand: Operand) -> str:
    """An operand as the filing prints it, with its unit and scale: '$143,083 million'."""
    printed = operand.printed
    if operand.unit == "USD":
        word = SCALE_WORDS.get(operand.scale, "")
        return f"${printed}{f' {word}' if word else ''}".replace("$-", "-$")
    if operand.unit == "USD/share":
        return f"${printed} per share".replace("$-", "-$")
    word = SCALE_WORDS.get(operand.scale, "")
    if operand.unit == "shares":
        return f"{printed}{f' {word}' if word else ''} shares"
    # A table whose header gives the scale but no currency ("in thousands").
    return f"{printed}{f' {word}' if word else ''}"


def _inputs(calc: Calculation, aliases: dict[str, str], lead: str = "It is computed from") -> str:
    """The sentence naming what a derived figure was computed from (each operand's row, figure and
    period, cited), so a reader can check it; '' for a figure printed as it is."""
    operands = list({o.fact_id: o for o in calc.operands}.values())
    if len(operands) == 1 and calc.expression == operands[0].printed:
        return ""
    # One period: the first sentence names it. Several: each operand's, as its column prints it.
    several = len({o.period for o in operands}) > 1
    parts = [
        f"{o.label} of {_operand_amount(o)}{f' ({o.period})' if several and o.period else ''}"
        for o in operands
    ]
    listed = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f" {lead} {listed} {_cites([calc], aliases)}."


def word_calculation(calc: Calculation, aliases: dict[str, str], lead: str = "The") -> tuple[str, str]:
    """(figure-list line, draft sentence) for a calculation whose operands' passages have the
    given aliases ('c3'); a derived figure also names what it was computed from. ``lead``: the
    sentence's first words ("Yes: the" answering whether there was an amount)."""
    what = f"{calc.name} ({calc.formula})" if calc.formula else calc.name
    sentence = f"{lead} {what} is {_stated(calc)} {_cites([calc], aliases)}." + _inputs(calc, aliases)
    return figure_line(calc, aliases), sentence


def word_trend(trend: Trend, aliases: dict[str, str]) -> tuple[list[str], str]:
    """(figure-list lines, draft sentence) answering a yes/no question about a change."""
    earlier, later = trend.earlier, trend.later
    subject, first = earlier.name.rsplit(", ", 1) if ", " in earlier.name else (earlier.name, "")
    last = later.name.rsplit(", ", 1)[-1]
    if later.result == earlier.result:
        change = "unchanged"
    else:
        change = "an increase" if later.result > earlier.result else "a decrease"
    verdict = "" if trend.answer is None else ("Yes: the" if trend.answer else "No: the")
    sentence = (
        f"{verdict or 'The'} {subject} was {_stated(earlier)} in {first} and "
        f"{_stated(later)} in {last}, {change} {_cites([earlier, later], aliases)}."
    )
    for calc, period in ((earlier, first), (later, last)):
        sentence += _inputs(
            calc, aliases, f"The {period} figure is computed from" if period else "It is computed from"
        )
    return [figure_line(earlier, aliases), figure_line(later, aliases)], sentence


def _at(when: str) -> str:
    """A period as a sentence places a figure in it: "in the three months ended ...", "in FY2023
    Q3"; a balance "at October 29, 2023"."""
    return f"{'in' if when.startswith(('the ', 'FY')) else 'at'} {when}"


def _word_shape(series: Series, shape: Shape, verb: str, aliases: dict[str, str]) -> str:
    """The sentence saying how a series of three or more points moved, from our comparison of its
    figures: every step the same way ("rose from each period listed to the next"), else where it
    was highest and lowest. '' when neither can be said (two periods share the highest and lowest)."""
    points, periods = series.points, series.periods
    if shape.direction is not None:
        moved = "rose" if shape.direction == "up" else "fell"
        return (
            f"{series.subject} {moved} from each period listed to the next, from {_stated(points[0])} "
            f"{_at(periods[0])} to {_stated(points[-1])} {_at(periods[-1])} {_cites(points, aliases)}."
        )
    if shape.highest is None or shape.lowest is None:
        return ""
    high, low = shape.highest, shape.lowest
    return (
        f"Of the periods listed, {series.subject} {verb} highest {_at(periods[high])} "
        f"({_stated(points[high])}) and lowest {_at(periods[low])} ({_stated(points[low])}) "
        f"{_cites([points[high], points[low]], aliases)}."
    )


def word_parts_moved(
    series: Series, moved: list[tuple[Calculation, Calculation]], aliases: dict[str, str]
) -> tuple[list[str], str]:
    """(figure-list lines, draft sentences) naming the rows adding up to a series' item that moved
    most from its first period to its last, largest change first, each with both figures, cited."""
    lines = [figure_line(c, aliases) for pair in moved for c in pair]
    start, end = _at(series.periods[0]), _at(series.periods[-1])
    sentences = []
    for n, (before, after) in enumerate(moved):
        label = before.operands[0].label.strip(" :")
        lead = (
            f"Of the rows that add up to {series.subject}, the largest change"
            if n == 0
            else "The next largest"
        )
        sentences.append(
            f"{lead} was in {label}: from {_stated(before)} {start} to {_stated(after)} {end} "
            f"{_cites([before, after], aliases)}."
        )
    return lines, " ".join(sentences)


def word_series(series: Series, aliases: dict[str, str]) -> tuple[list[str], str]:
    """(figure-list lines, draft sentences) listing one figure over the periods, oldest first, how
    it moved (three periods or more, :func:`_word_shape`) and its change from the first to the last
    when both are amounts."""
    lines = [figure_line(p, aliases) for p in series.points]
    subject = series.subject
    verb = "were" if re.search(r"[^s]s$", subject.split(",")[0].strip()) else "was"
    aka = f" (also printed as {', '.join(series.also_printed)})" if series.also_printed else ""
    sentences = [
        f"{subject}{aka if n == 0 else ''} {verb} {_stated(p)} {_at(when)} {_cites([p], aliases)}."
        for n, (p, when) in enumerate(zip(series.points, series.periods, strict=True))
    ]
    shape = series_shape(series)
    if shape is not None and (moved := _word_shape(series, shape, verb, aliases)):
        sentences.append(moved)
    if series.change is not None:
        lines.append(figure_line(series.change, aliases))
        sentences.append(
            f"From {series.periods[0]} to {series.periods[-1]}, {series.subject.lower()} changed by "
            f"{_stated(series.change)} {_cites([series.change], aliases)}."
        )
    return lines, " ".join(sentences)


def with_passages(
    state: State, calcs: list[Calculation], resources: Resources
) -> tuple[list[ScoredChunk], dict[str, str], list[ScoredChunk]] | None:
    """(context, aliases, added) with the passages printing every operand in the context; None
    when one cannot be added (gone, or flagged as carrying instructions)."""
    operands = [o for c in calcs for o in c.operands]
    context = list(state.context)
    aliases = {c.id: f"c{i}" for i, c in enumerate(context, start=1)}
    # The passages printing the operands, and those saying a stand-in row includes the item.
    needed = [o.chunk_id for o in operands] + [o.stands_in.chunk_id for o in operands if o.stands_in]
    missing = list(dict.fromkeys(i for i in needed if i and i not in aliases))
    added = [
        ScoredChunk(chunk=c, score=0.0, stage_scores={"facts": 1.0}) for c in resources.get_chunks(missing)
    ]
    if len(added) != len(missing) or any(c.chunk.metadata.flagged for c in added):
        return None
    for chunk in added:
        context.append(chunk)
        aliases[chunk.id] = f"c{len(context)}"
    if any(o.chunk_id not in aliases for o in operands):
        return None
    return context, aliases, added


def stand_in_sentences(calcs: list[Calculation], aliases: dict[str, str]) -> list[str]:
    """The sentences saying which row of the filer's stands in for the item asked and why: the
    filing's own sentence that the row includes it, quoted and cited (once per row name), so no
    reader takes the row's figure for the item alone."""
    quoted: dict[str, StandIn] = {}
    for operand in (o for c in calcs for o in c.operands):
        if operand.stands_in is not None and operand.stands_in.chunk_id in aliases:
            quoted.setdefault(operand.stands_in.label.lower(), operand.stands_in)
    return [
        f'{q.label} includes {ITEMS[q.item].name}: "{q.quote}" [{aliases[q.chunk_id]}].'
        for q in quoted.values()
    ]


def word_breakdown(found: Breakdown, aliases: dict[str, str]) -> tuple[list[str], str]:
    """(figure-list lines, draft sentences) listing the parts of one item, as the table prints
    them: one sentence per row, so that each figure sits beside the row that prints it. Parts that
    do not add up to it (the statement lines above a subtotal) are not called its make-up."""
    parts = (
        f"made up of the {len(found.parts)} rows below"
        if found.adds_up
        else f"after the {len(found.parts)} lines below, as its statement prints them above it"
    )
    sentences = [
        f"{found.subject} was {_stated(found.whole)} in {found.period} {_cites([found.whole], aliases)}, {parts}."
    ]
    sentences += [
        f"{p.operands[0].label.strip(' :')} was {_stated(p)} {_cites([p], aliases)}." for p in found.parts
    ]
    return [figure_line(c, aliases) for c in [found.whole, *found.parts]], " ".join(sentences)


def calcs_of(found: Found) -> list[Calculation]:
    if isinstance(found, Breakdown):
        return [found.whole, *found.parts]
    if isinstance(found, Trend):
        return [found.earlier, found.later]
    if isinstance(found, Presence):
        return [found.level]
    if isinstance(found, list | Series):
        return [c for s in series_of(found) for c in [*s.points, *([s.change] if s.change else [])]]
    return [found]


def answers_whole(found: Found, plan: QuestionPlan | None) -> bool:
    """Whether our calculation is the whole answer: a series is, when it has every period and the
    question asks for nothing beyond the figures (no reasons, no implications, no yes/no verdict)."""
    if isinstance(found, Breakdown):
        return plan is not None and not plan.assessment
    if not isinstance(found, list | Series):
        return True
    return (
        not any(s.missing for s in series_of(found))
        and plan is not None
        and not plan.assessment
        and plan.form != "yes_no"
    )


def word_all_series(found: Series | list[Series], aliases: dict[str, str]) -> tuple[list[str], str]:
    """:func:`word_series` of each series, one after the other."""
    lines: list[str] = []
    sentences: list[str] = []
    for series in series_of(found):
        more, said = word_series(series, aliases)
        lines += more
        sentences.append(said)
    return lines, " ".join(sentences)


def computed_draft(state: State, calculated: Calculated, resources: Resources) -> dict[str, Any] | None:
    """The state update of a draft written from our calculation (``calculated()``, made at most
    once per draft), or None when there is none (or when it is only part of the answer: see
    :func:`series_lead`)."""
    found = calculated()
    if found is None or not answers_whole(found, state.plan):
        return None
    calcs = calcs_of(found)
    placed = with_passages(state, calcs, resources)
    if placed is None:
        return None
    context, aliases, added = placed
    if isinstance(found, Trend):
        lines, sentence = word_trend(found, aliases)
    elif isinstance(found, list | Series):
        lines, sentence = word_all_series(found, aliases)
    elif isinstance(found, Breakdown):
        lines, sentence = word_breakdown(found, aliases)
    elif isinstance(found, Presence):
        line, sentence = word_calculation(found.level, aliases, lead="Yes: the")
        lines = [line]
    else:
        line, sentence = word_calculation(found, aliases)
        lines = [line]
    sentence = " ".join([*stand_in_sentences(calcs, aliases), sentence])
    operands = {o.fact_id for c in calcs for o in c.operands}
    return {
        "draft": sentence,
        "figures": lines,
        "context": context,
        "retrieved": added,
        "calculations": calcs,
        "fallbacks": [
            f"draft: computed by our code from {len(operands)} stored fact(s); no model call"
            + (f" ({len(added)} passage(s) printing them added)" if added else "")
        ],
    }


def _digits(mention: NumberMention) -> str:
    found = re.search(r"\d[\d,]*(?:\.\d+)?", mention.raw)
    return found.group(0).replace(",", "") if found else ""


def printed_change_draft(state: State, question: str) -> dict[str, Any] | None:
    """The draft of a question asking by how much something changed, when one context passage
    prints that change as a pair of amounts ("9 percent (previously 8 percent)", "from $3.1 billion
    to $3.4 billion"): their difference, computed as a CALC the critic re-checks over the printed
    figures, in percentage points for two percentages. None when the plan asks no change, or no
    printed pair (or more than one) names what the question asks (:func:`asked_change`)."""
    plan = state.plan
    if plan is None or not plan.asks_change or not state.context:
        return None
    passages = [
        (f"c{i}", without_instructions(c.chunk.text, "")) for i, c in enumerate(state.context, start=1)
    ]
    filings: dict[str, list[str]] = {}
    for alias, c in sorted(
        zip((a for a, _ in passages), state.context, strict=True),
        key=lambda p: p[1].chunk.metadata.chunk_index,
    ):
        filings.setdefault(c.chunk.metadata.doc_id, []).append(alias)
    found = asked_change(
        question, {s for c in plan.companies for s in stems(c)}, passages, list(filings.values())
    )
    if found is None:
        return None
    change, cited = found
    alias = "][".join(cited)
    before, after = change.before, change.after
    if before.scale != after.scale:
        return None  # "$800 million to $1.2 billion": no shared scale to write the difference in
    up = after.magnitude > before.magnitude
    big, small = (after, before) if up else (before, after)
    expression = f"{_digits(big)} - {_digits(small)}"
    word = SCALE_WORDS.get(round(math.log10(after.scale)), "") if after.scale > 1 else ""
    if after.is_percent:
        one = abs(after.magnitude - before.magnitude) == 1
        stated = f"CALC({expression}) percentage point{'' if one else 's'}"
    elif after.is_currency:
        stated = f"${f'CALC({expression})'}{f' {word}' if word else ''}"
    else:
        stated = f"CALC({expression}){f' {word}' if word else ''}"
    subject = change.subject[:1].upper() + change.subject[1:]
    sentence = f"{subject}: from {before.raw} to {after.raw}, {'an increase' if up else 'a decrease'} of {stated} [{alias}]."
    line = f"[{alias}] change ({after.raw} against {before.raw} before) = CALC({expression}) (from: {change.sentence[:200]})"
    return {
        "draft": sentence,
        "figures": [line],
        "calculations": [],
        "fallbacks": [
            "draft: the change computed by our code from the amounts a passage prints before and after; no model call"
        ],
    }
