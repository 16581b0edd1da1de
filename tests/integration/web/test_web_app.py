"""The research assistant in the browser (issue 17), against one real `filings serve` on an index of
the bundled samples: a cited round trip with the local 1.5B and its evidence page, a follow-up,
restored threads, uploads (a corrupt PDF, a real 10-Q) and a filing that plants markup."""

from __future__ import annotations

import json
import shutil
import time
import urllib.request
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]

QUESTION = "What was Apple's total net sales for the three months ended July 1, 2023?"
FOLLOW_UP = "And the same quarter a year earlier?"
# A question the model drafts: a figure question is computed from the stored facts with no model
# call, too fast to cancel.
NARRATIVE = "According to Amazon's 2022 annual report, what drove the increase in AWS segment net sales?"
ANSWER_SECONDS = 240


def library(url: str) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{url}/web/api/library", timeout=30) as resp:
        return list(json.load(resp)["filings"])


def open_app(page: Any, url: str, view: str = "chat") -> None:
    page.goto(f"{url}/#{view}")
    expect(page.locator("body.ready")).to_have_count(1)


def ask(page: Any, question: str) -> float:
    """Types the question and presses Enter; returns the monotonic time of the key press."""
    page.fill("#question", question)
    pressed = time.monotonic()
    page.press("#question", "Enter")
    return pressed


def test_round_trip_with_evidence_follow_up_and_restored_thread(served, page_factory, artifacts):
    page = page_factory()
    open_app(page, served.url)
    turns = page.locator("[data-testid=turn]")

    pressed = ask(page, QUESTION)
    first_turn = turns.nth(0)
    first_line = first_turn.locator(".progress-line").first
    first_line.wait_for(state="visible", timeout=60_000)
    to_first_progress = time.monotonic() - pressed
    # Node progress streams in while the run goes: no answer yet when the first line shows.
    assert first_turn.locator("[data-testid=answer]").count() == 0
    first_turn.locator(".progress-line:not(.running)").first.wait_for(state="visible", timeout=60_000)
    to_first_record = time.monotonic() - pressed
    print(f"time from Ask to the first visible progress line (a node started): {to_first_progress:.2f} s")
    print(f"time from Ask to the first finished node's record: {to_first_record:.2f} s")

    answer = first_turn.locator("[data-testid=answer]")
    answer.wait_for(state="visible", timeout=ANSWER_SECONDS * 1000)
    steps = first_turn.locator(".progress-line").evaluate_all("els => els.map(e => e.dataset.step)")
    assert steps[0] == "scope" and "retrieve" in steps and steps[-1] == "answer", steps
    # Every "node started" line gave way to its node's record.
    assert first_turn.locator(".progress-line.running").count() == 0
    expect(answer.locator("[data-testid=stop-badge]")).to_be_visible()
    citations = answer.locator("[data-testid=answer-text] [data-testid=citation]")
    assert citations.count() >= 1, answer.inner_text()
    page.screenshot(path=str(artifacts / "chat.png"))

    # The citation opens its page: the rendered image and a highlight box on it.
    citations.first.click()
    image = page.locator("[data-testid=evidence-image]")
    image.wait_for(state="visible", timeout=60_000)
    wait_for(
        page,
        "() => { const i = document.querySelector('[data-testid=evidence-image]');"
        " return i && i.complete && i.naturalWidth > 0; }",
    )
    expect(page.locator("[data-testid=evidence-page]")).to_contain_text("page ")
    expect(page.locator("[data-testid=evidence-title]")).to_contain_text("Apple")
    boxes = page.locator("#evidence .highlight")
    assert boxes.count() >= 1, "no highlight box on the cited page"
    img = image.bounding_box()
    box = boxes.first.bounding_box()
    assert img and box and box["width"] > 0 and box["height"] > 0
    assert img["x"] - 1 <= box["x"] and box["x"] + box["width"] <= img["x"] + img["width"] + 1, (img, box)
    assert img["y"] - 1 <= box["y"] and box["y"] + box["height"] <= img["y"] + img["height"] + 1, (img, box)
    page.screenshot(path=str(artifacts / "chat-evidence.png"))

    # A follow-up in the same thread keeps its scope (Apple) and is answered.
    ask(page, FOLLOW_UP)
    second_turn = turns.nth(1)
    second_answer = second_turn.locator("[data-testid=answer]")
    second_answer.wait_for(state="visible", timeout=ANSWER_SECONDS * 1000)
    expect(second_answer.locator("[data-testid=stop-badge]")).to_be_visible()
    expect(second_turn.locator(".progress-line[data-step=scope]")).to_contain_text("Apple")
    assert turns.count() == 2

    # Another thread and back: both turns come back from the thread's history.
    thread_id = page.locator("#thread-list .thread.active").get_attribute("data-thread-id")
    assert thread_id
    page.click("[data-testid=new-thread]")
    expect(page.locator("[data-testid=empty-conversation]")).to_be_visible()
    expect(turns).to_have_count(0)
    page.locator(f"#thread-list .thread[data-thread-id='{thread_id}'] .thread-title").click()
    expect(turns).to_have_count(2)
    expect(turns.nth(0).locator("[data-testid=question]")).to_contain_text(QUESTION)
    expect(turns.nth(1).locator("[data-testid=question]")).to_contain_text(FOLLOW_UP)
    expect(turns.locator("[data-testid=answer]")).to_have_count(2)
    expect(page.locator(f"#thread-list .thread[data-thread-id='{thread_id}'] .thread-title")).to_have_text(
        QUESTION[:80]
    )
    page.screenshot(path=str(artifacts / "chat-restored.png"))
    assert page.evaluate("window.__cspViolations") == []


