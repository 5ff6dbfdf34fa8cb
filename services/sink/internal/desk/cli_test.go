package desk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.uber.org/zap/zaptest"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/pkg/service/app"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// deskDB stores the recording and the repeats in batches, as the sink
// does, without keeping the ledger: the commands bring it up to date
// themselves. It returns the database spec.
func deskDB(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	spec := "sqlite:" + filepath.Join(t.TempDir(), "sink.db")
	st, err := store.Open(ctx, spec, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	for start := 0; start < len(arts); start += 7 {
		if err := st.Upsert(ctx, arts[start:min(start+7, len(arts))]); err != nil {
			t.Fatalf("batch at %d: %v", start, err)
		}
	}
	return spec
}

// mainOf runs the sink binary's commands as the sink's Main does.
func mainOf(ctx context.Context, env app.Env) error {
	return app.Dispatch(ctx, env, "sink", "sink", Commands())
}

func TestLedgerCommand(t *testing.T) {
	spec := deskDB(t)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		env := app.Env{Args: append([]string{"ledger", "--db", spec}, args...), Lookup: func(string) (string, bool) { return "", false },
			Stdout: &out, Stderr: &errOut}
		if err := mainOf(context.Background(), env); err != nil {
			t.Fatalf("sink ledger %v: %v (%s)", args, err, errOut.String())
		}
		return out.String()
	}
	table := run("--min-outlets", "2")
	if lines := strings.Split(strings.TrimSpace(table), "\n"); len(lines) < 2 || !strings.Contains(table, "95 percent") ||
		!strings.Contains(table, "MINA News") {
		t.Errorf("table:\n%s", table)
	}
	var g ledger.Group
	first, _, _ := strings.Cut(run("--format", "json", "--members", "--limit", "1"), "\n")
	if err := json.Unmarshal([]byte(first), &g); err != nil || len(g.Entries) != 3 || len(g.Outlets) != 3 {
		t.Errorf("json: %v, %d members, outlets %v", err, len(g.Entries), g.Outlets)
	}
	recs, err := csv.NewReader(strings.NewReader(run("--format", "csv", "--place", "Hawija"))).ReadAll()
	if err != nil || len(recs) < 2 || recs[0][0] != "group_id" {
		t.Errorf("csv: %v %v", err, recs)
	}
	series := run("--series", "--topic", "territory", "--unit", "percent")
	if !strings.HasPrefix(series, "== territory · percent (7 points") {
		t.Errorf("series:\n%s", series)
	}
}

