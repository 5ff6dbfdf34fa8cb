package tag

import "strings"

// span is a token range [a, b); empty when a >= b.
type span struct{ a, b int }

func (s span) empty() bool { return s.a >= s.b }

// attr is an attribution found in a sentence, before resolution.
type attr struct {
	verb   string
	np     span // who: "Mattis", "the US secretary", "a joint communique"
	appos  span // a name after the phrase: "said the charity's director, Rasha Muhrez"
	via    span // an outlet the words were told to
	strong bool
	outlet bool
}

// notBeforeVerb words make a speech verb non-attributive: "to say",
// "was told", "did not say".
var notBeforeVerb = map[string]bool{
	"to": true, "be": true, "been": true, "being": true, "is": true, "was": true,
	"were": true, "are": true, "am": true, "not": true, "never": true, "didn't": true,
	"doesn't": true, "don't": true, "won't": true, "wouldn't": true, "cannot": true,
	"can't": true,
}

// inversionStop ends the speaker phrase after a verb: ", said the report on Monday".
var inversionStop = map[string]bool{
	"on": true, "in": true, "at": true, "during": true, "after": true, "while": true,
	"when": true, "adding": true, "who": true, "which": true, "that": true, "as": true,
	"before": true, "since": true, "told": true, "to": true, "with": true, "amid": true,
	"following": true, "citing": true, "quoting": true, "referring": true, "speaking": true,
	"because": true, "last": true, "this": true, "yesterday": true, "today": true,
	"earlier": true, "late": true, "early": true, "via": true, "by": true, "about": true,
	"without": true, "but": true, "would": true, "will": true, "could": true, "should": true,
	"can": true, "may": true, "might": true, "must": true, "is": true, "are": true, "was": true,
	"were": true, "has": true, "have": true, "had": true, "did": true, "does": true,
}

// findAttribution returns the best attribution of a sentence.
func (tg *Tagger) findAttribution(dc *doc, s sentence, orgAt []int32) (attr, bool) {
	a, _, _, ok := tg.findAttributions(dc, s, orgAt)
	return a, ok
}

