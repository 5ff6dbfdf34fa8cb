-- The claim desk's tables, for SQLite and PostgreSQL, created by the desk
-- (not by the store's migrations) when missing. They are derived from the
-- stored articles: the desk follows them (see follow.go) and rebuilds the
-- ledger when ledger_state.version differs from ledger.Version, so these
-- tables are rebuilt, never migrated. Times are UTC unix microseconds, as
-- in the store. Databases made before the desk moved out of the sink have
-- them from the store's migration 00004, which created the same tables.
-- No statement or comment here may hold a semicolon but the ends of statements.

CREATE TABLE IF NOT EXISTS ledger_state (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The content hash each article had when its entries were written: a
-- redelivered or replayed article with the same hash changes nothing.
CREATE TABLE IF NOT EXISTS ledger_articles (
    article_id   TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL
);

-- One row per number a claim states (qty_ord >= 0), or per claim without
-- a number (qty_ord = -1), of relevant articles only.
CREATE TABLE IF NOT EXISTS ledger_entries (
    article_id   TEXT NOT NULL,
    claim_ord    INTEGER NOT NULL,
    qty_ord      INTEGER NOT NULL,
    unit         TEXT NOT NULL,       -- as the tagger wrote it, '' without a number
    unit_key     TEXT NOT NULL,       -- lower-cased unit: what groups and filters match
    topic        TEXT NOT NULL,
    topic_weak   BOOLEAN NOT NULL,
    series_topic TEXT NOT NULL,       -- topic, or the group's where topic is weak
    at_us        BIGINT NOT NULL,     -- published, else fetched
    value        DOUBLE PRECISION,
    low          DOUBLE PRECISION,
    high         DOUBLE PRECISION,
    qualifier    TEXT NOT NULL,
    raw          TEXT NOT NULL,
    places       TEXT NOT NULL,       -- JSON array of names
    place_keys   TEXT NOT NULL,       -- '|iraq|syria|', for LIKE filters
    speaker      TEXT NOT NULL,
    via          TEXT NOT NULL,
    site         TEXT NOT NULL,
    site_name    TEXT NOT NULL,
    title        TEXT NOT NULL,
    url          TEXT NOT NULL,
    text         TEXT NOT NULL,
    text_offset  INTEGER NOT NULL,
    group_id     TEXT NOT NULL,
    PRIMARY KEY (article_id, claim_ord, qty_ord)
);
CREATE INDEX IF NOT EXISTS ledger_entries_group ON ledger_entries (group_id, at_us);
CREATE INDEX IF NOT EXISTS ledger_entries_series ON ledger_entries (series_topic, unit_key, at_us);

-- One row per group, the claim's fields are its first appearance's.
CREATE TABLE IF NOT EXISTS ledger_groups (
    id            TEXT PRIMARY KEY,
    unit          TEXT NOT NULL,
    unit_key      TEXT NOT NULL,
    topic         TEXT NOT NULL,
    first_us      BIGINT NOT NULL,
    last_us       BIGINT NOT NULL,
    article_id    TEXT NOT NULL,
    claim_ord     INTEGER NOT NULL,
    qty_ord       INTEGER NOT NULL,
    value         DOUBLE PRECISION,
    low           DOUBLE PRECISION,
    high          DOUBLE PRECISION,
    qualifier     TEXT NOT NULL,
    raw           TEXT NOT NULL,
    text          TEXT NOT NULL,
    first_site    TEXT NOT NULL,
    first_outlet  TEXT NOT NULL,
    first_title   TEXT NOT NULL,
    first_url     TEXT NOT NULL,
    speaker       TEXT NOT NULL,      -- the original speaker, where the articles name one
    places        TEXT NOT NULL,      -- JSON array
    outlet_names  TEXT NOT NULL,      -- JSON array, first first
    outlets       INTEGER NOT NULL,
    members       INTEGER NOT NULL
);
-- A change regroups a unit's groups first seen from some time on.
CREATE INDEX IF NOT EXISTS ledger_groups_unit_first ON ledger_groups (unit_key, first_us);
-- The desk lists the most widely carried claims first.
CREATE INDEX IF NOT EXISTS ledger_groups_rank ON ledger_groups (outlets, members, first_us);
