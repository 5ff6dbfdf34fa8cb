package tag

import (
	"sort"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/tagger/internal/quantity"
)

// minClaimWords keeps fragments ("Comments are closed.") out of claims.
const minClaimWords = 4

// claimPass keeps the clauses with a quantity, a source, or an outcome at
// a place as claims, reading the quantities of each line once. It reads
// what the passes before produced: sentences, the mention arrays, and each
// sentence's attribution. Its arrays come from ws.
func (tg *Tagger) claimPass(dc *doc, sents []sentence, body []hit, mn *mentions, saids []said, ws *workspace) []schema.Claim {
	placeAt := mn.placeAt
	var claims []schema.Claim
	parts := ws.parts[:0] // clauses' scratch
	qp := tg.qp
	next := 0 // segment emits sentences in line order
	for li := range dc.lines {
		ln := &dc.lines[li]
		first := next
		for next < len(sents) && int(sents[next].line) == li {
			next++
		}
		if ln.title {
			continue
		}
		// Quantities are looked for only once a sentence of the line is
		// long enough to be a claim, and in the lowered text made already.
		var ms []quantity.Match
		parsed := false
		for i := first; i < next; i++ {
			s := &sents[i]
			if wordsIn(dc.toks, s.a, s.b) < minClaimWords {
				continue
			}
			if !parsed {
				ms = qp.FindLower(dc.text[ln.start:ln.end], dc.lower[ln.start:ln.end])
				parsed = true
			}
			parts = clauses(dc.toks, *s, ms, ln.start, parts[:0])
			if saids[i].alt > 0 {
				parts = splitAt(dc.toks, parts, saids[i].split)
			}
			for pi := range parts {
				part := &parts[pi]
				sd := saids[i]
				if sd.alt > 0 && part.a >= sd.split {
					sd = ws.alts[sd.alt-1]
				}
				nq := 0
				for _, m := range ms {
					if ln.start+m.Start >= part.start && ln.start+m.End <= part.end {
						nq++
					}
				}
				// A claim has a number or a source, or states an outcome
				// at a place: "the SDF withdrew from parts of Hasaka".
				// A source carried over from the sentence before does not
				// make a claim by itself.
				// The outcome is looked for first: it is rare, the place
				// common.
				if nq == 0 && (!sd.ok || sd.carried) && !(english.hasOutcome(dc.toks, part.a, part.b) && (tg.hasPlace(placeAt, part) || hasPlaceNoun(dc.toks, part.a, part.b))) && !hasRank(dc.toks, part.a, part.b) {
					continue
				}
				qs := make([]schema.Quantity, 0, nq)
				for _, m := range ms {
					if ln.start+m.Start >= part.start && ln.start+m.End <= part.end {
						qs = append(qs, m.Quantity)
					}
				}
				c := schema.Claim{
					Text:        dc.text[part.start:part.end],
					Speaker:     sd.speaker,
					SpeakerKind: sd.kind,
					SpeakerRole: sd.srole,
					Verb:        sd.verb,
					Via:         sd.via,
					Quantities:  qs,
					Places:      tg.placesIn(placeAt, part),
					Offset:      part.start,
				}
				if c.Speaker == "" {
					c.SpeakerKind = schema.SpeakerOutlet // the outlet's own voice
				}
				c.Topic = tg.claimTopic(dc, body, part, qs)
				claims = append(claims, c)
			}
		}
	}
	ws.parts = parts
	return claims
}

// grow returns s resliced to length n, reallocated if it is too short.
// The elements are not cleared.
func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	return s[:n]
}

func wordsIn(toks []token, a, b int) int {
	n := 0
	for m := a; m < b; m++ {
		if toks[m].isWord() {
			n++
		}
	}
	return n
}

// placesIn lists the canonical places a sentence names.
func (tg *Tagger) placesIn(placeAt []int32, s *sentence) []string {
	out := []string{}
	for m := s.a; m < s.b; m++ {
		if i := placeAt[m]; i >= 0 {
			name := tg.places[i].name
			dup := false
			for _, o := range out {
				if o == name {
					dup = true
				}
			}
			if !dup {
				out = append(out, name)
			}
		}
	}
	return out
}

// claimTopic picks the claim topic with most cues in the sentence.
func (tg *Tagger) claimTopic(dc *doc, body []hit, s *sentence, qs []schema.Quantity) string {
	if len(tg.claimTopics) == 0 {
		return ""
	}
	var buf [16]int // no allocation for the usual handful of claim topics
	var counts []int
	if n := len(tg.claimTopics); n <= len(buf) {
		counts = buf[:n]
	} else {
		counts = make([]int, n)
	}
	// body is in token order (matcher.scan), so only the hits from the
	// sentence's first token on need a look.
	from := sort.Search(len(body), func(i int) bool { return body[i].a >= s.a })
	for _, h := range body[from:] {
		if h.a >= s.b {
			break
		}
		if h.b >= s.b {
			continue
		}
		for _, p := range tg.m.phrases[h.ph].pay {
			if p.cat == catClaimTopic {
				counts[p.sub]++
			}
		}
	}
	for _, q := range qs {
		u := q.Unit
		if i := strings.LastIndexByte(u, ' '); i >= 0 {
			u = u[i+1:]
		}
		for _, ti := range tg.unitCues[fold(u)] {
			counts[ti] += 2
		}
	}
	best, bestN := -1, 0
	for i, n := range counts {
		if n > bestN {
			best, bestN = i, n
		}
	}
	if best < 0 {
		return ""
	}
	return tg.claimTopics[best]
}

