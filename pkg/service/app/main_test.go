package app

import "testing"

func TestGCPercent(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want int
	}{
		{"unset: the services' default", nil, DefaultGOGC},
		{"GOGC set: Go reads it", map[string]string{"GOGC": "100"}, -1},
		{"GOGC=off: Go reads it", map[string]string{"GOGC": "off"}, -1},
		{"only GOMEMLIMIT: default target under the limit", map[string]string{"GOMEMLIMIT": "512MiB"}, DefaultGOGC},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := gcPercent(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if got != tc.want {
				t.Errorf("gcPercent = %d, want %d", got, tc.want)
			}
		})
	}
}