// findAttributions returns the best attribution of a sentence and, when the
// sentence joins two clauses each with its own source ("while CENTCOM says
// 153, a monitoring indicates 551"; "X said 10, but Y put it at 20"), the
// other one and the token where the second clause starts (0 if none).
func (tg *Tagger) findAttributions(dc *doc, s sentence, orgAt []int32) (attr, attr, int, bool) {
	toks := dc.toks
	var buf [4]attr
	cands := buf[:0]
	for k := s.a; k < s.b; k++ {
		t := &toks[k]
		if (t.kind == tPoss || t.kind == tPunct && bareApostrophe(toks, s, k)) && !t.has(fQuote) {
			// "The coalition's own tally stands at 1,437": a weak source,
			// which a verb of attribution in the sentence outranks.
			if np, ok := possessiveSource(toks, s, k); ok {
				cands = append(cands, attr{verb: "'s", np: np})
			}
			continue
		}
		if t.kind != tWord || t.has(fQuote) {
			continue
		}
		if t.norm == "according" && k+1 < s.b && toks[k+1].norm == "to" {
			if np := accordingNP(toks, k+2, s.b); !np.empty() {
				cands = append(cands, attr{verb: "according to", np: np, strong: true})
			}
			continue
		}
		// "an estimate by Airwars", "as confirmed by ISWAP", "by the
		// command's count": the agent of "by" after a noun or participle
		// of attribution.
		if t.norm == "by" && k+1 < s.b {
			if np := byAgent(toks, k+1, s.b); !np.empty() && (byNounBefore(toks, s, k) || byNounAfter(toks, np.b, s.b)) {
				cands = append(cands, attr{verb: "by", np: np, strong: true})
			}
			continue
		}
		// "the agency quoted a spokesman as saying", "X was quoted as
		// saying": the one quoted is the speaker.
		if (t.norm == "quoted" || t.norm == "cited") && k+1 < s.b {
			if c, ok := quotedAsSaying(toks, s, k); ok {
				cands = append(cands, c)
				continue
			}
		}
		// verbAt starts with this test; made here, it spares most words a call.
		if !isSpeechVerb(t.norm) {
			continue
		}
		if c, ok := tg.verbAt(toks, s, k, orgAt); ok {
			cands = append(cands, c)
		}
	}
	if len(cands) == 0 {
		// Quotes left open by a typo hide the attribution: ", he added."
		for k := s.b - 1; k >= s.a && k >= s.b-6; k-- {
			if toks[k].kind == tWord && speechVerbs[toks[k].norm] && !toks[k].has(fUpper) {
				np := subjectBefore(toks, s, k, true)
				if !np.empty() && np.b-np.a <= 4 && np.a > s.a && toks[np.a-1].norm == "," {
					cands = append(cands, attr{verb: toks[k].norm, np: np, strong: true})
				}
				break
			}
		}
	}
	if len(cands) == 0 {
		return attr{}, attr{}, 0, false
	}
	for i := range cands {
		cands[i].outlet = tg.isOutlet(cands[i].np, orgAt)
	}
	// "A report by the UN team revealed": the agent of "by" inside the
	// subject of a verb gives way to that subject.
	kept := cands[:0]
	for i, b := range cands {
		inside := false
		for j, c := range cands {
			if j != i && b.verb == "by" && c.verb != "by" && c.np.a < b.np.a && c.np.b >= b.np.b {
				inside = true
			}
		}
		if !inside {
			kept = append(kept, b)
		}
	}
	cands = kept
	best := -1
	for pass := 0; pass < 3 && best < 0; pass++ {
		for i, c := range cands {
			if (pass == 0 && c.strong && !c.outlet) || (pass == 1 && !c.outlet) || pass == 2 {
				best = i
				break
			}
		}
	}
	a := cands[best]
	// An outlet in a clause of its own is a second source ("the ministry
	// said 40, but Reuters reported 65"), not the one who carried it.
	ownClause := func(c attr) bool {
		first, second := a, c
		if c.np.a < a.np.a {
			first, second = c, a
		}
		return clauseBoundary(toks, s, first.np.b, second.np.a) > 0
	}
	if a.via.empty() {
		for i, c := range cands {
			if i != best && c.outlet && !ownClause(c) {
				a.via = c.np
				break
			}
		}
	}
	for i, c := range cands {
		if i == best || c.np == a.np || c.outlet && !a.outlet && !ownClause(c) {
			continue
		}
		first, second := a, c
		if c.np.a < a.np.a {
			first, second = c, a
		}
		if split := clauseBoundary(toks, s, first.np.b, second.np.a); split > 0 {
			return a, c, split, true
		}
	}
	return a, attr{}, 0, true
}

// clauseBoundary finds where a second clause with its own source starts
// between tokens from and to: after a contrast word ("but", "while",
// "whereas") or a semicolon, or after the comma that closes a leading
// "while" / "although" clause. It returns 0 when the sources share one
// clause.
func clauseBoundary(toks []token, s sentence, from, to int) int {
	for m := from; m < to; m++ {
		switch t := &toks[m]; {
		case t.has(fQuote):
		case t.kind == tPunct && t.norm == ";":
			return m + 1
		case t.kind == tWord && (t.norm == "but" || t.norm == "whereas" || t.norm == "while" || t.norm == "though" || t.norm == "although") && m > from:
			return m
		case t.kind == tWord && t.norm == "and" && m > from && m+1 == to:
			// "X said 40 died and the Observatory said 65": "and" opens
			// the second source's clause only when its name follows.
			return m
		}
	}
	lead := s.a
	if lead < s.b && toks[lead].norm == "but" {
		lead++
	}
	if lead < s.b && (toks[lead].norm == "while" || toks[lead].norm == "although" || toks[lead].norm == "though" || toks[lead].norm == "whereas") {
		for m := to - 1; m >= from; m-- {
			if toks[m].norm == "," && !toks[m].has(fQuote) {
				return m + 1
			}
		}
	}
	return 0
}

