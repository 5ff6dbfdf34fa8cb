-- Tables shared by SQLite and PostgreSQL. Types are the portable subset both
-- accept; times are UTC unix microseconds (BIGINT) so they compare and sort
-- the same in both and in Go. Child rows are keyed by (article, position):
-- rewriting an article's claims can never leave a duplicate behind.
--
-- Child tables have no foreign keys: the store writes and deletes them only
-- together with their article, in one transaction, and per-row FK checks
-- cost a third of PostgreSQL's write throughput. Deleting an article by hand
-- still removes its children (migration 00002's trigger).

-- +goose Up
CREATE TABLE articles (
    id            TEXT PRIMARY KEY,
    content_hash  TEXT NOT NULL,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    feed_url      TEXT NOT NULL,
    site          TEXT NOT NULL,      -- host of canonical_url
    site_name     TEXT NOT NULL,
    title         TEXT NOT NULL,
    language      TEXT NOT NULL,
    relevant      BOOLEAN NOT NULL,
    published_us  BIGINT,             -- NULL when neither page nor feed gave a date
    fetched_us    BIGINT NOT NULL,
    stored_us     BIGINT NOT NULL,
    sort_us       BIGINT NOT NULL,    -- published_us, else stored_us: the listing order
    doc           TEXT NOT NULL       -- the tagged article as JSON, exactly as stored
);
CREATE INDEX articles_sort ON articles (sort_us, id);
CREATE INDEX articles_relevant_sort ON articles (relevant, sort_us, id);
CREATE INDEX articles_site_sort ON articles (site, relevant, sort_us, id);
CREATE INDEX articles_feed_sort ON articles (feed_url, relevant, sort_us, id);

CREATE TABLE tags (
    article_id TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    score      DOUBLE PRECISION NOT NULL,
    evidence   TEXT NOT NULL,         -- JSON array of strings
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX tags_name ON tags (name, article_id);

-- relevant and sort_us repeat the article's so claim queries need no join
-- to filter and order; the indexes end in the listing order, so a filtered
-- page is read in order, not sorted.
CREATE TABLE claims (
    article_id  TEXT NOT NULL,
    ord         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    speaker     TEXT NOT NULL,
    speaker_key TEXT NOT NULL,        -- lower-cased speaker, for matching
    verb        TEXT NOT NULL,
    via         TEXT NOT NULL,
    topic       TEXT NOT NULL,
    text_offset INTEGER NOT NULL,
    relevant    BOOLEAN NOT NULL,
    sort_us     BIGINT NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX claims_sort ON claims (sort_us, article_id, ord);
CREATE INDEX claims_topic_sort ON claims (topic, sort_us, article_id, ord);
CREATE INDEX claims_speaker_sort ON claims (speaker_key, sort_us, article_id, ord);

CREATE TABLE quantities (
    article_id TEXT NOT NULL,
    claim_ord  INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    value      DOUBLE PRECISION,
    low        DOUBLE PRECISION,
    high       DOUBLE PRECISION,
    unit       TEXT NOT NULL,
    qualifier  TEXT NOT NULL,
    raw        TEXT NOT NULL,
    PRIMARY KEY (article_id, claim_ord, ord)
);
CREATE INDEX quantities_unit ON quantities (unit, article_id, claim_ord);

CREATE TABLE claim_places (
    article_id TEXT NOT NULL,
    claim_ord  INTEGER NOT NULL,
    ord        INTEGER NOT NULL,
    place      TEXT NOT NULL,
    place_key  TEXT NOT NULL,         -- lower-cased place, for matching
    PRIMARY KEY (article_id, claim_ord, ord)
);
CREATE INDEX claim_places_place ON claim_places (place_key, article_id, claim_ord);

CREATE TABLE entities (
    article_id TEXT NOT NULL,
    ord        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL,
    kind       TEXT NOT NULL,         -- place, org, person
    role       TEXT NOT NULL,
    PRIMARY KEY (article_id, ord)
);
CREATE INDEX entities_kind_name ON entities (kind, name_key);

-- +goose Down
DROP TABLE entities;
DROP TABLE claim_places;
DROP TABLE quantities;
DROP TABLE claims;
DROP TABLE tags;
DROP TABLE articles;
