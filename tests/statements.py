"""Real statements as pypdf extracts them, shared by unit tests of different packages."""

# NIKE, Inc.'s FY2018 10-K, Consolidated Statements of Income.
NIKE_FY2018_INCOME = """NIKE, Inc. Consolidated Statements of Income
Year Ended May 31,
(In millions, except per share data) 2018 2017 2016
Revenues $ 36,397 $ 34,350 $ 32,376
Cost of sales 20,441 19,038 17,405
Gross profit 15,956 15,312 14,971
Demand creation expense 3,577 3,341 3,278
Operating overhead expense 7,934 7,222 7,191
Total selling and administrative expense 11,511 10,563 10,469
Interest expense (income), net 54 59 19
Other expense (income), net 66 (196) (140)
Income before income taxes 4,325 4,886 4,623
Income tax expense 2,392 646 863
NET INCOME $ 1,933 $ 4,240 $ 3,760"""