// verbAt reads an attribution around the speech verb at k.
func (tg *Tagger) verbAt(toks []token, s sentence, k int, orgAt []int32) (attr, bool) {
	t := &toks[k]
	if !isSpeechVerb(t.norm) || (t.has(fUpper) && k != s.a) {
		return attr{}, false
	}
	verb := t.norm
	vEnd := k + 1
	if verb == "pointed" {
		if k+1 >= s.b || toks[k+1].norm != "out" {
			return attr{}, false
		}
		verb, vEnd = "pointed out", k+2
	}
	// "IS released a statement": the group's initials are no auxiliary.
	if k > s.a && notBeforeVerb[toks[k-1].norm] && !toks[k-1].has(fCaps) {
		return attr{}, false
	}
	// "its estimates", "the latest reports": a noun, not a verb.
	if english.nounForms[verb] && k > s.a && (determiners[toks[k-1].norm] || toks[k-1].kind == tNum || toks[k-1].kind == tPoss) {
		return attr{}, false
	}
	// "Borno and Yobe states.": a noun form ends its phrase; as a verb it
	// goes on to what was said.
	if english.nounForms[verb] && (vEnd >= s.b || toks[vEnd].kind == tPunct && !isQuoteChar(toks[vEnd].norm) && toks[vEnd].norm != ":" || prepLike(&toks[vEnd]) || toks[vEnd].norm == "and" || toks[vEnd].norm == "of") {
		return attr{}, false
	}
	// "the CIA revised its estimate", "put the toll at": a verb of
	// attribution only with an estimate as its object.
	if english.objectVerbs[verb] {
		found := false
		for m := vEnd; m < s.b && m < vEnd+4; m++ {
			if english.estimateNouns[toks[m].norm] {
				found = true
				break
			}
		}
		if !found {
			return attr{}, false
		}
	}
	// "ISKP claimed the bombing" reports a fact; "claimed that ..." reports
	// words; ", claimed the Syrian Observatory" is an inversion.
	inverted := k > s.a && (toks[k-1].norm == "," || isQuoteChar(toks[k-1].norm))
	if transitiveOnly[verb] && vEnd < s.b && !opensReport(&toks[vEnd]) && !inverted && !clauseFollows(toks, vEnd, s.b) {
		return attr{}, false
	}
	c := attr{verb: verb, strong: !weakVerbs[verb]}
	c.np = subjectBefore(toks, s, k, false)
	if c.np.empty() {
		if !c.strong || verb == "told" || verb == "tells" {
			return attr{}, false
		}
		// Inversion follows a comma or a closing quote: "..., said Mattis".
		if p := k - 1; p >= s.a && !(toks[p].kind == tPunct && (toks[p].norm == "," || isQuoteChar(toks[p].norm))) {
			return attr{}, false
		}
		c.np, c.appos = subjectAfter(toks, s, vEnd)
		// ", said 3 soldiers were hurt": a clause, not an inverted subject.
		if c.np.empty() || toks[c.np.a].kind == tNum {
			return attr{}, false
		}
	}
	if verb == "told" || verb == "tells" {
		// "told AFP", "told the magazine": the outlet carried it.
		o := vEnd
		if o < s.b && toks[o].norm == "the" {
			o++
		}
		if o < s.b {
			e := o
			for e < s.b && toks[e].kind == tWord && (toks[e].has(fUpper) || toks[e].has(fCaps)) {
				e++
			}
			if e > o && tg.isOutlet(span{o, e}, orgAt) {
				c.via = span{o, e}
			}
		}
	}
	return c, true
}

