"""Financial statements as data: table rows and their periods, the textbook line items and the
metrics defined over them, and the figures offered to the drafter.

Used by retrieval (statement passages first), the draft prompt (figure list, labelled tables) and
the critic (rows a metric is defined over); none of it calls a model.
"""