def upload_result(page: Any, name: str, timeout: float = 240.0) -> Any:
    item = page.locator(f"#upload-list li[data-file='{name}']").first
    item.wait_for(state="attached", timeout=10_000)
    wait_for(
        page,
        '(name) => { const li = document.querySelector(`#upload-list li[data-file="${name}"]`);'
        " return li && li.dataset.result; }",
        timeout=timeout,
        arg=name,
    )
    return item


def row_ids(page: Any) -> list[str]:
    return page.locator("[data-testid=library-row]").evaluate_all("rows => rows.map(r => r.dataset.docId)")


def test_upload_corrupt_then_real_filing(served, page_factory, artifacts, tmp_path, shared_data):
    real = shared_data / "sec-10-q" / "docs" / "2023 Q2 AAPL.pdf"  # MIT (sec-10-q/LICENSE)
    assert real.is_file(), real
    corrupt = tmp_path / "corrupt-10q.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n garbage")
    good = tmp_path / "2023 Q2 AAPL.pdf"
    shutil.copyfile(real, good)

    page = page_factory()
    open_app(page, served.url, "library")
    expect(page.locator("[data-testid=library-row]")).to_have_count(3)
    before = row_ids(page)

    page.set_input_files("#upload-input", str(corrupt))
    item = upload_result(page, corrupt.name)
    assert item.get_attribute("data-result") == "error"
    status = item.locator("[data-testid=upload-status]")
    assert status.inner_text().strip(), "no error line"
    assert "error" in (status.get_attribute("class") or "")
    color = status.evaluate("e => getComputedStyle(e).color")
    assert color == "rgb(179, 38, 30)", color  # red
    expect(page.locator("[data-testid=library-row]")).to_have_count(3)
    assert row_ids(page) == before

    page.set_input_files("#upload-input", str(good))
    item = upload_result(page, good.name)
    assert item.get_attribute("data-result") == "ok", item.inner_text()
    rows = page.locator("[data-testid=library-row]")
    expect(rows).to_have_count(4)
    added = [d for d in row_ids(page) if d not in before]
    assert len(added) == 1
    new_row = page.locator(f"[data-testid=library-row][data-doc-id='{added[0]}']")
    expect(new_row).to_contain_text("2023 Q2 AAPL.pdf")
    expect(new_row).to_contain_text("10-Q")
    page.screenshot(path=str(artifacts / "library.png"))

    # Remove it again (the shared index is left as it was).
    page.once("dialog", lambda dialog: dialog.accept())
    new_row.locator("[data-testid=remove-filing]").click()
    expect(rows).to_have_count(3)
    assert row_ids(page) == before
    assert added[0] not in {f["doc_id"] for f in library(served.url)}


PLANTED = """UNITED STATES
SECURITIES AND EXCHANGE COMMISSION
Washington, D.C. 20549

FORM 10-Q

QUARTERLY REPORT PURSUANT TO SECTION 13 OR 15(d) OF THE SECURITIES EXCHANGE ACT OF 1934

For the quarterly period ended June 30, 2023

Planted Widgets Corp.
(Exact name of registrant as specified in its charter)

PART I - FINANCIAL INFORMATION

Item 1. Financial Statements

Net sales for the three months ended June 30, 2023 were $1,234 million, compared with $1,100 million
a year earlier. <script>window.__pwned = 1</script> Cost of sales was $700 million.
<img src=x onerror="window.__pwned=2"> Operating income was $300 million.

Item 2. Management's Discussion and Analysis of Financial Condition and Results of Operations

Net sales grew 12% on higher widget volumes. Gross margin was 43.3% of net sales.
"""


