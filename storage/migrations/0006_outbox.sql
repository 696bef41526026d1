-- Logging confirmations on their way to Telegram. The handler writes a row before it returns
-- (so a confirmed update means "stored and queued"); bot/delivery/outbox.py sends it, alone or merged
-- with the group's other pending rows, and marks it only once Telegram accepted. Pending rows
-- are resumed after a restart; one command revision is queued once, however often Telegram
-- delivers it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    message_id      INTEGER NOT NULL,            -- the command it confirms (and replies to)
    revision        INTEGER NOT NULL DEFAULT 0,  -- 0, or the edit_date of an edited command
    thread_id       INTEGER,                     -- the forum topic of the command
    user_id         INTEGER NOT NULL,
    person          TEXT    NOT NULL,            -- the name a merged confirmation shows
    language        TEXT    NOT NULL,
    text            TEXT    NOT NULL,            -- the confirmation on its own (HTML)
    merge           TEXT    NOT NULL,            -- JSON: its part of a merged confirmation
    created_at      TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'sent', 'uncertain', 'failed')),
    sent_at         TEXT,
    sent_message_id INTEGER,                     -- what Telegram returned, for audit
    error           TEXT,
    UNIQUE (chat_id, message_id, revision)
);
CREATE INDEX outbox_pending ON outbox (chat_id, id) WHERE state = 'pending';

-- A digest Telegram refused for good (a 4xx other than 429: chat gone, text refused) is
-- 'failed' with retry = 0: not claimed again, so its reason is logged once.
ALTER TABLE digests ADD COLUMN retry INTEGER NOT NULL DEFAULT 1;
