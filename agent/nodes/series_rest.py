"""The rest of a series question: our code states the figure of each period, the model (or, when it
wrote nothing, the filer's own sentences giving a cause) the rest."""

from __future__ import annotations

from collections.abc import Callable

from agent.critic.calc import expand_calculations
from agent.critic.claims import split_sentences
from agent.critic.numbers import NumberMention, extract_numbers
from agent.nodes.key_sentences import explaining_sentences, letters, scoped_corpus
from agent.nodes.leads import LEAD_NOTE, NOTHING_MORE, SeriesLead
from agent.nodes.resources import Resources
from agent.nodes.section_extract import ALIAS, cited
from agent.prompts.common import CANNOT_ANSWER
from agent.retrieval.query import topic_query
from agent.state import State

# A sentence of ours counts as quoting a passage sentence only when this long (letters and digits):
# a short piece ("Revenue was $1 million") may be part of any sentence.
_QUOTED_LETTERS = 30


def _restates(sentence: str, ours: list[NumberMention]) -> bool:
    """Whether every figure of a sentence is one our code already stated (a repetition)."""
    numbers = extract_numbers(expand_calculations(sentence)[0])
    return bool(numbers) and all(
        any(
            abs(n.magnitude - m.magnitude) <= max(n.precision, m.precision) or n.value == m.value
            for m in ours
        )
        for n in numbers
    )


def with_series(
    text: str,
    figures: list[str],
    series: SeriesLead,
    fallbacks: list[str],
    explaining: Callable[[], list[tuple[str, str]]],
) -> tuple[str, list[str]]:
    """Our sentences stating the figure of each period, then what the model wrote about the rest;
    its sentences that only repeat our figures or cite no passage are left out. When it wrote
    nothing of the rest, the sentences ``explaining`` lists (the context's own sentences giving a
    cause: :func:`agent.nodes.key_sentences.explaining_sentences`) are quoted, cited, unless our
    sentences already quote them; with none, nothing. Our lines head the figure list the critic
    re-checks."""
    ours = extract_numbers(expand_calculations(series.sentences)[0])
    # A sentence citing no passage cannot be verified ("There has been a considerable shift ..."):
    # under figures our code verified, it would only pull the draft's faithfulness down.
    kept = [s.text for s in split_sentences(text) if not _restates(s.text, ours) and ALIAS.search(s.text)]
    added = "" if text.strip() == CANNOT_ANSWER else " ".join(kept)
    note = f"{LEAD_NOTE}{len(series.lines)} figure(s){series.over}; "
    if added:
        note += "the model wrote the rest"
    else:
        # Not a sentence our part already quotes, nor one that prints it under a heading the page
        # runs into it ("Three Months Ended ... Compared with ... Research and development expenses ...").
        ours_quoted = [letters(ALIAS.sub("", s.text)) for s in split_sentences(series.sentences)]
        quoted = [
            cited(s, [alias])
            for s, alias in explaining()
            if not any(len(q) >= _QUOTED_LETTERS and q in letters(s) for q in ours_quoted)
        ]
        added = " ".join(quoted)
        note += NOTHING_MORE + (
            f"; quoted {len(quoted)} sentence(s) of the context giving a cause, with the question's rarest words"
            if quoted
            # Our part already quotes the filer on the rest (its explanation, its outlook).
            else f"; our part quotes {series.quoted} sentence(s) of the filer's on the rest"
            if series.quoted
            else ""
        )
    fallbacks.append(note)
    return f"{series.sentences} {added}".strip(), [*series.lines, *figures]


def explaining(
    state: State, most: int, resources: Resources, question: str, series: SeriesLead
) -> list[tuple[str, str]]:
    """At most ``most`` sentences of the series' context giving a cause, with the question's
    rarest words (:func:`agent.nodes.key_sentences.explaining_sentences`)."""
    if most <= 0:
        return []
    topic, context = topic_query(question, state.scope), series.context
    return explaining_sentences(topic, context, scoped_corpus(resources, context), most)
