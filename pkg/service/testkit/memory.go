package testkit

import (
	"fmt"
	"os"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"time"
)

// PeakHeap samples the live heap every millisecond until stop, which
// returns the highest figure seen: what a benchmark prints as its peak
// heap. It also resets the process's peak RSS (VmHWM, Linux), which
// PeakRSS reads.
func PeakHeap() (stop func() uint64) {
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(done); <-finished; return peak.Load() }
}

// PeakRSS is the process's VmHWM in bytes, or 0 where /proc has none.
func PeakRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb uint64
			_, _ = fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb)
			return kb << 10
		}
	}
	return 0
}
