// The status listing of `fetcher feeds`: each feed of the feeds file or the
// state bucket with its state (ok, failing, never, disabled, removed).

package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/newsflow/newsflow/services/fetcher/internal/feedlist"
	"github.com/newsflow/newsflow/services/fetcher/internal/state"
)

// FeedStatus is one line of `fetcher feeds`: a feed of the feeds file, or one
// the state bucket still remembers, with its shared state.
type FeedStatus struct {
	URL   string   `json:"url"`
	Title string   `json:"title,omitempty"`
	Tags  []string `json:"tags,omitempty"`
	// Status: ok, failing, never (not polled yet), disabled, or removed
	// (in the state bucket, no longer in the feeds file).
	Status string          `json:"status"`
	State  state.FeedState `json:"state"`
}

// feedStatuses joins the feeds file (nil when none was given) with the stored
// states, feeds of the file first in file order, then the others by URL.
func feedStatuses(list []feedlist.Feed, states []state.FeedState) []FeedStatus {
	byURL := make(map[string]state.FeedState, len(states))
	for _, st := range states {
		byURL[st.URL] = st
	}
	rows := make([]FeedStatus, 0, len(states)+len(list))
	listed := map[string]bool{}
	for _, fd := range list {
		listed[fd.URL] = true
		st, ok := byURL[fd.URL]
		if !ok {
			st = state.FeedState{URL: fd.URL}
		}
		r := FeedStatus{URL: fd.URL, Title: fd.Title, Tags: fd.Tags, State: st, Status: status(st)}
		if !fd.IsEnabled() {
			r.Status = "disabled"
		}
		rows = append(rows, r)
	}
	var rest []FeedStatus
	for _, st := range states {
		if listed[st.URL] {
			continue
		}
		r := FeedStatus{URL: st.URL, State: st, Status: status(st)}
		if list != nil {
			r.Status = "removed"
		}
		rest = append(rest, r)
	}
	sort.Slice(rest, func(i, j int) bool { return rest[i].URL < rest[j].URL })
	return append(rows, rest...)
}

func status(st state.FeedState) string {
	switch {
	case st.ConsecutiveFailures > 0:
		return "failing"
	case st.LastPoll.IsZero():
		return "never"
	}
	return "ok"
}

// writeFeedStatus prints rows as a table or as JSON (one array).
func writeFeedStatus(out io.Writer, rows []FeedStatus, format string, now time.Time) error {
	switch format {
	case "json":
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rows)
	case "table", "":
	default:
		return fmt.Errorf("fetcher: feeds: --format %q: want table or json", format)
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "URL\tSTATUS\tLAST SUCCESS\tFAILURES\tLAST ERROR\tNEXT POLL\tITEMS SEEN\tOWNER")
	for _, r := range rows {
		st := r.State
		// The last error explains a failing feed; on one that recovered
		// it is history, kept in --format json only.
		lastErr := "-"
		if st.LastErrorClass != "" && r.Status == "failing" {
			lastErr = st.LastErrorClass + " " + ago(st.LastErrorAt, now) + ": " + oneLine(st.LastError, 80)
		}
		next := "-"
		if !st.NextPoll.IsZero() && r.Status != "removed" && r.Status != "disabled" {
			next = ago(st.NextPoll, now)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%d\t%s\n", r.URL, r.Status, ago(st.LastSuccess, now),
			st.ConsecutiveFailures, lastErr, next, st.ItemsSeen, orDash(st.Owner))
	}
	return tw.Flush()
}

// ago renders t relative to now: "3m ago", "in 40s", "-" for never.
func ago(t, now time.Time) string {
	if t.IsZero() {
		return "-"
	}
	d := now.Sub(t)
	if d < 0 {
		return "in " + short(-d)
	}
	return short(d) + " ago"
}

func short(d time.Duration) string {
	switch {
	case d < time.Second:
		return "0s"
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 48*time.Hour:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// feedStatusCommand lists the feeds with their shared state: `fetcher feeds`.
func feedStatusCommand(ctx context.Context, cfg Config, store *state.Store, format string, out io.Writer, now time.Time) error {
	var list []feedlist.Feed
	if cfg.Feeds != "" {
		l, err := feedlist.Load(cfg.Feeds)
		if err != nil {
			return fmt.Errorf("fetcher: feeds %s: %w", cfg.Feeds, err)
		}
		list = l
	}
	states, err := store.List(ctx)
	if err != nil {
		return fmt.Errorf("fetcher: feeds: %w", err)
	}
	return writeFeedStatus(out, feedStatuses(list, states), format, now)
}
