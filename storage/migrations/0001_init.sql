-- Teams, people, entries, targets and custom metrics. Dates the numbers belong to are local
-- (team time zone) ISO dates; instants are UTC ISO-8601 strings.

CREATE TABLE teams (
    id          INTEGER PRIMARY KEY,              -- the Telegram group chat id
    title       TEXT    NOT NULL DEFAULT '',
    timezone    TEXT    NOT NULL,
    language    TEXT    NOT NULL,
    currency    TEXT    NOT NULL DEFAULT 'RUB',
    sla_minutes REAL    NOT NULL DEFAULT 1440,
    risk_pct    REAL    NOT NULL DEFAULT 15,
    workdays    TEXT    NOT NULL DEFAULT '01234',  -- date.weekday() digits, Monday = 0
    active      INTEGER NOT NULL DEFAULT 1,        -- 0 once the bot was removed from the chat
    created_at  TEXT    NOT NULL
);

CREATE TABLE users (
    id               INTEGER PRIMARY KEY,         -- the Telegram user id
    username         TEXT,
    full_name        TEXT    NOT NULL DEFAULT '',
    language         TEXT,                        -- from Telegram's language_code
    selected_team_id INTEGER REFERENCES teams(id), -- private chat: which team entries go to
    created_at       TEXT    NOT NULL
);

CREATE TABLE members (
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    user_id   INTEGER NOT NULL REFERENCES users(id),
    role      TEXT    NOT NULL DEFAULT 'specialist' CHECK (role IN ('specialist', 'manager')),
    active    INTEGER NOT NULL DEFAULT 1,         -- 0 once the person left the group
    joined_at TEXT    NOT NULL,
    PRIMARY KEY (team_id, user_id)
) WITHOUT ROWID;
CREATE INDEX ix_members_user ON members (user_id, active);

CREATE TABLE entries (
    id                INTEGER PRIMARY KEY,
    team_id           INTEGER NOT NULL REFERENCES teams(id),
    user_id           INTEGER NOT NULL REFERENCES users(id),
    metric            TEXT    NOT NULL,
    value             REAL    NOT NULL,
    day               TEXT    NOT NULL,           -- the local date the number belongs to
    created_at        TEXT    NOT NULL,
    platform          TEXT,
    note              TEXT,
    source_chat_id    INTEGER,                    -- the Telegram message it came from
    source_message_id INTEGER,
    source_revision   INTEGER NOT NULL DEFAULT 0, -- 0 for the message, its edit_date for edits
    seq               INTEGER NOT NULL DEFAULT 0, -- several entries from one message (/resp, /sale)
    deleted_at        TEXT,                       -- soft delete: kept for audit, out of KPIs
    deleted_by        INTEGER
);
-- One message revision creates its entries once, however often Telegram delivers it.
CREATE UNIQUE INDEX ux_entries_source
    ON entries (source_chat_id, source_message_id, source_revision, seq)
    WHERE source_chat_id IS NOT NULL;
-- Covering index for the period aggregates /kpi runs.
CREATE INDEX ix_entries_period ON entries (team_id, day, metric, user_id, value)
    WHERE deleted_at IS NULL;
-- Gauges: last value per metric before / inside a period.
CREATE INDEX ix_entries_metric_day ON entries (team_id, metric, day, id)
    WHERE deleted_at IS NULL;
-- /undo and /history: a person's recent entries.
CREATE INDEX ix_entries_user ON entries (team_id, user_id, id);

CREATE TABLE team_metrics (
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    key        TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('counter', 'gauge', 'duration', 'money')),
    name       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (team_id, key)
) WITHOUT ROWID;

-- History of targets: a new row applies from valid_from on; older rows judge older periods.
CREATE TABLE targets (
    id          INTEGER PRIMARY KEY,
    team_id     INTEGER NOT NULL REFERENCES teams(id),
    kpi         TEXT    NOT NULL,
    period_kind TEXT    NOT NULL CHECK (period_kind IN ('week', 'month', 'quarter')),
    value       REAL    NOT NULL,
    direction   TEXT    NOT NULL CHECK (direction IN ('>=', '<=')),
    user_id     INTEGER REFERENCES users(id),
    valid_from  TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    created_by  INTEGER
);
CREATE INDEX ix_targets_team ON targets (team_id, period_kind, kpi, valid_from);
