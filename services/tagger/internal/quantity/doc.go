// Package quantity finds numbers in news text and normalises them: digits
// with separators, number words, suffixes (4mn, 1.5bn, 10k), percentages,
// areas, money with its currency, ranges and qualifiers ("more than",
// "nearly", "up to"...). Dates, years, clock times, phone numbers and codes
// such as 9/11 are not quantities; durations are. A quantity always has a
// unit: bare numbers that no unit can be found for are left out.
//
// Files: scan.go tokenises; parse.go reads numbers, fractions, vague
// amounts, qualifiers, ranges and exclusions; units.go reads the unit after
// a number and gives bare numbers the unit of their list, of a comparable
// quantity before them or of the noun the sentence counts; lang.go reads
// the language file lang/en.yaml (number words, scales, qualifiers, units,
// the words that mark dates, codes and ages), which vocab.go names for the
// parser.
package quantity
