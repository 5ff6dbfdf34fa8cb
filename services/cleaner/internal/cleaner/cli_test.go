package cleaner

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app"
)

// TestUnknownCommandsRunNothing: a mistyped command or a stray argument
// is a usage error (exit 2) and never starts the service, which would bind
// the consumer of whatever NATS is at the default URL; help lists the
// commands, and each has its own --help.
func TestUnknownCommandsRunNothing(t *testing.T) {
	t.Chdir(t.TempDir())
	run := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := Main(context.Background(), app.Env{Args: args, Lookup: func(string) (string, bool) { return "", false },
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
		return out.String(), errb.String(), err
	}
	for _, args := range [][]string{{"bogus"}, {"help-me"}, {"run", "extra"}, {"--no-such-flag"}} {
		if _, _, err := run(args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("cleaner %v: %v, want a usage error", args, err)
		}
	}
	out, _, err := run("--help")
	if err != nil || !strings.Contains(out, "  run ") || !strings.Contains(out, "  clean ") {
		t.Errorf("cleaner --help: %v\n%s", err, out)
	}
	for _, c := range []string{"run", "clean"} {
		out, errb, err := run(c, "--help")
		if err != nil || !strings.Contains(strings.ToLower(out), "usage") {
			t.Errorf("cleaner %s --help: %v, stdout %q, stderr %q", c, err, out, errb)
		}
	}
}
