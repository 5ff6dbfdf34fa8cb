-- SQLite only: full-text search over title and text, as 00003 gives
-- PostgreSQL. An FTS5 table holds title and text, tokenized by unicode61
-- (every script's letters and digits are word characters, so Arabic is
-- searchable; case and Latin accents are folded) with English stemming
-- (porter: "zeppelins" finds "zeppelin", as PostgreSQL's english does). Triggers keep it in step
-- with articles inside the writer's own transaction, so search never lags
-- a write. FTS5 rows are keyed by an integer: article_search_ids gives
-- each article id a stable one (the articles table's own rowid may change
-- on VACUUM, as it has a TEXT primary key).

-- +goose Up
CREATE TABLE article_search_ids (
    n  INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE article_search USING fts5(title, body, tokenize = 'porter unicode61 remove_diacritics 2');

-- +goose StatementBegin
CREATE TRIGGER articles_search_insert AFTER INSERT ON articles BEGIN
    INSERT OR IGNORE INTO article_search_ids (id) VALUES (new.id);
    DELETE FROM article_search WHERE rowid = (SELECT n FROM article_search_ids WHERE id = new.id);
    INSERT INTO article_search (rowid, title, body)
        SELECT n, new.title, coalesce(json_extract(new.doc, '$.text'), '') FROM article_search_ids WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER articles_search_update AFTER UPDATE OF title, doc ON articles BEGIN
    DELETE FROM article_search WHERE rowid = (SELECT n FROM article_search_ids WHERE id = old.id);
    INSERT OR IGNORE INTO article_search_ids (id) VALUES (new.id);
    INSERT INTO article_search (rowid, title, body)
        SELECT n, new.title, coalesce(json_extract(new.doc, '$.text'), '') FROM article_search_ids WHERE id = new.id;
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER articles_search_delete AFTER DELETE ON articles BEGIN
    DELETE FROM article_search WHERE rowid = (SELECT n FROM article_search_ids WHERE id = old.id);
    DELETE FROM article_search_ids WHERE id = old.id;
END;
-- +goose StatementEnd

-- Articles stored before this version.
INSERT INTO article_search_ids (id) SELECT id FROM articles ORDER BY id;
INSERT INTO article_search (rowid, title, body)
    SELECT s.n, a.title, coalesce(json_extract(a.doc, '$.text'), '') FROM articles a JOIN article_search_ids s ON s.id = a.id;

-- +goose Down
DROP TRIGGER articles_search_delete;
DROP TRIGGER articles_search_update;
DROP TRIGGER articles_search_insert;
DROP TABLE article_search;
DROP TABLE article_search_ids;
