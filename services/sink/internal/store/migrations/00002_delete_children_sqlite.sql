-- Deleting an article deletes its children, as ON DELETE CASCADE would,
-- at no cost to inserts.

-- +goose Up
-- +goose StatementBegin
CREATE TRIGGER articles_delete_children AFTER DELETE ON articles BEGIN
    DELETE FROM quantities WHERE article_id = OLD.id;
    DELETE FROM claim_places WHERE article_id = OLD.id;
    DELETE FROM claims WHERE article_id = OLD.id;
    DELETE FROM tags WHERE article_id = OLD.id;
    DELETE FROM entities WHERE article_id = OLD.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER articles_delete_children;
