-- Scheduled digests and reminders: when, to whom, and what was already sent.

ALTER TABLE teams ADD COLUMN digest_weekday INTEGER NOT NULL DEFAULT 0;  -- weekly digest day, Monday = 0
ALTER TABLE teams ADD COLUMN digest_time TEXT NOT NULL DEFAULT '10:00';  -- local HH:MM
ALTER TABLE teams ADD COLUMN reminder_time TEXT NOT NULL DEFAULT '18:00';
ALTER TABLE users ADD COLUMN remind INTEGER NOT NULL DEFAULT 1;          -- /remind off|on
ALTER TABLE users ADD COLUMN remind_time TEXT;                           -- personal HH:MM

-- One row per digest: claimed ('sending') before the first request to Telegram, 'sent' only
-- after Telegram accepted every part. A 'sending' row left by a crash is never re-sent
-- automatically: a duplicate in the team chat is worse than a digest asked for with /report.
CREATE TABLE digests (
    team_id      INTEGER NOT NULL REFERENCES teams(id),
    kind         TEXT    NOT NULL CHECK (kind IN ('week', 'month', 'quarter')),
    period_start TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'uncertain', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 1,
    claimed_at   TEXT    NOT NULL,
    sent_at      TEXT,
    message_ids  TEXT,                                   -- what Telegram returned, for audit
    error        TEXT,
    PRIMARY KEY (team_id, kind, period_start)
) WITHOUT ROWID;

CREATE TABLE reminders (
    team_id INTEGER NOT NULL REFERENCES teams(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    day     TEXT    NOT NULL,
    PRIMARY KEY (team_id, user_id, day)
) WITHOUT ROWID;