// auxVerbs mark a clause with its own verb.
var auxVerbs = map[string]bool{
	"is": true, "are": true, "was": true, "were": true, "have": true, "has": true, "had": true,
	"will": true, "would": true, "can": true, "could": true, "may": true, "might": true,
	"must": true, "remain": true, "remains": true,
}

// clauses splits a sentence that joins two full clauses, each with its own
// numbers and verb: "4mn people ... have been liberated ... and about 2.3mn
// people ... are no longer under ISIS control". Lists such as "69 countries
// and four international organisations" stay whole.
//
// The parts are appended to dst.
func clauses(toks []token, s sentence, ms []quantity.Match, base int, dst []sentence) []sentence {
	out := dst
	from := s.a
	for k := s.a + 1; k+1 < s.b; k++ {
		if toks[k].norm != "and" || !startsQuantity(toks[k+1].start, ms, base) {
			continue
		}
		if !hasAux(toks, from, k) || !hasAux(toks, k+1, s.b) || !hasQuantity(toks, from, k, ms, base) {
			continue
		}
		end := k
		for end > from && toks[end-1].kind == tPunct && toks[end-1].norm == "," {
			end--
		}
		part := s
		part.a, part.b = from, end
		part.start, part.end = toks[from].start, toks[end-1].end
		out = append(out, part)
		from = k + 1
	}
	part := s
	part.a = from
	part.start = toks[from].start
	return append(out, part)
}

func startsQuantity(off int, ms []quantity.Match, base int) bool {
	for _, m := range ms {
		if base+m.Start == off {
			return true
		}
	}
	return false
}

func hasAux(toks []token, a, b int) bool {
	for m := a; m < b; m++ {
		if toks[m].kind == tWord && auxVerbs[toks[m].norm] && !toks[m].has(fCaps) {
			return true
		}
	}
	return false
}

func hasQuantity(toks []token, a, b int, ms []quantity.Match, base int) bool {
	for _, m := range ms {
		if base+m.Start >= toks[a].start && base+m.End <= toks[b-1].end {
			return true
		}
	}
	return false
}

// hasPlace reports a place of the gazetteer in a sentence.
func (tg *Tagger) hasPlace(placeAt []int32, s *sentence) bool {
	for m := s.a; m < s.b; m++ {
		if placeAt[m] >= 0 {
			return true
		}
	}
	return false
}

// splitAt splits the part that holds token k into the clause before k and
// the clause from k on, when both are long enough to be claims.
func splitAt(toks []token, parts []sentence, k int) []sentence {
	for i := range parts {
		p := parts[i]
		if k <= p.a || k >= p.b || wordsIn(toks, p.a, k) < minClaimWords || wordsIn(toks, k, p.b) < minClaimWords {
			continue
		}
		end := k
		for end > p.a && toks[end-1].kind == tPunct && (toks[end-1].norm == "," || toks[end-1].norm == ";") {
			end--
		}
		a, b := p, p
		a.b, a.end = end, toks[end-1].end
		b.a, b.start = k, toks[k].start
		parts = append(parts, sentence{})
		copy(parts[i+2:], parts[i+1:])
		parts[i], parts[i+1] = a, b
		return parts
	}
	return parts
}

// hasRank reports a rank, which is a checkable claim without a count: "the
// 29th partner to fund", "it ranks second". Dates ("June 29th", "the 29th
// of June") are no ranks.
func hasRank(toks []token, a, b int) bool {
	for m := a; m < b; m++ {
		t := &toks[m]
		if t.kind == tNum && m+2 < b && ordinalSuffixes[toks[m+1].norm] && !toks[m+1].has(fSpaced) {
			nx := &toks[m+2]
			if nx.kind == tWord && !nx.has(fUpper) && nx.norm != "of" && !(m > a && monthNames[toks[m-1].norm]) {
				return true
			}
		}
		if t.kind == tWord && len(t.norm) > 4 && t.norm[0] == 'r' && rankVerbs[t.norm] && m+1 < b && ordinalWords[toks[m+1].norm] {
			return true
		}
	}
	return false
}

// The words of ranks and dates, from the language file.
var (
	ordinalSuffixes = english.ordinalSuffixes
	ordinalWords    = english.ordinalWords
	rankVerbs       = english.rankVerbs
	monthNames      = english.months
)

// hasPlaceNoun reports a common noun of place ("the eastern districts",
// "the old city"), which with an outcome makes a claim as a named place
// does.
func hasPlaceNoun(toks []token, a, b int) bool {
	for m := a; m < b; m++ {
		if toks[m].kind == tWord && english.placeNouns[toks[m].norm] {
			return true
		}
	}
	return false
}
