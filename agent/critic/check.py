"""Deterministic claim checks: citations, numbers, calculations. No model calls here.

Each sentence of a draft becomes a :class:`~agent.schemas.Claim`. Claims that these checks cannot
decide (cited, well-formed, no figures) are marked ``pending`` for the judge model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from agent.critic.calc import CALC_PATTERN, expand_calculations
from agent.critic.cause import unstated_cause
from agent.critic.change import relative_change
from agent.critic.claims import split_sentences
from agent.critic.numbers import NumberMention, extract_numbers, is_grounded
from agent.critic.operands import calc_operands_grounded, listed_conflict, mixed_spans, operand_rows
from agent.critic.plausible import implausible
from agent.critic.quote import quoted_in
from agent.critic.restore import DerivedCalc
from agent.critic.rows import without_names, wrong_row
from agent.critic.scale import missing_scale
from agent.critic.statements import statement_conflict
from agent.critic.subject import unnamed_subject
from agent.critic.support import lexical_support
from agent.finance.labels import label_words
from agent.injection import without_instructions
from agent.prompts.common import is_cannot_answer
from agent.retrieval.companies import CompanyCatalog
from agent.schemas import Chunk, Claim


@dataclass
class DraftCheck:
    claims: list[Claim] = field(default_factory=list)
    pending: list[int] = field(default_factory=list)  # indexes of claims the judge must decide
    cannot_answer: bool = False
    # A figure that appears in no context passage at all suggests the evidence was never retrieved.
    numbers_absent_from_context: int = 0
    dropped_citations: list[str] = field(default_factory=list)  # unknown ids cited beside valid ones
    # Uncited sentences whose every figure is printed in a passage: cited to those passages.
    attributed: list[str] = field(default_factory=list)


def _passages_printing(sentence: str, context: dict[str, str]) -> list[str]:
    """For a sentence without citations: the first passage printing each of its figures, when
    every figure is printed in one (small models often drop the [cN] markers). The claim is then
    checked like any cited one (figures, rows, columns), so this cannot make a wrong figure pass."""
    figures = extract_numbers(CALC_PATTERN.sub(" ", sentence))
    if not figures:
        return []
    cited: list[str] = []
    for figure in figures:
        holder = next((cid for cid, text in context.items() if is_grounded(figure, [text])), None)
        if holder is None:
            return []
        if holder not in cited:
            cited.append(holder)
    return cited


def _statement_tables(
    chunk_ids: list[str],
    context: dict[str, Chunk],
    clean: dict[str, str],
    ids: dict[str, str],
    statements: Sequence[Chunk],
) -> list[tuple[str, str]]:
    """(passage id, text) of the evidence tables from the cited passages' companies."""
    companies = {context[c].metadata.company for c in chunk_ids if c in context}
    tables = [(ids[cid], clean[cid]) for cid, c in context.items() if c.metadata.company in companies]
    return tables + [
        (f"page {c.metadata.page_number}", without_instructions(c.text, ""))
        for c in statements
        if c.metadata.company in companies and c.id not in context
    ]


@dataclass(frozen=True)
class _Inputs:
    """What every sentence of a draft is checked against (see :func:`check_draft`)."""

    aliases: dict[str, str]
    context: dict[str, Chunk]
    clean: dict[str, str]  # the passages as data: instruction-like sentences blanked
    retrieved: set[str]
    derived: Sequence[DerivedCalc]
    statements: Sequence[Chunk]
    decimals: int | None
    given: frozenset[float]
    # Our calculations' operands: (chunk id, value in absolute units, digits as printed).
    facts: frozenset[tuple[str, float, str]] = frozenset()
    points: bool = False  # the question asks a change in percentage (or basis) points
    question: str = ""

    @property
    def ids(self) -> dict[str, str]:
        return {cid: alias for alias, cid in self.aliases.items()}


