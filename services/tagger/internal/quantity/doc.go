// Package quantity finds numbers in news text and normalises them: digits
// with separators, number words, suffixes (4mn, 1.5bn, 10k), percentages,
// areas, money with its currency, ranges and qualifiers ("more than",
// "nearly", "up to"...). Dates, years, clock times, phone numbers and codes
// such as 9/11 are not quantities; durations are. A quantity always has a
// unit: bare numbers that no unit can be found for are left out.
//
// Files: scan.go tokenises; parse.go reads numbers, qualifiers, ranges and
// exclusions; units.go reads the unit after a number; vocab.go holds the
// word lists.
package quantity
