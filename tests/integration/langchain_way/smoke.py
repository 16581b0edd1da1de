"""The small run settings shared by the plumbing tests and their subprocess helpers.

Plumbing tests run the whole graph on the tiny model (it really runs, fast); answer quality is not
their point, the typed contract is. A tight budget and a short context keep each run to one or
two short LLM calls."""

SMOKE_CONTEXT = {
    "planner_model": "local:smollm2-135m",
    "drafter_model": "local:smollm2-135m",
    "judge_model": "local:smollm2-135m",
    "reranker_model": "none",
    "max_subquestions": 1,
    "max_revisions": 0,
    "max_llm_calls": 4,
    "max_answer_tokens": 96,
    "context_chunks": 3,
}
QUESTION = "What was Apple's total net sales for the three months ended July 1, 2023?"
# A question the model drafts (a figure question like QUESTION is computed from the stored facts
# with no model call): what a test that cancels a running model asks.
NARRATIVE = "What drove the change in Apple's Services net sales in the quarter ended July 1, 2023?"
