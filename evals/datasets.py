"""Evaluation datasets: one :class:`EvalExample` model, three loaders.

* FinanceBench-style JSONL (``question``, ``answer``, ``evidence`` with zero-based
  ``evidence_page_num`` and ``doc_name``).
* The docugami KG-RAG CSV (``Question``, ``Source Docs`` as names or wildcards like ``*AAPL*``,
  ``Question Type``, ``Source Chunk Type``, ``Answer``).
* Our own simple JSONL (``question``, ``reference_answer``, ``reference_contexts`` and/or
  ``evidence`` as ``{"doc": <file name, stem or glob>, "page": <zero-based page>}``, ``scope``).

Documents are identified by file stem (``"2023 Q3 AAPL"`` for ``.../2023 Q3 AAPL.pdf``) so that the
same examples work whatever directory the filings were ingested from.
"""

from __future__ import annotations

import csv
import fnmatch
import json
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.schemas import Scope


class DatasetError(ValueError):
    """A dataset file is missing, malformed, or not in the format its loader expects."""


class Evidence(BaseModel):
    """Where a reference answer is found: a document (name, stem or glob) and optionally a page."""

    doc: str = Field(description="File name, file stem or glob pattern (e.g. '*AAPL*') of the document.")
    page: int | None = Field(
        default=None, description="Zero-based page index; None when only the document is known."
    )
    text: str | None = Field(default=None, description="The evidence text, when the dataset provides it.")

    @property
    def is_pattern(self) -> bool:
        return any(ch in self.doc for ch in "*?[")

    def matches_doc(self, source: str) -> bool:
        """Whether a chunk's ``source_path`` (or file name / stem) is this evidence's document."""
        return doc_matches(self.doc, source)


class EvalExample(BaseModel):
    """One evaluation question with whatever references its dataset provides."""

    id: str
    question: str
    reference_answer: str | None = None
    reference_contexts: list[str] = Field(default_factory=list)
    evidence: list[Evidence] = Field(default_factory=list)
    scope: Scope | None = Field(
        default=None, description="Scope the question is about, when the dataset pins it."
    )
    expect_abstain: bool = Field(
        default=False, description="True when the right behaviour is to say the filings do not answer it."
    )
    question_type: str | None = None
    dataset: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)

    @property
    def evidence_pages(self) -> list[Evidence]:
        return [e for e in self.evidence if e.page is not None]


def doc_key(source: str) -> str:
    """Normalised document key: the lower-cased file stem of a path or name."""
    name = PurePath(source.strip()).name
    stem = name.rsplit(".", 1)[0] if "." in name and not name.startswith(".") else name
    return " ".join(stem.lower().split())


def doc_matches(reference: str, source: str) -> bool:
    """Match a reference document (name, stem or glob) against a chunk's source path or name."""
    key = doc_key(source)
    ref = reference.strip().lower()
    if any(ch in ref for ch in "*?["):
        name = PurePath(source.strip()).name.lower()
        return fnmatch.fnmatchcase(key, ref) or fnmatch.fnmatchcase(name, ref)
    return doc_key(ref) == key


def _read_jsonl(path: Path) -> Iterable[tuple[int, dict[str, Any]]]:
    if not path.is_file():
        raise DatasetError(f"dataset file not found: {path}")
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{lineno}: not valid JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise DatasetError(f"{path}:{lineno}: expected a JSON object, got {type(row).__name__}")
            yield lineno, row


