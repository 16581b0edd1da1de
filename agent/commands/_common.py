"""Helpers shared by the CLI command modules."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from typer.core import TyperGroup

from agent.config import Settings

console = Console()
err_console = Console(stderr=True)


@dataclass
class CliState:
    data_dir: Path | None = None
    config: Path | None = None


def settings_from(ctx: typer.Context, **flags: Any) -> Settings:
    """Settings for this invocation: command flags > global flags > env > TOML file > defaults."""
    state: CliState = ctx.find_root().obj or CliState()
    if state.config is not None:
        # The TOML source is located through FILINGS_CONFIG; a --config flag wins over the env var.
        os.environ["FILINGS_CONFIG"] = str(state.config)
    return Settings.load(data_dir=state.data_dir, **flags)


def _user_errors() -> tuple[type[Exception], ...]:
    from agent.local_models import LocalModelError
    from agent.models import MissingProviderError, ModelSpecError
    from agent.retrieval.index import EmbeddingsMismatchError

    return (LocalModelError, ModelSpecError, MissingProviderError, EmbeddingsMismatchError)


class ReportingGroup(TyperGroup):
    """The root command group: an error the user can fix wherever a model is loaded (a damaged or
    missing local model, a bad model string, a missing provider package, an embedding model other
    than the index's) ends any command with one line on stderr and exit code 1, not a traceback."""

    def invoke(self, ctx: Any) -> Any:  # typer's vendored click Context
        try:
            return super().invoke(ctx)
        except _user_errors() as exc:  # evaluated only when an exception propagates
            from agent.terminal import safe

            err_console.print(
                f"error: {safe(exc, multiline=False)}",
                style="red",
                markup=False,
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(code=1) from None


# -- machine-readable output ---------------------------------------------------------------------
JSON_LIST_HELP = "Print a JSON array of objects (one per row) instead of a table, for scripts."
JSON_OBJECT_HELP = "Print one JSON object instead of the human view, for scripts."


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON types: pydantic models and dataclasses dumped, paths and other
    objects as strings, non-finite floats (NaN, inf: not JSON) as ``null``."""
    import dataclasses
    import math

    if hasattr(value, "model_dump"):
        value = value.model_dump(mode="json")
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def to_json(value: Any) -> str:
    """The CLI's one JSON encoding: indented, ASCII-only. Text from filings stays data: JSON escapes
    every control character and ``ensure_ascii`` also escapes C1 controls and bidi overrides, so an
    escape sequence planted in a filing cannot act on the terminal that shows the JSON."""
    import json

    return json.dumps(jsonable(value), indent=2, ensure_ascii=True, allow_nan=False)


def print_json(value: Any) -> None:
    """Write :func:`to_json` of ``value`` to stdout (plain, no rich processing)."""
    typer.echo(to_json(value))


# -- model flags ---------------------------------------------------------------------------------
# Typer parameter types for the model flags, so every command spells and documents them the same way:
#   def ask(..., model: ModelFlag = None, drafter_model: DrafterModelFlag = None, ...):
#       settings = settings_from(ctx, **model_overrides(model, drafter_model, judge_model, planner_model))
ModelFlag = Annotated[
    str | None,
    typer.Option(
        "--model",
        help="Model string for every chat role (planner, drafter, judge), e.g. 'local:smollm2-135m', "
        "'openai:gpt-4o-mini'; the role flags below win over it.",
    ),
]
PlannerModelFlag = Annotated[
    str | None, typer.Option("--planner-model", help="Model string for scope fallback and decomposition.")
]
DrafterModelFlag = Annotated[str | None, typer.Option("--drafter-model", help="Model string that drafts.")]
JudgeModelFlag = Annotated[
    str | None, typer.Option("--judge-model", help="Model string for the critic's support checks.")
]
EmbeddingsModelFlag = Annotated[
    str | None,
    typer.Option(
        "--embeddings-model",
        help="Embedding model string for the dense search (default: the one the index records; "
        "another one is refused).",
    ),
]


def model_overrides(
    model: str | None = None,
    drafter_model: str | None = None,
    judge_model: str | None = None,
    planner_model: str | None = None,
    *,
    embeddings_model: str | None = None,
    reranker_model: str | None = None,
) -> dict[str, str]:
    """Settings overrides for the model flags, to pass to :func:`settings_from` (or ``Settings.load``).

    ``model`` sets every chat role (``chat_model`` and the planner, drafter and judge roles, so it
    wins over a role set in the environment or the TOML file, as a flag should); a role flag wins
    over ``model`` for its role. Flags left ``None`` are absent from the result, so env / file /
    defaults still apply to them. A malformed model string raises
    :class:`agent.models.ModelSpecError` here, before anything loads, which the root command group
    reports as one line (exit 1). The reranker string is checked by ``make_reranker`` where it is built.
    """
    from agent.local_models import REGISTRY
    from agent.models import CHAT_PROVIDERS, EMBEDDING_PROVIDERS, TUNED_PREFIX, ModelSpecError, parse_spec

    def check(spec: str, providers: tuple[str, ...], role: str) -> None:
        provider, name = parse_spec(spec, providers, others=role == "chat")
        if provider == "local" and role == "embeddings" and name.startswith(TUNED_PREFIX):
            return  # a `filings tune` model: resolved (or refused, naming the tuned ones) where it loads
        if provider == "local" and (name not in REGISTRY or REGISTRY[name].role != role):
            known = sorted(n for n, m in REGISTRY.items() if m.role == role)
            raise ModelSpecError(f"unknown local {role} model {name!r}; known: {', '.join(known)}")

    chat = {
        "chat_model": model,
        "planner_model": planner_model or model,
        "drafter_model": drafter_model or model,
        "judge_model": judge_model or model,
    }
    out = {k: v for k, v in chat.items() if v is not None}
    for spec in out.values():
        check(spec, CHAT_PROVIDERS, "chat")
    if embeddings_model is not None:
        check(embeddings_model, EMBEDDING_PROVIDERS, "embeddings")
        out["embeddings_model"] = embeddings_model
    if reranker_model is not None:
        out["reranker_model"] = reranker_model
    return out


def compact_table(*columns: str, title: str | None = None) -> Any:
    """A rich table that fits 80 columns: no outer frame, one space between columns, a rule under
    the header. Give its ids, hashes, paths and numbers ``no_wrap=True, overflow="ellipsis"`` so a
    narrow terminal cuts them with an ellipsis instead of folding them a word per line."""
    from rich import box
    from rich.table import Table

    return Table(
        *columns,
        title=title,
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        collapse_padding=True,
        padding=(0, 1),
    )


def clip_left(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters from its start (``…/name.pdf``): for paths, whose end
    (the file name) says more than their beginning."""
    return text if len(text) <= width else "…" + text[-(width - 1) :] if width > 1 else "…"
