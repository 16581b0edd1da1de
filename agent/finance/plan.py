"""The question plan: one analysis of the question, made once, for every later node to read.

Rules over the line-item vocabulary and the metric definitions decide what the answer must be (a
figure, a comparison, a superlative over a table's rows, yes/no, or text), which items and metric
it names, and the rounding and scale it asks for. The words are the questions' grammar ("which ...
the highest", "round to two decimals", "in USD millions"), never one question's wording.
"""

from __future__ import annotations

import re

from agent.finance.derived import EXPLANATORY, asked_metric, named_items, question_years
from agent.finance.share import asked_members, asked_share
from agent.finance.units import SCALE_EXPONENTS
from agent.finance.vocabulary import ITEMS
from agent.schemas import QuestionPlan, Scope

_YES_NO = re.compile(
    r"^\s*(?:(?:as\s+of|in|for|during)\b[^,?]*,\s*)?(?:is|are|was|were|did|does|do|has|have|had|can|could|will|would|should)\b",
    re.I,
)
_HIGH = r"highest|largest|biggest|greatest|most|top|best|strongest|maximum|steepest|sharpest|fastest"
_LOW = r"lowest|smallest|least|weakest|worst|minimum|slowest"
# "the most recent quarter", "the latest 10-Q" name a period, not a ranking.
SUPERLATIVE = re.compile(rf"\b(?:(?P<high>{_HIGH})|(?P<low>{_LOW}))\b(?!\s+recent)", re.I)
_CHANGE = re.compile(r"\b(?P<dir>drop|decline|decrease|fall|increase|growth|gain|rise|change|jump)s?\b", re.I)
_DOWN = {"drop", "decline", "decrease", "fall"}
# "which of Apple's geographic segments had", "what Acme product category saw": the words between
# "which"/"what" and the verb name what is ranked (company names and possessives left out).
_WHICH = re.compile(
    r"\b(?:which|what)\s+(?P<among>(?:[\w&'’.-]+\s+){0,5}?)(?=(?:had|has|have|was|were|is|are|did|does|"
    r"generated|brought|recorded|reported|saw|posted|contributed|used|spent|lost|grew|declined|fell|rose|"
    r"delivered|earned|made|produced|accounted|received|held|invested|paid|incurred)\b)",
    re.I,
)
_AMONG = re.compile(r"\bamong\s+(?:its\s+|the\s+)?(?P<among>[a-z ,]+?),?\s+(?:which|what)\b", re.I)
# "used the most cash", "lost the most": the most spent is the lowest figure. Only the verb right
# before the superlative counts ("brought in the most (or lost the least)" is the highest).
_SPENT = re.compile(r"\b(?:used|uses|use|spent|spends|lost|loses|consumed|burned)\s+(?:the\s+)?$", re.I)
_FILLER = {"of", "the", "its", "their", "his", "her", "our", "a", "an", "one", "two", "three"}
_COMPARISON = re.compile(
    r"\b(?:compare[ds]?|comparison|versus|vs\.?|relative\s+to|difference\s+between|higher\s+than|lower\s+than)\b",
    re.I,
)
# Questions that ask for an analysis or a trend rather than one figure, even when they name a line
# item: "how did inventory levels reflect on ...", "what do the margins suggest", "the main
# contributors to net income", "how has revenue changed over time".
ANALYSIS = re.compile(
    r"\b(?:how\s+(?:did|do|does|has|have|had|is|are|was|were|would|could|might)\b|analy[sz](?:e[sd]?|ing|is)\b|"
    r"suggest\w*|reflect\w*|impact\w*|effects?\b|relationship|relate[sd]?\b|correlat\w*|(?:connections?|links?)\s+between|contributors?|"
    r"influences?|drivers?|main|principal|key|trends?|over\s+time|strateg\w*|adapt\w*|implications?|"
    r"indicat\w*|assess\w*|evaluat\w*|discuss\w*|outlook|guidance)\b",
    re.I,
)
# "If operating margin is not a useful metric here, state that and explain why.": an instruction
# for another case than the one asked, not what the question asks for.
# "If so, what drove it?" follows up the question itself: that one is asked.
_CONDITIONAL = re.compile(r"(?:^|(?<=[.?!]))\s*If\b(?!\s+(?:so|yes|any)\b)[^.?!]*[.?!]?", re.I)
# "What was R&D expense in Q1, and which initiatives were prioritised?": a second question beside
# the figure, which the figure alone does not answer.
_SECOND_ASK = re.compile(
    r"(?:,|;|\band\b)\s*(?:and\s+)?(?:which|what|how|why|whether|where|who)\b(?![^?]*\b(?:was|were|is)\s+(?:it|the\s+figure)\b)",
    re.I,
)
# "the total amount it may borrow under its revolving credit agreements": a total over a plural
# the question closes on. The plural's head is a count noun ("agreements", "facilities"), not a
# word that merely ends in s ("business", "analysis").
_TOTAL_OVER = re.compile(
    r"\b(?:total|combined|aggregate)\b[^?.;]*?\b(?:under|across|of|for|from)\s+(?:all\s+(?:of\s+)?)?"
    r"(?:its|their|the)\s+(?P<noun>(?:[a-z-]+\s+){0,4}?[a-z-]*[^\Ws]s)\s*(?:[?.,;]|$)",
    re.I,
)
# "By how much did it increase ...", "by how many percentage points did it raise ...", "how much did
# its debt grow": the size of a change is asked, not a level.
_ASKS_CHANGE = re.compile(
    r"\bby\s+how\s+(?:much|many)\b|\bhow\s+(?:much|many\s+[\w%-]+(?:\s+points)?)\s+(?:did|has|have|had|does|do|was|were|is|are)\b"
    r"[^?.;]*?\b(?:increas|decreas|ris|rose|fall|fell|grow|grew|declin|drop|rais|lower|reduc|cut|chang|expand|shr[iu]nk|jump)\w*",
    re.I,
)
_POINTS = re.compile(r"\b(?:percentage|basis)[- ]points?\b|\bbps\b", re.I)
# "Were there any acquisitions ...?", "Did it report any ...?": whether there was any such event.
_ANY = re.compile(r"\bany\b", re.I)
# "the largest investment", "the most cash": a superlative over an amount, whatever its name.
_RANKS_AMOUNT = re.compile(
    rf"\b(?:{_HIGH}|{_LOW})\s+(?:[\w-]+\s+){{0,2}}?(?:investments?|amounts?|balances?|values?|spend(?:ing)?|"
    r"costs?|expenses?|cash|funds?|borrowings?|debts?|holdings?|exposures?|dollars?|sales|revenues?|income|"
    r"earnings|profits?|loss(?:es)?)\b",
    re.I,
)
# "over time", "quarter to quarter", "across the reported quarters", "compared with prior quarters",
# "during these periods", "for each reporting period": the figure of every period, not of one.
_PERIODS = r"(?:periods|quarters|years|filings|reports|10-?qs|10-?ks|timeframe|time\s*frame)"
# "compared with prior quarters", "previous periods": every earlier period, not the one before.
PRIOR_PERIODS = re.compile(rf"\b(?:previous|prior|preceding|earlier|past)\s+(?:[\w-]+\s+)?{_PERIODS}\b", re.I)
OVER_PERIODS = re.compile(
    rf"\b(?:over\s+time|(?:over|across|during|through(?:out)?|in|for|between)\s+(?:the\s+|these\s+|those\s+|its\s+|"
    rf"all\s+(?:the\s+)?|recent\s+|consecutive\s+)?(?:[\w-]+\s+){{0,2}}?{_PERIODS}|"
    r"(?:quarter|period|year)[\s-]+(?:to|over|on|by)[\s-]+(?:quarter|period|year)|"
    r"(?:each|every)\s+(?:reporting\s+|reported\s+|fiscal\s+)?(?:period|quarter|year)|"
    rf"{PRIOR_PERIODS.pattern}|trends?)\b",
    re.I,
)
# "the revenue breakdown across its service offerings", "net sales by segment", "the components of
# operating expenses", "the main contributors to net income" (not "to the increase in revenue" or
# "to its revenue growth": a change named in the sentence asks why): the parts of one item.
_PARTS = r"(?:segments|products|regions|services|offerings|businesses|divisions|categories|geographies|markets|lines)"
BREAKDOWN = re.compile(
    rf"\bbreak(?:s|ing)?[\s-]*down\b|\bbroken\s+down\b|\bsplit\s+(?:by|across|among)\b|"
    r"(?<!generated )(?<!driven )(?<!offset )(?<!caused )(?<!affected )(?<!impacted )(?<!earned )(?<!provided )(?<!used )"
    r"\bby\s+(?:[\w-]+\s+)?(?:segments?|products?|regions?|geograph\w*|divisions?|categor(?:y|ies)|platforms?|"
    r"markets?|business(?:es)?|lines?|types?|sources?)\b|"
    rf"\bcomponents?\s+of\b|\bcomposition\s+of\b|"
    r"\bcontributors?\s+to\b(?![^.?!]*\b(?:increases?|decreases?|growth|declines?|changes?|rises?|drops?|falls?|improvements?)\b)|"
    rf"\b(?:across|among|for\s+each\s+of)\s+(?:its\s+|the\s+|their\s+)?(?:[\w.&'’-]+['’]s?\s+)?(?:various\s+|different\s+|several\s+)?(?:[\w-]+\s+)?{_PARTS}\b",
    re.I,
)
# The kind of part a breakdown names: "by market platform", "across its various service offerings".
_PARTS_NAMED = re.compile(
    r"\b(?:by|across|among|for\s+each\s+of)\s+(?:its\s+|the\s+|their\s+)?(?:[\w.&-]+['’]s?\s+)?"
    r"(?:various\s+|different\s+|several\s+|individual\s+)?(?P<kind>[a-z-]+(?:\s+(?!in\b|for\b|during\b|of\b|and\b)[a-z-]+){0,2})",
    re.I,
)


