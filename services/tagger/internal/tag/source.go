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
	k := strings.ToLower(strings.Join(ws, " "))
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
// first: the speaker, then a person's role ("SDF spokesman").
func (ri *roleIndex) of(texts ...string) string {
	for _, t := range texts {
		if t == "" {
			continue
		}
		ws := roleWords(t)
		best, bestN := "", 0
		for i := range ws {
			if r, ok := ri.exact[ws[i]]; ok && bestN < 1 {
				best, bestN = r, 1
			}
			for n := min(ri.maxLen, len(ws)-i); n >= 1 && n > bestN; n-- {
				k := strings.ToLower(strings.Join(ws[i:i+n], " "))
				if r, ok := ri.folded[k]; ok {
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

// speakerKind classifies a resolved speaker that is not a known person by
// the head of its phrase: a document ("report", "statement"), unnamed
// officials or sources, the outlet speaking of itself ("we", "our
// count"), or else an organisation.
func speakerKind(phrase string) string {
	// First person as written in lower case: "we", "our count"; "US" is
	// a country.
	for _, w := range strings.Fields(phrase) {
		if english.first[w] {
			return schema.SpeakerOutlet
		}
	}
	ws := strings.Fields(strings.ToLower(phrase))
	if len(ws) == 0 {
		return schema.SpeakerOutlet
	}
	// The head is the last word before a prepositional tail: "report by
	// the UN team" is a report.
	head := ws[len(ws)-1]
	for i, w := range ws {
		if i > 0 && (w == "by" || w == "of" || w == "from" || w == "in" || w == "at" || w == "on" || w == "for" || w == "(") {
			head = ws[i-1]
			break
		}
	}
	head = strings.Trim(head, ".,;:()’'\"")
	switch {
	case english.headKind[head] == "document":
		return schema.SpeakerDocument
	case english.anonymous[head] && !hasProperName(phrase):
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

// nationality adjectives and country initials that say whose officials,
// not which body.
var nationality = map[string]bool{
	"us": true, "u.s": true, "u.s.": true, "american": true, "iraqi": true, "syrian": true,
	"kurdish": true, "turkish": true, "british": true, "french": true, "german": true,
	"russian": true, "iranian": true, "afghan": true, "nigerian": true, "western": true,
	"european": true, "israeli": true, "saudi": true, "jordanian": true, "egyptian": true,
	"libyan": true, "somali": true, "pakistani": true, "indian": true, "chinese": true,
	"uk": true, "senior": true, "local": true, "security": true, "military": true,
	"intelligence": true, "government": true, "defense": true, "defence": true,
}
