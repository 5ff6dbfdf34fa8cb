// Package config reads a service's settings from one table: every entry has
// a NEWSFLOW_* environment name, a flag, a default, a parser and a secret
// mark. Flags win over the environment, the environment over defaults. A
// secret may also be read from a file named by NAME_FILE, so it never has to
// sit in the environment of a process listing.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Var is one configuration entry.
type Var struct {
	Env     string
	Flag    string
	Default string
	Usage   string
	Secret  bool
	isBool  bool
	// shared says whether the entry is one of AddCommon's or AddWorker's,
	// and whether its default is the service's own.
	shared sharing
	set    func(string) error
	get    func() string
}

// sharing is where an entry is documented: in the service's own table, in
// the table of common settings, or in both (a common entry whose default
// each service chooses).
type sharing int

const (
	own sharing = iota
	common
	commonPerService
	worker
	workerPerService
)

// Set is the table of a service's settings.
type Set struct {
	name string
	vars []*Var
}

// New returns an empty table for the named service.
func New(service string) *Set { return &Set{name: service} }

// Vars returns the entries in the order they were added.
func (s *Set) Vars() []Var {
	out := make([]Var, len(s.vars))
	for i, v := range s.vars {
		out[i] = *v
	}
	return out
}

func (s *Set) add(v *Var) *Var {
	s.vars = append(s.vars, v)
	return v
}

// String adds a string entry.
func (s *Set) String(p *string, flagName, env, def, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: def, Usage: usage,
		set: func(v string) error { *p = v; return nil },
		get: func() string { return *p }})
}

// Secret adds a string entry that is redacted in dumps and may come from the
// file named by env+"_FILE".
func (s *Set) Secret(p *string, flagName, env, usage string) *Var {
	v := s.String(p, flagName, env, "", usage)
	v.Secret = true
	return v
}

// Int adds an integer entry.
func (s *Set) Int(p *int, flagName, env string, def int, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: strconv.Itoa(def), Usage: usage,
		set: func(v string) error {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not an integer: %q", v)
			}
			*p = n
			return nil
		},
		get: func() string { return strconv.Itoa(*p) }})
}

// Bytes adds a size entry that accepts suffixes KiB, MiB, GiB (and KB, MB, GB).
func (s *Set) Bytes(p *int64, flagName, env string, def int64, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: FormatBytes(def), Usage: usage,
		set: func(v string) error {
			n, err := ParseBytes(v)
			if err != nil {
				return err
			}
			*p = n
			return nil
		},
		get: func() string { return FormatBytes(*p) }})
}

// Float adds a float entry.
func (s *Set) Float(p *float64, flagName, env string, def float64, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: strconv.FormatFloat(def, 'g', -1, 64), Usage: usage,
		set: func(v string) error {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				return fmt.Errorf("not a number: %q", v)
			}
			*p = f
			return nil
		},
		get: func() string { return strconv.FormatFloat(*p, 'g', -1, 64) }})
}

// Bool adds a boolean entry.
func (s *Set) Bool(p *bool, flagName, env string, def bool, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: strconv.FormatBool(def), Usage: usage, isBool: true,
		set: func(v string) error {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not a boolean: %q", v)
			}
			*p = b
			return nil
		},
		get: func() string { return strconv.FormatBool(*p) }})
}

// Duration adds a duration entry ("30s", "5m").
func (s *Set) Duration(p *time.Duration, flagName, env string, def time.Duration, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: def.String(), Usage: usage,
		set: func(v string) error {
			d, err := time.ParseDuration(strings.TrimSpace(v))
			if err != nil {
				return fmt.Errorf("not a duration: %q", v)
			}
			if d < 0 {
				return fmt.Errorf("negative duration: %q", v)
			}
			*p = d
			return nil
		},
		get: func() string { return p.String() }})
}

