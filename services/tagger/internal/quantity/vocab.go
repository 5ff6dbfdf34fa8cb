package quantity

// Word lists the parser reads. They are English grammar and units, not topic
// data, so they live in code.

var smallNumbers = map[string]float64{
	"zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
	"thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
	"seventeen": 17, "eighteen": 18, "nineteen": 19,
}

var tensNumbers = map[string]float64{
	"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
	"seventy": 70, "eighty": 80, "ninety": 90,
}

// scaleWords multiply the number before them.
var scaleWords = map[string]float64{
	"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
	"mn": 1e6, "mln": 1e6, "bn": 1e9, "tn": 1e12, "trn": 1e12,
}

// suffixScales are attached to digits: 4mn, 1.5bn, 10k, $3m.
var suffixScales = map[string]float64{
	"k": 1e3, "mn": 1e6, "mln": 1e6, "m": 1e6, "bn": 1e9, "b": 1e9, "tn": 1e12, "trn": 1e12,
	"million": 1e6, "billion": 1e9, "thousand": 1e3,
}

// qualifiers maps the words before a number, as a lower-case phrase, to the
// schema qualifier. Longest phrases are tried first.
var qualifiers = []struct {
	words []string
	q     string
}{
	{[]string{"no", "fewer", "than"}, "at least"},
	{[]string{"no", "less", "than"}, "at least"},
	{[]string{"no", "more", "than"}, "up to"},
	{[]string{"a", "minimum", "of"}, "at least"},
	{[]string{"a", "maximum", "of"}, "up to"},
	{[]string{"in", "excess", "of"}, "more than"},
	{[]string{"upwards", "of"}, "more than"},
	{[]string{"as", "many", "as"}, "up to"},
	{[]string{"as", "much", "as"}, "up to"},
	{[]string{"as", "few", "as"}, "at least"},
	{[]string{"well", "over"}, "more than"},
	{[]string{"just", "over"}, "more than"},
	{[]string{"just", "under"}, "nearly"},
	{[]string{"close", "to"}, "nearly"},
	{[]string{"more", "than"}, "more than"},
	{[]string{"greater", "than"}, "more than"},
	{[]string{"less", "than"}, "less than"},
	{[]string{"fewer", "than"}, "less than"},
	{[]string{"at", "least"}, "at least"},
	{[]string{"at", "most"}, "up to"},
	{[]string{"up", "to"}, "up to"},
	{[]string{"an", "estimated"}, "approximately"},
	{[]string{"some"}, "approximately"},
	{[]string{"about"}, "approximately"},
	{[]string{"around"}, "approximately"},
	{[]string{"approximately"}, "approximately"},
	{[]string{"approx"}, "approximately"},
	{[]string{"roughly"}, "approximately"},
	{[]string{"estimated"}, "approximately"},
	{[]string{"circa"}, "approximately"},
	{[]string{"nearly"}, "nearly"},
	{[]string{"almost"}, "nearly"},
	{[]string{"approaching"}, "nearly"},
	{[]string{"closer", "to"}, "nearly"},
	{[]string{"over"}, "more than"},
	{[]string{"above"}, "more than"},
	{[]string{"under"}, "less than"},
	{[]string{"below"}, "less than"},
}

