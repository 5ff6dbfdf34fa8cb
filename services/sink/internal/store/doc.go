// Package store keeps the sink's tagged articles in JSON-lines files,
// SQLite or PostgreSQL, behind one Store interface, with the same
// exactly-once effect everywhere: upserts keyed by article id, where a
// replay changes nothing, new content replaces an article's tags, claims
// and quantities in one transaction, and an older version never replaces a
// newer one. Open picks the backend from a spec; Multi writes several.
//
// Files by behaviour:
//
//	store.go       the Store interface, filters and rows; Open, OpenReadOnly, OpenAll; batch preparation
//	multi.go       Multi: one batch written to several stores
//	sqlite.go      SQLite (modernc.org/sqlite): WAL, one IMMEDIATE transaction and multi-row inserts per batch
//	postgres.go    PostgreSQL (pgx pool): one array upsert, then child rows by pipelined inserts or COPY
//	pgsearch.go    PostgreSQL full-text search, indexed in the background behind the writes
//	search.go      full-text search: the query parser, its FTS5 and tsquery renderings, Find with snippets
//	sqlread.go     Export, Claims and Stats queries shared by both databases
//	rows.go        an article flattened into table rows, column by column
//	jsonl.go       JSON lines: a file per day, atomic appends, fsync policy, repair and index at open
//	claimscan.go   Claims answered by scanning Export, for JSON lines
//	migrate.go     goose migrations embedded from migrations/, applied at open
//	lock.go        flock(2) locks: one JSONL writer per directory, one SQLite migrator per file
//	handle.go      DB: the narrow handle (dialect, reads, write transactions) a reader keeping tables of its own gets
//	match.go       name matching by words (HasPhrase, NameCond), for the claims filters and their readers
//	storetest/     test support: the PostgreSQL check and per-test schemas, fixtures, a TCP proxy
//
// Tests: conformance_test.go runs one suite against all three backends;
// PostgreSQL comes from NEWSFLOW_TEST_PG_DSN and the suite fails, not
// skips, without it. BenchmarkUpsert and BenchmarkSearchIndex print
// articles/s.
package store
