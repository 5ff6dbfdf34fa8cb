package ledger

import (
	"math"
	"strings"
	"unicode"
)

// valuesMatch reports whether e states the anchor's number: both single
// numbers or both ranges, equal within the tolerance. Qualifiers ("more
// than", "nearly") are wording and do not matter; a range never matches a
// single number ("14,000-18,000" is not "18,000").
func (o Options) valuesMatch(anchor, e *Entry) bool {
	if anchor.IsRange() != e.IsRange() {
		return false
	}
	if anchor.IsRange() {
		return o.close(*anchor.Low, *e.Low) && o.close(*anchor.High, *e.High)
	}
	return o.close(anchor.Point(), e.Point())
}

// close: equal, or both at least ExactBelow and within Tolerance of the
// larger. Small counts and percentages must be equal: 95 and 96 percent
// are two claims, 4mn and 4.05mn people one.
func (o Options) close(x, y float64) bool {
	if x == y {
		return true
	}
	m := math.Max(math.Abs(x), math.Abs(y))
	return m >= o.ExactBelow && math.Abs(x-y) <= o.Tolerance*m
}

// topicOK: a topic the tagger is sure of must agree with the group's;
// a weak one (missing, or shared by figures of several units) agrees with
// any.
func topicOK(groupTopic string, e *Entry) bool {
	return e.TopicWeak || e.Topic == "" || groupTopic == "" || groupTopic == e.Topic
}

// placesOK: claims that name places must share one with the group ("Iraq
// and Syria" and "Iraq" agree, "Iraq" and "Syria" do not); a claim that
// names none agrees with any.
func placesOK(group map[string]bool, places []string) bool {
	if len(group) == 0 || len(places) == 0 {
		return true
	}
	for _, p := range places {
		if group[placeKey(p)] {
			return true
		}
	}
	return false
}

func placeKey(p string) string { return strings.ToLower(strings.TrimSpace(p)) }

// textMatch: a claim without numbers matches when nearly all the content
// words of the shorter one are in the other, and there are enough of them
// to mean something: wire copy reprinted with a different lead-in, not two
// claims that share a few words.
func (o Options) textMatch(anchor, e map[string]bool) bool {
	small, big := anchor, e
	if len(small) > len(big) {
		small, big = big, small
	}
	if len(small) < o.TextMinWords {
		return false
	}
	n := 0
	for w := range small {
		if big[w] {
			n++
		}
	}
	return float64(n) >= o.TextOverlap*float64(len(small))
}

// contentWords are the lower-cased words of three letters or more that are
// not function words or reporting verbs.
func contentWords(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) >= 3 && !isStopWord(w) {
			out[w] = true
		}
	}
	return out
}

// isStopWord: function words and the verbs outlets use to attribute the
// same statement differently carry no claim.
func isStopWord(w string) bool {
	switch w {
	case "the", "and", "but", "for", "nor", "not", "yet", "are", "was", "were", "has", "have", "had",
		"been", "being", "its", "this", "that", "these", "those", "there", "their", "they", "them",
		"then", "than", "with", "from", "into", "onto", "over", "under", "about", "after", "before",
		"while", "which", "who", "whom", "whose", "what", "when", "where", "will", "would", "shall",
		"should", "can", "could", "may", "might", "must", "also", "very", "our", "ours", "out", "all",
		"any", "each", "some", "such", "own", "same", "more", "most", "other", "only", "just", "said",
		"says", "say", "told", "tells", "added", "adding", "according", "stated", "statement", "noted",
		"note", "reported", "reporting", "reports", "announced", "claimed", "explained", "him", "his",
		"her", "hers", "she", "you", "your":
		return true
	}
	return false
}
