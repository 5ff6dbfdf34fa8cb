package cluster

import (
	"os"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	ms := func(ns ...int) []time.Duration {
		var out []time.Duration
		for _, n := range ns {
			out = append(out, time.Duration(n)*time.Millisecond)
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		p    float64
		want time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one", ms(7), 99, 7 * time.Millisecond},
		{"median of ten", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 50, 5 * time.Millisecond},
		{"p99 of a hundred", ms(seq(100)...), 99, 99 * time.Millisecond},
		{"p100", ms(3, 1, 2), 100, 3 * time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.in, tc.p); got != tc.want {
				t.Errorf("Percentile(%v, %v) = %v, want %v", tc.in, tc.p, got, tc.want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestParseProc(t *testing.T) {
	stat := []byte("4242 (my (odd) cmd) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 8 0 100 1000000 500 18446744073709551615")
	cpu, err := parseStatCPU(stat)
	if err != nil || cpu != 3250*time.Millisecond {
		t.Errorf("parseStatCPU = %v, %v; want 3.25s", cpu, err)
	}
	if _, err := parseStatCPU([]byte("garbage")); err == nil {
		t.Errorf("parseStatCPU(garbage): no error")
	}
	status := []byte("Name:\tx\nVmPeak:\t  9000 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n")
	rss, err := parseStatusHWM(status)
	if err != nil || rss != 2048<<10 {
		t.Errorf("parseStatusHWM = %d, %v; want %d", rss, err, 2048<<10)
	}
	// And on a live process: this one.
	u, err := ReadUsage(os.Getpid())
	if err != nil || u.PeakRSS <= 0 {
		t.Errorf("ReadUsage(self) = %+v, %v", u, err)
	}
}
