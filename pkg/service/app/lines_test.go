package app

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
)

func TestEachLine(t *testing.T) {
	var got []string
	err := EachLine(strings.NewReader("a\n\n  \nb\r\nc"), func(n int, line []byte) {
		got = append(got, fmt.Sprintf("%d:%s", n, strings.TrimSpace(string(line))))
	})
	if err != nil || strings.Join(got, ",") != "1:a,4:b,5:c" {
		t.Errorf("lines %v, err %v; want 1:a,4:b,5:c (blank lines skipped, still counted)", got, err)
	}
	long := strings.Repeat("x", MaxLine+1)
	if err := EachLine(strings.NewReader(long), func(int, []byte) {}); err != bufio.ErrTooLong {
		t.Errorf("a line over MaxLine: err %v, want bufio.ErrTooLong", err)
	}
}
