// Package chaos proves the delivery guarantees with the real binaries: it
// serves a synthetic news site from a loopback listener (site.go), runs the
// four services as processes over embedded NATS (one server or a
// three-node cluster) and kills, stops, restarts and throttles them while
// articles flow, then checks that the sink holds every article exactly
// once. procstat.go reads a process's peak memory for the backpressure
// test.
//
// The tests build the binaries once in TestMain; they take about two
// minutes on two cores. Run them with
//
//	go test -count=1 -v ./tools/newsflow/internal/chaos/
package chaos
