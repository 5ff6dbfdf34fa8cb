package tag

// Phrase matching over tokens: every topic phrase (alias, cue, place...) is
// compiled once into a map from its first folded word, and a document is
// scanned once for all of them. This is what keeps tagging fast: no regular
// expressions run over the text.

const (
	modeCap   uint8 = iota // any case, but capitals where the data has them
	modeExact              // written exactly as in the data
	modeAny                // any case
)

// Categories of phrase payloads.
const (
	catAlias uint8 = iota + 1
	catExclude
	catContext
	catSense
	catCompetitor
	catPlace
	catOrg
	catClaimTopic
)

// payload says what a phrase means in one topic.
type payload struct {
	cat   uint8
	topic int32
	sub   int32 // tag, sense or claim-topic index
	ref   int32 // alias, place or org index
	// langs are the languages whose topic data says this (one bit per
	// language, bit 0 English); a document sees the payloads of its
	// language and of English.
	langs uint32
}

type phrase struct {
	words    []string // folded
	surf     []string // surface, for exact matching
	caps     []bool   // the data writes this word in capitals
	mode     uint8
	hasUpper bool
	langs    uint32 // the union of the payloads' languages
	pay      []payload
}

type matcher struct {
	first   map[string][]int32
	firstF  wordFilter // the keys of first
	phrases []phrase
	index   map[string]int32
}

// wordFilter is a quick negative test in front of a map with string keys:
// one bit per class of words with the same first, middle and last bytes and
// length. Most words of a text are in no class of a key and are turned
// away without hashing the whole word.
type wordFilter [256]uint64

// wordClass mixes the bytes that define a word's class into 14 bits.
func wordClass(w string) uint {
	h := uint32(w[0]) | uint32(w[len(w)/2])<<8 | uint32(w[len(w)-1])<<16 | uint32(len(w))<<24
	h *= 0x9E3779B1 // Fibonacci hashing: the top bits depend on all the others
	return uint(h >> (32 - 14))
}

func (f *wordFilter) add(w string) {
	if w != "" {
		c := wordClass(w)
		f[c/64] |= 1 << (c % 64)
	}
}

// mayHave reports false when w is certainly not a key.
func (f *wordFilter) mayHave(w string) bool {
	if w == "" {
		return true
	}
	c := wordClass(w)
	return f[c/64]&(1<<(c%64)) != 0
}

func newWordFilter(words map[string]bool) *wordFilter {
	f := new(wordFilter)
	for w := range words {
		f.add(w)
	}
	return f
}

func newMatcher() *matcher {
	return &matcher{first: map[string][]int32{}, index: map[string]int32{}}
}

// add registers a phrase with a payload. Case is "exact", "any" or "".
func (m *matcher) add(text, caseMode string, p payload) {
	toks := tokenize(text, 0, nil)
	var ph phrase
	for i := range toks {
		t := &toks[i]
		if !t.isWord() {
			continue
		}
		ph.words = append(ph.words, t.norm)
		ph.surf = append(ph.surf, t.text(text))
		ph.caps = append(ph.caps, t.has(fCaps) && !t.has(fInit))
		if t.has(fUpper) || t.has(fCaps) {
			ph.hasUpper = true
		}
	}
	if len(ph.words) == 0 {
		return
	}
	switch caseMode {
	case "exact":
		ph.mode = modeExact
	case "any":
		ph.mode = modeAny
	default:
		ph.mode = modeCap
		if !ph.hasUpper {
			ph.mode = modeAny
		}
	}
	key := string(rune('0'+ph.mode)) + "\x00" + joinKey(ph.words)
	switch ph.mode {
	case modeExact:
		key += "\x00" + joinKey(ph.surf)
	case modeCap:
		// "ISWAP" needs capitals where "Iswap" does not: two phrases.
		caps := make([]byte, len(ph.caps))
		for i, c := range ph.caps {
			caps[i] = 'c'
			if c {
				caps[i] = 'C'
			}
		}
		key += "\x00" + string(caps)
	}
	if idx, ok := m.index[key]; ok {
		ph := &m.phrases[idx]
		ph.langs |= p.langs
		for i := range ph.pay {
			// The same place in the English and the French data is one
			// payload read in both languages, not two entities.
			if q := &ph.pay[i]; (q.langs|p.langs) != langEnglish && q.cat == p.cat && q.topic == p.topic && q.sub == p.sub && q.ref == p.ref {
				q.langs |= p.langs
				return
			}
		}
		ph.pay = append(ph.pay, p)
		return
	}
	ph.langs = p.langs
	ph.pay = []payload{p}
	idx := int32(len(m.phrases))
	m.phrases = append(m.phrases, ph)
	m.index[key] = idx
	m.first[ph.words[0]] = append(m.first[ph.words[0]], idx)
	m.firstF.add(ph.words[0])
}

func joinKey(ws []string) string {
	n := 0
	for _, w := range ws {
		n += len(w) + 1
	}
	b := make([]byte, 0, n)
	for i, w := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, w...)
	}
	return string(b)
}

// hit is one phrase found in a token slice: tokens a..b inclusive.
type hit struct {
	ph   int32
	a, b int
}

// scan finds every occurrence of a phrase of the active languages in toks
// (overlaps included).
func (m *matcher) scan(toks []token, text string, active uint32, dst []hit) []hit {
	for i := range toks {
		t := &toks[i]
		if !t.isWord() || !m.firstF.mayHave(t.norm) {
			continue
		}
		cands, ok := m.first[t.norm]
		if !ok {
			continue
		}
		for _, c := range cands {
			ph := &m.phrases[c]
			if ph.langs&active == 0 {
				continue
			}
			if b, ok := m.matchAt(toks, text, i, ph); ok {
				dst = append(dst, hit{ph: c, a: i, b: b})
			}
		}
	}
	return dst
}

// matchAt matches ph at toks[i] and returns the last token index.
func (m *matcher) matchAt(toks []token, text string, i int, ph *phrase) (int, bool) {
	k := i
	upper := false
	for w := range ph.words {
		if w > 0 {
			k = nextWord(toks, k)
			if k < 0 {
				return 0, false
			}
		}
		t := &toks[k]
		if t.norm != ph.words[w] {
			return 0, false
		}
		switch ph.mode {
		case modeExact:
			if t.text(text) != ph.surf[w] {
				return 0, false
			}
		case modeCap:
			if ph.caps[w] && !t.has(fCaps) && !t.has(fInit) {
				return 0, false
			}
		}
		if t.has(fUpper) || t.has(fCaps) {
			upper = true
		}
	}
	if ph.mode == modeCap && ph.hasUpper && !upper {
		return 0, false
	}
	return k, true
}

// nextWord returns the index of the word after toks[k] when nothing but a
// joining hyphen lies between them on the same line, or -1.
func nextWord(toks []token, k int) int {
	j := k + 1
	if j >= len(toks) || toks[j].line != toks[k].line {
		return -1
	}
	if toks[j].isWord() {
		if toks[j].has(fSpaced) || toks[k].kind == tNum || toks[j].kind == tNum {
			return j
		}
		return j
	}
	if toks[j].kind == tPunct && isJoiner(toks[j].norm) && !toks[j].has(fSpaced) && j+1 < len(toks) && toks[j+1].isWord() && !toks[j+1].has(fSpaced) && toks[j+1].line == toks[k].line {
		return j + 1
	}
	return -1
}

func isJoiner(s string) bool {
	return s == "-" || s == "‐" || s == "‑" || s == "–" || s == "'" || s == "’"
}