def load_financebench(path: str | Path, *, limit: int | None = None) -> list[EvalExample]:
    """Load FinanceBench-style JSONL; evidence pages stay zero-based as in the source."""
    path = Path(path)
    out: list[EvalExample] = []
    for lineno, row in _read_jsonl(path):
        missing = [k for k in ("question", "answer", "evidence") if k not in row]
        if missing:
            raise DatasetError(f"{path}:{lineno}: FinanceBench row lacks {', '.join(missing)}")
        evidence = []
        for ev in row["evidence"] or []:
            doc = ev.get("doc_name") or row.get("doc_name")
            if not doc:
                raise DatasetError(f"{path}:{lineno}: evidence without doc_name")
            page = ev.get("evidence_page_num")
            evidence.append(
                Evidence(doc=doc, page=int(page) if page is not None else None, text=ev.get("evidence_text"))
            )
        out.append(
            EvalExample(
                id=str(row.get("financebench_id") or f"{path.stem}-{lineno}"),
                question=row["question"],
                reference_answer=str(row["answer"]),
                reference_contexts=[e.text for e in evidence if e.text],
                evidence=evidence,
                question_type=row.get("question_type"),
                dataset="financebench",
                metadata={
                    k: row[k]
                    for k in ("company", "doc_name", "question_reasoning", "justification")
                    if row.get(k)
                },
            )
        )
        if limit is not None and len(out) >= limit:
            break
    return out


_DOCUGAMI_COLUMNS = ("Question", "Source Docs", "Question Type", "Answer")


def load_docugami_csv(path: str | Path, *, limit: int | None = None) -> list[EvalExample]:
    """Load the docugami KG-RAG CSV; ``Source Docs`` become document-level evidence (no pages)."""
    path = Path(path)
    if not path.is_file():
        raise DatasetError(f"dataset file not found: {path}")
    # utf-8-sig: the upstream file starts with a BOM that would otherwise rename the first column.
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        header = [h.strip() for h in reader.fieldnames or []]
        missing = [c for c in _DOCUGAMI_COLUMNS if c not in header]
        if missing:
            raise DatasetError(f"{path}: not a docugami CSV, missing column(s) {', '.join(missing)}")
        out: list[EvalExample] = []
        for n, raw in enumerate(reader, start=1):
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            docs = [d.strip() for d in row["Source Docs"].split(",") if d.strip()]
            out.append(
                EvalExample(
                    id=f"{path.stem}-{n}",
                    question=row["Question"],
                    reference_answer=row["Answer"],
                    evidence=[Evidence(doc=d) for d in docs],
                    question_type=row["Question Type"] or None,
                    dataset="docugami",
                    metadata={"source_chunk_type": row.get("Source Chunk Type", "")},
                )
            )
            if limit is not None and len(out) >= limit:
                break
    return out


def load_simple_jsonl(path: str | Path, *, limit: int | None = None) -> list[EvalExample]:
    """Load our own JSONL format (see module docstring); ``answer`` is accepted for ``reference_answer``."""
    path = Path(path)
    out: list[EvalExample] = []
    for lineno, row in _read_jsonl(path):
        if "question" not in row:
            raise DatasetError(f"{path}:{lineno}: row lacks 'question'")
        row = dict(row)
        if "reference_answer" not in row and "answer" in row:
            row["reference_answer"] = row.pop("answer")
        row.setdefault("id", f"{path.stem}-{lineno}")
        row.setdefault("dataset", path.stem)
        try:
            out.append(EvalExample.model_validate(row))
        except ValidationError as exc:
            raise DatasetError(
                f"{path}:{lineno}: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
            ) from exc
        if limit is not None and len(out) >= limit:
            break
    return out


def load_dataset(path: str | Path, *, fmt: str = "auto", limit: int | None = None) -> list[EvalExample]:
    """Load any supported dataset; ``fmt`` is 'financebench', 'docugami', 'simple' or 'auto'."""
    path = Path(path)
    if fmt == "auto":
        if path.suffix.lower() == ".csv":
            fmt = "docugami"
        else:
            first = next(iter(_read_jsonl(path)), (0, {}))[1]
            fmt = "financebench" if "evidence" in first and "financebench_id" in first else "simple"
    loaders = {"financebench": load_financebench, "docugami": load_docugami_csv, "simple": load_simple_jsonl}
    if fmt not in loaders:
        raise DatasetError(f"unknown dataset format {fmt!r}; expected one of {', '.join(loaders)}")
    return loaders[fmt](path, limit=limit)
