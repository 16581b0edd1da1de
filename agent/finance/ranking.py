"""Superlatives computed by our code over every row of a table, never picked by the model.

"Which segment had the lowest operating income?" is answered by reading one table for one period
and taking the minimum; "the biggest drop" by each row's change between two periods. A small
model asked to do it picks a row that looks right (a region table's row, a total, the wrong
column). Here the candidates come from the typed facts of the passages in the drafting context:
in each table, the facts whose row label or group heading names what the question asks (the
subject); the other of the two names the member being ranked (a segment, a region, a product).
Tables print both ways round ("Operating income:" over segment rows, or a segment heading over
its "Operating income" row); both are read. When the question lists the members itself ("among
operating, investing and financing activities"), each listed member's row is taken instead.
Totals are never ranked. Nothing here knows a company or a question's wording.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from agent.finance.labels import ASIDE, TOTAL_ROW, stems
from agent.finance.units import describe_amount
from agent.finance.vocabulary import ITEMS, normalise_label
from agent.schemas import Fact, QuestionPlan, Superlative

_LIST_SPLIT = re.compile(r",\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", re.I)
_NOT_SUBJECT = {
    "fiscal",
    "year",
    "years",
    "quarter",
    "quarters",
    "ended",
    "ending",
    "months",
    "period",
    "which",
}
MIN_ROWS = 2


@dataclass(frozen=True)
class RankedRow:
    member: str
    value: float  # the member's value, or its change between the two periods
    fact: Fact  # the member's fact for the asked (later) period
    earlier: Fact | None = None


@dataclass(frozen=True)
class Ranking:
    extreme: str
    change: bool
    subject: str
    rows: list[RankedRow]  # best first

    @property
    def winner(self) -> RankedRow:
        return self.rows[0]

    def typed(self) -> Superlative:
        """The winner as state carries it, for the critic to hold the draft to."""
        win = self.winner
        return Superlative(
            extreme=self.extreme,  # type: ignore[arg-type]
            subject=self.subject,
            member=win.member,
            value=win.value,
            text=win.fact.text,
            fact_id=win.fact.id,
            chunk_id=win.fact.chunk_id,
            rows=len(self.rows),
            members=[r.member for r in self.rows],
        )

    def sentence(self, alias: str, listed: bool) -> str:
        """The answer our code states: the winning row, its figure and period, cited. ``listed``:
        the rows are the members the question lists, so the subject is the list."""
        win = self.winner
        period = win.fact.period.label or win.fact.period.end or ""
        amount = describe_amount(win.fact.value, win.fact.scale, win.fact.unit)
        name = win.fact.label.strip(" :") if listed else win.member
        what = f"of {self.subject}" if listed else self.subject[:1].lower() + self.subject[1:]
        return (
            f"{name} has the {self.extreme} {what}: {amount} ({period}), ranked by our code over every "
            f"row of the table [{alias}]."
        )

    def line(self, alias: str) -> str:
        """The figure-list line the drafter copies from."""
        win = self.winner
        period = win.fact.period.label or win.fact.period.end or ""
        amount = describe_amount(win.fact.value, win.fact.scale, win.fact.unit)
        what = f"change in {self.subject}" if self.change else self.subject
        by = (
            f" (a change of {describe_amount(win.value, win.fact.scale, win.fact.unit)})"
            if self.change
            else ""
        )
        others = "; ".join(
            f"{r.member} {describe_amount(r.value, r.fact.scale, r.fact.unit)}" for r in self.rows[1:6]
        )
        return (
            f"[{alias}] {self.extreme} {what}, {period}: {win.member} = {amount}{by} "
            f"(ranked by our code over {len(self.rows)} rows; the others: {others})"
        )


def _period_ok(fact: Fact, plan: QuestionPlan, year: int | None) -> bool:
    period = fact.period
    if fact.unit == "%" or (year is not None and period.fiscal_year != year):
        return False
    if plan.quarters:
        # A quarter's figure, or a balance at a date of the asked year ("June 30, 2023" for Q2).
        instant = period.months is None and period.end is not None
        return instant or (period.months == 3 and period.fiscal_quarter in plan.quarters)
    return period.months in (12, None)


Score = tuple[int, int, float]


def _bare(name: str) -> str:
    return " ".join(ASIDE.sub(" ", name).lower().split())


def _subject_and_member(fact: Fact, asked: set[str], among: set[str]) -> tuple[Score, str, str] | None:
    """(score, subject, member) of a fact: the one of its label and group heading that names more
    of what the question asks is the subject, the other the member ranked. The score: words of the
    question the subject names, words of what is ranked ("segment", "category") that the table's
    title, headings, statement kind or XBRL axes name, and the share of the subject's words asked."""
    label, group = fact.label.strip(" :"), fact.group.strip(" :")
    by_label, by_group = len(asked & stems(label)), len(asked & stems(group))
    if by_label == by_group == 0:
        return None
    subject, member = (label, group) if by_label >= by_group else (group, label)
    if not member or TOTAL_ROW.match(member) or TOTAL_ROW.match(subject):
        return None
    if _bare(member) == _bare(subject):
        return None  # a row repeating its heading ("Short-term investments:" ... "Short-term investments") sums it
    axes = " ".join(re.sub(r"([a-z])([A-Z])", r"\1 \2", a.split(":")[-1]) for a in fact.dimensions)
    context = stems(f"{fact.table} {fact.group} {fact.statement} {axes}")
    overlap = max(by_label, by_group)
    return (overlap, len(among & context), overlap / max(1, len(stems(subject)))), subject, member


