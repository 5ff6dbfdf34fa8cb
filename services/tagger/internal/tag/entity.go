package tag

import (
	"strings"
)

// person is someone the article names.
type person struct {
	name    string
	role    string
	appos   string // an apposition after a titled name: "Col. X, the coalition spokesman,"
	surname string // folded last name
	first   string // folded first name, "" when only the surname is known
}

// discourse is what the reader remembers while going through the article:
// who was named, who spoke last. It resolves "he said", "the US secretary
// said", "both said" and "it added".
type discourse struct {
	persons  []person
	mentions []int // person indices in the order they were named
	lastPerson,
	lastPersonSpeaker int
	orgSpeakers []string // non-person speakers, oldest first
	sentFrom    int      // orgSpeakers before the sentence being resolved
	// The sentence before the one being resolved, when no person spoke
	// in it (prev is its index, else -1): "he" may be its subject.
	prev     int
	prevSent sentence
	// While the mention pass runs, mentions are recorded with their
	// sentence; the attribution pass replays them sentence by sentence.
	recording bool
	sentence  int
	events    []mentionEvent
	replayed  int
}

// mentionEvent is a person mentioned in a sentence.
type mentionEvent struct{ sentence, person int }

// replay applies the recorded mentions of sentences up to i.
func (ds *discourse) replay(i int) {
	for ds.replayed < len(ds.events) && ds.events[ds.replayed].sentence <= i {
		ds.apply(ds.events[ds.replayed].person)
		ds.replayed++
	}
}

func newDiscourse() *discourse {
	return &discourse{lastPerson: -1, lastPersonSpeaker: -1}
}

// addPerson registers a person or merges with a known one, and returns its index.
func (ds *discourse) addPerson(name, role string) int {
	name = strings.TrimSpace(name)
	parts := strings.Fields(name)
	if len(parts) == 0 {
		return -1
	}
	sur := fold(strings.TrimSuffix(strings.TrimSuffix(parts[len(parts)-1], "’s"), "'s"))
	first := ""
	if len(parts) > 1 {
		first = fold(parts[0])
	}
	for i := range ds.persons {
		p := &ds.persons[i]
		if p.surname != sur || (p.first != "" && first != "" && p.first != first) {
			continue
		}
		if first != "" && p.first == "" {
			p.name, p.first = name, first
		}
		if p.role == "" {
			p.role = role
		}
		ds.mention(i)
		return i
	}
	ds.persons = append(ds.persons, person{name: name, role: role, surname: sur, first: first})
	i := len(ds.persons) - 1
	ds.mention(i)
	return i
}

func (ds *discourse) mention(i int) {
	if ds.recording {
		ds.events = append(ds.events, mentionEvent{ds.sentence, i})
		return
	}
	ds.apply(i)
}

func (ds *discourse) apply(i int) {
	if n := len(ds.mentions); n == 0 || ds.mentions[n-1] != i {
		ds.mentions = append(ds.mentions, i)
	}
	ds.lastPerson = i
}

// bySurname finds a known person from a name as written ("Dillon",
// "Col. Dillon", "Mattis").
func (ds *discourse) bySurname(w string) int {
	w = fold(w)
	for i := len(ds.persons) - 1; i >= 0; i-- {
		if ds.persons[i].surname == w {
			return i
		}
	}
	return -1
}

// byRole finds the most recently named person whose role has every content
// word of the phrase: "the US secretary" -> US Defence Secretary James Mattis.
func (ds *discourse) byRole(words []string) int {
	if len(words) == 0 {
		return -1
	}
	for m := len(ds.mentions) - 1; m >= 0; m-- {
		p := ds.persons[ds.mentions[m]]
		if p.role == "" && p.appos == "" {
			continue
		}
		rw := map[string]bool{}
		for _, t := range tokenize(p.role+" "+p.appos, 0, nil) {
			if t.isWord() {
				rw[t.norm] = true
			}
		}
		all := true
		for _, w := range words {
			if !rw[w] {
				all = false
				break
			}
		}
		if all {
			return ds.mentions[m]
		}
	}
	return -1
}

// lastTwo returns the two most recently named distinct people.
func (ds *discourse) lastTwo() (int, int) {
	a, b := -1, -1
	for m := len(ds.mentions) - 1; m >= 0; m-- {
		i := ds.mentions[m]
		if a < 0 {
			a = i
			continue
		}
		if i != a {
			b = i
			break
		}
	}
	return b, a
}

// mentions is what the mention pass found: which tokens name places and
// organisations (known to the topic), and the people of the article with
// the sentence each is mentioned in, for the attribution pass to replay.
type mentions struct {
	blocked []bool  // token is part of a place or organisation name
	orgAt   []int32 // token's organisation, -1 if none
	placeAt []int32 // place starting at the token, -1 if none
	ds      *discourse
}