def check_draft(
    draft: str,
    aliases: dict[str, str],
    context: dict[str, Chunk],
    retrieved: set[str],
    derived: Sequence[DerivedCalc] = (),
    statements: Sequence[Chunk] = (),
    decimals: int | None = None,
    given: frozenset[float] = frozenset(),
    facts: frozenset[tuple[str, float, str]] = frozenset(),
    points: bool = False,
    question: str = "",
) -> DraftCheck:
    """Split ``draft`` into claims and decide what can be decided without a model.

    ``aliases`` maps [cN] to chunk ids of the drafting context; ``context`` holds those chunks;
    ``retrieved`` is every chunk id retrieved this turn (a raw chunk id cited outside it is a
    citation to something never retrieved); ``derived`` are the calculations the figure list gave
    the drafter (a sentence's own CALC of one of them must agree with it); ``statements`` are
    statement passages of the cited filings found outside the context (a stated line item must
    agree with its statement, see :mod:`agent.critic.statements`); ``decimals``: the rounding the
    question asks for, applied to our calculations' results; ``given``: the numbers the question
    states, which a calculation may use as constants; ``facts``: the stored facts our calculations
    used, (chunk id, value in absolute units, printed digits): a sentence stating one with its
    unit and scale is grounded where its cited passage prints the digits, even under no scale
    header (the fact's scale was read at ingest from its table's header or iXBRL tag); ``points``:
    the question asks a change in percentage points, which a relative change is not; ``question``:
    the question's words, which a figure stated in prose must not be given unless its passage's
    sentence says them (:mod:`agent.critic.subject`).

    Sentences of a passage that address the reader or a model (:mod:`agent.injection`) are no
    evidence: a figure only they state is not grounded. A sentence giving a cause no cited sentence
    gives is not supported (:mod:`agent.critic.cause`).
    """
    result = DraftCheck()
    if not draft.strip() or (is_cannot_answer(draft) and len(split_sentences(draft)) <= 1):
        result.cannot_answer = True
        return result
    clean = {cid: without_instructions(c.text, "") for cid, c in context.items()}
    inputs = _Inputs(
        aliases, context, clean, retrieved, derived, statements, decimals, given, facts, points, question
    )
    for sentence in split_sentences(draft):
        if is_cannot_answer(sentence.text):
            result.cannot_answer = True
            continue
        result.claims.append(_check_sentence(sentence.bare, sentence.aliases, inputs, result))
    return result


def _check_sentence(bare: str, cited: Sequence[str], inputs: _Inputs, result: DraftCheck) -> Claim:
    """The claim of one sentence with its verdict (``result`` collects what the node reports)."""
    chunk_ids: list[str] = []
    bad: list[str] = []
    for alias in cited:
        cid = inputs.aliases.get(alias)
        (chunk_ids.append(cid) if cid else bad.append(alias))
    if bad and chunk_ids:
        # Extra ids beside valid ones ("[c1][c2]" with one passage) are a habit of small
        # models: drop them and check the claim against the passages that exist.
        result.dropped_citations += bad
        bad = []
    numbers = [n.raw for n in extract_numbers(CALC_PATTERN.sub(" ", bare))]
    # A sentence copied from a passage is that passage's, whatever the drafter cited.
    quoted = None if bad else quoted_in(bare, inputs.clean)
    if quoted is not None and quoted not in chunk_ids:
        chunk_ids = [quoted]
        result.attributed.append(bare[:80])
    if not chunk_ids and not bad:
        chunk_ids = _passages_printing(bare, inputs.clean)
        if chunk_ids:
            result.attributed.append(bare[:80])
    claim = Claim(text=bare, chunk_ids=chunk_ids, numbers=numbers)
    if bad:
        claim.verdict, claim.reason = (
            "bad_citation",
            f"cites {', '.join(bad)}, which is not among the passages",
        )
    elif not chunk_ids:
        claim.verdict, claim.reason = "unsupported", "no citation"
    elif any(cid not in inputs.retrieved for cid in chunk_ids):
        claim.verdict, claim.reason = "bad_citation", "cites a chunk that was never retrieved"
    elif _ungrounded(claim, inputs, result) or _calculated(claim, inputs):
        pass
    elif why := unstated_cause(_rows_named(claim, inputs), _sources(claim, inputs)):
        claim.verdict, claim.reason = "unsupported", why
    elif numbers:
        _judge_figures(claim, inputs)
    elif quoted is not None:
        claim.verdict, claim.reason = "supported", "copied from the cited passage"
    else:
        context = inputs.context
        company = next((context[c].metadata.company or "" for c in chunk_ids if c in context), "")
        ok, why = lexical_support(bare, _sources(claim, inputs), company)
        if ok:
            claim.verdict, claim.reason = "unsupported", "pending judge"
            result.pending.append(len(result.claims))
        else:
            claim.verdict, claim.reason = "unsupported", why
    return claim


