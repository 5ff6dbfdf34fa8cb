package app

import (
	"bufio"
	"bytes"
	"io"
)

// MaxLine is the longest line EachLine reads: a whole article as JSON.
const MaxLine = 64 << 20

// EachLine calls fn with every non-blank line of r and its number, counted
// from 1 over all lines, for the stages' batch commands (one input per
// line, a failing line reported by number while the rest go on). The line
// is valid only during the call. It returns r's error, or one for a line
// over MaxLine.
func EachLine(r io.Reader, fn func(n int, line []byte)) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 256<<10), MaxLine)
	for n := 1; sc.Scan(); n++ {
		if len(bytes.TrimSpace(sc.Bytes())) > 0 {
			fn(n, sc.Bytes())
		}
	}
	return sc.Err()
}
