// Package fetcher is the fetcher service: it polls feeds, fetches the pages
// of new items with the one HTTP client (live, recording or replaying) and
// publishes them to NEWSFLOW_FETCHED.
//
// Files by behaviour:
//   - run.go: Main (service, `feeds`, `warc ls`), Run, the HTTP client and
//     the state buckets (per-run buckets for a replay).
//   - config.go: the configuration table.
//   - fetch.go: Fetcher; one poll of one feed (conditional GET, body hash,
//     parse, seen-item check), page fetch and publish, and folding a poll
//     into the feed state and its schedule.
//   - once.go: RunOnce, every feed once (`--once`, `make run`).
//   - forever.go: RunForever, replicas sharing feeds through KV leases,
//     reload on change and SIGHUP, drain on shutdown.
//   - feeds.go: `fetcher feeds`, the feeds with their state, as a table or JSON.
//   - metrics.go: the Prometheus metrics.
package fetcher
