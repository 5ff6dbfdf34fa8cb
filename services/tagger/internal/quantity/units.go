package quantity

import "strings"

// unitAfter reads the unit that follows a number ending before token j. It
// returns the unit, the byte offset where it ends (0 if none), the token to
// continue from, and skip when the number turns out not to be a quantity
// ("two weeks ago", "a 25-year-old").
func (p *Parser) unitAfter(text string, toks []tok, j int, n number, cur string) (unit string, uend, next int, skip bool) {
	next = j
	if j >= len(toks) {
		return "", 0, j, false
	}
	t := toks[j]
	if t.text == "%" {
		return "percent", t.end, j + 1, false
	}
	// "80 [percent]": a unit an editor put in brackets.
	if t.text == "[" && j+2 < len(toks) && toks[j+2].text == "]" {
		if u, k, ok := matchUnitPhrase(toks, j+1); ok && k == j+2 {
			return u, toks[j+2].end, j + 3, false
		}
	}
	// Hyphenated adjectives: a two-year war, a 20-metre tunnel.
	if (t.text == "-" || t.text == "–") && !t.spaced && j+1 < len(toks) && !toks[j+1].spaced && toks[j+1].kind == kWord {
		w := toks[j+1]
		if d, ok := durations[w.low]; ok {
			if j+3 < len(toks) && toks[j+2].text == "-" && toks[j+3].low == "old" {
				return "", 0, j + 4, true // an age
			}
			return d, w.end, j + 2, false
		}
		if u, k, ok := matchUnitPhrase(toks, j+1); ok {
			return u, toks[k-1].end, k, false
		}
		// "a 2-square-mile area"
		if w.low == "square" && j+3 < len(toks) && toks[j+2].text == "-" && !toks[j+3].spaced {
			if u, ok := squareUnits[toks[j+3].low]; ok {
				return u, toks[j+3].end, j + 4, false
			}
		}
		// "a 5,000-strong force": fighters, or people for other bodies.
		if w.low == "strong" {
			u := "people"
			if j+2 < len(toks) && armedBodies[toks[j+2].low] {
				u = "fighters"
			}
			return u, w.end, j + 2, false
		}
		// "a 60-member coalition", "a 4,000-seat stadium": the noun is the unit.
		if !w.upper && countable(w.low) && !(j+2 < len(toks) && toks[j+2].text == "-") {
			if pl, ok := singulars[w.low]; ok {
				return pl, w.end, j + 2, false
			}
			return plural(w.low), w.end, j + 2, false
		}
		return "", 0, j, false
	}
	if u, k, ok := matchUnitPhrase(toks, j); ok {
		if n.suffixM && (u == "percent") {
			return u, toks[k-1].end, k, false
		}
		return u, toks[k-1].end, k, false
	}
	if d, ok := durations[t.low]; ok && t.kind == kWord {
		if j+1 < len(toks) && (toks[j+1].low == "old" || toks[j+1].low == "earlier" || toks[j+1].low == "before") {
			return "", 0, j + 2, true // a point in time or an age, not a duration
		}
		// "the first eight months of 2017": a period tied to a year.
		if j+2 < len(toks) && toks[j+1].low == "of" && (toks[j+2].kind == kNum && toks[j+2].ndig == 4 || toks[j+2].low == "this" || toks[j+2].low == "last") {
			return "", 0, j + 2, true
		}
		if n.word && n.val == 1 && toks[n.first].low == "a" {
			return "", 0, j + 1, true // "a day earlier", "a year": no count
		}
		return d, t.end, j + 1, false
	}
	if n.suffixM {
		// "4m people" is four million; "a 4m wall" is metres.
		if u, e, k := p.nounPhrase(text, toks, j, n); u != "" && (looksPlural(toks[k-1]) || collectives[toks[k-1].low]) {
			return u, e, k, false
		}
		return "m", toks[j-1].end, j, false
	}
	if cur != "" {
		return "", 0, j, false
	}
	// "12 of them": the unit of the number before.
	if t.low == "of" && j+1 < len(toks) {
		switch toks[j+1].low {
		case "them", "those", "these":
			return "", 0, j + 2, false
		}
	}
	// "three of his aides", "two of the victims".
	if t.low == "of" && !n.one && j+2 < len(toks) {
		switch toks[j+1].low {
		case "his", "her", "its", "their", "the", "these", "those", "our":
			if u, e, k := p.nounPhrase(text, toks, j+2, n); u != "" && k > j+2 && (looksPlural(toks[k-1]) || collectives[toks[k-1].low]) {
				return u, e, k, false
			}
		}
	}
	if u, e, k := p.nounPhrase(text, toks, j, n); u != "" {
		return u, e, k, false
	}
	return "", 0, j, false
}

