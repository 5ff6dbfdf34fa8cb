package quantity

// Word lists the parser reads, from the language file (lang.go,
// lang/en.yaml), under the names the parser uses.

var smallNumbers = english.SmallNumbers

var tensNumbers = english.TensNumbers

// scaleWords multiply the number before them.
var scaleWords = english.ScaleWords

// suffixScales are attached to digits: 4mn, 1.5bn, 10k, $3m.
var suffixScales = english.SuffixScales

// qualifiers maps the words before a number, as a lower-case phrase, to the
// schema qualifier. Longest phrases are tried first.
var qualifiers = english.Qualifiers

// unitPhrases are fixed units written after the number, longest first within
// each first word. Matching is on lower-case words.
var unitPhrases = english.UnitPhrases

// durations normalise to the plural.
var durations = english.Durations

// currencyBefore are symbols and codes written before the number.
var currencyBefore = english.CurrencyBefore

// singulars maps a counted noun in the singular to its plural, for "one
// soldier" and 1-sized counts; the unit is always given in the plural.
var singulars = english.Singulars

// collectives are counted nouns without a plural -s.
var collectives = toSet(english.Collectives)

// npStop ends the noun phrase after a number.
var npStop = toSet(english.NpStop)

// notPlural are words ending in -s that are not plural nouns.
var notPlural = toSet(english.NotPlural)

// monthWords mark dates: "June 2022", "29 June", "Feb 6th".
var monthWords = toSet(english.MonthWords)

// yearContext words put a four-digit number in the calendar: "in 2014".
var yearContext = toSet(english.YearContext)

// labelWords name the thing a number identifies rather than counts:
// "Resolution 2254", "Article 5", "No. 3", "Flight 17".
var labelWords = toSet(english.LabelWords)

// timeWords after a number make it a clock time.
var timeWords = toSet(english.TimeWords)

// peopleVerbs before a bare number make it a count of people.
var peopleVerbs = toSet(english.PeopleVerbs)

// peopleAfter words after a bare number make it a count of people.
var peopleAfter = toSet(english.PeopleAfter)

// countedNouns before a bare number name what it counts; "" means the
// noun after "of" ("the number of weapons").
var countedNouns = english.CountedNouns

// vagueScales are the plural scale words of vague amounts.
var vagueScales = english.VagueScales

// placeNouns before "of" and a bare number make it a count of people:
// "a town of 70,000".
var placeNouns = toSet(english.PlaceNouns)

// fractions are read as a percentage of the whole: "a third" is 33.3.
var fractions = english.Fractions

// halfBlockers before "half" make it a part, not an amount: "the first half".
var halfBlockers = toSet(english.HalfBlockers)

// multipliers are verbs and adverbs of growth, unit "times".
var multipliers = english.Multipliers

// numberWords are words that can start or make up a number.
var numberWords = func() map[string]bool {
	m := map[string]bool{"dozen": true, "half": true}
	for w := range multipliers {
		m[w] = true
	}
	for w := range fractions {
		m[w] = true
	}
	for w := range vagueScales {
		m[w] = true
	}
	m["dozens"], m["scores"], m["several"], m["single"] = true, true, true, true
	for w := range smallNumbers {
		m[w] = true
	}
	for w := range tensNumbers {
		m[w] = true
	}
	for w := range scaleWords {
		m[w] = true
	}
	return m
}()

// numberWordShape holds, per first letter, the lengths (bit n for n
// letters) of the number words, a cheap filter run before the map for
// every word of the text.
var numberWordShape = func() (t [256]uint16) {
	for w := range numberWords {
		if len(w) >= 16 {
			panic("quantity: number word too long for numberWordShape: " + w)
		}
		t[w[0]] |= 1 << len(w)
	}
	return t
}()

// isNumberWord is numberWords[w].
func isNumberWord(w string) bool {
	return w != "" && len(w) < 16 && numberWordShape[w[0]]&(1<<len(w)) != 0 && numberWords[w]
}

// squareUnits follow "square-" in an adjective: "a 2-square-mile area".
var squareUnits = english.SquareUnits

// armedBodies after "-strong" make the count fighters: "a 5,000-strong force".
var armedBodies = toSet(english.ArmedBodies)

// rateWords between a quantity and a period make a rate: "a day", "per year".
var rateWords = toSet(english.RateWords)

// determinersOf may follow "of" in a vague amount: "thousands of the refugees".
var determinersOf = toSet(english.DeterminersOf)