def test_planted_markup_is_shown_as_text(served, page_factory, artifacts, tmp_path):
    planted = tmp_path / "PLANTED_2023Q2_10Q.txt"
    planted.write_text(PLANTED)
    # No CSP here: the page's own escaping, not the server's policy, must keep the markup inert.
    page = page_factory(bypass_csp=True)
    open_app(page, served.url, "library")
    expect(page.locator("[data-testid=library-row]")).to_have_count(3)
    page.set_input_files("#upload-input", str(planted))
    item = upload_result(page, planted.name)
    assert item.get_attribute("data-result") == "ok", item.inner_text()
    row = page.locator("[data-testid=library-row]", has_text="Planted Widgets")
    expect(row).to_have_count(1)
    doc_id = row.get_attribute("data-doc-id")
    try:
        row.locator("[data-testid=view-filing]").click()
        text = page.locator("#evidence [data-testid=evidence-text]")
        expect(text).to_contain_text("<script>window.__pwned = 1</script>")
        expect(text).to_contain_text('<img src=x onerror="window.__pwned=2">')
        expect(page.get_by_text("<script>window.__pwned = 1</script>", exact=False)).to_be_visible()
        expect(page.locator("[data-testid=evidence-title]")).to_contain_text("Planted Widgets")
        assert page.locator("#evidence script, #evidence img").count() == 0
        time.sleep(0.5)  # an injected onerror would have fired by now
        assert page.evaluate("typeof window.__pwned") == "undefined"
        page.screenshot(path=str(artifacts / "planted-evidence.png"))
    finally:
        request = urllib.request.Request(f"{served.url}/web/api/library/{doc_id}", method="DELETE")
        with urllib.request.urlopen(request, timeout=60) as resp:
            assert resp.status == 200


def _apple_citation(n: int, filing: dict[str, Any], page: int, quote: str) -> dict[str, Any]:
    return {
        "n": n,
        "chunk_id": f"{filing['doc_id']}::{n}",
        "doc_id": filing["doc_id"],
        "company": filing["company"],
        "form_type": filing["form_type"],
        "period": filing["period"],
        "section": "Part I, Item 1. Financial Statements",
        "page": page,
        "quote": quote,
    }


def test_a_figure_series_is_charted_and_its_points_open_their_pages(served, page_factory):
    """The chart logic on a typed answer (no model run): figures of two periods make a chart whose
    bars open their citations; a lone figure, an unaccepted claim or odd numbers do not."""
    apple = {f["period"]: f for f in library(served.url) if f["company"] == "Apple Inc."}
    q3_2023 = _apple_citation(1, apple["FY2023 Q3"], 4, "Total net sales 81,797")
    q3_2022 = _apple_citation(2, apple["FY2022 Q3"], 4, "Total net sales 82,959")
    claims = [
        {"text": "Net sales were $81,797 million in Q3 FY2023.", "chunk_ids": [q3_2023["chunk_id"]],
         "numbers": ["$81,797 million"], "verdict": "supported"},
        {"text": "A year earlier they were $82,959 million.", "chunk_ids": [q3_2022["chunk_id"]],
         "numbers": ["$82,959 million"], "verdict": "supported"},
        {"text": "That is 1.4% less.", "chunk_ids": [], "numbers": ["1.4%"], "verdict": "unsupported"},
    ]  # fmt: skip
    answer = {
        "question": "Apple's net sales, Q3 FY2023 vs a year earlier?",
        "text": "Net sales were $81,797 million in Q3 FY2023 [1]. A year earlier they were $82,959 million [2].",
        "citations": [q3_2023, q3_2022],
        "claims": claims,
        "faithfulness": 1.0,
        "stop_reason": "accepted",
        "revisions": 0,
        "usage": {"llm_calls": 3, "prompt_tokens": 1200, "completion_tokens": 80},
        "node_seconds": {"draft_answer": 12.5},
        "fallbacks": [],
    }
    page = page_factory()
    open_app(page, served.url)
    parsed = page.evaluate(
        """async () => {
            const chart = await import('/web/static/chart.js');
            return ['$81,797 million', '1,234.5', '(12)', '12%', '$(1,234) million', 'abc', '(12']
                .map((s) => chart.parseFigure(s));
        }"""
    )
    values = [p and (p["value"], p["unit"]) for p in parsed]
    assert values == [(81797e6, "$"), (1234.5, ""), (-12, ""), (12, "%"), (-1234e6, "$"), None, None]
    lone = {**answer, "claims": claims[:1] + claims[2:]}
    assert page.evaluate("async (a) => (await import('/web/static/chart.js')).seriesOf(a)", lone) is None

    page.evaluate(
        """async (answer) => {
            const chat = await import('/web/static/chat.js');
            document.getElementById('conversation').append(chat.answerView(answer));
        }""",
        answer,
    )
    points = page.locator("[data-testid=chart] [data-testid=chart-point]")
    expect(points).to_have_count(2)
    labels = page.locator("[data-testid=chart] text.label").evaluate_all("els => els.map(e => e.textContent)")
    assert labels == ["FY2022 Q3", "FY2023 Q3"]
    expect(page.locator("[data-testid=answer] [data-testid=citation]")).to_have_count(2)
    details = page.locator("[data-testid=answer-details]")
    details.locator("summary").click()
    expect(details).to_contain_text("1,200 prompt + 80 completion tokens")
    expect(details).to_contain_text("draft_answer")

    points.nth(0).click()  # FY2022 Q3: the 2022 filing's page 4
    expect(page.locator("[data-testid=evidence-title]")).to_contain_text("FY2022 Q3")
    expect(page.locator("[data-testid=evidence-page]")).to_contain_text("page 4 of")
    page.locator("[data-testid=evidence-image]").wait_for(state="visible")
    assert page.locator("#evidence .highlight").count() >= 1


