package report

import "testing"

func TestCells(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"cell", cell("a\tb\nc\rd"), "a b c d"},
		{"short", truncate("héllo", 5), "héllo"},
		{"cut by runes", truncate("héllo world", 5), "héll…"},
		{"dash", orDash(""), "-"},
		{"kept", orDash("x"), "x"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
