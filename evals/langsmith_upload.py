"""Upload a suite run (``results.json``) to LangSmith as an experiment.

The suite's questions become a LangSmith dataset (created once, named ``filings-<suite>``; examples
are matched by our example id, so re-uploading adds no duplicates). Each run of the results file
becomes one experiment: a project linked to the dataset, one ``research`` run per question (inputs,
answer, stop reason, timings) linked to its example, and each per-question metric as feedback on
that run. The experiment then shows up beside the dataset in LangSmith's comparison views.

Configured only through the standard variables (``LANGSMITH_API_KEY``, ``LANGSMITH_ENDPOINT``);
``filings eval upload results.json`` is the command.
"""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from evals.results import ExampleResult, SuiteResult

DATASET_PREFIX = "filings-"


def _example_inputs(ex: ExampleResult) -> dict[str, Any]:
    return {"question": ex.question}


def _dataset(client: Any, suite: SuiteResult, name: str) -> Any:
    if client.has_dataset(dataset_name=name):
        return client.read_dataset(dataset_name=name)
    description = str(suite.config.get("suite_description") or f"filings-agent suite {suite.suite}")
    return client.create_dataset(name, description=description, metadata={"suite": suite.suite})


def _examples(client: Any, dataset: Any, suite: SuiteResult) -> dict[str, str]:
    """Our example id -> LangSmith example id, creating the examples the dataset lacks."""
    known = {
        str((ex.metadata or {}).get("example_id")): str(ex.id)
        for ex in client.list_examples(dataset_id=dataset.id)
        if (ex.metadata or {}).get("example_id")
    }
    missing = [ex for ex in suite.examples if ex.id not in known]
    if missing:
        new_ids = {ex.id: str(uuid.uuid4()) for ex in missing}
        created = [
            {
                "id": new_ids[ex.id],
                "inputs": _example_inputs(ex),
                "outputs": {"reference_answer": ex.reference_answer or ""},
                "metadata": {"example_id": ex.id},
            }
            for ex in missing
        ]
        client.create_examples(dataset_id=dataset.id, examples=created)
        known.update(new_ids)
    return known


def upload_experiment(
    suite: SuiteResult,
    *,
    client: Any | None = None,
    dataset_name: str | None = None,
    experiment_name: str | None = None,
) -> dict[str, Any]:
    """Send one results file to LangSmith; returns the dataset, experiment and counts sent."""
    if client is None:
        from langsmith import Client

        client = Client(auto_batch_tracing=False)
    name = dataset_name or f"{DATASET_PREFIX}{suite.suite}"
    dataset = _dataset(client, suite, name)
    example_ids = _examples(client, dataset, suite)
    stamp = (suite.created_at or datetime.now(UTC).isoformat())[:19].replace(":", "-")
    experiment = experiment_name or f"{name}-{suite.tier}-{stamp}-{uuid.uuid4().hex[:6]}"
    project = client.create_project(
        experiment,
        reference_dataset_id=dataset.id,
        metadata={"suite": suite.suite, "tier": suite.tier, **suite.config.get("context", {})},
        description=f"filings-agent eval run of {suite.suite} ({suite.tier} tier)",
    )
    start = datetime.fromisoformat(suite.created_at) if suite.created_at else datetime.now(UTC)
    feedback = 0
    for ex in suite.examples:
        run_id = uuid.uuid4()
        client.create_run(
            "research",
            _example_inputs(ex),
            "chain",
            id=run_id,
            project_name=experiment,
            reference_example_id=example_ids[ex.id],
            outputs={"answer": ex.answer, "stop_reason": ex.stop_reason, "citations": ex.citations},
            start_time=start,
            end_time=start + timedelta(seconds=ex.wall_seconds),
            error=ex.error,
            extra={"metadata": {"example_id": ex.id, "node_seconds": ex.node_seconds}},
        )
        for key, score in ex.metrics.items():
            if score is None or (isinstance(score, float) and math.isnan(score)):
                continue  # NaN policy: missing scores are not sent as zeros
            client.create_feedback(run_id, key, score=score, session_id=project.id)
            feedback += 1
    client.update_project(project.id, end_time=datetime.now(UTC))
    return {
        "dataset": name,
        "dataset_id": str(dataset.id),
        "experiment": experiment,
        "experiment_id": str(project.id),
        "runs": len(suite.examples),
        "feedback": feedback,
    }