// unitPhrases are fixed units written after the number, longest first within
// each first word. Matching is on lower-case words.
var unitPhrases = []struct {
	words []string
	unit  string
}{
	{[]string{"percentage", "points"}, "percentage points"},
	{[]string{"percentage", "point"}, "percentage points"},
	{[]string{"per", "cent"}, "percent"},
	{[]string{"percent"}, "percent"},
	{[]string{"per", "cent"}, "percent"},
	{[]string{"times"}, "times"},
	{[]string{"pc"}, "percent"},
	{[]string{"sq", "km"}, "km2"},
	{[]string{"sq", ".", "km"}, "km2"},
	{[]string{"sqkm"}, "km2"},
	{[]string{"sq", "kilometres"}, "km2"},
	{[]string{"sq", "kilometers"}, "km2"},
	{[]string{"square", "kilometres"}, "km2"},
	{[]string{"square", "kilometers"}, "km2"},
	{[]string{"square", "kilometre"}, "km2"},
	{[]string{"square", "kilometer"}, "km2"},
	{[]string{"square", "km"}, "km2"},
	{[]string{"km²"}, "km2"},
	{[]string{"km", "²"}, "km2"},
	{[]string{"km2"}, "km2"},
	{[]string{"sq", "miles"}, "mi2"},
	{[]string{"sq", "mi"}, "mi2"},
	{[]string{"square", "miles"}, "mi2"},
	{[]string{"square", "mile"}, "mi2"},
	{[]string{"hectares"}, "ha"},
	{[]string{"hectare"}, "ha"},
	{[]string{"acres"}, "acres"},
	{[]string{"km", "/", "h"}, "km/h"},
	{[]string{"kph"}, "km/h"},
	{[]string{"mph"}, "mph"},
	{[]string{"kilometres"}, "km"},
	{[]string{"kilometers"}, "km"},
	{[]string{"kilometre"}, "km"},
	{[]string{"kilometer"}, "km"},
	{[]string{"km"}, "km"},
	{[]string{"metres"}, "m"},
	{[]string{"meters"}, "m"},
	{[]string{"metre"}, "m"},
	{[]string{"meter"}, "m"},
	{[]string{"miles"}, "mi"},
	{[]string{"mile"}, "mi"},
	{[]string{"tonnes"}, "tonnes"},
	{[]string{"tonne"}, "tonnes"},
	{[]string{"tons"}, "tonnes"},
	{[]string{"kg"}, "kg"},
	{[]string{"kilograms"}, "kg"},
	{[]string{"us", "dollars"}, "USD"},
	{[]string{"dollars"}, "USD"},
	{[]string{"euros"}, "EUR"},
	{[]string{"euro"}, "EUR"},
	{[]string{"pounds", "sterling"}, "GBP"},
	{[]string{"iraqi", "dinars"}, "IQD"},
	{[]string{"dinars"}, "IQD"},
	{[]string{"syrian", "pounds"}, "SYP"},
	{[]string{"riyals"}, "SAR"},
	{[]string{"lira"}, "TRY"},
	{[]string{"liras"}, "TRY"},
	{[]string{"usd"}, "USD"},
	{[]string{"eur"}, "EUR"},
	{[]string{"gbp"}, "GBP"},
}

// durations normalise to the plural.
var durations = map[string]string{
	"second": "seconds", "seconds": "seconds", "minute": "minutes", "minutes": "minutes",
	"hour": "hours", "hours": "hours", "day": "days", "days": "days",
	"week": "weeks", "weeks": "weeks", "month": "months", "months": "months",
	"year": "years", "years": "years", "decade": "decades", "decades": "decades",
	"century": "centuries", "centuries": "centuries", "min": "minutes", "mins": "minutes",
	"millennium": "millennia", "millennia": "millennia", "hr": "hours", "hrs": "hours", "sec": "seconds", "secs": "seconds", "yrs": "years",
}

// currencyBefore are symbols and codes written before the number.
var currencyBefore = map[string]string{
	"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP",
	"gbp": "GBP", "¥": "JPY", "iqd": "IQD",
}

// singulars maps a counted noun in the singular to its plural, for "one
// soldier" and 1-sized counts; the unit is always given in the plural.
var singulars = map[string]string{
	"person": "people", "people": "people", "persons": "people", "individuals": "people",
	"individual": "people", "country": "countries", "nation": "nations", "fighter": "fighters",
	"militant": "militants", "soldier": "soldiers", "civilian": "civilians", "child": "children",
	"strike": "strikes", "airstrike": "airstrikes", "member": "members", "attack": "attacks",
	"village": "villages", "town": "towns", "city": "cities", "camp": "camps",
	"vehicle": "vehicles", "drone": "drones", "rocket": "rockets", "officer": "officers",
	"official": "officials", "body": "bodies", "family": "families", "woman": "women",
	"man": "men", "project": "projects", "prisoner": "prisoners", "detainee": "detainees",
	"suspect": "suspects", "leader": "leaders", "commander": "commanders", "policeman": "policemen",
	"victim": "victims", "casualty": "casualties", "refugee": "refugees", "home": "homes",
	"house": "houses", "school": "schools", "hospital": "hospitals", "bomb": "bombs",
}

