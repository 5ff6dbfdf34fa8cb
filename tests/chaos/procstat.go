package chaos

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory is what /proc/<pid>/status says about a process's resident memory.
type Memory struct {
	PeakRSS int64 // VmHWM: the high-water mark of the resident set, bytes
	RSS     int64 // VmRSS: the resident set now, bytes
}

// ReadMemory reads the memory figures of a live process (Linux only).
func ReadMemory(pid int) (Memory, error) {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Memory{}, fmt.Errorf("chaos: process %d: %w", pid, err)
	}
	defer func() { _ = f.Close() }()
	var m Memory
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok || (key != "VmHWM" && key != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return Memory{}, fmt.Errorf("chaos: process %d: %s %q: %w", pid, key, val, err)
		}
		if key == "VmHWM" {
			m.PeakRSS = kb << 10
		} else {
			m.RSS = kb << 10
		}
	}
	if err := sc.Err(); err != nil {
		return Memory{}, fmt.Errorf("chaos: process %d: %w", pid, err)
	}
	if m.PeakRSS == 0 {
		return Memory{}, fmt.Errorf("chaos: process %d: no VmHWM in its status", pid)
	}
	return m, nil
}