def _parts_named(question: str) -> str:
    match = _PARTS_NAMED.search(question)
    return match.group("kind").lower() if match else ""


# What a list of figures alone does not answer: reasons, implications, what the figures suggest.
ASSESSMENT = re.compile(
    r"\b(?:suggest\w*|indicat\w*|implicat\w*|imply|implies|repercussions?|impact\w*|reflect\w*|mean\w*|"
    r"relationship|relate[sd]?|correlat\w*|(?:connections?|links?)\s+between|affect\w*|strateg\w*|signif\w*|explain\w*|cause[sd]?|attribut\w*|"
    r"insights?|assess\w*|evaluat\w*|analy[sz]\w*)\b",
    re.I,
)
_NUMBER_WORDS = {"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4}
_DECIMALS = re.compile(r"\b(?:round(?:ed)?\s+to\s+|to\s+)?(?P<n>\d|zero|one|two|three|four)\s+decimal", re.I)
_SCALE = re.compile(
    r"\bin\s+(?:(?:usd|us\$|\$|dollars?)\s+)?(?P<scale>thousands|millions|billions)\b|"
    r"\(\s*(?:usd|\$)\s*(?P<scale2>thousands|millions|billions)\s*\)",
    re.I,
)


def _ranked_noun(question: str) -> str:
    """'geographic segments' from 'which of Apple's geographic segments had ...'."""
    match = _WHICH.search(question)
    if match is None:
        return ""
    words = [
        w
        for w in match.group("among").split()
        if w.lower() not in _FILLER and not w[:1].isupper() and not re.search(r"['’]s?$", w)
    ]
    return " ".join(words).lower()


def _superlative(question: str) -> tuple[str | None, bool, str]:
    """(highest/lowest, over a change?, what is ranked) of a 'which ... highest' question."""
    match = SUPERLATIVE.search(question)
    if match is None:
        return None, False, ""
    listed = _AMONG.search(question)
    among = listed.group("among").strip().lower() if listed else _ranked_noun(question)
    if not among:
        return None, False, ""
    change = _CHANGE.search(question[match.end() : match.end() + 40])
    extreme = "highest" if match.group("high") else "lowest"
    if _SPENT.search(question[max(0, match.start() - 12) : match.start()]):
        extreme = "lowest" if extreme == "highest" else "highest"
    if change and change.group("dir").lower() in _DOWN:
        # "the biggest drop" is the lowest change.
        extreme = "lowest" if extreme == "highest" else "highest"
    return extreme, change is not None, among


def _second_ask(question: str) -> bool:
    """A second question after the first clause ("..., and which initiatives were prioritised?")."""
    first = re.search(r"\b(?:which|what|how|why|whether|where|who)\b", question, re.I)
    return bool(first and _SECOND_ASK.search(question, first.end()))


def _form(question: str, metric: object, items: list[str], explanatory: bool, extreme: str | None) -> str:
    """What the answer must be: a superlative, yes/no, a comparison, one figure, or text."""
    if extreme is not None:
        return "superlative"
    if _YES_NO.search(question):
        return "yes_no"
    if _COMPARISON.search(question):
        return "comparison"
    if (
        (metric is not None or items)
        and not explanatory
        and not ANALYSIS.search(question)
        and not _second_ask(question)
    ):
        return "figure"
    return "text"


def _parts(question: str, items: list[str], scope: Scope) -> tuple[str, list[str]]:
    """(share_of, members): the member whose share of the one item is asked, else the parts of it
    the question names."""
    if len(items) != 1:
        return "", []
    share = asked_share(question, ITEMS[items[0]].name)
    return share, [] if share else asked_members(question, ITEMS[items[0]].asked, scope.companies)


def plan_question(question: str, scope: Scope | None = None) -> QuestionPlan:
    """The typed plan of ``question`` (companies and periods from its resolved ``scope``)."""
    scope = scope or Scope()
    metric = asked_metric(question)
    items = [i.key for i in named_items(question)]
    explanatory = bool(EXPLANATORY.search(_CONDITIONAL.sub(" ", question)))
    extreme, change, among = _superlative(question)
    decimals = _DECIMALS.search(question)
    scale = _SCALE.search(question)
    scale_word = (scale.group("scale") or scale.group("scale2")).lower() if scale else None
    n = decimals.group("n").lower() if decimals else None
    share, members = _parts(question, items, scope)
    one_item = len(items) == 1 and metric is None and extreme is None
    return QuestionPlan(
        companies=list(scope.companies),
        fiscal_years=list(scope.fiscal_years),
        quarters=list(scope.quarters),
        items=items,
        metric=metric.name if metric else None,
        metric_items=sorted(metric.items()) if metric else [],
        growth=bool(metric and metric.growth),
        form=_form(question, metric, items, explanatory, extreme),  # type: ignore[arg-type]
        explanatory=explanatory,
        extreme=extreme,  # type: ignore[arg-type]
        change=change,
        among=among,
        decimals=(int(n) if n.isdigit() else _NUMBER_WORDS[n]) if n else None,
        ranks_amount=extreme is not None and bool(_RANKS_AMOUNT.search(question)),
        total_over=(m.group("noun").lower() if (m := _TOTAL_OVER.search(question)) else ""),
        share_of=share,
        members=members,
        scale=SCALE_EXPONENTS[scale_word] if scale_word else None,  # type: ignore[arg-type]
        # Several items are a series each ("debt or interest expenses over these quarters"). Two
        # years named ("the year-over-year change from FY2015 to FY2016") are a growth or a
        # comparison of those two, not a list of every period.
        over_periods=(metric is not None or bool(items))
        and extreme is None
        and len(set(question_years(question))) != 2
        and bool(OVER_PERIODS.search(question)),
        breakdown=(breakdown := one_item and not share and not members and bool(BREAKDOWN.search(question))),
        parts=_parts_named(question) if breakdown else "",
        assessment=explanatory or bool(ASSESSMENT.search(_CONDITIONAL.sub(" ", question))),
        asks_change=extreme is None and bool(_ASKS_CHANGE.search(question)),
        points=bool(_POINTS.search(question)),
        any_event=bool(_ANY.search(question)),
    )
