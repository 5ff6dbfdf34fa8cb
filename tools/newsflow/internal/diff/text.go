package diff

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Labels name the two builds and the recording in the text report.
type Labels struct {
	Base, Head, Recording string
}

// WriteText prints the report on about one screen: the counts of both
// builds, then each kind of change with at most limit examples (the rest
// are in --format json).
func WriteText(w io.Writer, r Report, l Labels, limit int) error {
	fmt.Fprintf(w, "Replay of %s\n  base %s\n  head %s\n\n", l.Recording, l.Base, l.Head)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "\tbase\thead\tchange\t\n")
	row := func(name string, b, h int) { fmt.Fprintf(tw, "%s\t%d\t%d\t%+d\t\n", name, b, h, h-b) }
	row("articles", r.Base.Articles, r.Head.Articles)
	row("relevant", r.Base.Relevant, r.Head.Relevant)
	row("claims", r.Base.Claims, r.Head.Claims)
	if err := tw.Flush(); err != nil {
		return err
	}
	if r.Empty() {
		_, err := fmt.Fprintln(w, "\nNo difference: the same articles, relevance, claims, text lengths and dates.")
		return err
	}
	section := func(title string, n int, line func(i int) string) {
		if n == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s\n", title)
		for i := 0; i < n && i < limit; i++ {
			fmt.Fprintf(w, "  %s\n", line(i))
		}
		if n > limit {
			fmt.Fprintf(w, "  … and %d more (--format json lists all)\n", n-limit)
		}
	}
	art := func(a Article) string { return clip(a.Title, 60) + "  " + a.URL }
	section(fmt.Sprintf("Articles only in head: %d", len(r.Added)), len(r.Added), func(i int) string { return art(r.Added[i]) })
	section(fmt.Sprintf("Articles only in base: %d", len(r.Removed)), len(r.Removed), func(i int) string { return art(r.Removed[i]) })
	section(fmt.Sprintf("Became relevant: %d", len(r.BecameRelevant)), len(r.BecameRelevant), func(i int) string { return art(r.BecameRelevant[i]) })
	section(fmt.Sprintf("No longer relevant: %d", len(r.BecameIrrelevant)), len(r.BecameIrrelevant), func(i int) string { return art(r.BecameIrrelevant[i]) })
	added, removed, changed := r.ClaimCounts()
	section(fmt.Sprintf("Claims: %d added, %d removed, %d changed", added, removed, changed), len(r.Claims),
		func(i int) string { return claimLine(r.Claims[i]) })
	section(fmt.Sprintf("Text length changed: %d", len(r.Text)), len(r.Text), func(i int) string {
		t := r.Text[i]
		return fmt.Sprintf("%d → %d chars (%s)  %s", t.Base, t.Head, pct(t.Base, t.Head), art(t.Article))
	})
	date := func(t *time.Time) string {
		if t == nil {
			return "none"
		}
		return t.UTC().Format("2006-01-02 15:04")
	}
	section(fmt.Sprintf("Published date changed: %d", len(r.Dates)), len(r.Dates), func(i int) string {
		d := r.Dates[i]
		return date(d.Base) + " → " + date(d.Head) + "  " + art(d.Article)
	})
	return nil
}

// claimLine is one claim change: + added, − removed, ~ changed with its
// fields as base → head.
func claimLine(c ClaimChange) string {
	switch c.Kind {
	case "added":
		return "+ " + claimText(*c.Head) + "  (" + clip(c.Article.Title, 40) + ")"
	case "removed":
		return "- " + claimText(*c.Base) + "  (" + clip(c.Article.Title, 40) + ")"
	}
	var parts []string
	for _, f := range c.Fields {
		switch f {
		case "speaker":
			parts = append(parts, fmt.Sprintf("speaker %q → %q", c.Base.Speaker, c.Head.Speaker))
		case "quantity", "unit":
			parts = append(parts, fmt.Sprintf("%s [%s] → [%s]", f, strings.Join(c.Base.Quantities, ", "), strings.Join(c.Head.Quantities, ", ")))
		case "topic":
			parts = append(parts, fmt.Sprintf("topic %q → %q", c.Base.Topic, c.Head.Topic))
		case "places":
			parts = append(parts, fmt.Sprintf("places %v → %v", c.Base.Places, c.Head.Places))
		case "text":
			parts = append(parts, "text")
		}
	}
	return "~ " + clip(c.Head.Text, 70) + ": " + strings.Join(parts, "; ")
}

func claimText(c Claim) string {
	s := clip(c.Text, 70)
	if c.Speaker != "" {
		s += " — " + c.Speaker
	}
	if len(c.Quantities) > 0 {
		s += " [" + strings.Join(c.Quantities, ", ") + "]"
	}
	return s
}

func clip(s string, n int) string {
	s = norm(s)
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
