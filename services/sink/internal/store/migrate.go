package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"

	"github.com/pressly/goose/v3"
	"go.uber.org/zap"
)

// Migrations are shared by both databases unless a file name ends in
// _postgres.sql or _sqlite.sql, which only that dialect runs.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies pending migrations. The caller holds a lock that keeps
// other processes from migrating the same database at once.
func migrate(ctx context.Context, db *sql.DB, dialect goose.Dialect, log *zap.Logger) error {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	other := "_postgres.sql"
	if dialect == goose.DialectPostgres {
		other = "_sqlite.sql"
	}
	var exclude []string
	for _, n := range names {
		if strings.HasSuffix(n, other) {
			exclude = append(exclude, n)
		}
	}
	p, err := goose.NewProvider(dialect, db, fsys,
		goose.WithExcludeNames(exclude),
		goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, r := range results {
		log.Info("Migration applied.", zap.String("migration", r.Source.Path), zap.Duration("took", r.Duration))
	}
	return nil
}
