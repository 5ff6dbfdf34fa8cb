// Package configtest keeps the configuration tables of docs/configuration.md
// equal to the services' config tables: the page holds each table between
// <!-- env:NAME --> and <!-- /env:NAME --> markers (NAME "common" for the
// settings every service shares); a test compares them and
// `go test -run TestConfigDoc -update` rewrites them.
package configtest

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config"
	"github.com/newsflow/newsflow/pkg/service/testkit"
)

var update = flag.Bool("update", false, "rewrite the configuration tables of docs/configuration.md")

// Page is the page that holds the tables, relative to the repository root.
const Page = "docs/configuration.md"

// CheckDoc fails the test when the table of the named service in
// docs/configuration.md differs from set's Markdown.
func CheckDoc(t *testing.T, name string, set *config.Set) {
	t.Helper()
	check(t, filepath.Join(testkit.RepoRoot(t), Page), name, set.Markdown())
}

// CheckCommonDoc fails the test when the table of common settings in
// docs/configuration.md differs from config.CommonMarkdown.
func CheckCommonDoc(t *testing.T) {
	t.Helper()
	check(t, filepath.Join(testkit.RepoRoot(t), Page), "common", config.CommonMarkdown())
}

// CheckReadme is CheckDoc under its old name; the path is ignored, the
// tables are in docs/configuration.md now.
//
// Deprecated: use CheckDoc.
func CheckReadme(t *testing.T, _ string, name string, set *config.Set) {
	t.Helper()
	CheckDoc(t, name, set)
}

func check(t *testing.T, page, name, want string) {
	t.Helper()
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatalf("configtest: %v", err)
	}
	text := string(b)
	open, closing := "<!-- env:"+name+" -->\n", "<!-- /env:"+name+" -->"
	i := strings.Index(text, open)
	j := strings.Index(text, closing)
	if i < 0 || j < i {
		t.Fatalf("configtest: %s has no %q ... %q section", page, strings.TrimSpace(open), closing)
	}
	got := text[i+len(open) : j]
	if got == want {
		return
	}
	if *update {
		text = text[:i+len(open)] + want + text[j:]
		if err := os.WriteFile(page, []byte(text), 0o644); err != nil {
			t.Fatalf("configtest: %v", err)
		}
		return
	}
	t.Errorf("configtest: the %s table in %s is out of date; run `go test -run TestConfigDoc -update` in the package that checks it.\nwant:\n%s", name, page, want)
}
