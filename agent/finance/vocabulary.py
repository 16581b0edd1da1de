"""The line-item vocabulary: one table of the textbook line items, how a question names each one,
the row labels that print it and the XBRL concepts that tag it.

Retrieval (statement promotion), derived metrics, the critic and the fact store all read items
from here, so a new synonym or concept is added once. Every entry is a textbook definition or a
US-GAAP concept name: nothing here names a company or follows one question's wording.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.schemas import Fact


@dataclass(frozen=True)
class Item:
    """A line item: how a question names it, and the row labels that print it."""

    key: str
    name: str
    asked: re.Pattern[str]
    rows: re.Pattern[str]  # full match on a normalised row label
    concepts: tuple[str, ...] = ()  # the US-GAAP XBRL concepts that tag it in iXBRL filings
    # Short forms analysts write ("PP&E", "COGS") and the words filings print instead: a search
    # for the short form also looks for those words (agent.retrieval.query).
    short: re.Pattern[str] | None = None
    printed: str = ""


def _item(
    key: str,
    name: str,
    asked: str,
    rows: str,
    concepts: tuple[str, ...] = (),
    short: str = "",
    printed: str = "",
) -> Item:
    return Item(
        key,
        name,
        re.compile(asked, re.I),
        re.compile(rows, re.I),
        concepts,
        re.compile(short, re.I) if short else None,
        printed,
    )


ITEMS: dict[str, Item] = {
    i.key: i
    for i in (
        _item(
            "revenue",
            "revenue",
            r"\b(?:total\s+|net\s+)*(?:revenues?|sales)\b",
            r"(?:total\s+)?(?:reported\s+)?(?:net\s+)?(?:operating\s+)?(?:revenues?|sales)(?:,?\s+net|\s+to\s+customers)?"
            r"|total\s+net\s+(?:sales|revenues?)(?:\s+and\s+(?:other\s+)?revenues?)?",
            concepts=(
                "us-gaap:Revenues",
                "us-gaap:RevenueFromContractWithCustomerExcludingAssessedTax",
                "us-gaap:RevenueFromContractWithCustomerIncludingAssessedTax",
                "us-gaap:SalesRevenueNet",
            ),
        ),
        _item(
            "cogs",
            "cost of goods sold",
            r"\b(?:cost\s+of\s+(?:goods\s+sold|sales|revenues?|products\s+sold)|cogs)\b",
            r"(?:total\s+)?cost\s+of\s+(?:goods\s+sold|products\s+sold|sales|revenues?|net\s+(?:sales|revenues?)"
            r"|merchandise\s+sold)",
            concepts=(
                "us-gaap:CostOfGoodsAndServicesSold",
                "us-gaap:CostOfRevenue",
                "us-gaap:CostOfGoodsSold",
                "us-gaap:CostOfGoodsAndServiceExcludingDepreciationDepletionAndAmortization",
            ),
            short=r"\bcogs\b",
            printed="cost of sales cost of goods sold",
        ),
        _item(
            "gross_profit",
            "gross profit",
            r"\bgross\s+profit\b",
            r"gross\s+(?:profit|margin)",
            concepts=("us-gaap:GrossProfit",),
        ),
        _item(
            "operating_income",
            "operating income",
            r"\b(?:operating\s+(?:income|profit|earnings)|income\s+from\s+operations|ebit)\b",
            r"(?:total\s+)?(?:operating\s+(?:income|profit|earnings)|(?:income|earnings)\s+from\s+operations)",
            concepts=("us-gaap:OperatingIncomeLoss",),
        ),
        _item(
            "net_income",
            "net income",
            r"\bnet\s+(?:income|earnings|profit)\b",
            r"net\s+(?:income|earnings)(?:\s+attributable\s+to\s+(?!non)[\w\s.,&'’-]+"
            r"|\s+including\s+non-?controlling\s+interests?)?",
            concepts=(
                "us-gaap:NetIncomeLoss",
                "us-gaap:ProfitLoss",
                "us-gaap:NetIncomeLossAvailableToCommonStockholdersBasic",
            ),
        ),
        _item(
            "pretax_income",
            "income before income taxes",
            r"\b(?:pre-?tax\s+income|income\s+before\s+(?:income\s+)?taxes)\b",
            r"(?:income|earnings)\s+(?:from\s+continuing\s+operations\s+)?before\s+(?:provision\s+for\s+)?"
            r"(?:income\s+)?tax(?:es|\s+expense)?",
            concepts=(
                "us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesExtraordinaryItemsNoncontrollingInterest",
                "us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesMinorityInterestAndIncomeLossFromEquityMethodInvestments",
                "us-gaap:IncomeLossFromContinuingOperationsBeforeIncomeTaxesDomestic",
            ),
        ),
        _item(
            "income_tax",
            "income tax expense",
            r"\b(?:income\s+tax\s+(?:expenses?|provisions?)|provisions?\s+for\s+income\s+taxes)\b",
            r"(?:provision\s+for|benefit\s+from|\(?benefit\)?\s+provision\s+for)\s+income\s+taxes"
            r"|income\s+tax\s+(?:expense|provision)|income\s+taxes",
            concepts=("us-gaap:IncomeTaxExpenseBenefit",),
        ),
        _item(
            "d_and_a",
            "depreciation and amortization",
            r"\b(?:depreciation\s+(?:and|&)\s+amortization|d&a)\b",
            r"depreciation(?:,)?\s+(?:and|&)\s+amortization(?:\s+expense)?"
            r"|depreciation,\s+amortization\s+and\s+other",
            concepts=(
                "us-gaap:DepreciationDepletionAndAmortization",
                "us-gaap:DepreciationAndAmortization",
                "us-gaap:DepreciationAmortizationAndAccretionNet",
            ),
            short=r"\bd\s?&\s?a\b",
            printed="depreciation and amortization",
        ),
        _item(
            "capex",
            "capital expenditure",
            r"\b(?:capital\s+expenditures?|capex|purchases?\s+of\s+property)\b",
            r"capital\s+(?:expenditures?|spending)"
            r"|(?:(?:purchases?|payments?\s+for|additions?\s+to|acquisitions?|expenditures?\s+for)\s+(?:of\s+|the\s+)?)+"
            # "property and equipment", "property, plant and equipment", "land, buildings, and equipment"
            r"(?:(?:premises|land|buildings?|property|plant|and)\s*,?\s*)+equipment[\w\s,]*",
            concepts=(
                "us-gaap:PaymentsToAcquirePropertyPlantAndEquipment",
                "us-gaap:PaymentsToAcquireProductiveAssets",
            ),
            short=r"\bcapex\b|\bcapital\s+expenditures?\b",
            printed="purchases of property plant and equipment capital expenditures",
        ),
        _item(
            "ppe",
            "property, plant and equipment",
            r"\b(?:pp&e|ppn?e|property,?\s+plant,?\s+(?:and|&)\s+equipment)\b",
            r"(?:total\s+|net\s+)?property,?\s+(?:plant,?\s+)?(?:and|&)\s+equipment(?:\s*[-,]\s*net|\s+net)?"
            r"(?:\s+of\s+accumulated\s+depreciation)?",
            concepts=("us-gaap:PropertyPlantAndEquipmentNet",),
            short=r"\bpp\s?&\s?e\b|\bppn?e\b",
            printed="property plant and equipment net",
        ),
        _item(
            "cfo",
            "cash from operations",
            r"\b(?:cash\s*(?:flows?\s+)?(?:provided\s+by|from|generated\s+by)\s+operati\w+|operating\s+cash\s*flows?)\b",
            r"(?:total\s+|net\s+)?cash\s+(?:provided\s+by|from|generated\s+(?:by|from))\s+"
            r"(?:\(used\s+in\)\s+)?operati(?:ng\s+activities|ons)",
            concepts=("us-gaap:NetCashProvidedByUsedInOperatingActivities",),
        ),
        _item(
            "total_assets",
            "total assets",
            r"\btotal\s+assets\b",
            r"total\s+assets",
            concepts=("us-gaap:Assets",),
        ),
        _item(
            "current_assets",
            "total current assets",
            r"\bcurrent\s+assets\b",
            r"total\s+current\s+assets",
            concepts=("us-gaap:AssetsCurrent",),
        ),
        _item(
            "current_liabilities",
            "total current liabilities",
            r"\bcurrent\s+liabilities\b",
            r"total\s+current\s+liabilities",
            concepts=("us-gaap:LiabilitiesCurrent",),
        ),
        _item(
            "inventory",
            "inventories",
            r"\binventor(?:y|ies)\b",
            r"(?:total\s+)?(?:merchandise\s+)?inventor(?:y|ies)(?:,?\s+net)?",
            concepts=("us-gaap:InventoryNet",),
        ),
        _item(
            "accounts_payable",
            "accounts payable",
            r"\baccounts\s+payable\b",
            r"(?:trade\s+)?accounts\s+payable(?:,?\s+(?:trade|net))?",
            concepts=(
                "us-gaap:AccountsPayableCurrent",
                "us-gaap:AccountsPayableTradeCurrent",
            ),
        ),
        _item(
            "accounts_receivable",
            "accounts receivable",
            r"\b(?:accounts|trade)\s+receivables?\b",
            r"(?:trade\s+)?(?:accounts\s+)?receivables?(?:,?\s+net)?(?:\s+of\s+allowances?\b[\w\s,]*)?"
            r"|(?:trade\s+)?accounts\s+receivable(?:,?\s+less\s+allowances?\b[\w\s,]*)?",
            concepts=("us-gaap:AccountsReceivableNetCurrent",),
        ),
        _item(
            "r_and_d",
            "research and development",
            r"\b(?:research\s+(?:and|&)\s+development|r\s*&\s*d)\b",
            r"(?:total\s+)?research\s+(?:and|&)\s+development(?:\s+(?:expenses?|costs?))?",
            concepts=(
                "us-gaap:ResearchAndDevelopmentExpense",
                "us-gaap:ResearchAndDevelopmentExpenseExcludingAcquiredInProcessCost",
            ),
        ),
        _item(
            "operating_expenses",
            "total operating expenses",
            r"\b(?:(?:total\s+)?operating\s+(?:expenses?|costs?)|opex)\b",
            r"total\s+operating\s+(?:expenses|costs(?:\s+and\s+expenses)?)|operating\s+expenses(?:,\s+total)?",
            concepts=("us-gaap:OperatingExpenses",),
            short=r"\bopex\b",
            printed="total operating expenses",
        ),
        _item(
            "interest_expense",
            "interest expense",
            r"\binterest\s+expenses?\b",
            r"interest\s+expense(?:,\s+net)?",
            concepts=(
                "us-gaap:InterestExpense",
                "us-gaap:InterestExpenseNonoperating",
            ),
        ),
        _item(
            "long_term_debt",
            "long-term debt",
            # "debt" alone is the company's borrowings; debt it holds as an investment ("debt
            # securities", "which type of debt ... among the short-term investments") and a
            # "debt-to-equity" ratio are not.
            r"\b(?:long[\s-]+term\s+)?debt\b(?!\s*-?\s*to\b)(?![^.?;]*\b(?:securities|investments?|holdings)\b)",
            # The balance sheet's non-current row: "Long-term debt", "Long-term debt, net of current
            # portion", or a "Term debt" row under the non-current liabilities.
            r"(?:total\s+)?long[\s-]*term\s+debt(?:,?\s+net)?(?:,?\s+(?:non-?current|(?:excluding|less|net\s+of)\s+"
            r"(?:the\s+)?current\s+(?:portion|maturities)))?|non-?current\s+liabilities:\s*(?:long[\s-]*term\s+|term\s+)?debt",
            concepts=(
                "us-gaap:LongTermDebtNoncurrent",
                "us-gaap:LongTermDebtAndCapitalLeaseObligations",
            ),
        ),
        _item(
            "dividends",
            "dividends paid",
            r"\b(?:(?:cash\s+)?dividends?\s+(?:paid|payments?)|pa(?:y|ys|id)\s+(?:out\s+)?(?:in\s+)?(?:cash\s+)?dividends)\b",
            # "Payments for dividends and dividend equivalents" (on restricted stock units).
            r"(?:cash\s+)?dividends\s+paid(?:\s+to\s+[\w\s]+)?|payments?\s+(?:of|for)\s+(?:cash\s+)?dividends"
            r"(?:\s+and\s+dividend\s+equivalents)?",
            concepts=(
                "us-gaap:PaymentsOfDividends",
                "us-gaap:PaymentsOfDividendsCommonStock",
            ),
        ),
    )
}


# Items whose sign carries meaning (a loss, negative cash flow); the others are amounts spent.
SIGNED = {"revenue", "gross_profit", "operating_income", "net_income", "pretax_income", "cfo"}
# A statement's results: each is worked out from the lines printed above it (revenue less costs
# down to net income; the adjustments down to the operating cash flow).
RESULTS = SIGNED - {"revenue"}
# Balances at a date. In a "year ended" column their row is the year's change (the cash-flow
# statement's "Accounts payable 518"), not the balance.
BALANCES = {
    "ppe",
    "long_term_debt",
    "total_assets",
    "current_assets",
    "current_liabilities",
    "inventory",
    "accounts_payable",
    "accounts_receivable",
}


_NORMALISE = re.compile(r"/?\((?:loss|losses|deficit)\)|\(\d\)|[*†‡]|\$", re.I)

_QUALIFIER = re.compile(r",\s*net\s+of\s+(?!accumulated|allowances?)[\w\s'-]+$", re.I)

_STATEMENT_GROUPS = re.compile(
    r"(?:consolidated|total|revenues?|net\s+sales|sales|costs?\s+and\s+expenses|(?:operating\s+)?expenses"
    r"|cost\s+of\s+(?:sales|revenues?)|other\s+income\s*(?:\(expense\)|and\s+expense)?"
    r"|(?:operating|investing|financing)\s+activities"
    r"|cash\s+flows?\s+(?:from|provided\s+by|used\s+in|(?:provided\s+by\s+)?\(used\s+in\))\s+"
    r"(?:operating|investing|financing)\s+activities"
    r"|(?:current\s+)?(?:assets|liabilities)|(?:stockholders|shareholders)'?\s+equity"
    # "Adjustments to reconcile net income to net cash provided by operating activities:" heads the
    # non-cash items (depreciation, stock compensation), each the company's own line item.
    r"|adjustments\s+to\s+reconcile\b.*)",
    re.I,
)


def normalise_label(label: str) -> str:
    """A row label as the item patterns read it: statement-part headings, footnote marks, "(loss)"
    and "$" dropped. A segment heading is kept, so its rows match no company-wide item."""
    group, sep, row = label.rpartition(":")
    if sep and _STATEMENT_GROUPS.fullmatch(group.strip()):
        label = row
    label = _NORMALISE.sub(" ", label.replace("’", "'"))
    # A qualifier after the item ("Capital expenditures, net of construction payable") does not
    # change which item the row prints.
    label = _QUALIFIER.sub("", label)
    return re.sub(r"\s+", " ", label).strip(" ,.:;-")


def item_of(fact: Fact) -> str | None:
    """The vocabulary item a fact states: by its XBRL concept when tagged (and not broken down by a
    segment or product axis), else by its row label; for a row standing in for an item the filer
    prints no row for (:mod:`agent.finance.stand_in`), that item."""
    if fact.stands_in is not None:
        return fact.stands_in.item
    if fact.dimensions:
        return None  # a segment's or product's share of an item, not the company's item
    if fact.concept:
        for key, item in ITEMS.items():
            if fact.concept in item.concepts:
                return key
    label = normalise_label(f"{fact.group}: {fact.label}" if fact.group else fact.label)
    for key, item in ITEMS.items():
        if item.rows.fullmatch(label):
            return key
    return None