// subjectBefore reads the speaker phrase that ends just before the verb at k.
func subjectBefore(toks []token, s sentence, k int, ignoreQuotes bool) span {
	j := k - 1
	for j >= s.a {
		u := &toks[j]
		if u.kind == tWord && auxBeforeVerb[u.norm] && !u.has(fCaps) {
			j--
			continue
		}
		// "He, however, stressed"
		if u.norm == "," && j-2 >= s.a && auxBeforeVerb[toks[j-1].norm] && toks[j-2].norm == "," {
			j -= 3
			continue
		}
		break
	}
	// "The SDF, which fought Isis ..., says"; "Farhad Shami, an SDF
	// spokesman, said": skip the aside to reach the subject.
	if j >= s.a && toks[j].norm == "," && !toks[j].has(fQuote) {
		if open := asideStart(toks, s, j); open > s.a {
			// "Her lawyer, Daniel Furner, said": the name is the speaker.
			if isNameSpan(toks, open+1, j) || acronymAside(toks, open, j) {
				return span{open + 1, j}
			}
			if sp := subjectBefore(toks, s, open, ignoreQuotes); !sp.empty() {
				return sp
			}
		}
	}
	end := j + 1
	cs := end
	for cs-1 >= s.a {
		u := &toks[cs-1]
		if u.has(fQuote) && !ignoreQuotes {
			break
		}
		if u.kind == tPunct {
			if u.norm == ")" {
				// Skip a bracketed aside inside the subject.
				m := cs - 2
				for m >= s.a && toks[m].norm != "(" && cs-m < 12 {
					m--
				}
				if m >= s.a && toks[m].norm == "(" {
					cs = m
					continue
				}
				break
			}
			if u.norm == "." || (isJoiner(u.norm) && !u.has(fSpaced)) {
				cs--
				continue
			}
			break
		}
		if u.kind == tWord && clauseBreakWords[u.norm] {
			break
		}
		cs--
	}
	for cs < end && (leadingConnectives[toks[cs].norm] || toks[cs].kind == tPunct) {
		cs++
	}
	// "In January 2015 a tribal leader in Mosul said": a leading
	// circumstance is not part of the subject.
	// "In a statement posted online, Amaq claimed": an article straight
	// after the preposition opens its object, and a verb ending that
	// phrase is a participle, not a verb of attribution.
	if cs < end && asidePreps[toks[cs].norm] {
		found := false
		for m := cs + 2; m < end-1; m++ {
			if isArticle(toks[m].norm) {
				cs, found = m, true
				break
			}
		}
		if !found && cs+1 < end && isArticle(toks[cs+1].norm) {
			return span{}
		}
	}
	// "The ministry said 40 people died and the Observatory said": a
	// subject does not hold a number or a verb of speech before "and".
	for m := end - 1; m > cs; m-- {
		if toks[m].norm != "and" {
			continue
		}
		for n := cs; n < m; n++ {
			if toks[n].kind == tNum || toks[n].kind == tWord && !toks[n].has(fUpper) && isSpeechVerb(toks[n].norm) {
				cs = m + 1
				break
			}
		}
		break
	}
	end = cutPhrase(toks, cs, end)
	if !validSpeaker(toks, cs, end) {
		// "ISWAP in a post seen by ... said": the name before the circumstance.
		cut := -1
		for m := cs + 1; m < end; m++ {
			if toks[m].kind == tWord && asidePreps[toks[m].norm] {
				cut = m
				break
			}
		}
		if cut < 0 || !validSpeaker(toks, cs, cut) {
			return span{}
		}
		end = cut
	}
	// "Omar Lamrani, a senior analyst at Stratfor, told ...": the phrase is
	// an apposition; the name before it is the speaker.
	if cs-2 >= s.a && toks[cs-1].norm == "," && isAppositive(toks, cs, end) {
		n := cs - 1
		for n-1 >= s.a && (toks[n-1].kind == tWord && (toks[n-1].has(fUpper) || nameParticles[toks[n-1].norm]) || toks[n-1].norm == "." || isJoiner(toks[n-1].norm) && !toks[n-1].has(fSpaced)) && cs-1-n < 6 {
			n--
		}
		for n < cs-1 && !isNameSpan(toks, n, cs-1) {
			n++
		}
		if n < cs-1 {
			return span{n, cs - 1}
		}
	}
	return span{cs, end}
}

// isAppositive reports "a senior military analyst at Stratfor": an
// article, then a role noun within a few words.
func isAppositive(toks []token, a, b int) bool {
	if toks[a].norm != "a" && toks[a].norm != "an" && toks[a].norm != "the" {
		return false
	}
	for m := a + 1; m < b && m <= a+4; m++ {
		if roleNouns[toks[m].norm] || titleWords[toks[m].norm] {
			return true
		}
	}
	return false
}