// Durations adds a comma-separated list of durations.
func (s *Set) Durations(p *[]time.Duration, flagName, env string, def []time.Duration, usage string) *Var {
	*p = def
	format := func(ds []time.Duration) string {
		parts := make([]string, len(ds))
		for i, d := range ds {
			parts[i] = d.String()
		}
		return strings.Join(parts, ",")
	}
	return s.add(&Var{Env: env, Flag: flagName, Default: format(def), Usage: usage,
		set: func(v string) error {
			var out []time.Duration
			for _, part := range strings.Split(v, ",") {
				part = strings.TrimSpace(part)
				if part == "" {
					continue
				}
				d, err := time.ParseDuration(part)
				if err != nil {
					return fmt.Errorf("not a duration: %q", part)
				}
				out = append(out, d)
			}
			*p = out
			return nil
		},
		get: func() string { return format(*p) }})
}

// Strings adds a comma-separated list.
func (s *Set) Strings(p *[]string, flagName, env string, def []string, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: strings.Join(def, ","), Usage: usage,
		set: func(v string) error {
			var out []string
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					out = append(out, part)
				}
			}
			*p = out
			return nil
		},
		get: func() string { return strings.Join(*p, ",") }})
}

// ErrHelp is returned by Parse when -h or -help was asked for; the usage has
// been printed.
var ErrHelp = flag.ErrHelp

// Parse applies defaults (already set), then the environment through lookup,
// then the command-line flags. It returns the remaining arguments. Usage
// and flag errors go to out. With -config-dump it returns ErrDumped: the
// caller prints the resolved table with Dump.
func (s *Set) Parse(args []string, lookup func(string) (string, bool), out io.Writer) ([]string, error) {
	for _, v := range s.vars {
		raw, ok := lookup(v.Env)
		if !ok && v.Secret {
			if path, fok := lookup(v.Env + "_FILE"); fok && path != "" {
				b, err := os.ReadFile(path)
				if err != nil {
					return nil, fmt.Errorf("config: %s_FILE: %w", v.Env, err)
				}
				raw, ok = strings.TrimSpace(string(b)), true
			}
		}
		if !ok {
			continue
		}
		if err := v.set(raw); err != nil {
			return nil, fmt.Errorf("config: %s: %w", v.Env, err)
		}
	}
	fs := flag.NewFlagSet(s.name, flag.ContinueOnError)
	fs.SetOutput(out)
	dump := fs.Bool("config-dump", false, "print the resolved configuration (secrets redacted) and exit")
	for _, v := range s.vars {
		usage := fmt.Sprintf("%s (env %s, default %q)", v.Usage, v.Env, v.Default)
		if v.isBool {
			// A bare --flag means true, as with the flag package's bools.
			fs.BoolFunc(v.Flag, usage, func(raw string) error { return v.set(raw) })
			continue
		}
		fs.Func(v.Flag, usage, v.set)
	}
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage of %s:\n", s.name)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, ErrHelp
		}
		return nil, fmt.Errorf("config: %w", err)
	}
	if *dump {
		return nil, ErrDumped
	}
	return fs.Args(), nil
}

// ErrDumped is returned by Parse when -config-dump asks for the table.
var ErrDumped = errors.New("config: dumped")

// Redacted is what a set secret prints as.
const Redacted = "<redacted>"

// Dump prints every entry as ENV=value, secrets redacted.
func (s *Set) Dump(w io.Writer) {
	for _, v := range s.vars {
		fmt.Fprintf(w, "%s=%s\n", v.Env, s.shown(v))
	}
}

func (s *Set) shown(v *Var) string {
	val := v.get()
	if v.Secret && val != "" {
		return Redacted
	}
	return RedactURL(val)
}

// Map returns the resolved table, secrets redacted, for structured logs.
func (s *Set) Map() map[string]string {
	m := make(map[string]string, len(s.vars))
	for _, v := range s.vars {
		m[v.Env] = s.shown(v)
	}
	return m
}

