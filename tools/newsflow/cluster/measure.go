package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/newsflow/newsflow/pkg/schema"
)

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ,
// 100 on every Linux this runs on.
const clockTick = 10 * time.Millisecond

// Usage is what the kernel says a process has used so far.
type Usage struct {
	CPU     time.Duration // user + system time
	PeakRSS int64         // bytes (VmHWM: the high-water mark of the resident set)
}

// ReadUsage reads /proc/<pid>/stat and /proc/<pid>/status. A process that
// has exited (or been reaped) has no /proc entry: sample before it goes.
func ReadUsage(pid int) (Usage, error) {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return Usage{}, fmt.Errorf("cluster: %w", err)
	}
	cpu, err := parseStatCPU(stat)
	if err != nil {
		return Usage{}, fmt.Errorf("cluster: /proc/%d/stat: %w", pid, err)
	}
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return Usage{}, fmt.Errorf("cluster: %w", err)
	}
	rss, err := parseStatusHWM(status)
	if err != nil {
		return Usage{}, fmt.Errorf("cluster: /proc/%d/status: %w", pid, err)
	}
	return Usage{CPU: cpu, PeakRSS: rss}, nil
}

// parseStatCPU returns utime + stime. The command name, in parentheses,
// may hold spaces, so fields are counted after the last ")".
func parseStatCPU(stat []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("no command name")
	}
	f := strings.Fields(string(stat[i+1:]))
	// After ")": state is field 3 of the whole line, utime 14, stime 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("%d fields", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * clockTick, nil
}

// parseStatusHWM returns VmHWM in bytes.
func parseStatusHWM(status []byte) (int64, error) {
	for _, line := range strings.Split(string(status), "\n") {
		rest, ok := strings.CutPrefix(line, "VmHWM:")
		if !ok {
			continue
		}
		f := strings.Fields(rest)
		if len(f) != 2 || f[1] != "kB" {
			return 0, fmt.Errorf("VmHWM line %q", line)
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, err
		}
		return kb << 10, nil
	}
	return 0, errors.New("no VmHWM line")
}

// InputHop is the hop a consuming stage reads.
func InputHop(stage string) (schema.Hop, error) {
	for _, h := range schema.Hops() {
		if h.Consumer == stage && stage != "" {
			return h, nil
		}
	}
	return schema.Hop{}, fmt.Errorf("cluster: %q consumes no stream", stage)
}

// Done counts the messages a stage has finished with (acked, or
// dead-lettered) since its stream was created. Hop streams are work
// queues: a message leaves once its stage is done with it, so what was
// ever stored minus what is left is what the stage got through, whatever
// the number of replicas and however often they restarted.
func Done(ctx context.Context, js jetstream.JetStream, stage string) (done, left uint64, err error) {
	h, err := InputHop(stage)
	if err != nil {
		return 0, 0, err
	}
	s, err := js.Stream(ctx, h.Stream)
	if err != nil {
		return 0, 0, fmt.Errorf("cluster: stream %s: %w", h.Stream, err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("cluster: stream %s: %w", h.Stream, err)
	}
	return info.State.LastSeq - info.State.Msgs, info.State.Msgs, nil
}

// Percentile returns the p-th percentile (0..100) of ds by the
// nearest-rank method; ds is sorted in place.
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	rank := int(math.Ceil(float64(len(ds))*p/100)) - 1
	return ds[min(max(rank, 0), len(ds)-1)]
}
