package quantity

import (
	"math"
	"strings"
	"sync"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Qualifiers written into schema.Quantity.Qualifier.
const (
	Exact         = "exact"
	Approximately = "approximately"
	MoreThan      = "more than"
	LessThan      = "less than"
	Nearly        = "nearly"
	UpTo          = "up to"
	AtLeast       = "at least"
	Range         = "range"
	// Vague amounts: the value is only the order of magnitude.
	Several   = "several"   // dozens, scores of, several
	Hundreds  = "hundreds"  // hundreds of, several hundred
	Thousands = "thousands" // thousands, tens of thousands, millions of
)

// Match is one quantity and where its raw text sits in the parsed string.
type Match struct {
	schema.Quantity
	Start, End int // byte offsets of Raw
}

// Options tune a Parser.
type Options struct {
	// DropModifiers are words (compared case-insensitively) left out of a
	// counted unit when more words follow: with "ISIS" listed, "14,000 ISIS
	// militants" has the unit "militants".
	DropModifiers []string
}

// Parser finds quantities in text. Its zero value is ready to use; it is
// safe for concurrent use.
type Parser struct {
	drop map[string]bool
}

// New returns a Parser with the given options.
func New(o Options) *Parser {
	p := &Parser{drop: make(map[string]bool, len(o.DropModifiers))}
	for _, w := range o.DropModifiers {
		p.drop[strings.ToLower(w)] = true
	}
	return p
}

// Parse returns the quantities in text, in order.
func Parse(text string) []schema.Quantity {
	var p Parser
	ms := p.Find(text)
	out := make([]schema.Quantity, len(ms))
	for i, m := range ms {
		out[i] = m.Quantity
	}
	return out
}

// Find returns the quantities in text with their offsets, using a zero Parser.
func Find(text string) []Match {
	var p Parser
	return p.Find(text)
}

// number is a value read from one or more tokens.
type number struct {
	val      float64
	first    int // first token
	next     int // token after the number
	word     bool
	one      bool // the bare word "one"
	scaled   bool
	suffixM  bool   // an attached "m" that may be million or metres
	plusSign bool   // "100+"
	frac     bool   // a fraction read as a percentage: "a third", "half"
	vague    string // the qualifier of a vague amount: "thousands of"
	mult     bool   // a multiplier: "doubled", "three times"
}

// cand is a quantity being assembled.
type cand struct {
	Match
	bare    bool // no unit found
	inherit bool // "another 34": take the previous unit
	first   int  // its first token
}

// Find returns the quantities in text with their offsets.
func (p *Parser) Find(text string) []Match {
	return p.FindLower(text, asciiLower(text))
}

// FindLower is Find for a caller that already holds lower, text with its
// ASCII letters A-Z lower-cased and nothing else changed. Lower-casing only
// ASCII keeps byte offsets, so a slice of a lowered document will do; a
// caller that parses a document line by line thus lowers it once.
func (p *Parser) FindLower(text, lower string) []Match {
	if len(lower) != len(text) {
		lower = asciiLower(text) // not a lowered copy of text
	}
	if !hasNumberHint(lower) {
		return nil
	}
	// Tokens and candidates are scratch: no Match points into them, so
	// their buffers go back to a pool instead of being garbage every line.
	sc := scratchPool.Get().(*scratch)
	sc.toks = scanLower(text, lower, sc.toks[:0])
	var ms []Match
	ms, sc.cands = p.find(text, sc.toks, sc.cands[:0])
	if cap(sc.toks) <= maxPooledToks {
		// Do not keep the strings of this text alive.
		clear(sc.toks)
		clear(sc.cands)
		scratchPool.Put(sc)
	}
	return ms
}

// scratch holds the buffers of one Find call.
type scratch struct {
	toks  []tok
	cands []cand
}

// maxPooledToks bounds the token buffers kept for reuse, so one huge text
// does not pin its buffer.
const maxPooledToks = 1 << 14

var scratchPool = sync.Pool{New: func() any {
	return &scratch{toks: make([]tok, 0, 256)}
}}

// find reads the quantities from the tokens of text, with cands as the
// candidates' buffer, which it returns.
func (p *Parser) find(text string, toks []tok, cands []cand) ([]Match, []cand) {
	for i := 0; i < len(toks); {
		if !mayStartNumber(&toks[i]) {
			i++ // readNumber would say no, at the cost of a call
			continue
		}
		n, ok := readNumber(toks, i)
		if !ok {
			i++
			continue
		}
		c, next, ok := p.build(text, toks, n)
		if next <= i {
			next = i + 1
		}
		i = next
		if ok {
			cands = append(cands, c)
		}
	}
	return resolve(text, toks, cands), cands
}

// hasNumberHint is a cheap test that lets most text skip tokenising: a
// digit, or a word that can be a number.
func hasNumberHint(lower string) bool {
	for i := 0; i < len(lower); {
		c := lower[i]
		if c >= '0' && c <= '9' {
			return true
		}
		if c < 'a' || c > 'z' {
			i++
			continue
		}
		j := i + 1
		for j < len(lower) && lower[j] >= 'a' && lower[j] <= 'z' {
			j++
		}
		if isNumberWord(lower[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// mayStartNumber is false for a token readNumber rejects outright.
func mayStartNumber(t *tok) bool {
	switch t.kind {
	case kNum:
		return true
	case kWord:
		return isNumberWord(t.low) || t.low == "a" || t.low == "an"
	}
	return false
}

// readNumber reads digits or number words at toks[i].
func readNumber(toks []tok, i int) (number, bool) {
	t := toks[i]
	switch t.kind {
	case kNum:
		n := number{val: t.val, first: i, next: i + 1}
		if j := n.next; j < len(toks) && !toks[j].spaced && toks[j].kind == kWord {
			s := toks[j].low
			switch {
			case s == "th" || s == "st" || s == "nd" || s == "rd" || s == "s":
				return n, false // ordinal or decade
			case s == "m":
				n.suffixM = true
				n.next = j + 1
			case suffixScales[s] > 0:
				n.val *= suffixScales[s]
				n.scaled = true
				n.next = j + 1
			}
		}
		if j := n.next; j < len(toks) && !n.scaled && !n.suffixM && toks[j].kind == kWord {
			if s, ok := scaleWords[toks[j].low]; ok && s >= 1e3 {
				n.val *= s
				n.scaled = true
				n.next = j + 1
			}
		}
		if j := n.next; j < len(toks) && toks[j].text == "+" && !toks[j].spaced {
			n.plusSign = true
			n.next = j + 1
		}
		return n, true
	case kWord:
		if w := t.low; !isNumberWord(w) && w != "a" && w != "an" {
			return number{}, false
		}
		return readWords(toks, i)
	}
	return number{}, false
}

// readWords reads "two million", "twenty-five", "a dozen", "half a million",
// "two hundred and fifty".
func readWords(toks []tok, i int) (number, bool) {
	n := number{first: i, word: true}
	j := i
	total, cur := 0.0, 0.0
	seen := false
	if f, ok := readFraction(toks, i); ok {
		return f, true
	}
	if v, ok := readVague(toks, i); ok {
		return v, true
	}
	if v, ok := multipliers[toks[i].low]; ok {
		if !multiplierVerb(toks, i) {
			return n, false
		}
		n.val, n.next, n.mult = v, i+1, true
		return n, true
	}
	switch toks[i].low {
	case "a", "an":
		if i+1 < len(toks) && toks[i+1].kind == kWord {
			switch nx := toks[i+1].low; {
			case nx == "dozen":
				n.val, n.next = 12, i+2
				return n, true
			case nx == "single":
				n.val, n.next = 1, i+2 // "a single soldier"
				return n, true
			case scaleWords[nx] >= 100 && nx != "mn" && nx != "bn" && nx != "tn" && nx != "mln" && nx != "trn":
				cur, seen, j = 1, true, i+1
			default:
				return n, false
			}
		} else {
			return n, false
		}
	case "half":
		return n, false
	}
	last := j
	for j < len(toks) {
		t := toks[j]
		if t.kind != kWord {
			// "twenty-five": a hyphen joined on both sides.
			if t.text == "-" && !t.spaced && seen && j+1 < len(toks) && !toks[j+1].spaced && smallNumbers[toks[j+1].low] > 0 && cur >= 20 {
				j++
				continue
			}
			break
		}
		s := t.low
		if v, ok := smallNumbers[s]; ok {
			cur += v
		} else if v, ok := tensNumbers[s]; ok {
			cur += v
		} else if s == "dozen" && seen {
			cur *= 12
		} else if v, ok := scaleWords[s]; ok && seen && len(s) > 2 {
			if v == 100 {
				cur *= 100
			} else {
				total += cur * v
				cur = 0
				n.scaled = true
			}
		} else if s == "and" && seen && j+1 < len(toks) && (smallNumbers[toks[j+1].low] > 0 || tensNumbers[toks[j+1].low] > 0) && cur >= 100 {
			j++
			continue
		} else {
			break
		}
		seen = true
		j++
		last = j
	}
	if !seen {
		return n, false
	}
	n.val = total + cur
	n.next = last
	n.one = last == i+1 && toks[i].low == "one"
	if last == i+1 && toks[i].low == "zero" {
		return n, false
	}
	return n, true
}

// build turns a number into a candidate quantity, or rejects it. next is
// the token to continue scanning from.
func (p *Parser) build(text string, toks []tok, n number) (cand, int, bool) {
	if excluded(toks, n) {
		return cand{}, skipJoined(toks, n.next), false
	}
	c := cand{}
	c.Qualifier = Exact
	start := n.first
	// Currency written before the number: $200mn, US$ 3 billion, EUR 5m.
	cur := ""
	if k := n.first - 1; k >= 0 {
		if code, ok := currencyBefore[toks[k].low]; ok {
			cur = code
			start = k
			if k-1 >= 0 && toks[k].text == "$" && !toks[k].spaced && toks[k-1].low == "us" {
				start = k - 1
			}
		}
	}
	if cur != "" && n.suffixM {
		n.val *= 1e6
		n.scaled = true
		n.suffixM = false
	}
	// Qualifier before the number (or before its currency symbol).
	q, qs, inherit := qualifierBefore(toks, start)
	between := false
	if q == "between" {
		between = true
		q = ""
		start = qs
	}
	if q != "" {
		c.Qualifier = q
		start = qs
	}
	if inherit {
		start = qs
	}
	c.inherit = inherit
	if n.plusSign {
		c.Qualifier = MoreThan
	}

	// A second number makes a range: between X and Y, X-Y, X to Y.
	var hi *number
	j := n.next
	if j+1 < len(toks) {
		sep := toks[j]
		isSep := (between && (sep.low == "and" || sep.low == "to")) || (!between && (sep.text == "-" || sep.text == "–" || sep.text == "—" || sep.low == "to"))
		if isSep {
			k := j + 1
			if cur != "" && k < len(toks) && currencyBefore[toks[k].low] != "" {
				k++
			}
			if k < len(toks) {
				if m, ok := readNumber(toks, k); ok && !m.one && !excluded(toks, m) && !yearLike(toks, m) {
					if cur != "" && m.suffixM {
						m.val *= 1e6
						m.scaled = true
						m.suffixM = false
					}
					lo := n.val
					if m.scaled && !n.scaled && lo < m.val {
						if s := m.val / math.Max(1, toks2base(toks, m)); s > 1 && lo*s <= m.val {
							lo *= s
						}
					}
					if lo < m.val && (between || sep.low != "to" || !fromBefore(toks, start)) {
						n.val = lo
						hi = &m
						j = m.next
					}
				}
			}
		}
	}

	end := toks[j-1].end
	if n.vague != "" {
		c.Qualifier = n.vague
		if q != "" && q != "between" {
			c.Qualifier = q // "more than a dozen" keeps its qualifier
		}
		if j < len(toks) && toks[j].low == "of" {
			j++ // "thousands of people": the unit follows "of"
			if j < len(toks) && determinersOf[toks[j].low] {
				j++ // "thousands of the Yazidi refugees"
			}
		}
	}
	if n.frac || n.mult {
		v := round(n.val, false)
		c.Value = &v
		c.Unit = "percent"
		if n.mult {
			c.Unit = "times"
			if j < len(toks) && toks[j].low == "times" {
				j++
			}
		}
		if n.frac && n.scaled {
			c.Unit = "" // "a quarter of a million": the unit follows
			c.Value = nil
		} else {
			c.Start = toks[start].start
			c.End = toks[j-1].end
			c.Raw = text[c.Start:c.End]
			return c, j, true
		}
	}
	unit, uend, next, skip := p.unitAfter(text, toks, j, n, cur)
	if skip {
		return cand{}, next, false
	}
	if unit == "" && next == j+2 && toks[j].low == "of" {
		c.inherit = true // "12 of them"
	}
	if n.suffixM && unit != "m" {
		n.val *= 1e6 // "4m people": million
		n.scaled = true
	}
	if unit == "" && cur != "" {
		unit = cur
	}
	if unit == "" && countsPeople(toks, start, next) {
		unit = "people"
	}
	if uend > end {
		end = uend
	}
	// Rates: "2,000 a month", "$3 million a day", "barrels per day".
	if unit != "" && next+1 < len(toks) && rateWords[toks[next].low] && toks[next+1].kind == kWord {
		if d, ok := durations[toks[next+1].low]; ok && d != toks[next+1].low {
			unit += " per " + toks[next+1].low
			end = toks[next+1].end
			next += 2
		}
	}
	if n.one && unit == "" && !n.scaled {
		return cand{}, next, false // "one" alone is a pronoun far more often than a count
	}
	if hi != nil {
		lo, h := round(n.val, n.scaled || hi.scaled), round(hi.val, hi.scaled)
		c.Low, c.High = &lo, &h
		c.Qualifier = Range
	} else {
		v := round(n.val, n.scaled)
		c.Value = &v
	}
	c.Unit = unit
	c.bare = unit == ""
	c.first = start
	c.Start = toks[start].start
	c.End = end
	c.Raw = text[c.Start:c.End]
	return c, next, true
}

// toks2base returns the plain value of a scaled number's digits, so that
// "between 2 and 3 million" can carry the scale back to the 2.
func toks2base(toks []tok, m number) float64 {
	if toks[m.first].kind == kNum {
		return toks[m.first].val
	}
	return 0
}

func fromBefore(toks []tok, i int) bool {
	return i > 0 && toks[i-1].low == "from"
}

func round(v float64, scaled bool) float64 {
	if scaled && math.Abs(v) >= 1000 {
		return math.Round(v)
	}
	return math.Round(v*1e6) / 1e6
}

// qualifierBefore looks at the words before token i. It returns the
// qualifier, the token where it starts and whether the number continues a
// series ("another 34").
func qualifierBefore(toks []tok, i int) (string, int, bool) {
	if i > 0 && toks[i-1].text == "~" {
		return Approximately, i - 1, false
	}
	if i > 0 && toks[i-1].low == "between" {
		return "between", i - 1, false
	}
	if i > 0 && (toks[i-1].low == "another" || toks[i-1].low == "additional") {
		s := i - 1
		if s > 0 && toks[s-1].low == "an" && toks[i-1].low == "additional" {
			s--
		}
		return "", s, true
	}
	if i > 1 && toks[i-1].low == "further" && toks[i-2].low == "a" {
		return "", i - 2, true
	}
	for _, q := range qualifiers {
		l := len(q.Words)
		if i-l < 0 {
			continue
		}
		ok := true
		for k, w := range q.Words {
			t := toks[i-l+k]
			if t.kind != kWord || t.low != w {
				ok = false
				break
			}
		}
		if ok {
			// "over" and "under" after a verb of time ("gathered over two
			// months") mean "during"; only "for over" keeps "more than".
			if l == 1 && (q.Words[0] == "over") && i-2 >= 0 && toks[i-2].kind == kWord && strings.HasSuffix(toks[i-2].low, "ed") && isDurationAt(toks, i) {
				return "", i, false
			}
			return q.To, i - l, false
		}
	}
	return "", i, false
}

func isDurationAt(toks []tok, i int) bool {
	n, ok := readNumber(toks, i)
	if !ok || n.next >= len(toks) {
		return false
	}
	_, d := durations[toks[n.next].low]
	return d
}

// excluded reports numbers that are not quantities: dates, years, clock
// times, phone numbers, codes and labels.
func excluded(toks []tok, n number) bool {
	t := toks[n.first]
	prev := func(k int) *tok {
		if n.first-k >= 0 {
			return &toks[n.first-k]
		}
		return nil
	}
	p1, p2 := prev(1), prev(2)
	var nx *tok
	if n.next < len(toks) {
		nx = &toks[n.next]
	}
	if t.kind == kNum {
		// Codes joined to letters or slashes: RS5, F-16, COVID-19, 9/11, 24/7.
		if p1 != nil && !t.spaced {
			if p1.kind == kWord || p1.kind == kNum || p1.text == "/" || p1.text == "#" || p1.text == "+" || p1.text == "." || p1.text == ":" {
				return true
			}
			if (p1.text == "-" || p1.text == "–") && p2 != nil && !p1.spaced && p2.kind == kWord {
				return true
			}
		}
		if nx != nil && !nx.spaced && (nx.text == "/" || nx.text == ":" || (nx.text == "." && n.next+1 < len(toks) && toks[n.next+1].kind == kNum && !toks[n.next+1].spaced)) {
			return true
		}
		if nx != nil && nx.text == "/" && n.next+1 < len(toks) && toks[n.next+1].kind == kNum {
			return true // 1500 / 1500
		}
		if nx != nil && nx.kind == kWord && !nx.spaced && suffixScales[nx.low] == 0 && nx.low != "m" && !isUnitStart(nx.low) && n.next == n.first+1 {
			return true // 9mm-like codes and unknown suffixes
		}
		if yearLike(toks, n) {
			return true
		}
		if phoneRun(toks, n.first) {
			return true
		}
		// Lone numbers in brackets are list markers: (2).
		if p1 != nil && p1.text == "(" && nx != nil && nx.text == ")" {
			return true
		}
		// An age in apposition: "Moreno, 34, recorded".
		if p1 != nil && p1.text == "," && p2 != nil && p2.kind == kWord && p2.upper && nx != nil && nx.text == "," && t.val < 120 && !t.dec && !t.sep {
			return true
		}
	}
	// Dates: June 2022, 29 June, Feb. 6th.
	if nx != nil && nx.kind == kWord && nx.upper && monthWords[nx.low] && (nx.low != "may" || nx.text == "May") && !n.word {
		return true
	}
	pw := p1
	if pw != nil && pw.text == "." && p2 != nil {
		pw = p2
	}
	if pw != nil && pw.kind == kWord {
		if monthWords[pw.low] && pw.upper && !n.word {
			return true
		}
		if labelWords[pw.low] && (pw.upper || pw.low == "page" || pw.low == "no" || pw.low == "number") && !n.word {
			// "No. 5" and "Resolution 2254" are names; "page" too.
			return true
		}
		if pw.low == "aged" || pw.low == "age" {
			return true
		}
		if pw.low == "one" && n.word {
			return true
		}
	}
	if t.kind == kWord {
		if n.one {
			if nx != nil && nx.low == "of" {
				return true
			}
			if p1 != nil && (p1.low == "no" || p1.low == "the" || p1.low == "any" || p1.low == "every" || p1.low == "each" || p1.low == "this" || p1.low == "that") {
				return true
			}
		}
		// Fractions are read whole by readFraction; a number word before
		// one that was not ("two-thirds-owned") is no count.
		if nx != nil && nx.text == "-" && !nx.spaced && n.next+1 < len(toks) && !n.frac {
			if _, ok := fractions[toks[n.next+1].low]; ok {
				return true
			}
		}
	}
	// Clock times: 10 am, 1500 GMT.
	if nx != nil && nx.kind == kWord && timeWords[nx.low] {
		return true
	}
	if nx != nil && nx.kind == kWord && (nx.low == "a" || nx.low == "p") && n.next+1 < len(toks) && toks[n.next+1].text == "." {
		return true // 3 p.m.
	}
	return false
}

// isUnitStart reports suffixes glued to digits that begin a unit: 41,000sq km, 5km.
func isUnitStart(s string) bool {
	switch s {
	case "sq", "sqkm", "km", "kg", "km2", "pc", "mi", "ha", "kph", "mph", "mm", "cm":
		return s != "mm" && s != "cm"
	}
	return false
}

// yearLike reports a four-digit calendar year in a calendar context.
func yearLike(toks []tok, n number) bool {
	t := toks[n.first]
	if t.kind != kNum || t.ndig != 4 || t.sep || t.dec || n.scaled || t.val < 1800 || t.val > 2100 || n.next != n.first+1 {
		return false
	}
	if n.first > 0 {
		p := toks[n.first-1]
		if p.kind == kWord && yearContext[p.low] {
			return true
		}
		if p.text == "-" || p.text == "–" || p.text == "/" || p.text == "," {
			return true
		}
	}
	if n.next < len(toks) {
		nx := toks[n.next]
		if nx.kind != kWord {
			return true
		}
		// "2000 fighters" counts; "2014 attacks" after "the" was caught above.
		if npStop[nx.low] || !looksPlural(nx) && !collectives[nx.low] {
			return true
		}
		return false
	}
	return true
}

// phoneRun reports three or more integers joined only by spaces, hyphens,
// dots or brackets: +44 20 7946 0000, (202) 555-0100.
func phoneRun(toks []tok, i int) bool {
	if i > 0 && toks[i-1].text == "+" {
		return true
	}
	// Walk back to the start of the run.
	s := i
	for s-1 >= 0 {
		p := toks[s-1]
		if p.kind == kNum && !p.sep && !p.dec {
			s--
			continue
		}
		if p.kind == kSym && (p.text == "-" || p.text == "(" || p.text == ")" || p.text == ".") && s-2 >= 0 && (toks[s-2].kind == kNum || toks[s-2].text == "(") {
			s--
			continue
		}
		break
	}
	count := 0
	for k := s; k < len(toks); k++ {
		t := toks[k]
		if t.kind == kNum {
			if t.sep || t.dec {
				break
			}
			count++
			continue
		}
		if t.kind == kSym && (t.text == "-" || t.text == "(" || t.text == ")" || t.text == ".") {
			if t.text == "." && k+1 < len(toks) && toks[k+1].spaced {
				break
			}
			continue
		}
		break
	}
	return count >= 3
}

// skipJoined moves past numbers glued to the one just rejected, so 9/11
// does not yield an 11.
func skipJoined(toks []tok, i int) int {
	for i < len(toks) && !toks[i].spaced && (toks[i].kind == kNum || toks[i].kind == kSym || toks[i].kind == kWord) {
		i++
	}
	return i
}

// looksPlural reports a word that reads as a plural noun.
func looksPlural(t tok) bool {
	s := t.low
	if t.caps && len(s) <= 5 {
		return false // acronyms such as ISIS, SDF
	}
	if len(s) < 3 || !strings.HasSuffix(s, "s") || notPlural[s] {
		return false
	}
	if strings.HasSuffix(s, "ss") || strings.HasSuffix(s, "us") || strings.HasSuffix(s, "is") || strings.HasSuffix(s, "ous") {
		return false
	}
	return true
}

// countsPeople reports a bare number that counts people by the verb around
// it: "killed 25", "displaced about two million", "45 were killed".
func countsPeople(toks []tok, start, next int) bool {
	if start > 0 && toks[start-1].kind == kWord && peopleVerbs[toks[start-1].low] {
		return true
	}
	if next < len(toks) && toks[next].kind == kWord {
		w := toks[next].low
		if peopleAfter[w] {
			return true
		}
		if w == "estimated" || w == "reported" || w == "confirmed" {
			if next+1 < len(toks) && peopleAfter[toks[next+1].low] {
				return true // "20,000 estimated killed"
			}
		}
		if next+2 < len(toks) && (w == "have" || w == "had" || w == "were") && toks[next+1].low == "been" && peopleAfter[toks[next+2].low] {
			return true // "two million have been displaced"
		}
		if next+1 < len(toks) {
			w2 := toks[next+1].low
			if (w == "were" || w == "have" || w == "had") && peopleAfter[w2] {
				return true
			}
			if w == "in" && w2 == "need" {
				return true
			}
		}
	}
	return false
}

// readFraction reads "half", "a third", "one quarter", "two-thirds" as a
// percentage, and "a quarter of a million", "half a million" as a number.
// "half" after a determiner or an ordinal ("the western half", "the first
// half of 2016") is a part of something, not an amount.
func readFraction(toks []tok, i int) (number, bool) {
	n := number{first: i, word: true, frac: true}
	j := i
	count := 1.0
	switch w := toks[i].low; w {
	case "half":
		if i > 0 && toks[i-1].kind == kWord && halfBlockers[toks[i-1].low] {
			return n, false
		}
		if i+1 < len(toks) && toks[i+1].text == "-" && !toks[i+1].spaced {
			return n, false // half-brother, half-hearted
		}
	case "a", "an", "one":
		j = i + 1
	default:
		v, ok := smallNumbers[w]
		if !ok || v < 2 {
			return n, false
		}
		count = v
		j = i + 1
		if j < len(toks) && toks[j].text == "-" && !toks[j].spaced {
			j++
		}
	}
	if j >= len(toks) || toks[j].kind != kWord {
		return n, false
	}
	pct, ok := fractions[toks[j].low]
	if !ok || (toks[j].low == "half" && j != i && count != 1) {
		return n, false
	}
	if strings.HasSuffix(toks[j].low, "s") != (count > 1) && toks[j].low != "half" {
		return n, false // "two third" or "a thirds"
	}
	if toks[j].low != "half" && j == i {
		return n, false // "third" alone is an ordinal
	}
	n.val, n.next = math.Round(pct*count*10)/10, j+1
	// "a quarter of a million", "half a million": a number, not a share.
	k := n.next
	if k+1 < len(toks) && toks[k].low == "of" && toks[k+1].low == "a" {
		k++
	}
	if k+1 < len(toks) && toks[k].low == "a" && scaleWords[toks[k+1].low] >= 1e3 {
		n.val, n.next, n.scaled = pct*count/100*scaleWords[toks[k+1].low], k+2, true
	}
	return n, true
}

// multiplierVerb: "doubled" always multiplies; "double" and "triple" only
// after a qualifier or a verb ("more than double", "to double"), not as
// adjectives ("a double agent").
func multiplierVerb(toks []tok, i int) bool {
	w := toks[i].low
	if strings.HasSuffix(w, "d") {
		return true
	}
	if i == 0 || toks[i-1].kind != kWord {
		return false
	}
	switch toks[i-1].low {
	case "than", "to", "nearly", "almost", "will", "would", "could", "may", "might":
		return true
	}
	return false
}

// readVague reads vague amounts, whose value is only an order of
// magnitude: "tens of thousands of" (10,000), "hundreds of" (100),
// "thousands of" (1,000), "millions of" (1,000,000), "several hundred",
// "dozens of", "scores of" (10). Plural scale words count only before
// "of", so "in the thousands" is left alone.
func readVague(toks []tok, i int) (number, bool) {
	n := number{first: i, word: true}
	w := toks[i].low
	of := i+1 < len(toks) && toks[i+1].low == "of"
	switch {
	case (w == "tens" || w == "hundreds") && of && i+2 < len(toks) && (toks[i+2].low == "thousands" || toks[i+2].low == "millions"):
		n.val = vagueScales[w] * vagueScales[toks[i+2].low]
		n.vague, n.next = Thousands, i+3
	case w == "several" && i+1 < len(toks) && scaleWords[toks[i+1].low] >= 100 && !strings.HasSuffix(toks[i+1].low, "n"):
		n.val = scaleWords[toks[i+1].low]
		n.vague, n.next = Hundreds, i+2
		if n.val >= 1000 {
			n.vague = Thousands
		}
	case of && (w == "dozens" || w == "scores"):
		n.val, n.vague, n.next = 10, Several, i+1
	case of && vagueScales[w] >= 100:
		n.val, n.vague, n.next = vagueScales[w], Thousands, i+1
		if w == "hundreds" {
			n.vague = Hundreds
		}
	default:
		return n, false
	}
	n.scaled = true
	return n, true
}
