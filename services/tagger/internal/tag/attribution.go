package tag

import (
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// attributionPass finds each sentence's attribution and resolves its
// speaker in reading order, replaying the mentions of each sentence first
// so that "he said" and "the spokesman said" reach the right person; then
// one attribution covers a whole quotation, a quoted sentence continues
// the quote before it, and a continuation ("Additionally, ...") the
// source before it. The result, one said per sentence, is ws.saids.
func (tg *Tagger) attributionPass(dc *doc, sents []sentence, mn *mentions, ws *workspace) []said {
	ds, orgAt := mn.ds, mn.orgAt
	saids := grow(ws.saids, len(sents))
	clear(saids)
	ws.saids = saids
	clear(ws.alts)
	ws.alts = ws.alts[:0]
	for i, s := range sents {
		if dc.lines[s.line].title {
			continue
		}
		ds.replay(i)
		ds.sentFrom = len(ds.orgSpeakers)
		ds.prev = -1
		if i > 0 && !(saids[i-1].ok && saids[i-1].kind == schema.SpeakerPerson) {
			ds.prev, ds.prevSent = i-1, sents[i-1]
		}
		if a, alt, split, ok := tg.findAttributions(dc, s, orgAt); ok {
			first, second := a, alt
			if split > 0 && alt.np.a < a.np.a {
				first, second = alt, a
			}
			sd := tg.resolveSaid(dc, s.a, first, ds, orgAt)
			if split > 0 {
				// Two clauses, two sources: the claim pass splits the
				// sentence at split and gives the second clause its own.
				ws.alts = append(ws.alts, tg.resolveSaid(dc, s.a, second, ds, orgAt))
				sd.alt, sd.split = len(ws.alts), split
			}
			saids[i] = sd
		} else if a, ok := colonQuote(dc.toks, s); ok && s.quoted {
			saids[i] = tg.resolveSaid(dc, s.a, a, ds, orgAt)
			saids[i].verb = ""
		} else if a, ok := documentSubject(dc.toks, s); ok {
			// "The report lists 300 sites": the document named before
			// says it, whatever its verb; alone it makes no claim.
			saids[i] = tg.resolveSaid(dc, s.a, a, ds, orgAt)
			saids[i].verb, saids[i].carried = "", true
		}
		saids[i].quoted = s.quoted
	}
	for i := range sents {
		if saids[i].ok || dc.lines[sents[i].line].title {
			continue
		}
		for j := i + 1; j < len(sents) && sents[j].group == sents[i].group; j++ {
			if saids[j].ok {
				saids[i] = withQuoted(last(saids[j], ws.alts), saids[i].quoted)
				break
			}
		}
		if saids[i].ok || !startsQuoted(dc, sents[i]) {
			continue
		}
		if i > 0 && sents[i-1].line == sents[i].line && saids[i-1].ok && saids[i-1].quoted {
			saids[i] = withQuoted(last(saids[i-1], ws.alts), true)
			continue
		}
		// A paragraph that opens a quotation with no attribution goes on
		// quoting the person quoted at the end of the paragraph before.
		// So does a paragraph all quotation after one that ends naming
		// the person who spoke ("X told reporters ... .\n“We ...”").
		if i > 0 && sents[i-1].line < sents[i].line && sents[i].a == dc.lines[sents[i].line].first && saids[i-1].ok && (saids[i-1].quoted || allQuoted(dc.toks, sents[i])) && last(saids[i-1], ws.alts).kind == schema.SpeakerPerson {
			saids[i] = withQuoted(last(saids[i-1], ws.alts), true)
			continue
		}
		// A sentence that is all quotation, with no attribution of its
		// own, quotes the source named in the sentence before it in the
		// paragraph, else the one after it: "X told reporters the fight
		// was hard. “We estimate 2,000 remain.”"
		if !allQuoted(dc.toks, sents[i]) {
			continue
		}
		if i > 0 && sents[i-1].line == sents[i].line && saids[i-1].ok && saids[i-1].speaker != "" {
			saids[i] = withQuoted(last(saids[i-1], ws.alts), true)
			saids[i].verb, saids[i].carried = "", true
		} else if i+1 < len(sents) && sents[i+1].line == sents[i].line && saids[i+1].ok && saids[i+1].speaker != "" && !saids[i+1].carried {
			saids[i] = withQuoted(saids[i+1], true)
			saids[i].alt, saids[i].split = 0, 0
			saids[i].verb, saids[i].carried = "", true
		}
	}
	for i := 1; i < len(sents); i++ {
		if saids[i].ok || !saids[i-1].ok || saids[i-1].speaker == "" || dc.lines[sents[i].line].title {
			continue
		}
		// Reported speech goes on in the paragraph in the backshifted
		// tense: "X said ... . Up to $2bn had been recorded."
		if !continues(dc.toks, sents[i]) && !(sents[i-1].line == sents[i].line && backshifted(dc.toks, sents[i])) {
			continue
		}
		saids[i] = withQuoted(last(saids[i-1], ws.alts), saids[i].quoted)
		saids[i].verb, saids[i].carried = "", true
	}
	return saids
}

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
	carried bool // the source of the sentence before, carried over
	// A sentence of two clauses with two sources: the second clause, from
	// token split on, has the attribution ws.alts[alt-1].
	alt, split int
}

