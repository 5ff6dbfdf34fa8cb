package tag

import (
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Speaker kinds and roles: what kind of source a claim's speaker is
// (person, organisation, document, anonymous official, the outlet itself)
// and the role the topic file gives it (coalition, government, ...).

// roleIndex maps a source name, as folded words joined by spaces, to its
// role. Names of two or three capitals (IS, UN) sit in exact, keyed as
// written, so that "is" and "un" in running text never match.
type roleIndex struct {
	folded map[string]string
	exact  map[string]string
	maxLen int // most words in a name
}

func newRoleIndex() *roleIndex {
	return &roleIndex{folded: map[string]string{}, exact: map[string]string{}}
}

// add registers a name; the first role given to a name stays.
func (ri *roleIndex) add(name, role string) {
	ws := roleWords(name)
	if len(ws) == 0 {
		return
	}
	if len(ws) == 1 && isShortCaps(name) {
		if _, ok := ri.exact[name]; !ok {
			ri.exact[name] = role
		}
		return
	}
	var b []byte
	for i, w := range ws {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendLower(b, w)
	}
	k := string(b)
	if _, ok := ri.folded[k]; !ok {
		ri.folded[k] = role
	}
	ri.maxLen = max(ri.maxLen, len(ws))
}

// roleWords splits a name into words at spaces, hyphens and periods kept
// inside initialisms ("U.S." stays one word).
func roleWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '-' || r == ',' || r == '(' || r == ')' || r == '’' || r == '\'' || r == '"' || r == '“' || r == '”'
	})
}

func isShortCaps(w string) bool {
	if len(w) < 2 || len(w) > 3 {
		return false
	}
	for i := 0; i < len(w); i++ {
		if w[i] < 'A' || w[i] > 'Z' {
			return false
		}
	}
	return true
}

// of returns the role of the longest known name in the texts, first text
// first: the speaker, then a person's role ("SDF spokesman"). It runs once
// per attribution, so it keeps the words as offsets into the text and
// builds each lookup key in a stack buffer: no allocation per n-gram.
func (ri *roleIndex) of(texts ...string) string {
	var spans [24][2]int
	var key [128]byte
	for _, t := range texts {
		ws := wordSpans(t, spans[:0])
		best, bestN := "", 0
		for i := range ws {
			if r, ok := ri.exact[t[ws[i][0]:ws[i][1]]]; ok && bestN < 1 {
				best, bestN = r, 1
			}
			for n := min(ri.maxLen, len(ws)-i); n >= 1 && n > bestN; n-- {
				k := key[:0]
				for j := i; j < i+n; j++ {
					if j > i {
						k = append(k, ' ')
					}
					k = appendLower(k, t[ws[j][0]:ws[j][1]])
				}
				if r, ok := ri.folded[string(k)]; ok {
					best, bestN = r, n
					break
				}
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}

// wordSpans appends the [start, end) of the words of s, split as roleWords
// splits, up to the capacity of dst.
func wordSpans(s string, dst [][2]int) [][2]int {
	start := -1
	for i, r := range s {
		sep := r == ' ' || r == '-' || r == ',' || r == '(' || r == ')' || r == '’' || r == '\'' || r == '"' || r == '“' || r == '”'
		switch {
		case sep && start >= 0:
			if len(dst) == cap(dst) {
				return dst
			}
			dst = append(dst, [2]int{start, i})
			start = -1
		case !sep && start < 0:
			start = i
		}
	}
	if start >= 0 && len(dst) < cap(dst) {
		dst = append(dst, [2]int{start, len(s)})
	}
	return dst
}

// appendLower appends w lower-cased as strings.ToLower would for ASCII;
// other runes are copied as they are (names in the topic file that need
// Unicode folding are folded the same way when added).
func appendLower(dst []byte, w string) []byte {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

// speakerKind classifies a resolved speaker that is not a known person by
// the head of its phrase: a document ("report", "statement"), unnamed
// officials or sources, the outlet speaking of itself ("we", "our
// count"), or else an organisation.
func speakerKind(phrase string) string {
	var spans [24][2]int
	ws := wordSpans(phrase, spans[:0])
	if len(ws) == 0 {
		return schema.SpeakerOutlet
	}
	// First person as written in lower case: "we", "our count"; "US" is
	// a country.
	for _, w := range ws {
		if english.first[phrase[w[0]:w[1]]] {
			return schema.SpeakerOutlet
		}
	}
	// The head is the last word before a prepositional tail: "report by
	// the UN team" is a report.
	h := ws[len(ws)-1]
	for i, w := range ws {
		switch phrase[w[0]:w[1]] {
		case "by", "of", "from", "in", "at", "on", "for":
			if i > 0 {
				h = ws[i-1]
			}
		default:
			continue
		}
		break
	}
	var buf [64]byte
	head := appendLower(buf[:0], strings.Trim(phrase[h[0]:h[1]], ".;:"))
	switch {
	case english.headKind[string(head)] == "document":
		return schema.SpeakerDocument
	case english.anonymous[string(head)] && !hasProperName(phrase):
		return schema.SpeakerAnonymous
	}
	return schema.SpeakerOrganisation
}

// hasProperName reports a capitalised word after the first that is not an
// adjective of nationality written before "officials": "Pentagon officials"
// names a body, "US officials" and "Iraqi officials" do not.
func hasProperName(phrase string) bool {
	ws := strings.Fields(phrase)
	for i, w := range ws {
		if i == len(ws)-1 || w == "" || w[0] < 'A' || w[0] > 'Z' {
			continue
		}
		l := strings.ToLower(strings.Trim(w, ".,"))
		if i == 0 && (l == "the" || l == "a" || l == "an") {
			continue
		}
		if nationality[l] {
			continue
		}
		return true
	}
	return false
}

// nationality adjectives and country initials say whose officials, not
// which body.
var nationality = english.whose
