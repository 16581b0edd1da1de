"""Configuration.

Two objects, two lifetimes:

* :class:`Settings` — where things live and which models to use, for a whole process
  (CLI, server, notebook). Sources, highest first: explicit keyword arguments (CLI flags),
  ``FILINGS_*`` environment variables, a TOML file (``--config`` / ``FILINGS_CONFIG``, else
  ``<data_dir>/filings.toml`` if it exists), then the defaults below.
* :class:`Context` — the per-run LangGraph runtime context (``context_schema=Context``): models,
  k values, thresholds and budgets for one question. Built from Settings by
  :meth:`Settings.context`, and overridable per run (e.g. as LangGraph assistant config).

Nothing here reads the environment at import time; env vars never override a value passed
explicitly for one run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, make_dataclass
from pathlib import Path
from typing import Any

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

APP_NAME = "filings-agent"
DEFAULT_CHAT_MODEL = "local:qwen2.5-coder-1.5b"
DEFAULT_EMBEDDINGS = "local:all-minilm-l6-v2"
DEFAULT_RERANKER = "local:mpnet-rescore"


def default_data_dir() -> Path:
    return Path(user_data_dir(APP_NAME))


def _config_file() -> Path | None:
    explicit = os.environ.get("FILINGS_CONFIG")
    if explicit:
        return Path(explicit)
    data_dir = Path(os.environ.get("FILINGS_DATA_DIR") or default_data_dir())
    candidate = data_dir / "filings.toml"
    return candidate if candidate.exists() else None


class Settings(BaseSettings):
    """Process-wide settings. Every field can be set as ``FILINGS_<FIELD>`` or in the TOML file."""

    model_config = SettingsConfigDict(env_prefix="FILINGS_", extra="ignore")

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Root for the index (Chroma + BM25 + manifest), traces, chat threads and, unless "
        "model_dir is set, the model cache. Several independent indexes can live side by side.",
    )
    model_dir: Path | None = Field(
        default=None,
        description="Where assembled local model files are cached (default: <user cache dir>/filings-agent/models).",
    )
    collection: str = Field(default="filings", description="Chroma collection name (>= 3 characters).")
    chroma_host: str | None = Field(
        default=None,
        description="Chroma server host; when set, HttpClient is used instead of the embedded store.",
    )
    chroma_port: int = Field(default=8000, description="Chroma server port.")
    chroma_ssl: bool = Field(default=False, description="Use HTTPS for the Chroma server.")

    chat_model: str = Field(
        default=DEFAULT_CHAT_MODEL, description="Default model string for every chat role."
    )
    planner_model: str | None = Field(
        default=None, description="Scope fallback + decomposition (default: chat_model)."
    )
    drafter_model: str | None = Field(default=None, description="Drafting answers (default: chat_model).")
    judge_model: str | None = Field(
        default=None, description="Critic support judgements (default: chat_model)."
    )
    embeddings_model: str = Field(default=DEFAULT_EMBEDDINGS, description="Embedding model string.")
    reranker_model: str = Field(
        default=DEFAULT_RERANKER,
        description="Reranker string: 'none', 'local:mpnet-rescore', 'index-rescore' (fast), "
        "'hf:<cross-encoder id or path>', 'llm'.",
    )
    openai_base_url: str | None = Field(
        default=None, description="Base URL of an OpenAI-compatible server (vLLM, TGI, llama.cpp server)."
    )
    n_threads: int = Field(default=2, description="CPU threads for llama.cpp.")
    n_ctx: int = Field(default=4096, description="Context window for local llama.cpp models.")
    llm_cache_mb: int = Field(
        default=512,
        description="RAM for llama.cpp prompt-prefix states, so a prompt revisited after another one (draft -> "
        "judge -> redraft) skips re-reading its shared prefix; 0 disables (the last prompt's prefix is still reused).",
    )
    checkpointer: str = Field(
        default="sqlite",
        description="'sqlite' (file under data_dir), 'memory', or a postgres:// URL for many users.",
    )
    trace_local: bool = Field(default=True, description="Record node spans in the local trace sink.")
    max_file_mb: float = Field(
        default=100.0,
        gt=0,
        description="Ingest refuses a file larger than this (MB), before reading it: a stray log or data dump "
        "would otherwise be planned as hundreds of thousands of chunks.",
    )
    max_pages: int = Field(
        default=2000,
        gt=0,
        description="Ingest refuses a document with more pages than this, before extracting its text.",
    )

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # flags (init kwargs) > env > TOML file > defaults
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @classmethod
    def load(cls, **flags: Any) -> Settings:
        """Build settings; ``None``-valued flags mean "not given on the command line"."""
        return cls(**{k: v for k, v in flags.items() if v is not None})

    # --- derived locations -------------------------------------------------------------
    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def traces_path(self) -> Path:
        return self.data_dir / "traces.sqlite"

    @property
    def checkpoints_path(self) -> Path:
        return self.data_dir / "checkpoints.sqlite"

    @property
    def models_dir(self) -> Path:
        return self.model_dir or Path(user_cache_dir(APP_NAME)) / "models"

    def context(self, **overrides: Any) -> Context:
        """The per-run Context with this process's model choices filled in."""
        values: dict[str, Any] = {
            "planner_model": self.planner_model or self.chat_model,
            "drafter_model": self.drafter_model or self.chat_model,
            "judge_model": self.judge_model or self.chat_model,
            "embeddings_model": self.embeddings_model,
            "reranker_model": self.reranker_model,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return Context(**values)

    def context_schema(self) -> type[Context]:
        """A ``context_schema`` for a served graph: :class:`Context` with this process's
        :meth:`context` as its defaults (and in its JSON schema).

        LangGraph builds a run's context as ``context_schema(**assistant_and_run_context)``, so
        with plain :class:`Context` a run that names no model would get the hard-coded defaults,
        whatever ``FILINGS_CHAT_MODEL`` or the TOML file say. Keys a run or an assistant sends
        still win. The class is named ``Context`` (a subclass), so it serializes as one.
        """
        defaults = self.context()
        schema = make_dataclass(
            "Context",
            [
                (f.name, f.type, field(default=getattr(defaults, f.name), metadata=f.metadata))
                for f in fields(Context)
            ],
            bases=(Context,),
            kw_only=True,
        )
        schema.__module__ = __name__  # resolves the string annotations; make_dataclass(module=) is 3.12+
        schema.__doc__ = Context.__doc__
        return schema


@dataclass(kw_only=True)
class Context:
    """Runtime context of one research run (LangGraph ``context_schema``).

    Every field is a knob a user may turn per question or per assistant.
    """

    planner_model: str = field(
        default=DEFAULT_CHAT_MODEL,
        metadata={"description": "Model string for scope fallback and decomposition."},
    )
    drafter_model: str = field(
        default=DEFAULT_CHAT_MODEL, metadata={"description": "Model string that drafts."}
    )
    judge_model: str = field(
        default=DEFAULT_CHAT_MODEL,
        metadata={"description": "Model string for the critic's YES/NO support checks."},
    )
    embeddings_model: str = field(
        default=DEFAULT_EMBEDDINGS, metadata={"description": "Embedding model string."}
    )
    reranker_model: str = field(
        default=DEFAULT_RERANKER, metadata={"description": "Reranker string or 'none'."}
    )

    dense_k: int = field(
        default=30, metadata={"description": "Candidates from the dense retriever per sub-question."}
    )
    bm25_k: int = field(default=30, metadata={"description": "Candidates from BM25 per sub-question."})
    fusion_k: int = field(default=60, metadata={"description": "Reciprocal-rank-fusion constant k."})
    dense_weight: float = field(default=1.0, metadata={"description": "RRF weight of the dense ranking."})
    bm25_weight: float = field(default=1.0, metadata={"description": "RRF weight of the BM25 ranking."})
    rerank_candidates: int = field(
        default=30, metadata={"description": "Fused candidates the reranker re-scores."}
    )
    context_chunks: int = field(
        default=6, metadata={"description": "Top chunks after rerank given to the drafter."}
    )
    duplicate_overlap: float = field(
        default=0.8,
        metadata={
            "description": "Before reranking, a candidate that prints the same figures and dates as a "
            "better-ranked candidate of another filing and whose runs of two words overlap it at least "
            "this much (Jaccard) is dropped: a page several filings print word for word "
            "(forward-looking statements, certifications) is read once, except in a section the "
            "question names. Copies of such pages overlap 0.8-1.0. 1: keep every copy."
        },
    )

    figure_passages: int = field(
        default=2,
        metadata={
            "description": "Compact evidence: when the figure list found candidate figures for a figure "
            "question, the draft prompt shows only the passages those figures come from, plus the top "
            "passage for wording, at most this many (0: always every context passage)."
        },
    )

    draft_prompt_tokens: int = field(
        default=1500,
        metadata={
            "description": "Budget: tokens of the draft prompt for a question the plan reads as a figure, "
            "comparison, superlative or yes/no; the lowest-ranked passages are left out until it fits "
            "(the top passage and the figure list stay). A small model reads a short prompt better and a "
            "CPU drafts it faster. Narrative questions keep every passage. 0: no budget."
        },
    )

    key_sentences: int = field(
        default=4,
        metadata={
            "description": "A yes/no question about no line item or metric (whether an acquisition or a "
            "change of policy was reported): at most this many whole sentences of the context that hold "
            "the question's most distinctive words are listed for the drafter to pick from, and the "
            "answer quotes the picked ones, cited (none picked: the usual draft). 0 turns it off."
        },
    )

    rest_sentences: int = field(
        default=2,
        metadata={
            "description": "A question whose figures our code stated and that asks more (why, what it "
            "indicates): when the model writes nothing of the rest, at most this many sentences of the "
            "context that give a cause or a consequence and hold the question's most distinctive words "
            "are quoted, cited, instead of saying the passages hold nothing more. 0 turns it off."
        },
    )

    computed_answers: bool = field(
        default=True,
        metadata={
            "description": "A figure question that the stored facts answer unambiguously (one line item, "
            "a textbook metric or the question's own formula, for one company) is drafted by our code "
            "from those facts, with no model call; the critic checks it like any draft."
        },
    )

    section_share: float = field(
        default=0.5,
        metadata={
            "description": "For a question that names a section of the filings and asks for text, the "
            "share of the drafting context kept for that section's best candidates (in turn from each "
            "filing), in place of the lowest-ranked passages from elsewhere. 0 turns it off."
        },
    )

    section_extract_sentences: int = field(
        default=6,
        metadata={
            "description": "A question naming a section of the filings (risk factors, legal proceedings, "
            "MD&A, ...) that the drafter finds no answer to is drafted from that section's own printed "
            "sentences in the context, at most this many, taken in turn from each filing and cited; the "
            "critic checks them like any draft. 0 turns it off."
        },
    )

    section_outline_entries: int = field(
        default=8,
        metadata={
            "description": "A question asking for text from Risk Factors or Legal Proceedings (sections "
            "that list their matters under headings) is answered, with no model call, by the outline the "
            "context passages print: at most this many headings, each with the sentence that opens its "
            "part, in turn from each filing and cited; the critic checks it like any draft. Used only "
            "when at least two headings are found. 0 turns it off."
        },
    )

    max_subquestions: int = field(default=4, metadata={"description": "Upper bound on decomposition."})
    faithfulness_threshold: float = field(
        default=0.8, metadata={"description": "Critic score at or above which a draft is accepted."}
    )
    # One revision by default: on a CPU a revision costs a full-context draft (~1 min with the 1.5B),
    # and a second one rarely rescued an answer the first could not.
    max_revisions: int = field(
        default=1, metadata={"description": "Budget: regenerations + re-retrievals after the first draft."}
    )
    max_llm_calls: int = field(
        default=12, metadata={"description": "Budget: LLM calls in one run, all roles."}
    )
    # One re-retrieval: if widened, rewritten queries still find nothing, a third look rarely does
    # and costs a full-context draft (~1 min on CPU).
    max_retrieval_rounds: int = field(
        default=2,
        metadata={
            "description": "Budget: retrieval rounds per question (the first, plus re-retrievals with "
            "rewritten queries when the critic finds the evidence missing)."
        },
    )
    retrieval_new_passages: int = field(
        default=3,
        metadata={
            "description": "Passages each later retrieval round adds to the drafting context. The "
            "passages the last draft read stay first, in their order, so the model's prompt cache "
            "still holds them and the redraft reads only what is new."
        },
    )
    retrieval_widening: int = field(
        default=10,
        metadata={
            "description": "Extra candidates each later retrieval round fetches per query (round r "
            "fetches rerank_candidates + (r - 1) x this)."
        },
    )
    statement_lookups: int = field(
        default=2,
        metadata={
            "description": "Budget: searches per critique for the statement that checks a drafted line-item "
            "figure when the context holds none (lexical + dense, no model call); 0 disables them."
        },
    )
    max_answer_tokens: int = field(
        default=320, metadata={"description": "Cap on drafted tokens (runaway guard)."}
    )
    # A question is one request, not a document: 2,000 characters is several paragraphs, and a
    # longer one would crowd the passages out of the 4,096-token context of the local model.
    max_question_chars: int = field(
        default=2000,
        metadata={
            "description": "Longest question accepted, in characters; a longer one is refused with "
            "its length and this limit before any model call."
        },
    )

    def with_overrides(self, **overrides: Any) -> Context:
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        if unknown:
            raise ValueError(f"unknown Context field(s): {', '.join(sorted(unknown))}")
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(overrides)
        return Context(**values)