// last is the source a sentence ends with, to carry into another: its
// second clause's when it has two, and never a split of its own.
func last(sd said, alts []said) said {
	if sd.alt > 0 {
		q := sd.quoted
		sd = alts[sd.alt-1]
		sd.quoted = q
	}
	sd.alt, sd.split = 0, 0
	return sd
}

// resolveSaid resolves an attribution and gives it its kind and role.
func (tg *Tagger) resolveSaid(dc *doc, sa int, a attr, ds *discourse, orgAt []int32) said {
	sd := tg.resolve(dc, sa, a, ds, orgAt)
	if sd.speaker != "" {
		if sd.kind == "" {
			sd.kind = speakerKind(sd.speaker)
		}
		sd.srole = tg.roles.of(sd.speaker, sd.role)
	}
	return sd
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
	// "according to him": object pronouns resolve as their subjects.
	pron := toks[words[0]].norm
	if p, ok := objectPronouns[pron]; ok && len(words) == 1 {
		pron = p
	}
	if len(words) == 1 && pronouns[pron] {
		switch pron {
		case "he", "she":
			if again(toks, a) && ds.lastPersonSpeaker >= 0 {
				// "He also said", "he added": the one who spoke before.
				setPerson(ds.lastPersonSpeaker)
			} else if p := ds.prevSubject(dc); p >= 0 {
				// "X said ... . Later, Prime Minister Y visited Mosul. He
				// said": the subject of the sentence before.
				setPerson(p)
			} else if ds.lastPersonSpeaker >= 0 {
				setPerson(ds.lastPersonSpeaker)
			} else {
				setPerson(ds.lastPerson)
			}
		case "it":
			// The last body that spoke, else the last the topic knows
			// named before: "The Pentagon released figures. It said ...".
			if n := len(ds.orgSpeakers); n > 0 {
				out.speaker = ds.orgSpeakers[n-1]
			} else if name := tg.lastOrgBefore(orgAt, a.np.a); name != "" {
				out.speaker = name
				ds.orgSpeakers = append(ds.orgSpeakers, name)
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
		// "the command said": the body named before whose name has the word.
		if len(words) == 2 {
			if name := tg.lastOrgWith(orgAt, a.np.a, last.norm); name != "" {
				out.speaker = name
				ds.orgSpeakers = append(ds.orgSpeakers, name)
				return out
			}
		}
		if kind := english.headKind[last.norm]; kind == "organisation" || kind == "document" {
			// The last source, else the last body the topic knows named
			// before: "the SDF Press Office ... The press release said".
			// Not a source of this very sentence ("officials said 15,
			// whereas the group claimed 40"), and a body is no unnamed
			// official.
			for i := min(ds.sentFrom, len(ds.orgSpeakers)) - 1; i >= 0; i-- {
				if kind == "organisation" && speakerKind(ds.orgSpeakers[i]) == schema.SpeakerAnonymous {
					continue
				}
				out.speaker = ds.orgSpeakers[i]
				break
			}
			if out.speaker == "" {
				out.speaker = tg.lastOrgBefore(orgAt, a.np.a)
			}
			if out.speaker != "" {
				ds.orgSpeakers = append(ds.orgSpeakers, out.speaker)
				return out
			}
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

func withQuoted(s said, q bool) said {
	s.quoted = q
	return s
}

// startsQuoted reports a sentence that opens inside or with a quotation.
func startsQuoted(dc *doc, s sentence) bool {
	return s.startQ || (s.a < s.b && isQuoteChar(dc.toks[s.a].norm))
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

// lastOrgBefore names the last organisation of the topic (not an outlet)
// mentioned before token k.
func (tg *Tagger) lastOrgBefore(orgAt []int32, k int) string {
	for m := k - 1; m >= 0; m-- {
		if i := orgAt[m]; i >= 0 && !tg.orgs[i].outlet {
			return tg.orgs[i].name
		}
	}
	return ""
}

// lastOrgWith names the last organisation of the topic mentioned before
// token k whose name has the word w ("command": US Central Command).
func (tg *Tagger) lastOrgWith(orgAt []int32, k int, w string) string {
	for m := k - 1; m >= 0; m-- {
		if i := orgAt[m]; i >= 0 && !tg.orgs[i].outlet {
			for _, part := range strings.Fields(tg.orgs[i].name) {
				if fold(part) == w {
					return tg.orgs[i].name
				}
			}
		}
	}
	return ""
}

// backshifted reports a sentence in the tense of reported speech: "had"
// before a participle, or "would" / "could".
func backshifted(toks []token, s sentence) bool {
	for m := s.a; m < s.b; m++ {
		t := &toks[m]
		if t.kind != tWord || t.has(fQuote) {
			continue
		}
		switch t.norm {
		case "would", "could":
			return true
		case "had":
			if m+1 < s.b && (isParticiple(toks[m+1].norm) || toks[m+1].norm == "been") {
				return true
			}
		}
	}
	return false
}

// objectPronouns are read as the subject pronoun they stand for.
var objectPronouns = english.objectPronouns

// allQuoted reports a sentence whose words are all inside a quotation.
func allQuoted(toks []token, s sentence) bool {
	words := 0
	for k := s.a; k < s.b; k++ {
		if toks[k].isWord() {
			if !toks[k].has(fQuote) {
				return false
			}
			words++
		}
	}
	return words > 0
}

// prevSubject is the person who is the subject of the sentence before,
// when that sentence had no person speaking: its opening name ("Later,
// Iraqi Prime Minister Haider al-Abadi visited ..."), not one named
// further on ("... ordered by Gen. Townsend"). -1 when there is none.
func (ds *discourse) prevSubject(dc *doc) int {
	if ds.prev < 0 {
		return -1
	}
	toks, s := dc.toks, ds.prevSent
	k := s.a
	// A leading adverb or circumstance closed by a comma: "Later,", "On Monday,".
	for m := k; m < s.b && m < k+5; m++ {
		if toks[m].norm == "," {
			k = m + 1
			break
		}
		if toks[m].kind != tWord {
			break
		}
	}
	e := k
	for e < s.b {
		t := &toks[e]
		if t.kind == tWord && (t.has(fUpper) || nameParticles[t.norm] || roleNouns[t.norm]) || t.kind == tPunct && (t.norm == "." || isJoiner(t.norm) && !t.has(fSpaced)) {
			e++
			continue
		}
		break
	}
	if e == k || e >= s.b || toks[e].kind != tWord {
		return -1 // no name run, or one that does not go on to a verb
	}
	run := dc.text[toks[k].start:toks[e-1].end]
	for n := ds.replayed - 1; n >= 0 && ds.events[n].sentence >= ds.prev; n-- {
		if ev := ds.events[n]; ev.sentence == ds.prev && strings.Contains(run, ds.persons[ev.person].name) {
			return ev.person
		}
	}
	return -1
}

// documentSubject reads a sentence whose subject is a definite document
// ("The report lists ...", "The study's authors count ..."): the head is a
// document head of the language file and the next word a verb that is not
// in doc_verbs_not.
func documentSubject(toks []token, s sentence) (attr, bool) {
	k := s.a
	if k >= s.b || (toks[k].norm != "the" && toks[k].norm != "this") {
		return attr{}, false
	}
	h := k + 1
	for n := 0; h < s.b && n < 2 && toks[h].kind == tWord && english.determiners[toks[h].norm]; n++ {
		h++
	}
	if h+1 >= s.b || toks[h].kind != tWord || english.headKind[toks[h].norm] != "document" {
		return attr{}, false
	}
	v := &toks[h+1]
	if v.kind != tWord || v.has(fUpper) || v.has(fQuote) || english.notDocVerbs[v.norm] || english.determiners[v.norm] || !strings.HasSuffix(v.norm, "s") && !strings.HasSuffix(v.norm, "ed") {
		return attr{}, false
	}
	return attr{np: span{k, h + 1}}, true
}

// again reports an attribution that goes on from words said before: "he
// also said", "he added".
func again(toks []token, a attr) bool {
	if english.continuedVerbs[a.verb] {
		return true
	}
	for m := a.np.b; m < len(toks) && m < a.np.b+2; m++ {
		if english.continuations[toks[m].norm] {
			return true
		}
	}
	return false
}
