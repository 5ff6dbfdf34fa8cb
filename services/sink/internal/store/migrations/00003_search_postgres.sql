-- PostgreSQL only: full-text search over title and text. to_tsvector costs
-- milliseconds per article, more than the rest of the write, so writers
-- leave search NULL and a background indexer fills it from the stored JSON
-- (articles_unindexed finds those rows). The text is not stored twice.
-- Where the server has lz4, the JSON documents are TOAST-compressed with it:
-- pglz took a third of the write time.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION newsflow_ts_config(lang TEXT) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (CASE split_part(lower(lang), '-', 1)
        WHEN 'en' THEN 'english'
        WHEN 'de' THEN 'german'
        WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish'
        WHEN 'it' THEN 'italian'
        WHEN 'nl' THEN 'dutch'
        WHEN 'pt' THEN 'portuguese'
        ELSE 'simple'
    END)::regconfig
$$;
-- +goose StatementEnd
ALTER TABLE articles ADD COLUMN search tsvector;
CREATE INDEX articles_search ON articles USING gin (search);
CREATE INDEX articles_unindexed ON articles (id) WHERE search IS NULL;
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY (enumvals)) THEN
        ALTER TABLE articles ALTER COLUMN doc SET COMPRESSION lz4;
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE articles ALTER COLUMN doc SET COMPRESSION default;
DROP INDEX articles_unindexed;
DROP INDEX articles_search;
ALTER TABLE articles DROP COLUMN search;
DROP FUNCTION newsflow_ts_config(TEXT);
