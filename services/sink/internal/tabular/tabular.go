// Package tabular holds the cell helpers of the sink's tables (claims,
// articles, ledger groups): one line per cell, long text cut, empty shown
// as a dash.
package tabular

import (
	"strings"
	"unicode/utf8"
)

// Cell keeps a table cell on one line: tabs and newlines would break the
// alignment.
func Cell(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}

// Truncate cuts s to n runes, the last one an ellipsis.
func Truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// OrDash shows an empty value as "-".
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