def _ranked(
    found: dict[str, dict[int | None, Fact]], plan: QuestionPlan, later: int | None, earlier: int | None
) -> list[RankedRow]:
    rows = []
    for member, by_year in found.items():
        now = by_year.get(later)
        then = by_year.get(earlier) if plan.change else None
        if now is None or (plan.change and then is None):
            continue
        rows.append(RankedRow(member, now.value - then.value if then is not None else now.value, now, then))
    rows.sort(key=lambda r: r.value, reverse=plan.extreme == "highest")
    return rows


def _by_subject(
    facts: Sequence[Fact], plan: QuestionPlan, asked: set[str], among: set[str], years: list[int | None]
) -> list[tuple[tuple[Score, int], Ranking]]:
    """Rankings of every (table, subject) with two members or more, with their scores."""
    later, earlier = years[-1], years[0] if len(years) > 1 else None
    groups: dict[tuple[str, str], dict[str, dict[int | None, Fact]]] = defaultdict(lambda: defaultdict(dict))
    scores: dict[tuple[str, str], Score] = {}
    shown: dict[tuple[str, str], str] = {}
    for fact in facts:
        named = _subject_and_member(fact, asked, among)
        for year in {later, earlier}:
            if named is not None and _period_ok(fact, plan, year):
                score, subject, member = named
                # "Operating income (loss)" and "Operating income" are one subject.
                key = (fact.chunk_id or str(fact.page), ASIDE.sub(" ", subject).strip().lower())
                shown.setdefault(key, subject)
                groups[key][member].setdefault(year, fact)
                scores[key] = max(score, scores.get(key, score))
    out = []
    for key, found in groups.items():
        rows = _ranked(found, plan, later, earlier)
        if len(rows) >= MIN_ROWS:
            out.append(
                ((scores[key], len(rows)), Ranking(plan.extreme or "highest", plan.change, shown[key], rows))
            )
    return out


def _by_listed_members(
    facts: Sequence[Fact],
    plan: QuestionPlan,
    alternatives: list[tuple[str, set[str]]],
    years: list[int | None],
) -> Ranking | None:
    """The question names the members ('operating, investing and financing activities'): each
    one's row is the largest figure whose label holds all its words, in one table."""
    later, earlier = years[-1], years[0] if len(years) > 1 else None
    tables: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        tables[f"{fact.doc_id}|{fact.table}"].append(fact)
    for table in tables.values():
        found: dict[str, dict[int | None, Fact]] = defaultdict(dict)
        for name, wanted in alternatives:
            for year in {later, earlier}:
                matching = [f for f in table if wanted <= stems(f.label) and _period_ok(f, plan, year)]
                if matching:
                    found[name][year] = max(matching, key=lambda f: abs(f.value))
        rows = _ranked(found, plan, later, earlier)
        if len(rows) == len(alternatives):
            return Ranking(plan.extreme or "highest", plan.change, plan.among, rows)
    return None


def listed_members(plan: QuestionPlan) -> list[str]:
    """The members a superlative question lists itself ("operations, investing, and financing
    activities"), or [] when it names only what is ranked ("segments")."""
    parts = [p.strip() for p in _LIST_SPLIT.split(plan.among) if stems(p)]
    return parts if len(parts) >= 2 else []


def rank_rows(plan: QuestionPlan, question: str, facts: Sequence[Fact]) -> Ranking | None:
    """The ranking a superlative ``plan`` asks for over ``facts`` (those of the drafting
    context's passages), or None when no table has two comparable members for the asked period."""
    if plan.extreme is None:
        return None
    latest = max((f.period.fiscal_year for f in facts if f.period.fiscal_year), default=None)
    years: list[int | None] = [*sorted(set(plan.fiscal_years))] or [latest]
    if plan.change and len(years) == 1 and years[0] is not None:
        years = [years[0] - 1, years[0]]
    parts = listed_members(plan)
    if parts:
        return _by_listed_members(facts, plan, [(p, stems(p)) for p in parts], years)
    asked = stems(question) - stems(plan.among) - {w[:5] for w in _NOT_SUBJECT}
    asked -= {s for c in plan.companies for s in stems(c)}
    rankings = [
        r
        for r in _by_subject(facts, plan, asked, stems(plan.among), years)
        if _names_item(r[1].subject, plan)
    ]
    return max(rankings, key=lambda r: r[0])[1] if rankings else None


def _names_item(subject: str, plan: QuestionPlan) -> bool:
    """Whether a table's subject is the line item the question ranks by, when it names one: "Net
    income" for net income, never "Other comprehensive income" for sharing a word with it."""
    if not plan.items or plan.metric:
        return True
    # "Net sales by category", "Segment operating income": what the rows are is no part of the
    # item's name.
    head = re.split(r"\s+by\s+", subject, maxsplit=1)[0]
    among = {v for w in re.findall(r"[a-z]+", plan.among.lower()) for v in (w, w.rstrip("s"))}
    bare = " ".join(w for w in head.split() if w.lower().strip(",:") not in among)
    return any(ITEMS[k].rows.fullmatch(normalise_label(text)) for k in plan.items for text in (head, bare))
