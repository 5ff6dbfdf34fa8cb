package tag

import (
	"sort"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/tagger/internal/quantity"
)

// minClaimWords keeps fragments ("Comments are closed.") out of claims.
const minClaimWords = 4

// said is a resolved attribution.
type said struct {
	speaker string
	kind    string // a schema.Speaker* kind
	role    string // a person's role in the article ("SDF spokesman")
	srole   string // the source's role from the topic file
	verb    string
	via     string
	ok      bool
	quoted  bool
}

// resolve turns an attribution into a speaker name, using what the
// discourse remembers, and updates it.
func (tg *Tagger) resolve(dc *doc, sa int, a attr, ds *discourse, orgAt []int32) said {
	toks, text := dc.toks, dc.text
	out := said{verb: a.verb, ok: true}
	if !a.via.empty() {
		out.via = stripArticle(spanText(text, toks, a.via.a, a.via.b-1))
	}
	words := make([]int, 0, 8)
	for m := a.np.a; m < a.np.b; m++ {
		if toks[m].isWord() {
			words = append(words, m)
		}
	}
	if len(words) == 0 {
		return out
	}
	setPerson := func(i int) {
		if i >= 0 {
			out.speaker = ds.persons[i].name
			out.kind, out.role = schema.SpeakerPerson, ds.persons[i].role
			ds.lastPersonSpeaker = i
			ds.mention(i)
		}
	}
	if len(words) == 1 && pronouns[toks[words[0]].norm] {
		switch toks[words[0]].norm {
		case "he", "she":
			if ds.lastPersonSpeaker >= 0 {
				setPerson(ds.lastPersonSpeaker)
			} else {
				setPerson(ds.lastPerson)
			}
		case "it":
			if n := len(ds.orgSpeakers); n > 0 {
				out.speaker = ds.orgSpeakers[n-1]
			}
		case "they":
			// "they" is the last plural source ("US officials"), else the
			// last body.
			for i := len(ds.orgSpeakers) - 1; i >= 0; i-- {
				if plural(ds.orgSpeakers[i]) {
					out.speaker = ds.orgSpeakers[i]
					break
				}
			}
			if n := len(ds.orgSpeakers); out.speaker == "" && n > 0 {
				out.speaker = ds.orgSpeakers[n-1]
			}
		case "both":
			if x, y := ds.lastTwo(); x >= 0 && y >= 0 {
				out.speaker = ds.persons[x].name + " and " + ds.persons[y].name
				ds.lastPersonSpeaker = y
			}
		}
		return out
	}
	if !a.appos.empty() {
		name := spanText(text, toks, a.appos.a, a.appos.b-1)
		setPerson(ds.addPerson(name, stripArticle(spanText(text, toks, a.np.a, a.np.b-1))))
		return out
	}
	phrase := stripArticle(spanText(text, toks, a.np.a, a.np.b-1))
	last := &toks[words[len(words)-1]]
	inOrg := false
	for _, m := range words {
		if orgAt[m] >= 0 {
			inOrg = true
		}
	}
	// A known person: "Mattis", "Col. Dillon", "White House Press
	// Secretary Stephanie Grisham".
	if last.has(fUpper) && !last.has(fCaps) && orgAt[words[len(words)-1]] < 0 {
		if i := ds.bySurname(last.norm); i >= 0 {
			setPerson(i)
			return out
		}
		if !inOrg && looksLikeName(toks, words) {
			name := phrase
			if len(words) == 1 {
				// "Steenburgen said": the full name was written earlier.
				// One capitalised word never written with a first name is
				// a body more often than a person: "Airwars estimates".
				name = fullNameBefore(dc, words[0], phrase)
			}
			if name != phrase || len(words) > 1 {
				setPerson(ds.addPerson(name, ""))
				return out
			}
		}
	}
	// A role: "the US secretary", "the Italian Minister".
	first := &toks[words[0]]
	if (first.norm == "the" || first.norm == "a") && len(words) <= 5 && titleWords[last.norm] {
		var content []string
		for _, m := range words[1:] {
			content = append(content, toks[m].norm)
		}
		if i := ds.byRole(content); i >= 0 {
			setPerson(i)
			return out
		}
	}
	// "its own figures", "their statement": the body that spoke before.
	if (first.norm == "its" || first.norm == "their") && len(words) <= 4 {
		// "The coalition carried out ..., according to its own figures":
		// the owner is the sentence's subject when that is a body.
		if subj := sentenceSubject(toks, text, sa, a.np.a); subj != "" {
			out.speaker = subj
			return out
		}
		if n := len(ds.orgSpeakers); n > 0 {
			out.speaker = ds.orgSpeakers[n-1]
			return out
		}
	}
	// A document or body named before: "the report", "the communique",
	// "the New York-based security firm", "the press release".
	if (first.norm == "the" || first.norm == "this") && len(words) <= 7 && !last.has(fUpper) {
		for i := len(ds.orgSpeakers) - 1; i >= 0; i-- {
			if strings.Contains(fold(ds.orgSpeakers[i]), last.norm) {
				out.speaker = ds.orgSpeakers[i]
				ds.orgSpeakers = append(ds.orgSpeakers, out.speaker)
				return out
			}
		}
		if kind := english.headKind[last.norm]; (kind == "organisation" || kind == "document") && len(ds.orgSpeakers) > 0 {
			out.speaker = ds.orgSpeakers[len(ds.orgSpeakers)-1]
			ds.orgSpeakers = append(ds.orgSpeakers, out.speaker)
			return out
		}
	}
	// An acronym defined earlier: "The Soufan Group (TSG) ... TSG said".
	if len(words) == 1 && last.has(fCaps) {
		if full := acronymExpansion(dc, phrase, toks[words[0]].start); full != "" {
			phrase = stripArticle(full) + " (" + phrase + ")"
		}
	}
	out.speaker = phrase
	ds.orgSpeakers = append(ds.orgSpeakers, phrase)
	return out
}

