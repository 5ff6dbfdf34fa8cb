package tabular

import "testing"

func TestCells(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, got, want string }{
		{"cell", Cell("a\tb\nc\rd"), "a b c d"},
		{"short", Truncate("héllo", 5), "héllo"},
		{"cut by runes", Truncate("héllo world", 5), "héll…"},
		{"dash", OrDash(""), "-"},
		{"kept", OrDash("x"), "x"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
