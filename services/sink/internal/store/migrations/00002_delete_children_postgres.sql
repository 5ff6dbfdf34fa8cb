-- Deleting an article deletes its children, as ON DELETE CASCADE would,
-- at no cost to inserts.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION newsflow_delete_children() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM quantities WHERE article_id = OLD.id;
    DELETE FROM claim_places WHERE article_id = OLD.id;
    DELETE FROM claims WHERE article_id = OLD.id;
    DELETE FROM tags WHERE article_id = OLD.id;
    DELETE FROM entities WHERE article_id = OLD.id;
    RETURN OLD;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER articles_delete_children AFTER DELETE ON articles
    FOR EACH ROW EXECUTE FUNCTION newsflow_delete_children();

-- +goose Down
DROP TRIGGER articles_delete_children ON articles;
DROP FUNCTION newsflow_delete_children();
