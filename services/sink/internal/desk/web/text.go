package web

import (
	"cmp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/newsflow/newsflow/pkg/schema"
)

// segment is a run of article text, plain or part of a claim.
type segment struct {
	Text string
	// Claim is set on a highlighted run; ID only on a claim's first run,
	// so links land on its start.
	Claim *claimMark
	ID    string
}

// claimMark is what a highlighted claim carries.
type claimMark struct {
	Index int
	Tip   string
	// Outlets is how many outlets carried the claim's figure, when its
	// group is on the page and more than one did.
	Outlets int
}

// span is a claim's place in the text, in bytes.
type span struct {
	start, end int
	mark       *claimMark
	id         string
}

// claimSpans finds each claim in text: at its Offset when the text there
// is the claim's, else at its first occurrence (older taggers gave no
// offset). Claims not found, and claims overlapping an earlier one, are
// not highlighted; they are still listed.
func claimSpans(text string, claims []schema.Claim, marks []*claimMark, ids []string) []span {
	var out []span
	for i, c := range claims {
		if c.Text == "" {
			continue
		}
		start := -1
		if c.Offset >= 0 && c.Offset+len(c.Text) <= len(text) && text[c.Offset:c.Offset+len(c.Text)] == c.Text {
			start = c.Offset
		} else if j := strings.Index(text, c.Text); j >= 0 {
			start = j
		}
		if start < 0 || !utf8.RuneStart(text[start]) {
			continue
		}
		out = append(out, span{start: start, end: start + len(c.Text), mark: marks[i], id: ids[i]})
	}
	slices.SortStableFunc(out, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	kept := out[:0]
	end := -1
	for _, s := range out {
		if s.start < end {
			continue
		}
		kept = append(kept, s)
		end = s.end
	}
	return kept
}

// paragraphs splits text at newlines into paragraphs of segments, with
// the spans highlighted; a claim running over a newline is highlighted in
// both paragraphs.
func paragraphs(text string, spans []span) [][]segment {
	var out [][]segment
	k := 0
	for ls := 0; ls <= len(text); {
		le := strings.IndexByte(text[ls:], '\n')
		if le < 0 {
			le = len(text)
		} else {
			le += ls
		}
		var segs []segment
		pos := ls
		for k < len(spans) && spans[k].start < le {
			s := spans[k]
			from, to := max(s.start, ls), min(s.end, le)
			if from > pos {
				segs = append(segs, segment{Text: text[pos:from]})
			}
			if to > from {
				seg := segment{Text: text[from:to], Claim: s.mark}
				if from == s.start {
					seg.ID = s.id
				}
				segs = append(segs, seg)
			}
			pos = max(pos, to)
			if s.end > le {
				break // continues in the next paragraph
			}
			k++
		}
		if pos < le {
			segs = append(segs, segment{Text: text[pos:le]})
		}
		if strings.TrimSpace(text[ls:le]) != "" {
			out = append(out, segs)
		}
		ls = le + 1
	}
	return out
}
