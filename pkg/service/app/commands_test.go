package app

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	var ran []string
	cmd := func(name string) Cmd {
		return Cmd{Name: name, Summary: "does " + name, Run: func(_ context.Context, env Env) error {
			fs := FlagSet("bin", name, "does "+name, env)
			fs.Bool("x", false, "a flag")
			if handled, err := ParseFlags(fs, env.Args, env.Stdout); err != nil || handled {
				return err
			}
			ran = append(ran, name)
			return nil
		}}
	}
	cmds := []Cmd{cmd("run"), cmd("claims")}
	tests := []struct {
		name      string
		args      []string
		wantRan   string
		wantUsage bool
		stdout    string
		stderr    string
	}{
		{"no argument runs the service", nil, "run", false, "", ""},
		{"flags first run the service", []string{"-x"}, "run", false, "", ""},
		{"a command by name", []string{"claims", "-x"}, "claims", false, "", ""},
		{"a mistyped command runs nothing", []string{"claim"}, "", true, "", `unknown command "claim"`},
		{"help is not a command to run", []string{"help"}, "", false, "claims  does claims", ""},
		{"--help lists the commands", []string{"--help"}, "", false, "run     does run", ""},
		{"a command's help", []string{"claims", "--help"}, "", false, "Usage: bin claims [flags]", ""},
		{"help of a command", []string{"help", "claims"}, "", false, "Usage: bin claims [flags]", ""},
		{"an unknown flag", []string{"claims", "-y"}, "", true, "", "flag provided but not defined: -y"},
		{"an argument left over", []string{"claims", "extra"}, "", true, "", "Usage: bin claims"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ran = nil
			var out, errb bytes.Buffer
			err := Dispatch(context.Background(), Env{Args: tc.args, Stdout: &out, Stderr: &errb}, "bin", "bin does things", cmds)
			if got := errors.Is(err, ErrUsage); got != tc.wantUsage {
				t.Fatalf("err = %v, want a usage error: %v", err, tc.wantUsage)
			}
			if !tc.wantUsage && err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(ran, ","); got != tc.wantRan {
				t.Errorf("ran %q, want %q", got, tc.wantRan)
			}
			if !strings.Contains(out.String(), tc.stdout) || !strings.Contains(errb.String(), tc.stderr) {
				t.Errorf("stdout %q (want %q), stderr %q (want %q)", out.String(), tc.stdout, errb.String(), tc.stderr)
			}
		})
	}
}
