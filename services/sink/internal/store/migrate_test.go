package store

import (
	"io/fs"
	"strings"
	"testing"
)

// migrationCount is how many migrations a database runs: every embedded
// file but those of the other dialect (named by otherSuffix).
func migrationCount(t *testing.T, otherSuffix string) int {
	t.Helper()
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, name := range names {
		if !strings.HasSuffix(name, otherSuffix) {
			n++
		}
	}
	return n
}
