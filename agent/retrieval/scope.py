"""Which filings a question is about, resolved against what is actually ingested.

Deterministic parsing first (company aliases learned from the index metadata, fiscal years,
quarters, form types, filing sections); the planner LLM is consulted only when parsing finds no
company, and only values that exist in the index are accepted from it. The result is applied as a
hard pre-filter on both retrievers and FAILS CLOSED: a scope that matches no ingested filing yields
status ``no_match``, a filter that matches nothing, and a reason listing what the index does hold.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from agent.finance.plan import PRIOR_PERIODS
from agent.prompts.scope import SCOPE_COMPANY
from agent.retrieval.asked import parse_forms, parse_quarters, parse_sections, parse_years
from agent.retrieval.companies import CompanyCatalog, normalize, unknown_company_mentions
from agent.retrieval.protocols import DocumentLike, MetadataFilter
from agent.schemas import Scope
from loaders.sections import canonical_labels

log = logging.getLogger(__name__)

_LATEST_RE = re.compile(r"\b(?:latest|most recent|newest|last (?:reported|filed))\b", re.I)


# ---------------------------------------------------------------------------------------------
# LLM fallback


class _CompanyChoice(BaseModel):
    company: str | None = Field(
        default=None, description="Exactly one of the listed company names, or null if none is meant."
    )


def _llm_company(question: str, catalog: CompanyCatalog, llm: Any) -> str | None:
    """Ask the planner model; accept only a company that exists in the index."""
    choices = sorted(entity.display for entity in catalog.entities.values())
    if not choices:
        return None
    prompt = SCOPE_COMPANY.format(choices="; ".join(choices), question=question)
    try:
        reply = llm.with_structured_output(_CompanyChoice).invoke(prompt)
    except (ValidationError, ValueError, TypeError, KeyError) as exc:
        # Malformed model output: no company from the LLM, parsing's answer stands.
        log.warning("scope LLM fallback gave no usable answer: %s", exc)
        return None
    if isinstance(reply, dict):
        reply = _CompanyChoice.model_validate(reply)
    if not isinstance(reply, _CompanyChoice) or not reply.company:
        return None
    keys = catalog.find(reply.company)
    return keys[0] if len(keys) == 1 else None


# ---------------------------------------------------------------------------------------------
# Matching against the ingested documents


def _label(doc: DocumentLike) -> str:
    period = f"FY{doc.fiscal_year}" if doc.fiscal_year else "period unknown"
    if doc.fiscal_quarter:
        period += f" Q{doc.fiscal_quarter}"
    return f"{doc.form_type or 'filing'} {period}"


def _holdings(docs: Sequence[DocumentLike]) -> str:
    labels = sorted({_label(d) for d in docs})
    return ", ".join(labels) if labels else "nothing"


def _is_annual(doc: DocumentLike) -> bool:
    return (doc.form_type or "").upper().startswith("10-K")


def _filter_years(docs: list[DocumentLike], years: list[int]) -> tuple[list[DocumentLike], str]:
    """Exact fiscal-year matches first; else the filings whose period ends in the year asked (the
    filer names its years by their start); else an annual report up to two years later (its
    comparatives). The second string says which assumption was made, if any."""
    exact = [d for d in docs if d.fiscal_year in years]
    if exact:
        return exact, ""
    # A retailer's "fiscal 2022" ends on 28 January 2023: asked for FY2023, the filing whose year
    # ENDS in 2023 is the likely meaning. Used, and said, only when no filing carries the name.
    # Annual periods only: a first quarter ending in December is not the calendar year's report.
    dated = [
        d
        for d in docs
        if d.fiscal_quarter is None
        and d.period_end
        and d.period_end[:4].isdigit()
        and int(d.period_end[:4]) in years
    ]
    if dated:
        named = ", ".join(sorted({f"{_label(d)} ending {d.period_end}" for d in dated}))
        return dated, (
            f"no filing is named FY{'/'.join(map(str, years))}; assumed it means the fiscal year ending in "
            f"{'/'.join(map(str, years))}: {named}"
        )
    later = [
        d for d in docs if _is_annual(d) and d.fiscal_year and any(0 < d.fiscal_year - y <= 2 for y in years)
    ]
    if later:
        # Income statements show three years, so the FY Y+1 / Y+2 10-K reports FY Y as comparatives.
        nearest = min(
            later, key=lambda d: min((d.fiscal_year or 0) - y for y in years if (d.fiscal_year or 0) > y)
        )
        chosen = [d for d in later if d.fiscal_year == nearest.fiscal_year]
        return (
            chosen,
            f"no filing for FY{'/'.join(map(str, years))}; using {_label(nearest)}, which reports it as a comparative",
        )
    return [], ""


def _recency(doc: DocumentLike) -> tuple[str, int, int]:
    """Sort key for "the latest filing": period end when known, else fiscal year and quarter."""
    return (doc.period_end or "", doc.fiscal_year or 0, doc.fiscal_quarter or 5)


def _latest_period(scope: Scope, latest: Sequence[DocumentLike]) -> Scope:
    """ "The most recent 10-Q" names a period through its filing: the scope takes that filing's
    fiscal year (and quarter, for a quarterly report), so the question plan asks for its period."""
    years = sorted({d.fiscal_year for d in latest if d.fiscal_year})
    quarters = sorted({d.fiscal_quarter for d in latest if d.fiscal_quarter and not _is_annual(d)})
    if not years:
        return scope
    source = {**scope.source, "fiscal_years": "latest filing"}
    if quarters:
        source["quarters"] = "latest filing"
    return scope.model_copy(update={"fiscal_years": years, "quarters": quarters, "source": source})


def _filter_quarters(docs: list[DocumentLike], quarters: list[int]) -> list[DocumentLike]:
    out = [d for d in docs if d.fiscal_quarter in quarters]
    if 4 in quarters:  # there is no fourth-quarter 10-Q: the annual report covers it
        out += [d for d in docs if _is_annual(d) and d not in out]
    if not out:
        # Releases whose quarter ingestion could not read cannot be ruled out.
        out = [d for d in docs if d.fiscal_quarter is None and not _is_annual(d)]
    return out


def _inherit(
    previous: Scope,
    catalog: CompanyCatalog,
    source: dict[str, str],
    entity_keys: list[str],
    years: list[int],
    forms: list[str],
    quarters: list[int],
) -> tuple[list[str], list[int], list[str], list[int]]:
    """A follow-up keeps what the previous turn's scope named and this question does not (marked
    'inherited' in ``source``); a question naming a 10-K drops the previous quarters."""
    if not entity_keys and previous.companies:
        entity_keys = [key for key, ent in catalog.entities.items() if ent.names & set(previous.companies)]
        if entity_keys:
            source["companies"] = "inherited"
    if not years and previous.fiscal_years:
        years, source["fiscal_years"] = list(previous.fiscal_years), "inherited"
    if not forms and previous.form_types and not quarters:
        forms, source["form_types"] = list(previous.form_types), "inherited"
    stated_annual = source.get("form_types") == "parsed" and "10-K" in forms
    if not quarters and previous.quarters and not stated_annual:
        quarters, source["quarters"] = list(previous.quarters), "inherited"
    return entity_keys, years, forms, quarters


def _matching(
    group: list[DocumentLike],
    who: str,
    forms: list[str],
    years: list[int],
    quarters: list[int],
    notes: list[str],
) -> list[DocumentLike]:
    """The filings of one company's ``group`` of the forms, years and quarters asked (an
    assumption made about the years is added to ``notes``)."""
    matched = group
    if forms:
        matched = [d for d in matched if (d.form_type or "").upper() in {f.upper() for f in forms}]
    if years and matched:
        matched, note = _filter_years(matched, years)
        if note:
            notes.append(f"{who}: {note}")
    if quarters and matched:
        matched = _filter_quarters(matched, quarters)
    return matched


def _filings_in_scope(
    question: str,
    docs: list[DocumentLike],
    catalog: CompanyCatalog,
    entity_keys: list[str],
    asked: tuple[list[str], list[int], list[int]],
    notes: list[str],
) -> tuple[list[DocumentLike], list[DocumentLike]] | str:
    """(the filings kept, those kept as "the latest"), or the reason no filing of a named company
    matches the ``asked`` forms, years and quarters. Several companies: each must keep at least one
    filing, judged company by company."""
    forms, years, quarters = asked
    if entity_keys:
        wanted = {d for k in entity_keys for d in catalog.entities[k].doc_ids}
        candidates = [d for d in docs if d.doc_id in wanted]
    else:
        candidates = list(docs)
    groups = [[d for d in candidates if d.doc_id in catalog.entities[k].doc_ids] for k in entity_keys] or [
        candidates
    ]
    kept: list[DocumentLike] = []
    keys: list[str | None] = list(entity_keys) or [None]
    latest: list[DocumentLike] = []
    for key, group in zip(keys, groups, strict=True):
        who = catalog.entities[key].display if key else "any company"
        matched = _matching(group, who, forms, years, quarters, notes)
        # "The latest quarter compared with prior quarters" asks about the earlier filings too.
        if not years and matched and _LATEST_RE.search(question) and not PRIOR_PERIODS.search(question):
            newest = max(_recency(d) for d in matched)
            matched = [d for d in matched if _recency(d) == newest]
            latest.extend(matched)
            notes.append(f"{who}: the latest filing is the {_label(matched[0])}")
        if not matched:
            named = " ".join(
                p
                for p in (
                    "/".join(forms) if forms else "",
                    "FY" + "/".join(map(str, years)) if years else "",
                    "Q" + "/".join(map(str, quarters)) if quarters else "",
                )
                if p
            )
            return (
                f"No ingested filing of {who} matches {named}. The index holds for {who}: {_holdings(group)}."
            )
        kept.extend(matched)
    return kept, latest


def resolve_scope(
    question: str,
    documents: Sequence[DocumentLike],
    previous: Scope | None = None,
    llm: Any | None = None,
) -> Scope:
    """Resolve the filings a question is about against the ingested ``documents``.

    Parts the question does not state are inherited from ``previous`` (source 'inherited').
    A bare year means the fiscal year the filing names (for 10-Qs, the fiscal year of the
    quarter). Returns status 'unscoped' when nothing constrains the search, 'ok' with the
    matching ``doc_ids``, or 'no_match' with a reason listing what the index holds.
    """
    if not question or not question.strip():
        raise ValueError("cannot resolve the scope of an empty question")
    docs = list(documents)
    catalog = CompanyCatalog.from_documents(docs)
    source: dict[str, str] = {}
    entity_keys, unknown = _asked_companies(question, catalog, llm, source)
    years, quarters, forms, sections = _asked_periods(question, source)
    if previous is not None and not unknown:
        entity_keys, years, forms, quarters = _inherit(
            previous, catalog, source, entity_keys, years, forms, quarters
        )

    companies = sorted({n for k in entity_keys for n in catalog.entities[k].names})
    scope = Scope(companies=companies, fiscal_years=years, quarters=quarters, form_types=forms, source=source)
    if unknown:
        held = sorted(e.display for e in catalog.entities.values())
        return scope.model_copy(
            update={
                "status": "no_match",
                "reason": f"{', '.join(unknown)} is not among the ingested companies "
                f"({'; '.join(held) or 'the index is empty'}).",
            }
        )
    if scope.is_empty and not sections:
        return scope.model_copy(update={"status": "unscoped", "reason": "no company, period or form named"})

    notes: list[str] = []
    found = _filings_in_scope(question, docs, catalog, entity_keys, (forms, years, quarters), notes)
    if isinstance(found, str):
        return scope.model_copy(update={"status": "no_match", "reason": found})
    kept, latest = found
    if latest:
        scope = _latest_period(scope, latest)
    return _scoped(scope, kept, sections, notes)


def _asked_companies(
    question: str, catalog: CompanyCatalog, llm: Any | None, source: dict[str, str]
) -> tuple[list[str], list[str]]:
    """The catalog keys the question names and the company-like names it holds that the index lacks;
    the model is asked only when the question names neither."""
    entity_keys = catalog.find(question)
    if entity_keys:
        source["companies"] = "parsed"
    unknown = [] if entity_keys else unknown_company_mentions(question, catalog)
    if not entity_keys and not unknown and llm is not None:
        key = _llm_company(question, catalog, llm)
        if key:
            entity_keys, source["companies"] = [key], "llm"
    return entity_keys, unknown


def _asked_periods(
    question: str, source: dict[str, str]
) -> tuple[list[int], list[int], list[str], list[tuple[str, str]]]:
    """Fiscal years, quarters, forms and sections the question states, each marked 'parsed' in ``source``."""
    years = parse_years(question)
    quarters = parse_quarters(question)
    forms = parse_forms(question)
    sections = parse_sections(question)
    for name, value in (("fiscal_years", years), ("quarters", quarters), ("form_types", forms)):
        if value:
            source[name] = "parsed"
    if sections:
        source["items"] = "parsed"
    return years, quarters, forms, sections


def _scoped(
    scope: Scope, kept: Sequence[DocumentLike], sections: list[tuple[str, str]], notes: list[str]
) -> Scope:
    """The 'ok' scope over the filings ``kept``, with a reason naming them and the assumptions made."""
    items = _items_for(sections, kept)
    labels = list(dict.fromkeys(label for pair in sections for label in canonical_labels(*pair)))
    doc_ids = sorted({d.doc_id for d in kept})
    reason = f"{len(doc_ids)} filing(s): " + ", ".join(
        sorted({f"{d.company or '?'} {_label(d)}" for d in kept})
    )
    if notes:
        reason += " (" + "; ".join(notes) + ")"
    return scope.model_copy(
        update={
            "status": "ok",
            "doc_ids": doc_ids,
            "items": items,
            "sections": labels,
            "reason": reason,
            "assumptions": notes,
        }
    )


def _items_for(sections: list[tuple[str, str]], docs: Sequence[DocumentLike]) -> list[str]:
    """Map asked-for sections to the Item numbers of the forms in scope."""
    if not sections:
        return []
    has_annual = any(_is_annual(d) for d in docs) or not docs
    has_quarterly = any((d.form_type or "").upper().startswith("10-Q") for d in docs)
    items: list[str] = []
    for annual_item, quarterly_item in sections:
        if has_annual or not has_quarterly:
            items.append(annual_item)
        if has_quarterly:
            items.append(quarterly_item)
    return list(dict.fromkeys(items))


def scope_filter(scope: Scope) -> MetadataFilter | None:
    """The metadata pre-filter for a scope: None when unscoped, ``{'doc_id': []}`` for no_match."""
    if scope.status == "no_match":
        return {"doc_id": []}
    out: MetadataFilter = {}
    if scope.status == "ok" and scope.doc_ids:
        out["doc_id"] = list(scope.doc_ids)
    elif scope.status == "ok" and not scope.items:
        # 'ok' without documents would silently mean "everything": refuse instead.
        return {"doc_id": []}
    if scope.items:
        out["item"] = list(scope.items)
    return out or None


__all__ = [
    "CompanyCatalog",
    "normalize",
    "parse_forms",
    "parse_quarters",
    "parse_sections",
    "parse_years",
    "resolve_scope",
    "scope_filter",
    "unknown_company_mentions",
]