// matchUnitPhrase matches a fixed unit starting at token j.
func matchUnitPhrase(toks []tok, j int) (string, int, bool) {
	for _, up := range unitPhrases {
		if j+len(up.Words) > len(toks) {
			continue
		}
		ok := true
		for k, w := range up.Words {
			if toks[j+k].low != w {
				ok = false
				break
			}
		}
		if ok {
			return up.To, j + len(up.Words), true
		}
	}
	return "", j, false
}

// piece is a word, or words joined by hyphens (gun-trucks), in a noun phrase.
type piece struct{ first, last int }

// nounPhrase reads the counted noun after a number: "foreign fighters",
// "Iraqi army", "ISF". It returns the unit, its end offset and the next token.
func (p *Parser) nounPhrase(text string, toks []tok, j int, n number) (string, int, int) {
	var ps [5]piece
	np := 0
	k := j
	for k < len(toks) && np < 4 {
		t := toks[k]
		if t.kind != kWord {
			break
		}
		if !t.caps && npStop[t.low] {
			break
		}
		if t.upper && monthWords[t.low] && (t.low != "may" || t.text == "May") {
			break
		}
		if _, isNum := smallNumbers[t.low]; isNum {
			break
		}
		if _, isNum := tensNumbers[t.low]; isNum {
			break
		}
		pc := piece{first: k, last: k}
		for pc.last+2 < len(toks) && toks[pc.last+1].text == "-" && !toks[pc.last+1].spaced && !toks[pc.last+2].spaced && toks[pc.last+2].kind == kWord {
			pc.last += 2
		}
		ps[np] = pc
		np++
		k = pc.last + 1
	}
	if np == 0 {
		return "", 0, j
	}
	head := -1
	for i := 0; i < np; i++ {
		t := toks[ps[i].last]
		if looksPlural(t) || collectives[t.low] {
			head = i
		}
	}
	// "34,402 air and artillery strikes": modifiers joined by "and" share
	// the plural head after them.
	if head < 0 && !n.one && n.val != 1 && k+2 < len(toks) && (toks[k].low == "and" || toks[k].low == "or") && toks[k+1].kind == kWord && !toks[k+1].upper {
		if u, e, k2 := p.nounPhrase(text, toks, k+1, n); u != "" && (looksPlural(toks[k2-1]) || collectives[toks[k2-1].low]) && !toks[ps[0].first].upper {
			return joinWords(text, toks, ps[0].first, k2-1), e, k2
		}
	}
	// "one ISIL armed vehicle": the head of a singular count is its last noun.
	if head < 0 && (n.one || n.val == 1) && np > 1 {
		if w := toks[ps[np-1].last]; !w.upper && countable(w.low) {
			if pl, ok := singulars[w.low]; ok {
				return pl, w.end, ps[np-1].last + 1
			}
			return plural(w.low), w.end, ps[np-1].last + 1
		}
	}
	from := 0
	if head < 0 {
		// A proper or collective noun with no plural: ISF, Pashmerga, Iraqi army.
		t := toks[ps[0].first]
		switch {
		case n.one && !t.caps && t.upper:
			return "", 0, j // "One Napa County": a determiner, not a count
		case (t.upper || t.caps) && !badProperUnit(t):
			head = 0
			for head+1 < np && (toks[ps[head+1].first].upper || collectives[toks[ps[head+1].last].low]) {
				head++
			}
			if head == 0 && np > 1 {
				// "Syrian soldier", "one ISIL building": a name before a
				// singular noun qualifies the noun, which is what is counted.
				w := toks[ps[1].last]
				if pl, ok := singulars[w.low]; ok {
					if n.one || n.val == 1 {
						return pl, w.end, ps[1].last + 1
					}
					head = 1
				} else if (n.one || n.val == 1) && !w.upper && countable(w.low) {
					return plural(w.low), w.end, ps[1].last + 1
				}
			}
		default:
			if pl, ok := singulars[t.low]; ok && (n.one || n.val == 1) {
				return pl, toks[ps[0].last].end, ps[0].last + 1
			}
			if (n.one || n.val == 1) && ps[0].first == ps[0].last && countable(t.low) {
				return plural(t.low), t.end, ps[0].last + 1
			}
			return "", 0, j
		}
	}
	if head > 0 && p.drop[toks[ps[0].first].low] {
		from = 1
	}
	// "10,000 Islamic State fighters", "2,000 US troops": names before a
	// lower-case head only say whose; the head is what is counted.
	if hd := toks[ps[head].first]; head > from && !hd.upper {
		proper := true
		for i := from; i < head; i++ {
			if u := toks[ps[i].first]; !u.upper && !u.caps {
				proper = false
			}
		}
		if proper {
			from = head
		}
	}
	last := toks[ps[head].last]
	if from == head && ps[head].first == ps[head].last {
		if pl, ok := singulars[last.low]; ok && (n.one || n.val == 1) {
			return pl, last.end, ps[head].last + 1
		}
	}
	return joinWords(text, toks, ps[from].first, ps[head].last), last.end, ps[head].last + 1
}

