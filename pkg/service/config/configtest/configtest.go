// Package configtest keeps the README's configuration tables equal to the
// services' config tables: the README holds each table between
// <!-- env:NAME --> and <!-- /env:NAME --> markers; a test compares them
// and `go test -run TestReadme -update` rewrites them.
package configtest

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/config"
)

var update = flag.Bool("update", false, "rewrite the README's configuration tables")

// CheckReadme fails the test when the README's table for name differs from
// set's Markdown.
func CheckReadme(t *testing.T, readme, name string, set *config.Set) {
	t.Helper()
	b, err := os.ReadFile(readme)
	if err != nil {
		t.Fatalf("configtest: %v", err)
	}
	text := string(b)
	open, closing := "<!-- env:"+name+" -->\n", "<!-- /env:"+name+" -->"
	i := strings.Index(text, open)
	j := strings.Index(text, closing)
	if i < 0 || j < i {
		t.Fatalf("configtest: %s has no %q ... %q section", readme, strings.TrimSpace(open), closing)
	}
	want := set.Markdown()
	got := text[i+len(open) : j]
	if got == want {
		return
	}
	if *update {
		text = text[:i+len(open)] + want + text[j:]
		if err := os.WriteFile(readme, []byte(text), 0o644); err != nil {
			t.Fatalf("configtest: %v", err)
		}
		return
	}
	t.Errorf("configtest: the %s table in %s is out of date; run `go test -run TestReadme -update` in the service's package.\nwant:\n%s", name, readme, want)
}
