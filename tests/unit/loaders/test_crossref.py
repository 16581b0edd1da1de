"""Items placed from a filing's cross-reference index: the index read, printed page numbers mapped
to the file's pages by the footers, Items sharing a page cut at their title lines, and nothing
placed when the index or the page numbers cannot be trusted."""

from __future__ import annotations

from loaders.base import Block, Page
from loaders.crossref import cross_reference, printed_offset, read_index
from loaders.parse import _segments

INDEX = """Form 10-Q Cross-Reference Index
Item Number Item
Part I - Financial Information
Item 1. Financial Statements Pages 1 - 4
Item 2. Management's Discussion and Analysis of Financial Condition and Results of Operations:
Liquidity and capital resources Page 5
Results of operations Pages 5 - 6
Item 3. Quantitative and Qualitative Disclosures About Market Risk Page 7
Item 4. Controls and Procedures Page 7
Part II - Other Information
Item 1. Legal Proceedings Page 3
Item 1A. Risk Factors Page 7
Item 3. Defaults Upon Senior Securities Not applicable
Item 6. Exhibits Page 8"""

BODY = {
    1: "Consolidated Condensed Statements of Income\nNet revenue 12,949 15,321",
    2: "Notes to Financial Statements\nNote 1: Basis of Presentation\nWe prepared our statements as usual.",
    3: "Note 9: Derivatives\nWe hedge currency risk.\nLegal Proceedings\nWe are party to various claims.",
    4: "Note 10: Subsequent Events\nNone.",
    5: "Management's Discussion and Analysis\nRevenue was down.",
    6: "Liquidity and Capital Resources\nCash was ample.",
    7: (
        "Other Key Information\nQuantitative and Qualitative Disclosures About Market Risk\nWe face currency risk.\n"
        "Risk Factors\nThe risks described in our Form 10-K could adversely affect us.\n"
        "Controls and Procedures\nOur controls were effective."
    ),
    8: "Exhibits\n31.1 Certification",
}


def _pages(index: str = INDEX, numbered: bool = True) -> list[Page]:
    """A cover (unnumbered), printed pages 1-8 (file pages 1-8), then the index and signatures."""
    pages = [Page(0, [Block("UNITED STATES SECURITIES AND EXCHANGE COMMISSION\nFORM 10-Q")])]
    for n, text in BODY.items():
        footer = f"\nSection {n}" if numbered else ""
        pages.append(Page(n, [Block(f"Table of Contents\n{text}{footer}")]))
    pages.append(Page(9, [Block(f"Table of Contents\n{index}\n9")]))
    pages.append(Page(10, [Block("Signatures\nPursuant to the requirements of the Exchange Act\n10")]))
    return pages


def test_the_index_lists_each_item_with_its_printed_pages() -> None:
    entries = {(e.part, e.item): e for e in read_index(_pages()[9])}
    assert entries[("I", "1")].pages == {1, 2, 3, 4}
    assert entries[("I", "2")].pages == {5, 6}  # from the lines below its title
    assert entries[("II", "1")].title == "Legal Proceedings" and entries[("II", "1")].pages == {3}
    assert ("II", "3") not in entries  # "Not applicable" places nothing
    # A table of contents prints bare page numbers: no index.
    assert (
        read_index(
            Page(
                1,
                [
                    Block(
                        "Item 1. Financial Statements 3\nItem 2. MD&A 20\nItem 3. Market Risk 30\nItem 4. Controls 31"
                    )
                ],
            )
        )
        == []
    )


def test_printed_page_numbers_are_mapped_by_the_footers() -> None:
    assert printed_offset(_pages()) == 0
    shifted = [Page(p.index + 2, p.blocks) for p in _pages()]
    assert printed_offset(shifted) == 2
    assert printed_offset(_pages(numbered=False)) is None  # only the index and signatures are numbered


def test_items_are_placed_and_cut_at_their_title_lines() -> None:
    segments = _segments(_pages(), "10-Q")

    def section(text: str) -> str | None:
        return next(s.section for s in segments if text in s.block.text)

    assert section("Net revenue 12,949") == "Part I, Item 1. Financial Statements"
    # Legal Proceedings shares printed page 3 with the notes: it starts at its title line.
    assert section("We hedge currency risk.") == "Part I, Item 1. Financial Statements"
    assert section("We are party to various claims.") == "Part II, Item 1. Legal Proceedings"
    assert section("Note 10: Subsequent Events") == "Part I, Item 1. Financial Statements"
    assert section("Revenue was down.").startswith("Part I, Item 2. Management")  # type: ignore[union-attr]
    assert (
        section("We face currency risk.")
        == "Part I, Item 3. Quantitative and Qualitative Disclosures About Market Risk"
    )
    assert section("could adversely affect us") == "Part II, Item 1A. Risk Factors"
    assert section("Our controls were effective.") == "Part I, Item 4. Controls and Procedures"
    # The index page, and pages it does not list, are in no Item.
    assert section("Form 10-Q Cross-Reference Index") is None
    assert section("Pursuant to the requirements") is None


def test_nothing_is_placed_without_trusted_page_numbers_or_an_index() -> None:
    unmapped = cross_reference(_pages(numbered=False))
    assert unmapped is not None and unmapped.offset is None and unmapped.on(3) == []
    # The index's own lines ("Item 1. Financial Statements Pages 1 - 4") are no headings either.
    assert all(s.item is None for s in _segments(_pages(numbered=False), "10-Q"))
    few = "\n".join(INDEX.splitlines()[:5])  # one Item with its pages is no index
    assert cross_reference(_pages(index=few)) is None