// subjectAfter reads the speaker after an inverted verb: "said the US
// secretary", "said a joint communique issued on Monday" (cut at
// "issued"), and a name in apposition after it.
func subjectAfter(toks []token, s sentence, k int) (span, span) {
	e := k
	for e < s.b && e-k < 14 {
		u := &toks[e]
		if u.has(fQuote) {
			break
		}
		if u.kind == tPunct {
			if u.norm == "." && e > k && abbreviations[toks[e-1].norm] || isJoiner(u.norm) && !u.has(fSpaced) {
				e++
				continue
			}
			break
		}
		if u.kind == tPoss {
			e++
			continue
		}
		if u.kind == tWord && !u.has(fUpper) && inversionStop[u.norm] {
			break
		}
		e++
	}
	stop := e
	e = cutPhrase(toks, k, e)
	if !validSpeaker(toks, k, e) {
		return span{}, span{}
	}
	// The inverted subject ends the clause: "..., said the report." but not
	// "..., says it lacks the resources to ...".
	if e == stop && stop < s.b && toks[stop].kind == tWord {
		switch toks[stop].norm {
		case "to", "that", "which", "than", "and", "but":
			return span{}, span{}
		}
	}
	if pronouns[toks[k].norm] && e-k > 1 {
		return span{}, span{}
	}
	np := span{k, e}
	// ", Rasha Muhrez." after the phrase
	if e < s.b && toks[e].norm == "," {
		a := e + 1
		b := a
		for b < s.b && toks[b].kind == tWord && (toks[b].has(fUpper) || nameParticles[toks[b].norm]) || b < s.b && isJoiner(toks[b].norm) && !toks[b].has(fSpaced) {
			b++
		}
		if b-a >= 2 && (b >= s.b || toks[b].norm == "." || toks[b].norm == ",") {
			return np, span{a, b}
		}
	}
	return np, span{}
}

// accordingNP reads the phrase after "according to", up to a comma.
func accordingNP(toks []token, k, end int) span {
	e := k
	for e < end && e-k < 16 {
		u := &toks[e]
		initial := u.norm == "." && e > k && toks[e-1].end-toks[e-1].start == 1 && e+1 < end && !toks[e+1].has(fSpaced)
		if u.kind == tPunct && !(u.norm == "." && e > k && abbreviations[toks[e-1].norm]) && !initial && !(isJoiner(u.norm) && !u.has(fSpaced)) && u.norm != "(" && u.norm != ")" {
			break
		}
		e++
	}
	if e == k {
		return span{}
	}
	return span{k, e}
}

// cutPhrase ends a speaker phrase before a participle or relative clause:
// "a report by the UN team presented to the Council" -> "a report by the UN team".
func cutPhrase(toks []token, a, b int) int {
	for m := a + 1; m < b; m++ {
		u := &toks[m]
		if u.kind != tWord || u.has(fUpper) {
			continue
		}
		switch u.norm {
		case "who", "which", "that", "whose", "where":
			return m
		}
		if isParticiple(u.norm) && m+1 < b && prepLike(&toks[m+1]) {
			return m
		}
		if isParticiple(u.norm) && m+1 == b {
			return m
		}
	}
	return b
}

func isParticiple(w string) bool {
	switch w {
	case "seen", "shown", "written", "given", "taken", "made", "known", "held", "sent", "brought", "obtained":
		return true
	}
	return len(w) > 4 && strings.HasSuffix(w, "ed")
}

func prepLike(t *token) bool {
	if t.kind != tWord {
		return false
	}
	switch t.norm {
	case "to", "by", "on", "in", "at", "from", "for", "with", "during", "after", "last", "this",
		"yesterday", "today", "earlier", "monday", "tuesday", "wednesday", "thursday", "friday",
		"saturday", "sunday", "late", "early", "before", "into", "under", "over":
		return true
	}
	return false
}

// validSpeaker checks the head of a speaker phrase: a name, a pronoun, or
// a noun such as "officials", "report", "ministry".
func validSpeaker(toks []token, a, b int) bool {
	if a >= b {
		return false
	}
	words := 0
	h := -1
	for m := a; m < b; m++ {
		if toks[m].isWord() {
			words++
			h = m
		}
	}
	if words == 0 || words > 14 || h < 0 {
		return false
	}
	ht := &toks[h]
	if words == 1 && pronouns[ht.norm] {
		return true
	}
	if ht.kind == tNum {
		return false
	}
	if ht.has(fUpper) || ht.has(fCaps) {
		return !badHeads[ht.norm] || ht.has(fCaps)
	}
	if isSourceHead(ht.norm) {
		return true
	}
	// "a day-to-day monitoring of reported attacks across the country":
	// the head stands before the first "of".
	for m := a + 1; m < h; m++ {
		if toks[m].norm == "of" {
			p := &toks[m-1]
			return p.kind == tWord && !p.has(fUpper) && isSourceHead(p.norm)
		}
	}
	return false
}