// TestServeCommand runs `sink serve` on a store and reads the page, the
// API and the health endpoints from it, then stops it.
func TestServeCommand(t *testing.T) {
	spec := deskDB(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		env := app.Env{Args: []string{"serve", "--db", spec, "--addr", "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "", false },
			Stdout: pw, Stderr: io.Discard}
		done <- mainOf(ctx, env)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_, rest, _ := strings.Cut(line, "http://")
	base, _, _ := strings.Cut(rest, " ")
	base = "http://" + strings.TrimSuffix(base, "/")
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tc := range []struct{ path, want string }{
		{"/", "95 percent"}, {"/api/stats", `"relevant":12`}, {"/healthz", "ok"}, {"/readyz", `"ready":true`},
	} {
		resp, err := client.Get(base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), tc.want) {
			t.Errorf("GET %s: %d, body lacks %q", tc.path, resp.StatusCode, tc.want)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestClaimsCommand: `sink claims` lists the claims of relevant articles
// unless asked for --all, finds a speaker by a word of the name, keeps one
// language, and fits its table to a width.
func TestClaimsCommand(t *testing.T) {
	spec := deskDB(t)
	run := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		env := app.Env{Args: append([]string{"claims", "--db", spec}, args...), Lookup: func(string) (string, bool) { return "", false },
			Stdout: &out, Stderr: &errOut}
		if err := mainOf(context.Background(), env); err != nil {
			t.Fatalf("sink claims %v: %v (%s)", args, err, errOut.String())
		}
		return out.String()
	}
	rows := func(args ...string) []store.ClaimRow {
		t.Helper()
		var out []store.ClaimRow
		for _, line := range strings.Split(strings.TrimSpace(run(append(args, "--format", "json")...)), "\n") {
			if line == "" {
				continue
			}
			var r store.ClaimRow
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			out = append(out, r)
		}
		return out
	}
	relevant, all := rows(), rows("--all")
	if len(relevant) == 0 || len(all) <= len(relevant) {
		t.Errorf("%d claims by default, %d with --all: want the irrelevant articles' claims only with --all", len(relevant), len(all))
	}
	for _, r := range relevant {
		if !r.Relevant {
			t.Fatalf("a claim of an irrelevant article by default: %q", r.Text)
		}
	}
	mattis := rows("--speaker", "mattis")
	if len(mattis) == 0 {
		t.Error("--speaker mattis found nothing")
	}
	for _, r := range mattis {
		if !strings.Contains(r.Speaker, "Mattis") {
			t.Errorf("--speaker mattis gave %q", r.Speaker)
		}
	}
	if n := len(rows("--lang", "EN")); n != len(relevant) {
		t.Errorf("--lang EN: %d claims, want all %d of the English recording", n, len(relevant))
	}
	if n := len(rows("--lang", "fr")); n != 0 {
		t.Errorf("--lang fr: %d claims in an English recording", n)
	}
	for _, line := range strings.Split(strings.TrimRight(run("--width", "120"), "\n"), "\n") {
		if n := utf8.RuneCountInString(strings.TrimRight(line, " ")); n > 120 {
			t.Errorf("--width 120: a line of %d columns: %s", n, line)
		}
	}
}

// TestServeJSONLines: `sink serve --jsonl-dir DIR` serves a JSON lines
// store, as before the desk moved out of the sink (the ledger computed on
// each read).
func TestServeJSONLines(t *testing.T) {
	dir := t.TempDir()
	st, err := store.Open(context.Background(), "jsonl:"+dir, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Upsert(context.Background(), append(ledgertest.Recording(t), ledgertest.Repeats(t)...)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		env := app.Env{Args: []string{"serve", "--jsonl-dir", dir, "--addr", "127.0.0.1:0"}, Lookup: func(string) (string, bool) { return "", false },
			Stdout: pw, Stderr: io.Discard}
		done <- mainOf(ctx, env)
		_ = pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no address: %v", err)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	_, rest, _ := strings.Cut(line, "http://")
	base, _, _ := strings.Cut(rest, " ")
	resp, err := http.Get("http://" + strings.TrimSuffix(base, "/") + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "95 percent") {
		t.Errorf("GET /: %d, the page lacks the recurring 95 percent claim", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
}

// TestExportQuery: sink export --query lists the articles the search
// finds, and no other; a query of only exclusions is refused.
func TestExportQuery(t *testing.T) {
	spec := deskDB(t)
	run := func(args ...string) ([]string, error) {
		var out, errOut bytes.Buffer
		env := app.Env{Args: append([]string{"export", "--db", spec}, args...), Lookup: func(string) (string, bool) { return "", false },
			Stdout: &out, Stderr: &errOut}
		err := mainOf(context.Background(), env)
		var texts []string
		sc := bufio.NewScanner(&out)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var a struct{ Title, Text string }
			if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
				t.Fatal(err)
			}
			texts = append(texts, strings.ToLower(a.Title+" "+a.Text))
		}
		return texts, err
	}
	all, err := run()
	if err != nil {
		t.Fatal(err)
	}
	found, err := run("--query", "raqqa -mosul")
	if err != nil {
		t.Fatal(err)
	}
	if len(found) == 0 || len(found) >= len(all) {
		t.Fatalf("--query raqqa -mosul: %d of %d articles", len(found), len(all))
	}
	want := 0
	for _, s := range all {
		if strings.Contains(s, "raqqa") && !strings.Contains(s, "mosul") {
			want++
		}
	}
	for _, s := range found {
		if !strings.Contains(s, "raqqa") || strings.Contains(s, "mosul") {
			t.Errorf("exported an article without raqqa or with mosul: %.80s", s)
		}
	}
	if len(found) != want {
		t.Errorf("--query raqqa -mosul: %d articles, %d have raqqa and not mosul", len(found), want)
	}
	if _, err := run("--query", "-mosul"); err == nil || !strings.Contains(err.Error(), "only excludes") {
		t.Errorf("--query -mosul: %v, want it refused", err)
	}
}

// TestSpeakerFlags: `sink claims` and `sink ledger` take --kind and
// --role, and refuse a kind that is none.
func TestSpeakerFlags(t *testing.T) {
	ctx := context.Background()
	spec := "sqlite:" + filepath.Join(t.TempDir(), "sink.db")
	st, err := store.Open(ctx, spec, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	// The recording predates speaker kinds: Mattis's claims get one.
	arts := append(ledgertest.Recording(t), ledgertest.Repeats(t)...)
	mattis := 0
	for i := range arts {
		for ci := range arts[i].Claims {
			if c := &arts[i].Claims[ci]; strings.Contains(c.Speaker, "Mattis") {
				c.SpeakerKind, c.SpeakerRole = schema.SpeakerPerson, "coalition"
				if arts[i].Relevant {
					mattis++
				}
			}
		}
	}
	if err := st.Upsert(ctx, arts); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		env := app.Env{Args: append(args[:1:1], append([]string{"--db", spec}, args[1:]...)...), Lookup: func(string) (string, bool) { return "", false },
			Stdout: &out, Stderr: &errOut}
		err := mainOf(ctx, env)
		return out.String(), err
	}
	out, err := run("claims", "--kind", "person", "--role", "coalition", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if mattis == 0 || len(lines) != mattis || !strings.Contains(lines[0], "Mattis") {
		t.Errorf("claims --kind person --role coalition: %d lines, want Mattis's %d", len(lines), mattis)
	}
	if out, err = run("ledger", "--kind", "person", "--all", "--format", "json", "--members"); err != nil || !strings.Contains(out, "Mattis") {
		t.Errorf("ledger --kind person: %v\n%.300s", err, out)
	}
	if out, err = run("ledger", "--kind", "anonymous", "--all", "--format", "json"); err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("ledger --kind anonymous: %v, want nothing: %.300s", err, out)
	}
	for _, args := range [][]string{{"claims", "--kind", "people"}, {"ledger", "--role", "Group Media"}} {
		if _, err := run(args...); err == nil {
			t.Errorf("sink %v: no error", args)
		}
	}
}
