"""The rest of a series question when the model wrote nothing of it: the context's own sentences
giving a cause, quoted, never one our part of the answer already quotes."""

from __future__ import annotations

from agent.nodes.leads import NOTHING_MORE, SeriesLead
from agent.nodes.series_rest import with_series
from agent.prompts.common import CANNOT_ANSWER

# Microsoft's 10-Qs (docugami sec-10-q): the explanation our part quotes, and the same sentence as
# another passage prints it under the period heading the page runs into it.
OURS = (
    "Research and development was $6,628 million in the three months ended September 30, 2022 [c1]. "
    "Research and development expenses increased $1.0 billion or 18% driven by investments in cloud "
    "engineering and LinkedIn [c5]."
)
AGAIN = (
    "Three Months Ended September 30, 2022 Compared with Three Months Ended September 30, 2021 Research and "
    "development expenses increased $1.0 billion or 18% driven by investments in cloud engineering and LinkedIn."
)
NEW = (
    "Research and development expenses increased slightly driven by cloud engineering, LinkedIn, and Windows, "
    "offset in part by a decline in Devices."
)


def _lead() -> SeriesLead:
    return SeriesLead(context=[], lines=["line"], sentences=OURS, calculations=[])


def test_a_cause_our_part_already_quotes_is_not_quoted_again() -> None:
    fallbacks: list[str] = []
    text, figures = with_series(CANNOT_ANSWER, [], _lead(), fallbacks, lambda: [(AGAIN, "c6"), (NEW, "c8")])
    assert text.startswith(OURS) and text.count("increased $1.0 billion or 18%") == 1, text
    assert text.endswith("offset in part by a decline in Devices [c8].") and figures == ["line"]
    assert fallbacks[-1].endswith(
        "quoted 1 sentence(s) of the context giving a cause, with the question's rarest words"
    )


def test_no_cause_found_leaves_our_part_alone_and_says_so() -> None:
    fallbacks: list[str] = []
    text, _ = with_series(CANNOT_ANSWER, [], _lead(), fallbacks, lambda: [(AGAIN, "c6")])
    assert text == OURS and fallbacks[-1].endswith(NOTHING_MORE)


def test_what_the_model_wrote_is_kept_and_nothing_is_quoted() -> None:
    wrote = "Spending on cloud engineering may pressure operating margins [c3]."
    fallbacks: list[str] = []
    text, _ = with_series(wrote, [], _lead(), fallbacks, lambda: [(NEW, "c8")])
    assert text == f"{OURS} {wrote}" and fallbacks[-1].endswith("the model wrote the rest")


def test_the_filer_quoted_on_the_rest_by_our_part_is_not_called_unanswered() -> None:
    """Our part quoting the filer's explanation (or outlook) answers the rest: the answer must not
    end "(The passages found say nothing more on the rest of the question.)"."""
    from agent.nodes.finalize import _rest_unanswered

    fallbacks: list[str] = []
    lead = _lead()._replace(quoted=1)
    text, _ = with_series(CANNOT_ANSWER, [], lead, fallbacks, lambda: [(AGAIN, "c6")])
    assert text == OURS and not _rest_unanswered(fallbacks), fallbacks
    assert fallbacks[-1].endswith("our part quotes 1 sentence(s) of the filer's on the rest")
    # Without it, as before: said so.
    fallbacks = []
    with_series(CANNOT_ANSWER, [], _lead(), fallbacks, lambda: [(AGAIN, "c6")])
    assert _rest_unanswered(fallbacks)