func isSourceHead(w string) bool {
	return sourceNouns[w] || english.headKind[w] != "" || english.anonymous[w]
}

// isOutlet reports a phrase that names a news outlet.
func (tg *Tagger) isOutlet(sp span, orgAt []int32) bool {
	for m := sp.a; m < sp.b && m < len(orgAt); m++ {
		if i := orgAt[m]; i >= 0 && tg.orgs[i].outlet {
			return true
		}
	}
	return false
}

// asideStart finds the comma that opens an aside closed by the comma at j,
// when the aside reads as one: a relative clause, a participle, an
// apposition or an age. It returns the opening comma's index, or -1.
func asideStart(toks []token, s sentence, j int) int {
	for m := j - 1; m > s.a && j-m <= 32; m-- {
		u := &toks[m]
		if u.has(fQuote) || (u.kind == tPunct && u.norm != "," && u.norm != "." && u.norm != "(" && u.norm != ")" && !isJoiner(u.norm)) {
			return -1
		}
		if u.norm != "," {
			continue
		}
		if m+1 >= j {
			return -1
		}
		f := &toks[m+1]
		switch {
		case f.kind == tNum:
		case f.kind == tWord && (f.norm == "who" || f.norm == "which" || f.norm == "a" || f.norm == "an" || f.norm == "the" || f.norm == "its" || f.norm == "his" || f.norm == "her" || f.norm == "their" || f.norm == "aged" || f.norm == "whose" || f.norm == "also" || f.norm == "however"):
		case f.kind == tWord && !f.has(fUpper) && (isParticiple(f.norm) || strings.HasSuffix(f.norm, "ing")):
		case f.kind == tWord && (roleNouns[f.norm] || titleWords[f.norm]):
		case f.kind == tWord && asidePreps[f.norm] && (isNameSpan(toks, openName(toks, s, m), m) || toks[m-1].kind == tWord && toks[m-1].has(fUpper)):
			// "Capt. Ahmed al Jubouri, in a telephone interview from ...,
			// said": a circumstance between a name and its verb.
		case isNameSpan(toks, m+1, j) && m > s.a && !toks[m-1].has(fUpper):
		case acronymAside(toks, m, j):
			// "The UN's humanitarian office, OCHA, said"
		default:
			return -1
		}
		return m
	}
	return -1
}

// isNameSpan reports two to four capitalised words (with particles).
func isNameSpan(toks []token, a, b int) bool {
	n := 0
	for m := a; m < b; m++ {
		t := &toks[m]
		switch {
		case n == 0 && t.kind == tWord && titleWords[t.norm] && t.has(fUpper):
			// "Col. Wayne Marotto": titles before the name.
		case n == 0 && t.kind == tPunct && t.norm == "." && m > a && abbreviations[toks[m-1].norm]:
		case n > 0 && t.kind == tPunct && t.norm == "." && toks[m-1].end-toks[m-1].start == 1 && toks[m-1].has(fUpper):
			// "Michael E. Kurilla": a middle initial.
		case t.kind == tWord && t.has(fUpper) && !t.has(fCaps) && !notNames[t.norm] && !titleWords[t.norm]:
			n++
		case t.kind == tWord && nameParticles[t.norm]:
		case t.kind == tPunct && isJoiner(t.norm) && !t.has(fSpaced):
		default:
			return false
		}
	}
	return n >= 2 && n <= 4
}

// transitiveOnly verbs attribute words only when a clause or quote follows.
var transitiveOnly = english.transitive

func opensReport(t *token) bool {
	if t.kind == tPunct {
		return isQuoteChar(t.norm) || t.norm == "," || t.norm == ":"
	}
	return t.norm == "that" || t.norm == "to" || t.norm == "it" || t.norm == "he" || t.norm == "she" || t.norm == "they"
}

