package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Outage classifies a write error. It returns the cause ("read-only",
// "disk full", "locked", "connection", "unavailable") when the error is the
// store's rather than the articles': such a batch is held and retried, and
// costs no delivery attempt. It returns "" for anything else, which the
// sink charges to the article (a dead letter after the retries).
func Outage(err error) string {
	if err == nil {
		return ""
	}
	if errors.Is(err, ErrNotOpen) {
		return "connection"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		// Extended codes keep the primary code in the low byte.
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_READONLY:
			return "read-only"
		case sqlite3.SQLITE_FULL:
			return "disk full"
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return "locked"
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_NOMEM,
			sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_PERM, sqlite3.SQLITE_AUTH:
			return "unavailable"
		}
		return ""
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "25006": // read_only_sql_transaction (a standby)
			return "read-only"
		case pe.Code == "53100": // disk_full
			return "disk full"
		case pe.Code == "55P03", pe.Code == "40001", pe.Code == "40P01": // lock, serialization, deadlock
			return "locked"
		case strings.HasPrefix(pe.Code, "08"), strings.HasPrefix(pe.Code, "57"): // connection, shutdown
			return "connection"
		case strings.HasPrefix(pe.Code, "53"), strings.HasPrefix(pe.Code, "58"), pe.Code == "42501":
			return "unavailable"
		}
		return ""
	}
	switch {
	case errors.Is(err, ErrLocked):
		return "locked"
	case errors.Is(err, ErrReadOnly), errors.Is(err, syscall.EROFS):
		return "read-only"
	case errors.Is(err, syscall.ENOSPC), errors.Is(err, syscall.EDQUOT):
		return "disk full"
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM), errors.Is(err, syscall.EIO):
		return "unavailable"
	case errors.Is(err, ErrClosed), errors.Is(err, context.DeadlineExceeded):
		return "unavailable"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) {
		return "connection"
	}
	// pgx reports a dropped connection as a plain error on some paths.
	if msg := err.Error(); strings.Contains(msg, "conn closed") || strings.Contains(msg, "unexpected EOF") {
		return "connection"
	}
	return ""
}

// Where names a store for log lines: its file, directory or redacted DSN
// (each backend has a Where method; a wrapper may have one too).
func Where(s Store) string {
	if w, ok := s.(interface{ Where() string }); ok {
		return w.Where()
	}
	return "store"
}
