-- Earlier versions of an article's claims. When an article is stored
-- again with new content (same id, new content_hash), the claims it had
-- are kept here, in the same transaction, before they are replaced: the
-- desk shows which figures an update changed and when. Keyed by the
-- replaced version's hash, so a redelivery or replay keeps one row.
-- claims is the JSON array of the replaced version's claims, as in doc.

-- +goose Up
CREATE TABLE claim_revisions (
    article_id   TEXT NOT NULL,
    content_hash TEXT NOT NULL,       -- the replaced version's
    title        TEXT NOT NULL,
    fetched_us   BIGINT NOT NULL,     -- when the replaced version was fetched
    replaced_us  BIGINT NOT NULL,     -- when the new version was stored
    new_hash     TEXT NOT NULL,       -- the version that replaced it
    claims       TEXT NOT NULL,
    PRIMARY KEY (article_id, content_hash)
);

-- +goose Down
DROP TABLE claim_revisions;