// looksLikeName reports one to four capitalised words that are not an
// organisation, a place or a common noun.
func looksLikeName(toks []token, words []int) bool {
	if len(words) > 4 {
		return false
	}
	for _, m := range words {
		t := &toks[m]
		if t.has(fCaps) || (!t.has(fUpper) && !nameParticles[t.norm] && !titleWords[t.norm]) {
			return false
		}
		if notNames[t.norm] && !titleWords[t.norm] {
			return false
		}
		// "Officials said", "Sources say": capitalised only as the first word.
		if k := english.headKind[t.norm]; english.anonymous[t.norm] || k == "organisation" || k == "document" {
			return false
		}
	}
	return true
}

func stripArticle(s string) string {
	for _, p := range []string{"the ", "The ", "a ", "A ", "an ", "An "} {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return s[len(p):]
		}
	}
	return s
}

// extractClaims reads people and attributions sentence by sentence, then
// keeps sentences with a quantity or an attribution as claims.
// Its arrays come from ws.
func (tg *Tagger) extractClaims(dc *doc, sents []sentence, body []hit, ds *discourse, ws *workspace) []schema.Claim {
	n := len(dc.toks)
	blocked := grow(ws.blocked, n)
	clear(blocked)
	at := grow(ws.at, 2*n) // orgAt and placeAt
	for i := range at {
		at[i] = -1
	}
	ws.blocked, ws.at = blocked, at
	orgAt, placeAt := at[:n:n], at[n:]
	for _, h := range body {
		for _, p := range tg.m.phrases[h.ph].pay {
			switch p.cat {
			case catPlace, catOrg:
				for m := h.a; m <= h.b; m++ {
					blocked[m] = true
					if p.cat == catOrg && orgAt[m] < 0 {
						orgAt[m] = p.ref
					}
					if p.cat == catPlace && m == h.a && placeAt[m] < 0 {
						placeAt[m] = p.ref
					}
				}
			}
		}
	}
	// Pass 1: people and attributions, in reading order.
	saids := grow(ws.saids, len(sents))
	clear(saids)
	ws.saids = saids
	for i, s := range sents {
		if dc.lines[s.line].title {
			continue
		}
		tg.findPersons(dc, s, blocked, ds)
		if a, ok := tg.findAttribution(dc, s, orgAt); ok {
			sd := tg.resolve(dc, s.a, a, ds, orgAt)
			if sd.speaker != "" {
				if sd.kind == "" {
					sd.kind = speakerKind(sd.speaker)
				}
				sd.srole = tg.roles.of(sd.speaker, sd.role)
			}
			saids[i] = sd
		}
		saids[i].quoted = s.quoted
	}
	// Pass 2: one attribution covers a whole quotation, and a quoted
	// sentence with none continues the quote before it in the paragraph.
	for i := range sents {
		if saids[i].ok || dc.lines[sents[i].line].title {
			continue
		}
		for j := i + 1; j < len(sents) && sents[j].group == sents[i].group; j++ {
			if saids[j].ok {
				saids[i] = withQuoted(saids[j], saids[i].quoted)
				break
			}
		}
		if saids[i].ok || !startsQuoted(dc, sents[i]) {
			continue
		}
		if i > 0 && sents[i-1].line == sents[i].line && saids[i-1].ok && saids[i-1].quoted {
			saids[i] = withQuoted(saids[i-1], true)
		}
	}
	// A sentence that opens as a continuation ("Additionally, ...", "It
	// also ...") carries on the source of the sentence before.
	for i := 1; i < len(sents); i++ {
		if saids[i].ok || !saids[i-1].ok || saids[i-1].speaker == "" || dc.lines[sents[i].line].title || !continues(dc.toks, sents[i]) {
			continue
		}
		saids[i] = withQuoted(saids[i-1], saids[i].quoted)
		saids[i].verb = ""
	}
	// Pass 3: the claims.
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
			sd := saids[i]
			parts = clauses(dc.toks, *s, ms, ln.start, parts[:0])
			for pi := range parts {
				part := &parts[pi]
				nq := 0
				for _, m := range ms {
					if ln.start+m.Start >= part.start && ln.start+m.End <= part.end {
						nq++
					}
				}
				// A claim has a number or a source, or states an outcome
				// at a place: "the SDF withdrew from parts of Hasaka".
				if nq == 0 && !sd.ok && (!tg.hasPlace(placeAt, part) || !english.hasOutcome(dc.toks, part.a, part.b)) {
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

func withQuoted(s said, q bool) said {
	s.quoted = q
	return s
}

// startsQuoted reports a sentence that opens inside or with a quotation.
func startsQuoted(dc *doc, s sentence) bool {
	return s.startQ || (s.a < s.b && isQuoteChar(dc.toks[s.a].norm))
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

// fullNameBefore looks for "First Surname" earlier in the text for a
// speaker named by surname only.
func fullNameBefore(dc *doc, k int, surname string) string {
	toks := dc.toks
	for m := k - 1; m > 0; m-- {
		t := &toks[m]
		if t.kind != tWord || t.norm != toks[k].norm || t.text(dc.text) != surname {
			continue
		}
		p := &toks[m-1]
		if p.kind == tWord && p.has(fUpper) && !p.has(fCaps) && !notNames[p.norm] && !titleWords[p.norm] && p.line == t.line {
			return dc.text[p.start:t.end]
		}
	}
	return surname
}

// sentenceSubject reads a leading "The coalition" or "Iraqi forces" that
// can own an "its".
func sentenceSubject(toks []token, text string, a, limit int) string {
	m := a
	if m < limit && (toks[m].norm == "the" || toks[m].norm == "a") {
		m++
	}
	from := m
	for m < limit && m-from < 5 && toks[m].kind == tWord && (toks[m].has(fUpper) || toks[m].has(fCaps) || sourceNouns[toks[m].norm]) {
		m++
	}
	if m == from || !sourceNouns[toks[m-1].norm] && !toks[m-1].has(fCaps) {
		return ""
	}
	return normSpace(text[toks[from].start:toks[m-1].end])
}

// plural reports a source phrase whose head is plural: "US officials".
func plural(phrase string) bool {
	i := strings.LastIndexByte(phrase, ' ')
	h := strings.ToLower(phrase[i+1:])
	return len(h) > 3 && strings.HasSuffix(h, "s") && !strings.HasSuffix(h, "ss") && h != "forces" && h != "nations" && h != "news" && h != "states"
}

// acronymExpansion finds "Soufan Group (TSG)" before offset limit and
// returns the capitalised words before the brackets; the speaker is then
// written "Soufan Group (TSG)", both names a reader may look for.
func acronymExpansion(dc *doc, acr string, limit int) string {
	i := strings.Index(dc.text[:limit], "("+acr+")")
	if i <= 0 {
		return ""
	}
	words := strings.Fields(dc.text[max(0, i-80):i])
	n := 0
	for k := len(words) - 1; k >= 0 && n < 6; k-- {
		w := words[k]
		r := w[0]
		if (r < 'A' || r > 'Z') && !nameParticles[w] && w != "of" && w != "for" && w != "and" {
			break
		}
		n++
	}
	for n > 0 && !startsUpper(words[len(words)-n]) {
		n--
	}
	if n < 2 {
		return ""
	}
	return strings.Join(words[len(words)-n:], " ")
}

func startsUpper(w string) bool { return w != "" && w[0] >= 'A' && w[0] <= 'Z' }

// continues reports a sentence that opens with a continuation word of the
// language file, first or after a pronoun: "Additionally, ...", "It also".
func continues(toks []token, s sentence) bool {
	for m, n := s.a, 0; m < s.b && n < 2; m++ {
		t := &toks[m]
		if !t.isWord() {
			continue
		}
		if english.continuations[t.norm] {
			return true
		}
		if n == 0 && !pronouns[t.norm] {
			return false
		}
		n++
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
