-- Updates taken from Telegram and not yet handled (bot/inbox.py). A getUpdates batch is
-- written here, durably, before the next getUpdates tells Telegram it was received, and
-- deleted once every update of it has been handled; a batch still here at start-up (the
-- process died) is handled again first. Texts of comments, customer chats and channel posts
-- are removed before the batch is stored: the capture handlers need none of them.
CREATE TABLE inbox (
    first_update_id INTEGER PRIMARY KEY,
    last_update_id  INTEGER NOT NULL,
    body            TEXT    NOT NULL  -- the getUpdates answer, JSON
);