// badHeads cannot end a speaker phrase even when capitalised.
var badHeads = map[string]bool{
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "january": true, "february": true, "march": true,
	"april": true, "may": true, "june": true, "july": true, "august": true, "september": true,
	"october": true, "november": true, "december": true, "the": true, "a": true, "an": true,
	"in": true, "on": true, "at": true, "this": true, "that": true, "it": true, "but": true,
	"and": true, "however": true, "meanwhile": true, "also": true, "there": true,
	"all": true, // "All told, 300 died"
}

// determiners before a word make it a noun: "its estimates".
var determiners = english.determiners

// asidePreps open a circumstance between a name and its verb.
var asidePreps = english.asidePreps

// openName returns the first token of the name that ends before the comma at m.
func openName(toks []token, s sentence, m int) int {
	n := m
	for n-1 >= s.a && n > m-7 {
		u := &toks[n-1]
		if u.kind == tWord && (u.has(fUpper) || nameParticles[u.norm]) || u.norm == "." || isJoiner(u.norm) && !u.has(fSpaced) {
			n--
			continue
		}
		break
	}
	for n < m && !isNameSpan(toks, n, m) {
		n++
	}
	return n
}

// byNounBefore reports a noun or participle of attribution just before
// the "by" at k: "an estimate by", "as confirmed by", "a report released by".
func byNounBefore(toks []token, s sentence, k int) bool {
	for m := k - 1; m >= s.a && m >= k-3; m-- {
		u := &toks[m]
		if u.kind != tWord {
			return false
		}
		if english.byNouns[u.norm] {
			return true
		}
	}
	return false
}

// byNounAfter reports "'s count" or "' estimates" after the agent at e.
func byNounAfter(toks []token, e, end int) bool {
	if e >= end || !(toks[e].kind == tPoss || toks[e].norm == "'" || toks[e].norm == "’") {
		return false
	}
	for m := e + 1; m < end && m <= e+3; m++ {
		if english.byNouns[toks[m].norm] {
			return true
		}
	}
	return false
}

// byAgent reads the agent after "by": a name or a phrase up to punctuation,
// a clause word or a verb; "by the command's count" stops before the
// possessive.
func byAgent(toks []token, k, end int) span {
	e := k
	for e < end && e-k < 12 {
		u := &toks[e]
		if u.kind == tPoss {
			break
		}
		if u.kind == tPunct {
			if u.norm == "." && e > k && (abbreviations[toks[e-1].norm] || toks[e-1].end-toks[e-1].start == 1) || isJoiner(u.norm) && !u.has(fSpaced) || u.norm == "(" || u.norm == ")" {
				e++
				continue
			}
			break
		}
		if u.kind == tWord && !u.has(fUpper) && (inversionStop[u.norm] || clauseBreakWords[u.norm] || auxVerbs[u.norm] || isSpeechVerb(u.norm)) && u.norm != "of" {
			break
		}
		e++
	}
	// An apostrophe alone ends a plural possessive: "by Airwars' count".
	for m := k; m < e; m++ {
		if toks[m].norm == "'" || toks[m].norm == "’" {
			e = m
			break
		}
	}
	e = cutPhrase(toks, k, e)
	if !validSpeaker(toks, k, e) || pronouns[toks[k].norm] {
		return span{}
	}
	return span{k, e}
}

// clauseFollows reports a reported clause without "that" after a verb:
// "the group claimed 20 soldiers were killed", not "ISKP claimed the
// bombing that killed 170": a finite auxiliary within a few words, before
// any relative pronoun.
func clauseFollows(toks []token, k, end int) bool {
	for m := k; m < end && m < k+8; m++ {
		t := &toks[m]
		if t.kind == tPunct {
			return false
		}
		switch t.norm {
		case "that", "which", "who", "whose", "where", "when":
			return false
		}
		if m > k && auxVerbs[t.norm] && !t.has(fCaps) {
			return true
		}
	}
	return false
}

