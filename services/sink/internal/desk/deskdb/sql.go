package deskdb

import (
	"context"
	_ "embed"
	"strconv"
	"strings"

	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// schemaSQL creates the desk's tables when they are missing. They are
// derived from the stored articles, so they are rebuilt, never migrated: a
// change to them comes with a new ledger.Version, and catch-up rebuilds.
//
//go:embed schema.sql
var schemaSQL string

// storedIndex is the index the follower finds new articles by (their
// stored time). PostgreSQL builds it CONCURRENTLY, outside any
// transaction, so that a first start over a large store never holds the
// sink's writes while it is built; SQLite (one writer anyway) in the
// schema's transaction.
const storedIndex = "INDEX IF NOT EXISTS desk_articles_stored ON articles (stored_us, id)"

// ensureSchema creates the desk's tables in one ledger transaction, so
// replicas starting together do it once, and the follower's index.
func (l *sqlDesk) ensureSchema(ctx context.Context) error {
	err := l.inTx(ctx, func(tx store.Tx) error {
		for stmt := range strings.SplitSeq(schemaSQL, ";") {
			if strings.TrimSpace(stripComments(stmt)) == "" {
				continue
			}
			if err := tx.Exec(ctx, stmt); err != nil {
				return ledgerErr("create tables", err)
			}
		}
		if !l.d.postgres {
			if err := tx.Exec(ctx, "CREATE "+storedIndex); err != nil {
				return ledgerErr("create index", err)
			}
		}
		return nil
	})
	if err != nil || !l.d.postgres {
		return err
	}
	rows, err := l.db.Query(ctx, "CREATE "+strings.Replace(storedIndex, "INDEX", "INDEX CONCURRENTLY", 1))
	if err != nil {
		return ledgerErr("create index", err)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return ledgerErr("create index", err)
	}
	return nil
}

func stripComments(s string) string {
	var b strings.Builder
	for line := range strings.Lines(s) {
		if !strings.HasPrefix(strings.TrimSpace(line), "--") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// idChunk bounds the ids in one IN list (SQLite allows 32766 variables).
const idChunk = 512

// dialect is what differs between the two databases' queries.
type dialect struct {
	postgres bool
}

func (d dialect) placeholder(n int) string {
	if d.postgres {
		return "$" + strconv.Itoa(n)
	}
	return "?"
}

// values is "VALUES (?, ...)" with n placeholders in d's dialect.
func (d dialect) values(n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = d.placeholder(i + 1)
	}
	return "VALUES (" + strings.Join(ph, ", ") + ")"
}

// inList renders col IN (...) or col = ANY($n) for ids.
func (d dialect) inList(q *query, col string, ids []string) string {
	if d.postgres {
		return col + " = ANY(" + q.arg(ids) + ")"
	}
	ph := make([]string, len(ids))
	for i, id := range ids {
		ph[i] = q.arg(id)
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

// limit renders LIMIT/OFFSET; SQLite needs a LIMIT before any OFFSET.
func (d dialect) limit(q *query, limit, offset int) {
	switch {
	case limit > 0:
		q.sql.WriteString(" LIMIT " + q.arg(limit))
	case offset > 0 && !d.postgres:
		q.sql.WriteString(" LIMIT -1")
	}
	if offset > 0 {
		q.sql.WriteString(" OFFSET " + q.arg(offset))
	}
}

// query builds SQL text and its arguments together, so placeholders are
// numbered right in either dialect.
type query struct {
	d     dialect
	sql   strings.Builder
	args  []any
	conds []string
}

func (q *query) arg(v any) string {
	q.args = append(q.args, v)
	return q.d.placeholder(len(q.args))
}

func (q *query) where(cond string) { q.conds = append(q.conds, cond) }

func (q *query) writeWhere() {
	if len(q.conds) > 0 {
		q.sql.WriteString(" WHERE " + strings.Join(q.conds, " AND "))
	}
}

// asciiLower lower-cases col's ASCII letters only, as SQLite's LOWER
// does: PostgreSQL's would lower other letters too, and the two stores
// would list different units.
func (d dialect) asciiLower(col string) string {
	if d.postgres {
		return "translate(" + col + ", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
	}
	return "LOWER(" + col + ")"
}
