-- The metadata a schedule gives every run it creates (the newer SDK's schedules' metadata), as a JSON object.
ALTER TABLE schedules ADD COLUMN metadata_json TEXT;
