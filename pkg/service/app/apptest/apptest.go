// Package apptest checks, for any binary built on package app, what every
// binary must do with its command line. Imported by tests only.
package apptest

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/service/app"
)

// Main is a binary's dispatch (its internal package's Main).
type Main func(context.Context, app.Env) error

// UnknownCommandsRunNothing checks that a mistyped command or a stray
// argument is a usage error (exit 2) and never starts the service, which
// would bind the consumer of whatever NATS is at the default URL; that
// --help lists the commands; and that each command has its own --help.
// It runs in an empty working directory, so a service started by mistake
// cannot leave files behind in the repository.
func UnknownCommandsRunNothing(t *testing.T, name string, main Main, commands ...string) {
	t.Helper()
	t.Chdir(t.TempDir())
	run := func(args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := main(context.Background(), app.Env{Args: args, Lookup: func(string) (string, bool) { return "", false },
			Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb})
		return out.String(), errb.String(), err
	}
	for _, args := range [][]string{{"bogus"}, {"help-me"}, {"run", "extra"}, {"--no-such-flag"}} {
		if _, _, err := run(args...); !errors.Is(err, app.ErrUsage) {
			t.Errorf("%s %v: %v, want a usage error", name, args, err)
		}
	}
	out, _, err := run("--help")
	if err != nil {
		t.Errorf("%s --help: %v\n%s", name, err, out)
	}
	for _, c := range commands {
		if !strings.Contains(out, "  "+c+" ") {
			t.Errorf("%s --help does not list %s:\n%s", name, c, out)
		}
		cout, cerr, err := run(c, "--help")
		if err != nil || !strings.Contains(strings.ToLower(cout), "usage") {
			t.Errorf("%s %s --help: %v, stdout %q, stderr %q", name, c, err, cout, cerr)
		}
	}
}
