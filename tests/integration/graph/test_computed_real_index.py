"""Figures computed from the stored facts, end to end: the real index of the bundled samples (real
Chroma, real embeddings, the facts read at ingest), the real graph and critic. No chat model is
asked for these, so they take seconds."""

from __future__ import annotations

from pathlib import Path

import pytest
from graph_run import ask

from agent.config import Settings
from agent.retrieval.index import FilingIndex

pytestmark = [pytest.mark.integration]


async def test_amazon_operating_margin_from_its_ixbrl_facts(research, samples_index_dir: Path) -> None:
    answer, _seen = await ask(research, "What was Amazon's operating margin in FY2022?")
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert answer.usage.llm_calls == 0
    # Operating income 12,248 on net sales 513,983 (millions), as the 10-K prints them.
    assert "2.38%" in answer.text, answer.text
    assert answer.citations and all(c.company == "Amazon.com, Inc." for c in answer.citations)
    assert any("12,248" in c.quote for c in answer.citations), answer.citations
    [calc] = answer.calculations
    stored = {f.id: f for f in FilingIndex.open(Settings(data_dir=samples_index_dir)).facts()}
    for operand in calc.operands:
        fact = stored[operand.fact_id]
        assert (
            fact.source == "ixbrl" and fact.period.fiscal_year == 2022 and fact.chunk_id == operand.chunk_id
        )


async def test_apple_quarter_figure_named_by_its_printed_period(research) -> None:
    answer, _seen = await ask(
        research, "What were Apple's total net sales for the three months ended July 1, 2023?"
    )
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert "$81,797 million" in answer.text and "three months ended July 1, 2023" in answer.text
    assert all(c.period == "FY2023 Q3" for c in answer.citations), answer.citations


async def test_apple_net_sales_over_the_quarters_of_both_reports(research) -> None:
    """A figure over the periods: each bundled Apple 10-Q's own quarter, oldest first, from the
    facts stored at ingest, and the change between them; no chat model asked."""
    answer, _seen = await ask(research, "How have Apple's total net sales changed over time?")
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert answer.usage.llm_calls == 0
    text = answer.text
    assert text.index("$82,959 million") < text.index("$81,797 million"), text
    assert "three months ended June 25, 2022" in text and "three months ended July 1, 2023" in text
    assert "-1.4%" in text, text  # (81,797 - 82,959) / 82,959 = -1.40 %
    assert {c.period for c in answer.citations} == {"FY2022 Q3", "FY2023 Q3"}, answer.citations
    first, last, change = answer.calculations
    assert (first.result, last.result) == (82_959, 81_797) and change.unit == "%"


async def test_apple_services_over_the_quarters_is_the_services_row(research) -> None:
    answer, _seen = await ask(research, "How has Apple's Services revenue changed over the quarters?")
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert "$19,604 million" in answer.text and "$21,213 million" in answer.text, answer.text
    assert "82,959" not in answer.text


async def test_apple_net_sales_by_category_read_off_the_table_that_adds_up(research) -> None:
    answer, _seen = await ask(
        research, "What were Apple's net sales by category for the three months ended July 1, 2023?"
    )
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    assert answer.usage.llm_calls == 0
    for part in ("iPhone was $39,669 million", "Mac was $6,840 million", "Services was $21,213 million"):
        assert part in answer.text, answer.text
    whole, *parts = answer.calculations
    assert whole.result == 81_797 and abs(sum(p.result for p in parts) - 81_797) <= len(parts)


async def test_amazon_research_and_development_is_the_line_its_10k_says_includes_it(research) -> None:
    """Amazon's 10-K prints no research and development row (its iXBRL tags the line with a
    company concept): the line its notes say includes R&D answers, named as printed, with that
    sentence quoted and cited; no chat model drafts it."""
    answer, _seen = await ask(research, "What was Amazon's research and development expense in fiscal 2022?")
    assert answer.stop_reason == "accepted", answer.model_dump_json(indent=1)
    # Drafted by our code; only the critic's judge reads the quoted sentence.
    assert "draft_answer" not in answer.usage.node_calls, answer.usage
    text = answer.text
    assert "$73,213 million" in text and "Technology and content, FY2022" in text, text
    quote = (
        '"Technology and content costs include payroll and related expenses for employees involved in '
        'the research and development of new and existing products and services"'
    )
    assert f"Technology and content includes research and development: {quote}" in text, text
    assert text.index(quote) < text.index("$73,213 million")
    [calc] = answer.calculations
    [operand] = calc.operands
    assert operand.stands_in is not None and operand.stands_in.item == "r_and_d"
    assert any(c.chunk_id == operand.stands_in.chunk_id for c in answer.citations), answer.citations