// quotedAsSaying reads "quoted X as saying" (X speaks) and "X was quoted as
// saying" (the subject speaks) around the "quoted" or "cited" at k.
func quotedAsSaying(toks []token, s sentence, k int) (attr, bool) {
	as := -1
	for m := k + 1; m+1 < s.b && m <= k+12; m++ {
		if toks[m].norm == "as" && (toks[m+1].norm == "saying" || toks[m+1].norm == "having") {
			as = m
			break
		}
		if toks[m].kind == tPunct && toks[m].norm != "." && toks[m].norm != "," && !isJoiner(toks[m].norm) {
			break
		}
	}
	if as < 0 {
		return attr{}, false
	}
	if as == k+1 && k > s.a && (toks[k-1].norm == "was" || toks[k-1].norm == "were") {
		np := subjectBefore(toks, s, k-1, false)
		return attr{verb: "quoted", np: np, strong: true}, !np.empty()
	}
	np := span{k + 1, as}
	for np.a < np.b && toks[np.b-1].norm == "," {
		np.b--
	}
	if !validSpeaker(toks, np.a, np.b) {
		return attr{}, false
	}
	return attr{verb: "quoted", np: np, strong: true}, true
}

func isArticle(w string) bool { return w == "a" || w == "an" || w == "the" }

// acronymAside reports ", OCHA," between commas at m and j after a
// lower-case source noun: the body's own short name.
func acronymAside(toks []token, m, j int) bool {
	if j != m+2 || m < 1 {
		return false
	}
	f, p := &toks[m+1], &toks[m-1]
	return f.kind == tWord && f.has(fCaps) && len(f.norm) >= 2 && p.kind == tWord && !p.has(fUpper) && isSourceHead(p.norm)
}

// possessiveSource reads "X's [own, latest] estimate": the owner of an
// estimate before the possessive at k is a source.
func possessiveSource(toks []token, s sentence, k int) (span, bool) {
	m := k + 1
	for n := 0; m < s.b && n < 2 && toks[m].kind == tWord && english.determiners[toks[m].norm]; n++ {
		m++
	}
	if m >= s.b || toks[m].kind != tWord || !english.possNouns[toks[m].norm] {
		return span{}, false
	}
	// The estimate heads its phrase: "the group's count of 300", not
	// "the group's count-down".
	if m+1 < s.b && toks[m+1].kind == tPunct && isJoiner(toks[m+1].norm) && !toks[m+1].has(fSpaced) {
		return span{}, false
	}
	np := subjectBefore(toks, s, k, false)
	// "by Airwars' count" is the "by" rule's.
	if np.empty() || prepLike(&toks[np.a]) || !toks[np.b-1].has(fUpper) && !isSourceHead(toks[np.b-1].norm) {
		return span{}, false
	}
	return np, true
}

// bareApostrophe reports the possessive of a name ending in s: "Airwars' count".
func bareApostrophe(toks []token, s sentence, k int) bool {
	t := &toks[k]
	if (t.norm != "'" && t.norm != "’") || t.has(fSpaced) || k == s.a || k+1 >= s.b {
		return false
	}
	p := &toks[k-1]
	return p.kind == tWord && strings.HasSuffix(p.norm, "s") && toks[k+1].has(fSpaced)
}

// colonQuote reads "Dorrian put it bluntly: “We killed 40 fighters.”": a
// sentence opening with a name whose words after a colon are all a
// quotation quotes that name.
func colonQuote(toks []token, s sentence) (attr, bool) {
	e := s.a
	for e < s.b && (toks[e].kind == tWord && (toks[e].has(fUpper) || nameParticles[toks[e].norm]) || toks[e].kind == tPunct && (toks[e].norm == "." || isJoiner(toks[e].norm) && !toks[e].has(fSpaced))) {
		e++
	}
	if e == s.a || e >= s.b || toks[e].kind != tWord || toks[e].has(fQuote) || !validSpeaker(toks, s.a, e) {
		return attr{}, false
	}
	for k := e; k+1 < s.b; k++ {
		if toks[k].has(fQuote) || toks[k].kind == tPunct && isQuoteChar(toks[k].norm) {
			return attr{}, false
		}
		if toks[k].norm == ":" {
			if !isQuoteChar(toks[k+1].norm) {
				return attr{}, false
			}
			for m := k + 2; m < s.b; m++ {
				if toks[m].isWord() && !toks[m].has(fQuote) {
					return attr{}, false
				}
			}
			return attr{verb: ":", np: span{s.a, e}}, true
		}
	}
	return attr{}, false
}