// joinWords returns the surface of tokens first..last of text with single
// spaces.
func joinWords(text string, toks []tok, first, last int) string {
	// Words written so already are a slice of the text: no copy needed.
	if oneSpaced(text, toks, first, last) {
		return text[toks[first].start:toks[last].end]
	}
	var b strings.Builder
	for k := first; k <= last; k++ {
		if k > first && toks[k].spaced {
			b.WriteByte(' ')
		}
		b.WriteString(toks[k].text)
	}
	return b.String()
}

// oneSpaced reports tokens first..last each joined to the one before or
// one ' ' after it.
func oneSpaced(text string, toks []tok, first, last int) bool {
	for k := first + 1; k <= last; k++ {
		s, prev := toks[k].start, toks[k-1].end
		if toks[k].spaced {
			if s != prev+1 || text[prev] != ' ' {
				return false
			}
		} else if s != prev {
			return false
		}
	}
	return true
}

// resolve gives bare numbers the unit of their neighbour ("29 strikes ... and
// another 34", "2,500, 2,100 and 2,000 people", "two or three days"), of
// the quantity before them in the sentence ("5,946 airstrikes, 2,657 in
// Iraq"), or of the counted noun the sentence names ("the number of
// weapons ... is 32,801"), and drops those that stay bare.
func resolve(text string, toks []tok, cands []cand) []Match {
	out := make([]Match, 0, len(cands))
	// Right to left, so that a list takes the unit written after its last
	// member.
	for i := len(cands) - 1; i >= 0; i-- {
		c := &cands[i]
		if !c.bare || c.inherit {
			continue
		}
		if i+1 < len(cands) && !cands[i+1].bare && cands[i+1].Start >= c.End {
			gap := strings.TrimSpace(text[c.End:cands[i+1].Start])
			switch strings.ToLower(gap) {
			case "and", "or", "to", ",", "of the", "out of", "out of the", "of":
				c.Unit, c.bare = cands[i+1].Unit, false
			}
		}
	}
	for i := range cands {
		c := &cands[i]
		if !c.bare {
			continue
		}
		if c.inherit && i > 0 && cands[i-1].Unit != "" {
			c.Unit, c.bare = cands[i-1].Unit, false
			continue
		}
		if u := comparableBefore(text, cands, i); u != "" {
			c.Unit, c.bare = u, false
			continue
		}
		// "a town of 70,000": the people of a place.
		if k := c.first; k >= 2 && toks[k-1].low == "of" && placeNouns[toks[k-2].low] {
			c.Unit, c.bare = "people", false
			continue
		}
		if u := countedNounBefore(toks, c.first); u != "" {
			c.Unit, c.bare = u, false
		}
	}
	// "killed 50 civilians and wounded 284 others": the others are of the
	// kind counted before, and people when nothing was.
	for i := range cands {
		if c := &cands[i]; c.Unit == "others" {
			c.Unit = "people"
			if u := comparableBefore(text, cands, i); u != "" {
				c.Unit = u
			}
		}
	}
	for _, c := range cands {
		if !c.bare {
			out = append(out, c.Match)
		}
	}
	return out
}