// mentionPass marks the places and organisations the matcher found in the
// body and reads the people of each sentence, with their roles, into a
// discourse that records, rather than applies, who is mentioned where.
// Its arrays come from ws.
func (tg *Tagger) mentionPass(dc *doc, sents []sentence, body []hit, ws *workspace) *mentions {
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
	ds := newDiscourse()
	ds.recording = true
	for i, s := range sents {
		if dc.lines[s.line].title {
			continue
		}
		ds.sentence = i
		tg.findPersons(dc, s, blocked, ds)
	}
	ds.recording = false
	return &mentions{blocked: blocked, orgAt: orgAt, placeAt: placeAt, ds: ds}
}

// piece is a word or hyphen-joined words inside a name run: al-Abadi.
type piece struct {
	a, b    int  // tokens a..b inclusive
	blocked bool // part of a place or organisation name
}

// findPersons reads people with their roles from one sentence and adds them
// to the discourse. blocked marks tokens that name places or organisations.
func (tg *Tagger) findPersons(dc *doc, s sentence, blocked []bool, ds *discourse) {
	toks, text := dc.toks, dc.text
	// Scratch for the name runs: a run rarely has more than a few pieces,
	// so these stay on the stack.
	var buf, buf2 [8]piece
	k := s.a
	for k < s.b {
		if !mayStartName(toks, k, s.b) {
			k++ // nameRun would return no run and k+1
			continue
		}
		run, next := nameRun(toks, text, k, s.b, blocked, buf[:0])
		if len(run) == 0 {
			k = next
			continue
		}
		k = next
		// Leading sentence words: "Under Iraqi Prime Minister ..."
		for len(run) > 0 && leadStrip[toks[run[0].a].norm] {
			run = run[1:]
		}
		if len(run) == 0 {
			continue
		}
		lt := -1
		for i, p := range run {
			if p.a == p.b && titleWords[toks[p.a].norm] {
				lt = i
			}
		}
		if lt >= 0 {
			rs := 0
			nameFrom := lt + 1
			if nameFrom < len(run) && toks[run[nameFrom].a].norm == "of" {
				// "Secretary of State Antony Blinken", "Minister of Foreign
				// Affairs": the role takes the piece after "of" and any
				// further words that name an office rather than a person.
				nameFrom += 2
				for nameFrom < len(run) && (notNames[toks[run[nameFrom].a].norm] || roleObjects[toks[run[nameFrom].a].norm]) {
					nameFrom++
				}
				if nameFrom > len(run) {
					nameFrom = len(run)
				}
			}
			re := run[nameFrom-1].b
			if re+1 < len(toks) && toks[re+1].norm == "." && !toks[re+1].has(fSpaced) {
				re++ // "Col." keeps its period
			}
			role := spanText(text, toks, run[rs].a, re)
			if nameFrom < len(run) && validName(toks, run[nameFrom:]) {
				i := ds.addPerson(namePieces(text, toks, run[nameFrom:]), role)
				// "Col. Myles Caggins, the coalition spokesman, said": the
				// apposition is how "the spokesman" refers back to him.
				if ap := apposRole(toks, text, run[len(run)-1].b+1, s.b); i >= 0 && ap != "" && ds.persons[i].appos == "" {
					ds.persons[i].appos = ap
				}
				continue
			}
			// "the Belgian ... Minister of Foreign Affairs, Didier Reynders"
			if k < s.b && toks[k].norm == "," {
				run2, next2 := nameRun(toks, text, k+1, s.b, blocked, buf2[:0])
				if len(run2) >= 2 && validName(toks, run2) && (next2 >= s.b || toks[next2].norm == "," || toks[next2].norm == "." || toks[next2].kind == tPoss) {
					ds.addPerson(namePieces(text, toks, run2), role)
					k = next2
				}
			}
			continue
		}
		// No title: a person only with a role before or an appositive after,
		// or when the surname is already known.
		if !validName(toks, run) {
			continue
		}
		first := run[0].a
		if role := roleBefore(toks, text, first, s.a); role != "" && len(run) <= 4 {
			ds.addPerson(namePieces(text, toks, run), role)
			continue
		}
		if len(run) >= 2 && len(run) <= 4 {
			if role := apposRole(toks, text, run[len(run)-1].b+1, s.b); role != "" {
				ds.addPerson(namePieces(text, toks, run), role)
				continue
			}
		}
		if i := ds.bySurname(toks[run[len(run)-1].a].norm); i >= 0 && len(run) <= 3 {
			ds.mention(i)
		}
	}
}

// mayStartName is a cheap test that nameRun's first case needs: a word,
// capitalised or followed by a joiner ("al-Abadi").
func mayStartName(toks []token, k, end int) bool {
	t := &toks[k]
	return t.kind == tWord && (t.has(fUpper|fCaps) || k+2 < end && isJoiner(toks[k+1].norm))
}

