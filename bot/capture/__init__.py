"""Telegram capture (SPEC §10): channel, discussion-group and Business updates -> entries.

One concern a file: linking channels (/channel /invite /iam), posts, reactions, subscribers,
the discussion group, Telegram Business. Handlers only read ids, dates and roles from the
update and hand them to storage/capture.py; no text of a comment or a customer is kept.
"""
