"""The draft prompt's budget: when even one passage is over it, the passage is cut to the lines
that print the listed figures, then shorter, never below a floor; the figure list stays whole."""

from __future__ import annotations

from langchain_core.messages import HumanMessage
from statements import NIKE_FY2018_INCOME

from agent.models import prompt_tokens
from agent.nodes.draft import MIN_EXCERPT_CHARS, budgeted_messages, excerpt
from agent.schemas import Chunk, ChunkMetadata, ScoredChunk

# NIKE's FY2018 income statement with the line that follows it: a long passage, as a 10-K's often are.
NIKE_INCOME = (
    NIKE_FY2018_INCOME
    + "\nThe accompanying Notes to the Consolidated Financial Statements are an integral part of this statement."
)
FIGURES = [
    "[c1] Cost of sales, year ended May 31, 2018 = 20,441",
    "[c1] Revenues, year ended May 31, 2018 = $ 36,397",
]


def _passages() -> list[ScoredChunk]:
    meta = ChunkMetadata(doc_id="nike", source_path="/f/nike.pdf", company="NIKE, Inc.", page=45)
    second = Chunk(id="nike::2", text="Revenues rose on NIKE Direct growth. " * 20, metadata=meta)
    return [
        ScoredChunk(chunk=Chunk(id="nike::1", text=NIKE_INCOME, metadata=meta), score=1.0),
        ScoredChunk(chunk=second, score=0.5),
    ]


def _build(block: str) -> list[HumanMessage]:
    return [HumanMessage(block + "\n\nFigures:\n" + "\n".join(FIGURES))]


def _prompt(budget: int, figures: list[str] = FIGURES) -> str:
    model = object()  # estimated from the length, as for a remote model
    return str(budgeted_messages(model, _passages(), None, budget, _build, figures=figures)[0].content)


def test_one_passage_over_the_budget_keeps_the_rows_of_the_listed_figures() -> None:
    model = object()
    whole_first = prompt_tokens(model, _build(_prompt(0).split("[c2]")[0]))
    shown = _prompt(whole_first - 20)
    assert "[c2]" not in shown  # the lower-ranked passage went first
    passage = shown.split("Figures:")[0]
    assert "36,397" in passage and "20,441" in passage  # the rows the figures come from, labelled
    assert "Demand creation expense" not in passage and "NET INCOME" not in passage
    assert passage.rstrip().endswith("...")
    assert all(f in shown for f in FIGURES)  # the compact evidence is whole
    assert prompt_tokens(model, [HumanMessage(shown)]) <= whole_first - 20


def test_the_cut_stops_at_a_floor_and_keeps_the_figure_list() -> None:
    shown = _prompt(1)
    assert all(f in shown for f in FIGURES)
    assert "Revenues" in shown.split("Figures:")[0]  # something of the passage is always shown


def test_an_excerpt_without_listed_figures_is_the_passage_opening() -> None:
    cut = excerpt(NIKE_INCOME, [], MIN_EXCERPT_CHARS)
    assert cut.endswith(" ...") and NIKE_INCOME.startswith(cut[:-4])
    assert len(cut) <= MIN_EXCERPT_CHARS + 4
    assert excerpt("Revenues $ 36,397", FIGURES, 1000) == "Revenues $ 36,397"  # nothing to cut