// RedactURL hides a password in a URL-shaped value
// (postgres://user:pw@host/db, nats://user:pw@host).
func RedactURL(v string) string {
	scheme, rest, ok := strings.Cut(v, "://")
	if !ok {
		return v
	}
	at := strings.Index(rest, "@")
	if at < 0 {
		return v
	}
	user := rest[:at]
	if name, _, hasPw := strings.Cut(user, ":"); hasPw {
		return scheme + "://" + name + ":" + Redacted + rest[at:]
	}
	return v
}

// Markdown renders the service's own settings as a Markdown table for
// docs/configuration.md: its own entries, and the common ones whose default
// it chooses (the rest are in CommonMarkdown's table).
func (s *Set) Markdown() string {
	var b strings.Builder
	b.WriteString("| Variable | Flag | Default | Description |\n|---|---|---|---|\n")
	for _, v := range s.vars {
		if v.shared == common || v.shared == worker {
			continue
		}
		fmt.Fprintf(&b, "| `%s` | `--%s` | `%s` | %s |\n", v.Env, v.Flag, orSpace(v.Default), v.usage())
	}
	return b.String()
}

// CommonMarkdown renders the settings every service reads alike (AddCommon)
// and those of every consuming stage (AddWorker) as one Markdown table.
func CommonMarkdown() string {
	s := New("common")
	AddCommon(s, &Common{}, "")
	AddWorker(s, &Worker{}, 0, 0, 0)
	var b strings.Builder
	b.WriteString("| Variable | Flag | Default | Read by | Description |\n|---|---|---|---|---|\n")
	for _, v := range s.vars {
		def, who := "`"+orSpace(v.Default)+"`", "every service"
		if v.shared == commonPerService || v.shared == workerPerService {
			def = "per service"
		}
		if v.shared == worker || v.shared == workerPerService {
			who = "cleaner, tagger, sink"
		}
		fmt.Fprintf(&b, "| `%s` | `--%s` | %s | %s | %s |\n", v.Env, v.Flag, def, who, v.usage())
	}
	return b.String()
}

func orSpace(def string) string {
	if def == "" {
		return " "
	}
	return def
}

func (v *Var) usage() string {
	if v.Secret {
		return v.Usage + " Secret: also read from `" + v.Env + "_FILE`; redacted in logs."
	}
	return v.Usage
}

// mark sets how the entries added since index from are documented, but
// for those already marked as having a per-service default.
func (s *Set) mark(from int, how sharing) {
	for _, v := range s.vars[from:] {
		if v.shared == own {
			v.shared = how
		}
	}
}

// ParseBytes reads "10MiB", "512KiB", "1GB", "2048".
func ParseBytes(v string) (int64, error) {
	v = strings.TrimSpace(v)
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"B", 1}}
	for _, u := range units {
		if num, ok := strings.CutSuffix(v, u.suffix); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("not a size: %q", v)
			}
			return n * u.mult, nil
		}
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("not a size: %q", v)
	}
	return n, nil
}

// FormatBytes prints n with the largest exact binary unit.
func FormatBytes(n int64) string {
	switch {
	case n != 0 && n%(1<<30) == 0:
		return strconv.FormatInt(n>>30, 10) + "GiB"
	case n != 0 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + "MiB"
	case n != 0 && n%(1<<10) == 0:
		return strconv.FormatInt(n>>10, 10) + "KiB"
	}
	return strconv.FormatInt(n, 10)
}

// SortedEnv returns the env names, sorted, for documentation checks.
func (s *Set) SortedEnv() []string {
	out := make([]string, 0, len(s.vars))
	for _, v := range s.vars {
		out = append(out, v.Env)
	}
	sort.Strings(out)
	return out
}

// Int64 adds a 64-bit integer entry.
func (s *Set) Int64(p *int64, flagName, env string, def int64, usage string) *Var {
	*p = def
	return s.add(&Var{Env: env, Flag: flagName, Default: strconv.FormatInt(def, 10), Usage: usage,
		set: func(v string) error {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("not an integer: %q", v)
			}
			*p = n
			return nil
		},
		get: func() string { return strconv.FormatInt(*p, 10) }})
}
