package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// ErrUsage marks a command line that names no command of the binary, or
// gives a command an argument it does not take. Command exits 2 for it,
// after the usage was printed.
var ErrUsage = errors.New("usage")

// Cmd is one command of a binary: `sink claims`, `cleaner run`.
type Cmd struct {
	Name string
	// Summary is the command's one line in the binary's help.
	Summary string
	Run     func(ctx context.Context, env Env) error
}

// Dispatch runs the command env.Args names, with the arguments after its
// name. With no argument, or flags first, it runs the command named
// "run" (a service runs only when asked for by name or given nothing); an
// unknown command prints the usage and returns ErrUsage. help, -h and
// --help print the usage, and `<binary> help <command>` that command's.
func Dispatch(ctx context.Context, env Env, binary, about string, cmds []Cmd) error {
	find := func(name string) *Cmd {
		for i := range cmds {
			if cmds[i].Name == name {
				return &cmds[i]
			}
		}
		return nil
	}
	args := env.Args
	name := "run"
	switch {
	case len(args) == 0:
	case args[0] == "help" || args[0] == "-h" || args[0] == "-help" || args[0] == "--help":
		if len(args) > 1 {
			if c := find(args[1]); c != nil {
				env.Args = []string{"--help"}
				return c.Run(ctx, env)
			}
			fmt.Fprintf(env.Stderr, "%s: unknown command %q\n\n", binary, args[1])
			Usage(env.Stderr, binary, about, cmds)
			return fmt.Errorf("%w: unknown command %q", ErrUsage, args[1])
		}
		Usage(env.Stdout, binary, about, cmds)
		return nil
	case strings.HasPrefix(args[0], "-"):
		// Flags of the service itself: `sink --db ...` as before.
	default:
		name, args = args[0], args[1:]
	}
	c := find(name)
	if c == nil {
		fmt.Fprintf(env.Stderr, "%s: unknown command %q\n\n", binary, name)
		Usage(env.Stderr, binary, about, cmds)
		return fmt.Errorf("%w: unknown command %q", ErrUsage, name)
	}
	env.Args = args
	return c.Run(ctx, env)
}

// Usage prints the binary's help: what it is, then each command with its
// one line.
func Usage(w io.Writer, binary, about string, cmds []Cmd) {
	fmt.Fprintf(w, "%s\n\nUsage: %s <command> [flags]   (no command: %s run)\n\nCommands:\n", about, binary, binary)
	width := 0
	for _, c := range cmds {
		width = max(width, len(c.Name))
	}
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.Name, c.Summary)
	}
	fmt.Fprintf(w, "\n`%s <command> --help` lists a command's flags; `%s run --help` the service's settings.\n", binary, binary)
}

// FlagSet is a command's flag set: its usage starts with the command line
// and what the command does, and -h prints it to stdout.
func FlagSet(binary, name, summary string, env Env) *flag.FlagSet {
	fs := flag.NewFlagSet(binary+" "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: %s %s [flags]\n\n%s\n\nFlags:\n", binary, name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// ParseFlags parses a command's flags. It returns handled=true after -h
// (the usage printed to stdout), and an ErrUsage error for a flag it does
// not know or an argument left over.
func ParseFlags(fs *flag.FlagSet, args []string, stdout io.Writer) (handled bool, err error) {
	usage := fs.Usage
	fs.Usage = func() {}
	err = fs.Parse(args)
	fs.Usage = usage
	if errors.Is(err, flag.ErrHelp) {
		// Asked for, the usage goes to stdout.
		out := fs.Output()
		fs.SetOutput(stdout)
		fs.Usage()
		fs.SetOutput(out)
		return true, nil
	}
	if err != nil {
		fs.Usage()
		return false, fmt.Errorf("%w: %v", ErrUsage, err)
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return false, fmt.Errorf("%w: unexpected argument %q", ErrUsage, fs.Arg(0))
	}
	return false, nil
}
