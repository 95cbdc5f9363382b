-- The newer SDK's fields (issue 12 item 5). A run's mode (plan or orchestrate; NULL is normal), read by its claim.
ALTER TABLE runs ADD COLUMN mode TEXT;
-- A schedule's metadata (a JSON object) and mode, given to every run it creates.
ALTER TABLE schedules ADD COLUMN metadata_json TEXT;
ALTER TABLE schedules ADD COLUMN mode TEXT;