// collectives are counted nouns without a plural -s.
var collectives = map[string]bool{
	"people": true, "police": true, "personnel": true, "staff": true, "children": true,
	"men": true, "women": true, "militia": true, "army": true, "troops": true,
	"cattle": true, "livestock": true, "youth": true, "policemen": true, "clergy": true,
	"aircraft": true, "artillery": true, "infantry": true, "crew": true,
}

// npStop ends the noun phrase after a number.
var npStop = map[string]bool{
	"a": true, "an": true, "the": true, "of": true, "in": true, "on": true, "at": true,
	"to": true, "from": true, "by": true, "for": true, "with": true, "without": true,
	"into": true, "onto": true, "across": true, "against": true, "between": true,
	"among": true, "amid": true, "near": true, "under": true, "over": true, "after": true,
	"before": true, "during": true, "since": true, "until": true, "through": true,
	"throughout": true, "per": true, "via": true, "within": true, "around": true,
	"about": true, "including": true, "and": true, "or": true, "but": true, "nor": true,
	"than": true, "as": true, "that": true, "which": true, "who": true, "whom": true,
	"whose": true, "where": true, "when": true, "while": true, "if": true, "is": true,
	"are": true, "was": true, "were": true, "be": true, "been": true, "being": true,
	"has": true, "have": true, "had": true, "do": true, "does": true, "did": true,
	"will": true, "would": true, "shall": true, "should": true, "can": true, "could": true,
	"may": true, "might": true, "must": true, "not": true, "no": true, "it": true,
	"its": true, "they": true, "their": true, "them": true, "he": true, "she": true,
	"his": true, "her": true, "we": true, "our": true, "you": true, "this": true,
	"these": true, "those": true, "there": true, "here": true, "each": true, "every": true,
	"all": true, "some": true, "many": true, "more": true, "most": true, "less": true,
	"also": true, "still": true, "now": true, "already": true, "only": true, "just": true,
	"so": true, "such": true, "very": true, "long": true, "away": true, "ago": true,
	"later": true, "earlier": true, "last": true, "next": true, "said": true,
	"says": true, "say": true, "told": true, "reported": true, "according": true,
	"whereas": true, "because": true, "although": true, "though": true, "unless": true,
	"out": true, "up": true, "down": true, "off": true, "back": true, "again": true,
	"too": true, "either": true, "both": true, "yet": true, "ever": true, "never": true,
	"times": true, "apiece": true,
	"respectively": true, "altogether": true,
}

// notPlural are words ending in -s that are not plural nouns.
var notPlural = map[string]bool{
	"is": true, "was": true, "has": true, "does": true, "goes": true, "says": true,
	"its": true, "this": true, "thus": true, "us": true, "as": true, "across": true,
	"less": true, "unless": true, "whereas": true, "always": true, "perhaps": true,
	"besides": true, "towards": true, "afterwards": true, "isis": true,
	"various": true, "previous": true, "serious": true, "famous": true, "numerous": true,
	"takes": true, "makes": true, "remains": true, "comes": true, "seems": true,
	"lies": true, "stands": true, "holds": true, "includes": true,
	"contains": true, "gets": true, "gives": true, "needs": true, "kills": true,
	"continues": true, "becomes": true, "marks": true, "shows": true, "tells": true,
}

// monthWords mark dates: "June 2022", "29 June", "Feb 6th".
var monthWords = map[string]bool{
	"january": true, "february": true, "march": true, "april": true, "may": true,
	"june": true, "july": true, "august": true, "september": true, "october": true,
	"november": true, "december": true, "jan": true, "feb": true, "mar": true,
	"apr": true, "jun": true, "jul": true, "aug": true, "sep": true, "sept": true,
	"oct": true, "nov": true, "dec": true,
}

// yearContext words put a four-digit number in the calendar: "in 2014".
var yearContext = map[string]bool{
	"in": true, "since": true, "from": true, "by": true, "until": true, "till": true,
	"of": true, "the": true, "to": true, "and": true, "or": true, "early": true,
	"late": true, "mid": true, "before": true, "after": true, "during": true,
	"between": true, "circa": true, "year": true, "spring": true, "summer": true,
	"autumn": true, "fall": true, "winter": true, "through": true, "as": true,
}

