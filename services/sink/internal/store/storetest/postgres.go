// Package storetest helps tests reach the machine's PostgreSQL (one check
// per test binary, a fresh schema per test), build realistic tagged
// articles, and cut a database connection with a TCP proxy. PostgreSQL
// tests never skip: without a server they fail with one message saying
// what is missing and how to start it.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvPostgresDSN names the variable with the test server's DSN.
const EnvPostgresDSN = "NEWSFLOW_TEST_PG_DSN"

const howToStart = "start it with `pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` " +
	"and set " + EnvPostgresDSN + "=postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// pgCheck is the one reachability check per test binary. It is package
// state on purpose: every test needs the same answer and one connect.
var pgCheck struct {
	once sync.Once
	dsn  string
	err  error
}

// PostgresDSN returns the test server's DSN, failing the test if it is
// not set or the server does not answer.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	pgCheck.once.Do(func() { pgCheck.dsn, pgCheck.err = checkPostgres() })
	if pgCheck.err != nil {
		t.Fatal(pgCheck.err.Error())
	}
	return pgCheck.dsn
}

func checkPostgres() (string, error) {
	dsn := os.Getenv(EnvPostgresDSN)
	if dsn == "" {
		return "", fmt.Errorf("storetest: PostgreSQL tests need %s, which is not set: %s", EnvPostgresDSN, howToStart)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err == nil {
		err = conn.Ping(ctx)
		_ = conn.Close(ctx)
	}
	if err != nil {
		return "", fmt.Errorf("storetest: PostgreSQL at %s does not answer (%v): %s", redact(dsn), err, howToStart)
	}
	return dsn, nil
}

var unsafeChars = regexp.MustCompile(`[^a-z0-9]+`)

// PostgresSchema creates a schema of its own for the test, drops it when
// the test ends, and returns a DSN whose search_path is that schema, so
// tests and parallel runs never see each other's tables.
func PostgresSchema(t testing.TB) string {
	t.Helper()
	dsn := PostgresDSN(t)
	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	name := unsafeChars.ReplaceAllString(strings.ToLower(t.Name()), "_")
	name = "t_" + name[:min(len(name), 40)] + "_" + hex.EncodeToString(rnd[:])

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("storetest: connect: %v", err)
	}
	defer func() { _ = conn.Close(ctx) }()
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("storetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("storetest: drop schema %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(ctx) }()
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("storetest: drop schema %s: %v", name, err)
		}
	})
	out, err := WithParam(dsn, "search_path", name)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WithParam returns dsn with key=value set; pgx sends keys it does not know
// (search_path) to the server as run-time parameters.
func WithParam(dsn, key, value string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("storetest: dsn: %w", err)
		}
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	// Keyword/value form: a later key overrides an earlier one.
	return dsn + " " + key + "=" + value, nil
}

func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil {
		return dsn
	}
	return u.Redacted()
}
