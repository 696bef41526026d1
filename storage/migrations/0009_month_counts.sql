-- How many live entries each month_totals row sums, so that a calendar month's sums are read
-- from month_totals (storage/entry_units.py `period_data`): a row whose entries were all
-- deleted stays behind as a zero and must not count as a person who logged, while a logged
-- 0 ("/lead 0") must. The triggers of 0003 are replaced by ones that keep the count too.

ALTER TABLE month_totals ADD COLUMN entries INTEGER NOT NULL DEFAULT 0;

DELETE FROM month_totals;
INSERT INTO month_totals (team_id, metric, month, user_id, total, entries)
SELECT team_id, metric, substr(day, 1, 7), user_id, SUM(value), COUNT(*) FROM entries
WHERE deleted_at IS NULL GROUP BY team_id, metric, substr(day, 1, 7), user_id;

DROP TRIGGER month_totals_insert;
DROP TRIGGER month_totals_update;
DROP TRIGGER month_totals_delete;

CREATE TRIGGER month_totals_insert AFTER INSERT ON entries WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO month_totals (team_id, metric, month, user_id, total, entries)
    VALUES (NEW.team_id, NEW.metric, substr(NEW.day, 1, 7), NEW.user_id, NEW.value, 1)
    ON CONFLICT (team_id, metric, month, user_id)
    DO UPDATE SET total = total + excluded.total, entries = entries + 1;
END;

-- A soft delete (or any change to a counted column): the old row out, the new row in.
CREATE TRIGGER month_totals_update
AFTER UPDATE OF deleted_at, value, day, metric, user_id, team_id ON entries
BEGIN
    UPDATE month_totals SET total = total - OLD.value, entries = entries - 1
    WHERE OLD.deleted_at IS NULL AND team_id = OLD.team_id AND metric = OLD.metric
        AND month = substr(OLD.day, 1, 7) AND user_id = OLD.user_id;
    INSERT INTO month_totals (team_id, metric, month, user_id, total, entries)
    SELECT NEW.team_id, NEW.metric, substr(NEW.day, 1, 7), NEW.user_id, NEW.value, 1
    WHERE NEW.deleted_at IS NULL
    ON CONFLICT (team_id, metric, month, user_id)
    DO UPDATE SET total = total + excluded.total, entries = entries + 1;
END;

CREATE TRIGGER month_totals_delete AFTER DELETE ON entries WHEN OLD.deleted_at IS NULL
BEGIN
    UPDATE month_totals SET total = total - OLD.value, entries = entries - 1
    WHERE team_id = OLD.team_id AND metric = OLD.metric AND month = substr(OLD.day, 1, 7)
        AND user_id = OLD.user_id;
END;
