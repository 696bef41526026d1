-- Telegram capture (issue 11): channels linked to teams, and the ids and timestamps the bot
-- needs to count posts, reactions, subscribers, comments and reply times by itself. No text
-- of a comment or a customer message is ever stored: ids, dates and roles only.

-- NULL for a typed entry; else what the bot read it from ('channel', 'subscribers',
-- 'discussion', 'business'): /history and /export mark it, /undo leaves it alone.
ALTER TABLE entries ADD COLUMN captured TEXT;

CREATE TABLE channels (
    id            INTEGER PRIMARY KEY,            -- the channel's chat id (-100…)
    team_id       INTEGER NOT NULL REFERENCES teams(id),
    title         TEXT    NOT NULL DEFAULT '',
    username      TEXT,
    discussion_id INTEGER,                        -- its linked discussion group, if any
    active        INTEGER NOT NULL DEFAULT 1,     -- 0 after /channel off (data kept)
    linked_at     TEXT    NOT NULL,
    linked_by     INTEGER
);
CREATE INDEX ix_channels_team ON channels (team_id, active);
CREATE INDEX ix_channels_discussion ON channels (discussion_id);

-- /iam: a channel signature (lower case) -> the member it credits.
CREATE TABLE signatures (
    team_id   INTEGER NOT NULL REFERENCES teams(id),
    signature TEXT    NOT NULL,
    user_id   INTEGER NOT NULL REFERENCES users(id),
    PRIMARY KEY (team_id, signature)
) WITHOUT ROWID;

-- Every message of a channel post (an album is several messages, one post_id): who is
-- credited, and the latest anonymous reaction total of each message with its date.
CREATE TABLE channel_posts (
    channel_id     INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    post_id        INTEGER NOT NULL,              -- the album's first message id, or message_id
    media_group_id TEXT,
    day            TEXT    NOT NULL,              -- the team's local date of publication
    user_id        INTEGER NOT NULL,
    reactions      INTEGER NOT NULL DEFAULT 0,
    reactions_at   INTEGER NOT NULL DEFAULT 0,    -- the date of the count kept (Unix time)
    PRIMARY KEY (channel_id, message_id)
) WITHOUT ROWID;
CREATE INDEX ix_channel_posts_group ON channel_posts (channel_id, media_group_id);

-- Reaction counts that arrived before their post (kept until the post shows up).
CREATE TABLE early_reactions (
    channel_id INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    total      INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    PRIMARY KEY (channel_id, message_id)
) WITHOUT ROWID;

-- /invite: named invite links of a channel.
CREATE TABLE invite_links (
    link       TEXT    PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    name       TEXT    NOT NULL,
    created_by INTEGER,
    created_at TEXT    NOT NULL
) WITHOUT ROWID;

-- Joins (+1) and leaves (-1) from chat_member updates: one row per event however often
-- Telegram delivers it.
CREATE TABLE channel_moves (
    channel_id INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    at         INTEGER NOT NULL,                  -- the update's date (Unix time)
    move       INTEGER NOT NULL CHECK (move IN (1, -1)),
    link       TEXT,                              -- the invite link used, if any
    day        TEXT    NOT NULL,
    PRIMARY KEY (channel_id, user_id, at, move)
) WITHOUT ROWID;
CREATE INDEX ix_channel_moves_day ON channel_moves (channel_id, day);

-- getChatMemberCount: the last count read on each local day.
CREATE TABLE channel_counts (
    channel_id INTEGER NOT NULL,
    day        TEXT    NOT NULL,
    count      INTEGER NOT NULL,
    final      INTEGER NOT NULL DEFAULT 0,        -- 1 once read at the team's day end
    PRIMARY KEY (channel_id, day)
) WITHOUT ROWID;

-- Discussion threads and customer chats: who wrote when (never what). role: 'in' (a
-- non-member or a customer), 'out' (a member), 'team' (the channel or an anonymous admin).
CREATE TABLE talk (
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,                  -- discussion: the post's thread; business: chat
    kind       TEXT    NOT NULL CHECK (kind IN ('discussion', 'business')),
    team_id    INTEGER NOT NULL,
    at         INTEGER NOT NULL,
    role       TEXT    NOT NULL CHECK (role IN ('in', 'out', 'team')),
    user_id    INTEGER NOT NULL,
    reply_to   INTEGER,
    PRIMARY KEY (chat_id, message_id)
) WITHOUT ROWID;
CREATE INDEX ix_talk_thread ON talk (chat_id, thread_id, at);

-- Discussion group: the thread a channel post opened (its automatic forward).
CREATE TABLE threads (
    chat_id    INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    post_id    INTEGER NOT NULL,
    PRIMARY KEY (chat_id, thread_id)
) WITHOUT ROWID;

-- Telegram Business: a member's account connected to the bot.
CREATE TABLE business_connections (
    id      TEXT    PRIMARY KEY,
    user_id INTEGER NOT NULL,
    team_id INTEGER NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