// comparableBefore returns the unit of the nearest quantity before cands[i]
// in its sentence that counts something of the same order: "5,946
// airstrikes, 2,657 in Iraq" but not "at least one weapon ... last year's
// 11,825". Durations and "others" lend no unit.
func comparableBefore(text string, cands []cand, i int) string {
	c := &cands[i]
	for k := i - 1; k >= 0; k-- {
		p := &cands[k]
		if !sameSentence(text, p.End, c.Start) {
			return ""
		}
		if p.bare || isDuration(p.Unit) || p.Unit == "others" {
			continue
		}
		a, b := magnitude(p), magnitude(c)
		if a > 0 && b > 0 && a/b < 100 && b/a < 100 {
			return p.Unit
		}
	}
	return ""
}

// magnitude is a candidate's value, or the low end of its range.
func magnitude(c *cand) float64 {
	switch {
	case c.Value != nil:
		return *c.Value
	case c.Low != nil:
		return *c.Low
	}
	return 0
}

// sameSentence reports no sentence end in text[a:b].
func sameSentence(text string, a, b int) bool {
	if a > b {
		return false
	}
	for i := a; i+1 < b; i++ {
		if (text[i] == '.' || text[i] == '?' || text[i] == '!' || text[i] == ';') && text[i+1] == ' ' {
			return false
		}
	}
	return true
}

func isDuration(unit string) bool {
	for _, d := range durations {
		if d == unit {
			return true
		}
	}
	return false
}

// countedNounBefore reads the thing a sentence counts before a bare number:
// "the number of weapons ... is 32,801", "the death toll to 28", "a
// population of 30,000".
func countedNounBefore(toks []tok, i int) string {
	for k := i - 1; k >= 0 && i-k <= 24; k-- {
		t := &toks[k]
		if t.kind == kSym && (t.text == "." || t.text == ";" || t.text == "?" || t.text == "!") {
			return ""
		}
		if t.kind != kWord {
			continue
		}
		if u, ok := countedNouns[t.low]; ok && (k == 0 || toks[k-1].low != "no") {
			if u != "" {
				return u
			}
			// "number of X": X, plural, is the unit.
			if k+2 < i && toks[k+1].low == "of" && toks[k+2].kind == kWord && !npStop[toks[k+2].low] {
				w := toks[k+2]
				if k+3 < i && toks[k+3].kind == kWord && !npStop[toks[k+3].low] && (looksPlural(toks[k+3]) || collectives[toks[k+3].low]) {
					w = toks[k+3] // "the number of displaced people"
				}
				if looksPlural(w) || collectives[w.low] {
					return w.low
				}
			}
		}
	}
	return ""
}

// badProperUnit rejects capitalised words that cannot be a counted unit:
// "18 Northern (California counties)", "3 Hospitalized".
func badProperUnit(t tok) bool {
	switch t.low {
	case "northern", "southern", "eastern", "western", "central", "north", "south", "east", "west":
		return true
	}
	return !t.caps && (strings.HasSuffix(t.low, "ed") || strings.HasSuffix(t.low, "ing") || strings.HasSuffix(t.low, "ly"))
}

// countable reports a lower-case word that can be the noun "one" counts:
// not a function word, an adverb, a participle or a gerund.
func countable(w string) bool {
	if len(w) < 3 || npStop[w] || notPlural[w] {
		return false
	}
	for _, suf := range []string{"ly", "ed", "est"} {
		if strings.HasSuffix(w, suf) {
			return false
		}
	}
	return true
}

// plural is the English plural of a singular noun.
func plural(w string) string {
	switch {
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh"):
		return w + "es"
	case strings.HasSuffix(w, "y") && len(w) > 2 && !strings.ContainsRune("aeiou", rune(w[len(w)-2])):
		return w[:len(w)-1] + "ies"
	}
	return w + "s"
}