def test_cancel_a_running_question_then_delete_its_thread(served, page_factory):
    """Cancel stops the run on the server (on an assistant given by ?assistant=, the tiny model);
    the thread can then be deleted from the list."""
    from langchain_way.smoke import SMOKE_CONTEXT
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=served.url)
    assistant = client.assistants.create(graph_id="research", context=SMOKE_CONTEXT, name="web-cancel")
    page = page_factory()
    page.goto(f"{served.url}/?assistant={assistant['assistant_id']}#chat")
    expect(page.locator("body.ready")).to_have_count(1)
    turns = page.locator("[data-testid=turn]")

    ask(page, NARRATIVE)
    turn = turns.nth(0)
    # The context is chosen: the draft (a model call) starts now.
    turn.locator(".progress-line[data-step=rerank]").wait_for(timeout=120_000)
    expect(page.locator("[data-testid=ask]")).to_be_disabled()
    page.click("[data-testid=cancel]")
    expect(turn.locator("[data-testid=cancelled]")).to_be_visible()
    expect(page.locator("[data-testid=cancel]")).to_be_hidden()
    expect(page.locator("[data-testid=ask]")).to_be_enabled()
    assert turn.locator("[data-testid=answer]").count() == 0

    thread_id = page.locator("#thread-list .thread.active").get_attribute("data-thread-id")
    assert thread_id
    runs = client.runs.list(thread_id)
    assert [r["assistant_id"] for r in runs] == [assistant["assistant_id"]]
    deadline = time.monotonic() + 30
    while runs[0]["status"] in ("pending", "running") and time.monotonic() < deadline:
        time.sleep(0.5)
        runs = client.runs.list(thread_id)
    assert runs[0]["status"] in ("interrupted", "error", "cancelled"), runs[0]["status"]

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#thread-list .thread[data-thread-id='{thread_id}'] .thread-delete").click()
    expect(page.locator(f"#thread-list .thread[data-thread-id='{thread_id}']")).to_have_count(0)
    expect(page.locator("[data-testid=empty-conversation]")).to_be_visible()
    assert thread_id not in {t["thread_id"] for t in client.threads.search(limit=100)}


def test_calculations_are_listed_with_their_operands_as_text(served, page_factory):
    """A computed answer's details list each calculation and the stored facts it used (row, period,
    page); a row label from a filing is shown as text, never as markup."""
    operand = {
        "fact_id": "x::f1", "chunk_id": "x::0", "doc_id": "x", "page": 65, "item": "operating_income",
        "label": 'Operating income <img src=x onerror="window.__pwned=1">', "period": "Year Ended December 31, 2022",
        "fiscal_year": 2022, "value": 12248.0, "printed": "12,248", "scale": 6, "unit": "USD",
    }  # fmt: skip
    answer = {
        "question": "What was Amazon's operating margin in FY2022?",
        "text": "The operating margin, FY2022 is 2.38% [1].",
        "citations": [],
        "claims": [],
        "faithfulness": 1.0,
        "stop_reason": "accepted",
        "calculations": [
            {"name": "operating margin, FY2022", "expression": "12,248 / 513,983 * 100", "formula": "",
             "operands": [operand], "result": 2.383, "unit": "%", "scale": 0}
        ],
    }  # fmt: skip
    page = page_factory()
    open_app(page, served.url)
    page.evaluate(
        """async (answer) => {
            const chat = await import('/web/static/chat.js');
            document.getElementById('conversation').append(chat.answerView(answer));
        }""",
        answer,
    )
    details = page.locator("[data-testid=answer-details]")
    details.locator("summary").click()
    table = details.locator("[data-testid=calculations]")
    expect(table).to_contain_text("operating margin, FY2022")
    expect(table).to_contain_text("12,248 / 513,983 * 100")
    expect(table).to_contain_text(
        'Operating income <img src=x onerror="window.__pwned=1">, Year Ended December 31, 2022: 12,248 (page 66)'
    )
    assert table.locator("img").count() == 0
    assert page.evaluate("() => window.__pwned === undefined")