def _sources(claim: Claim, inputs: _Inputs) -> list[str]:
    return [inputs.clean[cid] for cid in claim.chunk_ids if cid in inputs.context]


def _rows_named(claim: Claim, inputs: _Inputs) -> str:
    """What the sentence says about table rows, without the company's own name: the filer's name
    in the sentence must not make the row "Net earnings attributable to <filer>" look named."""
    context = inputs.context
    return without_names(
        claim.text, {context[c].metadata.company or "" for c in claim.chunk_ids if c in context}
    )


def _stated_fact(number: NumberMention, cited: Sequence[str], inputs: _Inputs) -> bool:
    """The number is one of our calculations' stored facts, and a cited passage prints its digits."""
    return any(
        cid in cited
        and abs(number.magnitude - value) <= number.precision
        and digits in inputs.clean.get(cid, "")
        for cid, value, digits in inputs.facts
    )


def _ungrounded(claim: Claim, inputs: _Inputs, result: DraftCheck) -> bool:
    """Marks (and says True for) a sentence with a figure or a CALC operand no cited passage prints."""
    bare, sources = claim.text, _sources(claim, inputs)
    # A number the question states (a formula's "365") echoed in the answer is no figure.
    missing = [
        n
        for n in extract_numbers(CALC_PATTERN.sub(" ", bare))
        if not is_grounded(n, sources)
        and not (n.magnitude in inputs.given and not n.has_scale)
        and not _stated_fact(n, claim.chunk_ids, inputs)
    ]
    if missing:
        absent = [n for n in missing if not is_grounded(n, list(inputs.clean.values()))]
        result.numbers_absent_from_context += len(absent)
        raw = [inputs.context[cid].text for cid in claim.chunk_ids if cid in inputs.context]
        where = "any passage" if absent else "the cited passages (cite the passage that states it)"
        if all(is_grounded(n, raw) for n in missing):
            where = "the passages as data: only a sentence addressed to the reader (not a fact) states it"
        claim.verdict = "ungrounded_number"
        claim.reason = f"{', '.join(n.raw for n in missing)} not found in {where}"
        return True
    notes: list[str] = []
    grounded = True
    for expression in CALC_PATTERN.findall(bare):
        ok, why = calc_operands_grounded(expression, sources, inputs.given)
        grounded &= ok
        notes += why
    if not grounded:
        claim.verdict, claim.reason = "ungrounded_number", "; ".join(notes)
    return not grounded


def _calculated(claim: Claim, inputs: _Inputs) -> bool:
    """Marks (and says True for) a sentence with a CALC whose operands are all grounded: a
    calculation, unless its operands are on rows or periods the sentence does not name."""
    calcs = CALC_PATTERN.findall(claim.text)
    if not calcs:
        return False
    sources, rows_named, given = _sources(claim, inputs), _rows_named(claim, inputs), inputs.given
    wrong = (
        next(
            filter(
                None,
                (
                    operand_rows(rows_named, e, sources, given) or mixed_spans(e, sources, given)
                    for e in calcs
                ),
            ),
            "",
        )
        or listed_conflict(rows_named, calcs, inputs.derived)
        or (next(filter(None, map(relative_change, calcs)), "") if inputs.points else "")
        or implausible(claim.text)
    )
    if wrong:
        claim.verdict, claim.reason = "unsupported", wrong
        return True
    notes = [n for e in calcs for n in calc_operands_grounded(e, sources, given)[1]]
    claim.verdict, claim.reason = "calculation", "; ".join(notes)
    claim.text = expand_calculations(claim.text, inputs.decimals)[0]
    return True


