-- Where an imported entry came from, so that importing the same file again adds nothing
-- (storage/imports.py): `entry:<id>` for a row that carried an entry_id of another team (or
-- another database), `row:<hash of its content>` for a row without one. NULL for everything
-- the bot recorded itself and for rows that named this team's own entries (those are matched
-- by id).
ALTER TABLE entries ADD COLUMN import_key TEXT;
CREATE UNIQUE INDEX ux_entries_import ON entries (team_id, import_key)
    WHERE import_key IS NOT NULL;
