-- How the cleaner found each article's text and how sure it is (schema 1.3),
-- and where its published date came from, as columns so the desk can hide
-- low-confidence text and show feed-dated articles as such. Rows stored
-- before have NULL confidence and empty method and source.

-- +goose Up
ALTER TABLE articles ADD COLUMN extraction_confidence DOUBLE PRECISION;
ALTER TABLE articles ADD COLUMN extraction_method TEXT NOT NULL DEFAULT '';
ALTER TABLE articles ADD COLUMN published_source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE articles DROP COLUMN published_source;
ALTER TABLE articles DROP COLUMN extraction_method;
ALTER TABLE articles DROP COLUMN extraction_confidence;
