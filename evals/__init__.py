"""Evaluation: datasets, deterministic metrics (the CI tier), RAGAS judged tier, critic evaluation,
the regression gate and reports.

Entry points: ``filings eval run|baseline|report`` (``agent/commands/evals.py``);
``evals.orchestrate.evaluate_suite`` for code. Building blocks: ``evals.datasets`` (EvalExample and
loaders), ``evals.metrics`` (+ ``evals.numbers``), ``evals.runner``, ``evals.judged``,
``evals.critic_eval``, ``evals.gate``, ``evals.report``, ``evals.suites``.
"""
