-- Running month totals for the confirmation after every logged entry ("Лиды: +3 → 41 за
-- ноябрь"). Triggers keep them in the same transaction as the entries, whichever path writes
-- (commands, edits, /undo, import), so a reply reads one row per person instead of summing
-- the team's month (bench/bench_updates.py: that sum was the writer's main cost).

CREATE TABLE month_totals (
    team_id INTEGER NOT NULL,
    metric  TEXT    NOT NULL,
    month   TEXT    NOT NULL,  -- 'YYYY-MM' of entries.day, the team's local date
    user_id INTEGER NOT NULL,
    total   REAL    NOT NULL,  -- live (not deleted) entries only
    PRIMARY KEY (team_id, metric, month, user_id)
) WITHOUT ROWID;

INSERT INTO month_totals (team_id, metric, month, user_id, total)
SELECT team_id, metric, substr(day, 1, 7), user_id, SUM(value) FROM entries
WHERE deleted_at IS NULL GROUP BY team_id, metric, substr(day, 1, 7), user_id;

CREATE TRIGGER month_totals_insert AFTER INSERT ON entries WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO month_totals (team_id, metric, month, user_id, total)
    VALUES (NEW.team_id, NEW.metric, substr(NEW.day, 1, 7), NEW.user_id, NEW.value)
    ON CONFLICT (team_id, metric, month, user_id) DO UPDATE SET total = total + excluded.total;
END;

-- A soft delete (or any change to a counted column): the old row out, the new row in.
CREATE TRIGGER month_totals_update
AFTER UPDATE OF deleted_at, value, day, metric, user_id, team_id ON entries
BEGIN
    UPDATE month_totals SET total = total - OLD.value
    WHERE OLD.deleted_at IS NULL AND team_id = OLD.team_id AND metric = OLD.metric
        AND month = substr(OLD.day, 1, 7) AND user_id = OLD.user_id;
    INSERT INTO month_totals (team_id, metric, month, user_id, total)
    SELECT NEW.team_id, NEW.metric, substr(NEW.day, 1, 7), NEW.user_id, NEW.value
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (team_id, metric, month, user_id) DO UPDATE SET total = total + excluded.total;
END;

CREATE TRIGGER month_totals_delete AFTER DELETE ON entries WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE month_totals SET total = total - OLD.value
    WHERE team_id = OLD.team_id AND metric = OLD.metric AND month = substr(OLD.day, 1, 7)
        AND user_id = OLD.user_id;
END;
