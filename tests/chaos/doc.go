// Package chaos proves the delivery guarantees with the real binaries. It
// serves a synthetic news site from a loopback listener, runs the four
// services as processes over NATS (an embedded server, a `newsflow nats`
// process, a three-node cluster of processes, or a server configured with
// deploy/nats/permissions.conf) and kills, stops, restarts and throttles
// them while articles flow, then checks that the sink holds every article
// exactly once: rows in SQLite, ids from `sink export`, and every line the
// sink appended to its JSON lines files.
//
// Files by behaviour:
//
//	site.go                 the synthetic site: RSS feeds and realistic article pages, optionally hostile
//	procstat.go             peak and current RSS of a process, from /proc
//	harness_test.go         TestMain builds the binaries; a run: site, NATS, services, waits and checks
//	crash_test.go           SIGKILL of each service mid-stream, restarted
//	term_test.go            SIGTERM of each service drains in-flight work within its timeout
//	natsrestart_test.go     NATS shut down, or killed, and restarted on its store
//	nodes_test.go           a JetStream cluster of node processes (the test binary re-executed)
//	cluster_test.go         SIGKILL of the stream leader, then a follower: stall and recovery
//	backpressure_test.go    a crawling sink under a 10x burst: stream limits, peak RSS, drain
//	poison_test.go          poison at every hop goes to the dead letters; newsflow dlq ls/show/redrive
//	hostile_test.go         script and event-handler payloads never reach stored text
//	sqlinject_test.go       SQL injection strings stored and read back intact
//	permissions_test.go     least-privilege users: the pipeline runs, each refused what is not its own
//
// The tests take about two minutes on two cores:
//
//	go test -count=1 -v ./tests/chaos/
package chaos
