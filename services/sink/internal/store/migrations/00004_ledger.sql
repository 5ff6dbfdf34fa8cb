-- Version 4 created the claim desk's ledger tables. The desk keeps them
-- itself now (services/sink/internal/desk/deskdb/schema.sql, the same tables,
-- created when missing), so this version is empty: databases that ran it
-- keep their tables for the desk, and the numbering of later versions
-- stays as it was.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
