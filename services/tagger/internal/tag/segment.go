package tag

// sentence is a span of body tokens [a, b) and of text bytes [start, end).
type sentence struct {
	a, b       int
	start, end int
	line       int32
	startQ     bool // a quotation is open when the sentence starts
	endQ       bool // and still open when it ends
	quoted     bool // the sentence has quoted words
	group      int  // sentences of one quotation share a group
}

// abbreviations end with a period that does not end a sentence.
var abbreviations = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "dr": true, "prof": true, "col": true, "gen": true,
	"lt": true, "maj": true, "capt": true, "sgt": true, "cpl": true, "adm": true, "brig": true,
	"rep": true, "sen": true, "gov": true, "rev": true, "st": true, "no": true, "nos": true,
	"jan": true, "feb": true, "mar": true, "apr": true, "jun": true, "jul": true, "aug": true,
	"sep": true, "sept": true, "oct": true, "nov": true, "dec": true, "inc": true, "ltd": true,
	"co": true, "corp": true, "vs": true, "mt": true, "ft": true, "pvt": true, "cmdr": true,
	"jr": true, "sr": true, "dept": true, "approx": true, "fig": true, "al": true, "gens": true,
	"lieut": true, "supt": true, "insp": true, "messrs": true, "cdr": true, "sgts": true,
	"brig-gen": true, "maj-gen": true, "lt-col": true, "hon": true, "amb": true,
}

// sentenceStarters may follow an initialism that ends a sentence: "... the U.S. The ...".
var sentenceStarters = map[string]bool{
	"the": true, "he": true, "she": true, "it": true, "they": true, "we": true, "i": true,
	"but": true, "in": true, "a": true, "an": true, "this": true, "that": true,
	"however": true, "meanwhile": true, "on": true, "at": true, "his": true, "her": true,
	"their": true, "its": true, "there": true, "officials": true, "some": true,
}

func isQuoteChar(s string) bool {
	switch s {
	case "“", "”", "\"", "«", "»", "„":
		return true
	}
	return false
}

func isCloser(s string) bool {
	switch s {
	case "”", "\"", "’", "'", ")", "]", "»":
		return true
	}
	return false
}

// segment splits body lines into sentences and marks quoted tokens. It
// survives abbreviations (Col., Gen., U.S.), decimals and quotations that
// span several sentences, which share a group so that one attribution
// covers them all.
func segment(dc *doc) []sentence {
	return segmentTo(dc, nil)
}

// segmentTo is segment appending to dst.
func segmentTo(dc *doc, dst []sentence) []sentence {
	toks := dc.toks
	out := dst
	if n := len(dc.lines) * 3; cap(out) < n {
		out = make([]sentence, 0, n)
	}
	group := 0
	for li := range dc.lines {
		ln := &dc.lines[li]
		if ln.first == ln.last {
			continue
		}
		q := false
		sa := ln.first
		startQ := false
		quoted := false
		emit := func(b int) {
			if b <= sa {
				return
			}
			s := sentence{a: sa, b: b, start: toks[sa].start, end: toks[b-1].end, line: int32(li), startQ: startQ, endQ: q, quoted: quoted, group: group}
			out = append(out, s)
			if !q {
				group++
			}
			sa, startQ, quoted = b, q, q
		}
		for k := ln.first; k < ln.last; k++ {
			t := &toks[k]
			if t.kind == tPunct && isQuoteChar(t.norm) {
				switch t.norm {
				case "«":
					q = true
				case "»":
					q = false
				default:
					q = !q
				}
				quoted = true
				continue
			}
			if q {
				t.flags |= fQuote
			}
			if t.kind == tWord && t.has(fInit) && k+1 < ln.last {
				nx := &toks[k+1]
				if nx.has(fSpaced) && nx.kind == tWord && nx.has(fUpper) && sentenceStarters[nx.norm] {
					emit(k + 1)
				}
				continue
			}
			if t.kind != tPunct || !isTerminal(t.norm) {
				continue
			}
			e := k + 1
			for e < ln.last && toks[e].kind == tPunct && (isTerminal(toks[e].norm) || isCloser(toks[e].norm)) && !toks[e].has(fSpaced) {
				if isQuoteChar(toks[e].norm) {
					q = !q
					if toks[e].norm == "»" {
						q = false
					}
					quoted = true
				}
				e++
			}
			if e >= ln.last {
				k = e - 1
				continue
			}
			if boundary(dc.text, toks, k, e) {
				emit(e)
				k = e - 1
			}
		}
		emit(ln.last)
		group++
	}
	return out
}

func isTerminal(s string) bool {
	return s == "." || s == "!" || s == "?" || s == "…"
}

// boundary decides whether the terminal mark at k, with closers up to e,
// ends a sentence.
func boundary(text string, toks []token, k, e int) bool {
	nx := &toks[e]
	if !nx.has(fSpaced) {
		return false
	}
	switch {
	case nx.kind == tWord && (nx.has(fUpper) || nx.has(fCaps)):
	case nx.kind == tNum:
	case nx.kind == tPunct && (isQuoteChar(nx.norm) || nx.norm == "(" || nx.norm == "‘" || nx.norm == "'"):
	default:
		return false
	}
	if toks[k].norm != "." || k == 0 {
		return true
	}
	pv := &toks[k-1]
	if pv.has(fSpaced) && pv.kind == tPunct {
		return true
	}
	if pv.kind == tWord && !toks[k].has(fSpaced) {
		if abbreviations[pv.norm] && pv.has(fUpper) {
			return false
		}
		// A single capital is an initial: "John F. Kennedy".
		if pv.end-pv.start == 1 && pv.has(fUpper) {
			return false
		}
	}
	return true
}
