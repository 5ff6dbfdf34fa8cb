-- Claims carry their speaker's kind (person, organisation, document,
-- anonymous, outlet) and the role the topic gives a known source
-- (coalition, government, group-media, monitor, ngo, media), since schema
-- 1.3. Older rows read as '' for both.

-- +goose Up
ALTER TABLE claims ADD COLUMN speaker_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE claims ADD COLUMN speaker_role TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE claims DROP COLUMN speaker_role;
ALTER TABLE claims DROP COLUMN speaker_kind;
