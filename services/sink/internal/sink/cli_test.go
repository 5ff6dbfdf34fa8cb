package sink

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app"
)

// TestMistypedCommandsJoinNothing: `sink help`, `sink claim` and the like
// never start the service (no store appears, no consumer is bound); an
// unknown command or argument is a usage error (exit 2) with the usage.
func TestMistypedCommandsJoinNothing(t *testing.T) {
	t.Chdir(t.TempDir())
	run := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Main(context.Background(), app.Env{Args: args, Lookup: func(string) (string, bool) { return "", false },
			Stdout: &out, Stderr: &errb})
		return out.String(), errb.String(), err
	}
	for _, args := range [][]string{{"claim"}, {"bogus", "--db", "x"}, {"run", "extra"}, {"claims", "extra"}, {"--no-such-flag"}} {
		_, errb, err := run(args...)
		if !errors.Is(err, app.ErrUsage) {
			t.Errorf("sink %v: %v, want a usage error", args, err)
		}
		if !strings.Contains(errb, "Usage") && !strings.Contains(errb, "usage") {
			t.Errorf("sink %v printed no usage: %q", args, errb)
		}
	}
	out, _, err := run("help")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "  "+c.Name+" ") {
			t.Errorf("sink help lacks %q:\n%s", c.Name, out)
		}
		cout, _, err := run(c.Name, "--help")
		if err != nil || !strings.Contains(strings.ToLower(cout), "usage") {
			t.Errorf("sink %s --help: %v, %q", c.Name, err, cout)
		}
	}
	if _, err := os.Stat("data"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a command line that ran nothing left ./data behind: %v", err)
	}
}