// labelWords name the thing a number identifies rather than counts:
// "Resolution 2254", "Article 5", "No. 3", "Flight 17".
var labelWords = map[string]bool{
	"no": true, "nos": true, "number": true, "resolution": true, "article": true,
	"section": true, "chapter": true, "page": true, "pages": true, "flight": true,
	"room": true, "route": true, "highway": true, "platform": true, "gate": true,
	"brigade": true, "division": true, "battalion": true, "regiment": true,
	"unit": true, "level": true, "phase": true, "stage": true, "round": true,
	"season": true, "episode": true, "volume": true, "vol": true, "act": true,
	"law": true, "decree": true, "item": true, "table": true, "figure": true,
	"fig": true, "category": true, "grade": true, "class": true, "type": true,
	"model": true, "version": true, "paragraph": true, "line": true, "channel": true,
	"track": true, "tier": true, "zone": true, "sector": true, "block": true,
	"district": true, "week": true, "day": true, "year": true,
	"apollo": true, "boeing": true, "airbus": true, "covid": true, "ward": true,
	"sura": true, "verse": true, "bill": true, "exit": true, "junction": true,
	"station": true, "terminal": true, "squad": true, "team": true, "grid": true,
	"code": true, "checkpoint": true, "hill": true,
	"point": true, "plot": true, "building": true, "floor": true, "road": true,
	"street": true, "st": true, "avenue": true, "ave": true, "box": true, "p": true,
	"pp": true, "tel": true, "fax": true, "phone": true, "ext": true, "ref": true,
	"id": true, "iso": true, "rfc": true, "g": true, "top": true,
}

// timeWords after a number make it a clock time.
var timeWords = map[string]bool{
	"am": true, "pm": true, "gmt": true, "utc": true, "hrs": true, "o'clock": true,
	"o’clock": true, "cet": true, "est": true, "edt": true, "bst": true,
}

// peopleVerbs before a bare number make it a count of people.
var peopleVerbs = map[string]bool{
	"killed": true, "killing": true, "kills": true, "wounded": true, "wounding": true,
	"injured": true, "injuring": true, "displaced": true, "displacing": true, "left": true,
	"leaving": true, "affected": true, "affecting": true, "evacuated": true, "rescued": true,
	"freed": true, "arrested": true, "detained": true, "abducted": true, "kidnapped": true,
	"employs": true, "employing": true, "housing": true, "houses": true, "hosting": true,
	"hosts": true,
}

// peopleAfter words after a bare number make it a count of people.
var peopleAfter = map[string]bool{
	"dead": true, "killed": true, "wounded": true, "injured": true, "displaced": true,
	"missing": true, "died": true, "detained": true, "arrested": true, "evacuated": true,
}

// countedNouns before a bare number name what it counts; "" means the
// noun after "of" ("the number of weapons").
var countedNouns = map[string]string{
	"number": "", "numbers": "", "total": "", "tally": "", "count": "",
	"toll": "deaths", "population": "people",
}

// vagueScales are the plural scale words of vague amounts.
var vagueScales = map[string]float64{
	"tens": 10, "hundreds": 100, "thousands": 1000, "millions": 1e6, "billions": 1e9,
}

// placeNouns before "of" and a bare number make it a count of people:
// "a town of 70,000".
var placeNouns = map[string]bool{
	"town": true, "city": true, "village": true, "district": true, "population": true,
	"camp": true, "community": true, "county": true, "province": true,
}

// fractions are read as a percentage of the whole: "a third" is 33.3.
var fractions = map[string]float64{
	"half": 50, "third": 33.33, "thirds": 33.33, "quarter": 25, "quarters": 25,
	"fifth": 20, "fifths": 20, "tenth": 10, "tenths": 10,
}

// halfBlockers before "half" make it a part, not an amount: "the first half".
var halfBlockers = map[string]bool{
	"the": true, "first": true, "second": true, "its": true, "their": true, "his": true,
	"her": true, "this": true, "that": true, "other": true, "latter": true, "former": true,
	"western": true, "eastern": true, "northern": true, "southern": true, "one": true,
	"a": true, "an": true, "and": true,
}

// multipliers are verbs and adverbs of growth, unit "times".
var multipliers = map[string]float64{
	"doubled": 2, "double": 2, "tripled": 3, "triple": 3, "trebled": 3, "quadrupled": 4,
}

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
	m["dozens"], m["scores"], m["several"] = true, true, true
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
