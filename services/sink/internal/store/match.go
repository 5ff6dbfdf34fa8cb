package store

import (
	"strings"
	"unicode"
)

// Names (speakers, places, outlets) are looked up by words: "Mattis",
// "mattis" and "James Mattis" all find "James Mattis"; "al-Raqqa" and
// "raqqa" find "Al-Raqqa". A query matches a name when its words appear
// in the name, consecutive and in order, ignoring case and punctuation.
// PhraseOf and the SQL of PhraseSQL split words the same way for the
// separators names use (space, ASCII punctuation, ’, tab, newline); a
// name is always found by itself whole (NameCond).

// PhraseOf is s as lower-case words joined by single spaces.
func PhraseOf(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}), " ")
}

// HasPhrase reports whether name is query, ignoring case, or the words of
// query appear in name, consecutive and in order. An empty query matches
// every name; one without a letter or digit matches only itself.
func HasPhrase(name, query string) bool {
	if strings.TrimSpace(query) == "" || nameKey(name) == nameKey(query) {
		return true
	}
	q := PhraseOf(query)
	return q != "" && strings.Contains(" "+PhraseOf(name)+" ", " "+q+" ")
}

// NameCond is the SQL condition of HasPhrase on keyCol, a lower-cased key
// column (speaker_key, place_key, name_key): the whole name, or its words.
// arg adds a query argument and returns its placeholder. The words are
// found as PhraseSQL splits them, which agrees with PhraseOf for the
// separators names use; a name with others is still found whole.
func NameCond(keyCol, query string, arg func(any) string) string {
	c := keyCol + " = " + arg(nameKey(query))
	if PhraseOf(query) == "" {
		return c
	}
	return "(" + c + " OR " + PhraseSQL(keyCol) + " LIKE " + arg(PhrasePattern(query)) + ")"
}

// phraseSeparators are the characters PhraseSQL turns into spaces.
var phraseSeparators = []string{"-", ".", ",", "'", "’", "(", ")", "/", "|", "&", ":", ";", "=", "\"", "!", "?",
	"#", "*", "%", "_", "@", "$", "+", "[", "]", "{", "}", "<", ">", "~", "`", "\\", "\t", "\n"}

// PhraseSQL is an SQL expression of both databases: the lower-cased
// column expr with separators turned to spaces and a space either side,
// to compare with LIKE against PhrasePattern.
func PhraseSQL(expr string) string {
	e := "LOWER(" + expr + ")"
	for _, s := range phraseSeparators {
		e = "REPLACE(" + e + ", '" + strings.ReplaceAll(s, "'", "''") + "', ' ')"
	}
	// Two separators in a row ("gen. joseph") leave two spaces.
	e = "REPLACE(REPLACE(" + e + ", '  ', ' '), '  ', ' ')"
	return "(' ' || " + e + " || ' ')"
}

// PhrasePattern is the LIKE pattern of query for PhraseSQL: its words
// hold only letters and digits, so nothing needs escaping.
func PhrasePattern(query string) string { return "% " + PhraseOf(query) + " %" }

// LanguageMatches reports whether an article's language (a BCP 47 tag
// such as "fr" or "fr-CA") is lang, ignoring case; "fr" takes its regions.
func LanguageMatches(language, lang string) bool {
	l, want := strings.ToLower(strings.TrimSpace(language)), strings.ToLower(strings.TrimSpace(lang))
	return want == "" || l == want || strings.HasPrefix(l, want+"-")
}
