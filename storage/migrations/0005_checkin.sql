-- Check-ins (a day logged by buttons in the private chat) and live scoreboards pinned in groups.

-- One bot message per check-in. Every change bumps `version`; a button carries the version it
-- was drawn with, so a second press, an old message or a callback delivered twice is stale.
CREATE TABLE checkins (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    team_id    INTEGER NOT NULL REFERENCES teams(id),
    chat_id    INTEGER NOT NULL,
    message_id INTEGER,                        -- the bot's message, once Telegram accepted it
    day        TEXT    NOT NULL,               -- the local date being filled
    metric     TEXT,                           -- on the number pad; NULL: the metric list
    digits     TEXT    NOT NULL DEFAULT '',
    more       INTEGER NOT NULL DEFAULT 0,     -- "Ещё…" opened: every metric listed
    version    INTEGER NOT NULL DEFAULT 0,
    closed     INTEGER NOT NULL DEFAULT 0,     -- "Готово", or a newer check-in replaced it
    updated_at TEXT    NOT NULL
);
CREATE INDEX ix_checkins_user ON checkins (user_id, closed, id);

-- The reply keyboard with quick actions: NULL not offered yet, 1 shown, 0 turned off (/keys off).
ALTER TABLE users ADD COLUMN quick_keys INTEGER;

-- A team's live scoreboard: the pinned message edited after entries, at most once a minute.
CREATE TABLE scoreboards (
    team_id    INTEGER PRIMARY KEY REFERENCES teams(id),
    message_id INTEGER NOT NULL,
    month      TEXT    NOT NULL,               -- first day of the month it shows
    manager_id INTEGER,                        -- who pinned it: told once if it is gone
    state      TEXT    NOT NULL DEFAULT 'live' CHECK (state IN ('live', 'gone', 'off')),
    dirty      INTEGER NOT NULL DEFAULT 0,     -- entries since the last edit
    edited_at  TEXT    NOT NULL                -- last post or edit (UTC)
);