// nameRun reads capitalised words from k, with particles, hyphens, "of"
// inside titles and the period after abbreviated titles. It returns the
// pieces, appended to dst, and the index after the run.
func nameRun(toks []token, text string, k, end int, blocked []bool, dst []piece) ([]piece, int) {
	run := dst
	for k < end {
		t := &toks[k]
		switch {
		case t.kind == tWord && (t.has(fUpper) || t.has(fCaps)):
		// The map is looked up last: most words fail the cheap tests.
		case t.kind == tWord && len(run) > 0 && k+1 < end && (toks[k+1].has(fUpper) || isJoiner(toks[k+1].norm)) && nameParticles[t.norm]:
		case t.kind == tWord && len(run) == 0 && k+2 < end && isJoiner(toks[k+1].norm) && toks[k+2].has(fUpper) && nameParticles[t.norm]:
		case t.kind == tWord && t.norm == "of" && len(run) > 0 && titleWords[toks[run[len(run)-1].a].norm] && k+1 < end && toks[k+1].has(fUpper):
		case t.kind == tPunct && t.norm == "." && len(run) > 0 && !t.has(fSpaced) && abbreviations[toks[k-1].norm]:
			k++
			continue
		default:
			if len(run) == 0 {
				return nil, k + 1
			}
			return run, k
		}
		p := piece{a: k, b: k, blocked: blocked[k]}
		for p.b+2 < end && isJoiner(toks[p.b+1].norm) && !toks[p.b+1].has(fSpaced) && !toks[p.b+2].has(fSpaced) && toks[p.b+2].kind == tWord {
			p.b += 2
		}
		run = append(run, p)
		k = p.b + 1
		if k < end && toks[k].kind == tPoss {
			return run, k + 1
		}
	}
	return run, k
}

// validName checks that pieces look like a person's name.
func validName(toks []token, run []piece) bool {
	if len(run) == 0 || len(run) > 5 {
		return false
	}
	caps := 0
	for _, p := range run {
		t := &toks[p.a]
		if p.blocked {
			return false
		}
		if p.a == p.b && notNames[t.norm] {
			return false
		}
		if titleWords[t.norm] && p.a == p.b {
			return false
		}
		if t.has(fCaps) && p.a == p.b {
			caps++
		}
		if t.kind == tNum {
			return false
		}
	}
	return caps == 0 || (caps < len(run) && len(run) > 1)
}

// namePieces writes a name as it appears, one space between pieces.
func namePieces(text string, toks []token, run []piece) string {
	// Pieces that stand one space apart, as they nearly always do, are a
	// slice of the text: no need to build a copy.
	if len(run) > 0 && oneSpaceApart(text, toks, run) {
		return text[toks[run[0].a].start:toks[run[len(run)-1].b].end]
	}
	var b strings.Builder
	for i, p := range run {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(text[toks[p.a].start:toks[p.b].end])
	}
	return b.String()
}

func oneSpaceApart(text string, toks []token, run []piece) bool {
	for i := 1; i < len(run); i++ {
		s := toks[run[i].a].start
		if s != toks[run[i-1].b].end+1 || text[s-1] != ' ' {
			return false
		}
	}
	return true
}

func spanText(text string, toks []token, a, b int) string {
	return normSpace(text[toks[a].start:toks[b].end])
}

// roleBefore reads a lower-case role noun and its modifiers before a name:
// "SDF spokesman", "chief executive", "retired sergeant".
func roleBefore(toks []token, text string, k, lo int) string {
	j := k - 1
	if j < lo || toks[j].kind != tWord || toks[j].has(fUpper) || !roleNouns[toks[j].norm] {
		return ""
	}
	a := j
	for n := 0; n < 3 && a-1 >= lo; n++ {
		t := &toks[a-1]
		if t.kind == tPunct && isJoiner(t.norm) && !t.has(fSpaced) {
			a--
			continue
		}
		if t.kind != tWord || notNames[t.norm] || speechVerbs[t.norm] || clauseBreakWords[t.norm] || t.norm == "and" || t.norm == "said" {
			break
		}
		if t.has(fUpper) && a-1 == lo && !t.has(fCaps) {
			break // a capitalised first word of the sentence
		}
		a--
	}
	return spanText(text, toks, a, j)
}

// apposRole reads ", a member of the directorate," after a name.
func apposRole(toks []token, text string, k, end int) string {
	if k >= end || toks[k].norm != "," || k+1 >= end {
		return ""
	}
	a := k + 1
	t := &toks[a]
	first := a
	if t.norm == "a" || t.norm == "an" || t.norm == "the" || t.norm == "its" || t.norm == "his" || t.norm == "her" {
		first = a + 1
	}
	head := -1
	e := first
	for e < end && e-first < 14 {
		u := &toks[e]
		if u.kind == tPunct && (u.norm == "," || u.norm == "." || u.norm == ";" || isQuoteChar(u.norm) || u.norm == "(") {
			break
		}
		if u.kind == tWord && (roleNouns[u.norm] || titleWords[u.norm]) && head < 0 {
			head = e
		}
		if u.kind == tWord && (speechVerbs[u.norm] && !u.has(fUpper)) {
			break
		}
		e++
	}
	if head < 0 || head > first+3 || e == first {
		return ""
	}
	// A number straight after the name is an age: "Moreno, 34,".
	if toks[first].kind == tNum {
		return ""
	}
	return spanText(text, toks, a, e-1)
}
