"""Figures as typed data: a filing's facts, the question plan, and what our code computes over them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

StatementKind = Literal["income", "balance", "cash_flow", "equity", "segment", "other"]
FactSource = Literal["ixbrl", "table"]


class FactPeriod(BaseModel):
    """The period of one table column or XBRL context: a duration (start..end) or an instant."""

    kind: Literal["duration", "instant", "unknown"] = "unknown"
    start: str | None = Field(default=None, description="ISO start date of a duration, when known.")
    end: str | None = Field(
        default=None, description="ISO end date of a duration, or the instant's date, when known."
    )
    months: int | None = Field(default=None, description="Length of a duration in months (3, 6, 9, 12).")
    fiscal_year: int | None = Field(
        default=None, description="Fiscal year the period falls in, as the filing names its years."
    )
    fiscal_quarter: int | None = Field(default=None, description="1-4 for a quarter's duration, else None.")
    label: str = Field(default="", description="The column heading or context as printed.")


class StandIn(BaseModel):
    """The filer's own line standing in for a line item it prints no row for, and the filing's
    sentence saying the line includes it (agent.finance.stand_in): made at question time, never stored."""

    item: str = Field(description="The vocabulary line item the filer prints no row for ('r_and_d').")
    label: str = Field(description="The filer's row that includes it, as the sentence names it.")
    chunk_id: str = Field(description="The passage printing the sentence.")
    quote: str = Field(description="The sentence, verbatim up to the clause naming the item.")


class Fact(BaseModel):
    """One figure of a filing, typed: a table cell or an inline-XBRL ``ix:nonFraction`` tag.

    ``value`` is the number as printed with its sign applied; ``scale`` is the power of ten the
    table's header (or the tag's ``scale``) puts on it, so the amount is ``value * 10**scale``
    ("1,234" in a table "in millions" is value 1234, scale 6).
    """

    id: str = Field(description="Stable id: '<doc_id>::f<n>'.")
    doc_id: str
    page: int = Field(description="Zero-based page index.")
    chunk_id: str | None = Field(default=None, description="The chunk that prints it, when found.")
    statement: StatementKind = "other"
    table: str = Field(default="", description="The table's title as printed, when it has one.")
    label: str = Field(description="Row label as printed (for prose XBRL facts: the concept's words).")
    group: str = Field(default="", description="The heading the row sits under ('Net sales:').")
    period: FactPeriod = Field(default_factory=FactPeriod)
    value: float
    scale: int = Field(default=0, description="Power of ten: 3 thousands, 6 millions, 9 billions.")
    unit: str = Field(default="", description="'USD', 'USD/share', 'shares', '%', or '' when unstated.")
    text: str = Field(default="", description="The figure as printed ('$ (1,234)').")
    source: FactSource = "table"
    concept: str | None = Field(default=None, description="XBRL concept ('us-gaap:Revenues').")
    dimensions: dict[str, str] = Field(
        default_factory=dict, description="XBRL axis -> member (segments, products, regions)."
    )
    decimals: int | None = Field(default=None, description="XBRL decimals (-6: rounded to millions).")
    stands_in: StandIn | None = Field(
        default=None, description="Set at question time on a row standing in for an item it includes."
    )

    @property
    def amount(self) -> float:
        """The value in the unit itself (dollars, not millions)."""
        return self.value * 10**self.scale


AnswerForm = Literal["figure", "comparison", "superlative", "yes_no", "text"]


class QuestionPlan(BaseModel):
    """The question analysed once, early in the graph, for every later node to read."""

    companies: list[str] = Field(default_factory=list, description="Companies the scope resolved to.")
    fiscal_years: list[int] = Field(default_factory=list)
    quarters: list[int] = Field(default_factory=list)
    items: list[str] = Field(default_factory=list, description="Vocabulary line items named (keys).")
    metric: str | None = Field(default=None, description="The derived metric named (operating margin, ...).")
    metric_items: list[str] = Field(
        default_factory=list, description="Line items the metric is defined over."
    )
    form: AnswerForm = Field(default="text", description="What the answer must be.")
    explanatory: bool = Field(default=False, description="Asks for reasons or a description, not a figure.")
    extreme: Literal["highest", "lowest"] | None = Field(
        default=None, description="A superlative: the row with the highest or lowest value (or change)."
    )
    change: bool = Field(default=False, description="The superlative is over a change ('the biggest drop').")
    among: str = Field(default="", description="What the superlative ranks ('segment', 'region').")
    ranks_amount: bool = Field(
        default=False,
        description="The superlative ranks an amount ('the largest investment', 'the most cash'), even one "
        "the vocabulary does not name: our code ranks it or nothing does.",
    )
    decimals: int | None = Field(default=None, description="Rounding the question asks for.")
    share_of: str = Field(
        default="",
        description="The member whose share of the one named line item is asked ('services' in 'what "
        "percentage of total revenue did the Services segment contribute'); computed by our code.",
    )
    total_over: str = Field(
        default="",
        description="The plural a total is asked over ('unsecured revolving credit agreements'): the answer "
        "must add every one of them, not give one.",
    )
    scale: Literal[3, 6, 9] | None = Field(
        default=None, description="Scale asked for: 3 thousands, 6 millions, 9 billions."
    )
    members: list[str] = Field(
        default_factory=list,
        description="Words naming each part of the one line item asked (['services'] in 'Services segment "
        "revenue'; ['windows', 'surface devices'] in 'revenue from Windows or Surface devices'): our code "
        "states those rows, never the item's total in their place.",
    )
    breakdown: bool = Field(
        default=False,
        description="Asks for the parts of one line item ('revenue by segment', 'the breakdown across its "
        "service offerings'): our code lists the rows of a table that add up to it.",
    )
    parts: str = Field(
        default="",
        description="What the parts of a breakdown are, as the question names them ('service offerings').",
    )
    over_periods: bool = Field(
        default=False,
        description="Asks how one figure moved across the reported periods ('how has revenue changed over "
        "time', 'quarter to quarter', 'compared with prior quarters'): our code lists it for each period.",
    )
    assessment: bool = Field(
        default=False,
        description="Asks for more than figures: reasons, drivers, what they suggest or imply.",
    )
    growth: bool = Field(
        default=False,
        description="Asks how a figure changed ('revenue growth', 'what changes in debt'): the period "
        "asked and its comparative (the year before, or the last year-end for a balance) are both asked.",
    )
    asks_change: bool = Field(
        default=False,
        description="Asks by how much something changed ('by how much did it increase its credit "
        "facility', 'by how many percentage points did it raise guidance'): the answer is the change, "
        "never the level before or after it.",
    )
    points: bool = Field(
        default=False,
        description="Asks a change in percentage (or basis) points: the difference of two percentages, "
        "not their relative change.",
    )
    any_event: bool = Field(
        default=False,
        description="Asks whether there was any such event ('Were there any acquisitions ...?'): a "
        "question that finding nothing answers ('does it have an improving margin?' is not).",
    )


class Superlative(BaseModel):
    """A superlative computed by our code (agent.finance.ranking): the row that answers it."""

    extreme: Literal["highest", "lowest"]
    subject: str = Field(description="What was ranked ('Operating income').")
    member: str = Field(description="The winning row ('AWS').")
    value: float = Field(description="Its value, or its change for a change question.")
    text: str = Field(description="Its figure as printed.")
    fact_id: str
    chunk_id: str | None = None
    rows: int = Field(description="How many rows were ranked.")
    members: list[str] = Field(default_factory=list, description="Every ranked row, best first.")


class Operand(BaseModel):
    """One stored fact a calculation uses, with the value it enters with."""

    fact_id: str
    chunk_id: str | None = None
    doc_id: str
    page: int
    item: str = Field(description="The vocabulary line item ('capex').")
    label: str = Field(description="The row label as printed.")
    period: str = Field(description="The column or context as printed.")
    fiscal_year: int | None = None
    value: float = Field(description="As used: a loss negative, an amount spent by its size.")
    printed: str = Field(description="The digits as printed, signed like value ('1,577', '-265').")
    scale: int = 0
    unit: str = ""
    stands_in: StandIn | None = Field(
        default=None, description="The fact's, when its row stands in for the item."
    )


class Calculation(BaseModel):
    """A figure computed by our code over stored facts (agent.finance.calculate), never by a model."""

    name: str = Field(description="What it is: 'operating margin, FY2021', 'total current assets, FY2019'.")
    expression: str = Field(description="Arithmetic over the operands' printed digits.")
    formula: str = Field(default="", description="The question's own definition in words, when it gave one.")
    operands: list[Operand]
    result: float
    unit: str = Field(description="'%', 'USD', 'USD/share', 'shares', or '' for a ratio.")
    scale: int = Field(default=0, description="Power of ten of an amount's result (the operands' scale).")
    decimals: int | None = Field(default=None, description="Rounding the question asked for.")
    scale_asked: int | None = Field(default=None, description="Scale the question asked the answer in.")


class Presence(BaseModel):
    """A yes/no question whether the company reported an amount of one line item in one period
    ("Has it paid dividends in FY2022?"), answered yes from the stored figure (agent.finance.presence)."""

    level: Calculation


class Trend(BaseModel):
    """A change between two periods, from two calculations over stored facts (agent.finance.trend):
    a yes/no question about it ("did the margin improve in FY2022?") or a comparison."""

    asked: Literal["up", "down"] | None = Field(
        default=None, description="The direction a yes/no question asks about; None for a comparison."
    )
    earlier: Calculation
    later: Calculation
    answer: bool | None = Field(default=None, description="Whether the change went the asked way (yes/no).")


class Series(BaseModel):
    """One figure for every period of the scoped filings, oldest first, from stored facts
    (agent.finance.series): how revenue moved over the quarters the filings report."""

    subject: str = Field(description="What was listed ('Total net sales').")
    points: list[Calculation] = Field(description="One level per period, oldest first.")
    periods: list[str] = Field(
        description="Each point's period in words ('three months ended July 1, 2023')."
    )
    change: Calculation | None = Field(
        default=None, description="First to last, in percent, when both are amounts."
    )
    missing: list[str] = Field(
        default_factory=list, description="Periods of the scoped filings whose figure the facts do not give."
    )
    also_printed: list[str] = Field(
        default_factory=list, description="Other names the filer printed the row under (a renamed line)."
    )


class Breakdown(BaseModel):
    """The parts of one line item for one period, read off a table whose rows add up to it
    (agent.finance.breakdown)."""

    subject: str = Field(description="The whole as the filing labels it ('Total net sales').")
    period: str = Field(description="Its period in words ('the three months ended September 30, 2023').")
    whole: Calculation
    parts: list[Calculation] = Field(description="Each row, in print order.")
    adds_up: bool = Field(
        default=True,
        description="The parts add up to the whole; False: no table's rows do, and the parts are the "
        "lines its statement prints above it (revenue down to income before tax, above net income).",
    )