def _judge_figures(claim: Claim, inputs: _Inputs) -> None:
    """The verdict of a sentence whose every figure its passages print: on the rows, columns,
    scale and statement it names, and saying what the figure is."""
    bare, sources = claim.text, _sources(claim, inputs)
    rows_named = _rows_named(claim, inputs)
    if not label_words(CALC_PATTERN.sub(" ", bare)):
        # "1,441." cannot be checked against a row or a period, and tells the reader nothing.
        claim.verdict, claim.reason = "unsupported", "the sentence gives a figure without saying what it is"
        return
    tables = _statement_tables(claim.chunk_ids, inputs.context, inputs.clean, inputs.ids, inputs.statements)
    wrong = (
        _repeated(bare)
        or _one_figure_two_companies(bare, claim.chunk_ids, inputs)
        or wrong_row(rows_named, sources)
        or unnamed_subject(rows_named, sources, inputs.question)
        or implausible(bare)
        or missing_scale(bare, sources)
        or statement_conflict(rows_named, extract_numbers(CALC_PATTERN.sub(" ", bare)), tables)
    )
    if wrong:
        claim.verdict, claim.reason = "unsupported", wrong
        return
    claim.verdict, claim.reason = "supported", "every figure found in the cited passages"
    # Keep only the passages that print the figures: the others were cited loosely.
    figures = extract_numbers(bare)
    holding = [cid for cid in claim.chunk_ids if any(is_grounded(n, [inputs.clean[cid]]) for n in figures)]
    claim.chunk_ids = holding or claim.chunk_ids


# The same figure stated this many times in one sentence: copied across periods or items, not read.
REPEATS = 3


def _figures(sentence: str) -> dict[str, list[NumberMention]]:
    """The sentence's figures (our calculations left out), by their printed form."""
    out: dict[str, list[NumberMention]] = {}
    for n in extract_numbers(CALC_PATTERN.sub(" ", sentence)):
        out.setdefault(n.raw, []).append(n)
    return out


def _repeated(sentence: str) -> str:
    """A reason when one sentence states the same figure for several periods or items ("$254
    million in Q1, $254 million in Q2, $254 million in Q3"): a small model's loop, not the filing."""
    raw, found = max(_figures(sentence).items(), key=lambda kv: len(kv[1]), default=("", []))
    if len(found) < REPEATS:
        return ""
    return f"states {raw} {len(found)} times in one sentence: give each period's or item's own figure, once"


def _one_figure_two_companies(sentence: str, chunk_ids: list[str], inputs: _Inputs) -> str:
    """A reason when a sentence gives one figure for two companies it names (company A's figure
    repeated as company B's) but the cited passages of only one of them print it: the figure was
    copied across, not read. Companies are found as scope resolution finds them, by the names and
    tickers of the filings in the context."""
    repeated = [found for found in _figures(sentence).values() if len(found) >= 2]
    if not repeated:
        return ""
    catalog = CompanyCatalog.from_documents(chunk.metadata for chunk in inputs.context.values())
    named = set(catalog.find(sentence))
    if len(named) < 2:
        return ""
    entity_of = {name: key for key, entity in catalog.entities.items() for name in entity.names}
    for found in repeated:
        printers = {
            entity_of.get(inputs.context[c].metadata.company or "")
            for c in chunk_ids
            if c in inputs.context and is_grounded(found[0], [inputs.clean[c]])
        }
        if len(printers & named) == 1:
            return (
                f"gives {found[0].raw} for two companies, but only one of their filings prints it: "
                "give each its own figure"
            )
    return ""


def faithfulness(claims: list[Claim]) -> float:
    """Share of claims that are supported (or our own calculations over cited figures)."""
    if not claims:
        return 0.0
    good = sum(1 for c in claims if c.verdict in ("supported", "calculation"))
    return round(good / len(claims), 4)


def feedback_for(claims: list[Claim], cannot_answer: bool) -> str:
    """What the drafter should fix, one line per failing claim."""
    lines = [
        f'- "{c.text[:160]}": {c.reason}' for c in claims if c.verdict not in ("supported", "calculation")
    ]
    if cannot_answer and not lines:
        lines.append("- the passages did not seem to answer the question")
    if any(c.verdict == "ungrounded_number" for c in claims):
        lines.append("- copy every figure exactly as it appears in the passage you cite, or use CALC(...)")
    if any(c.verdict in ("bad_citation",) or c.reason == "no citation" for c in claims):
        lines.append("- cite only the ids shown, like [c1], at the end of every sentence")
    return "\n".join(lines)
