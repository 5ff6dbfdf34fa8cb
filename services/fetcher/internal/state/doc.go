// Package state keeps the fetcher's shared memory in JetStream key-value
// buckets, so restarts and replicas agree: per-feed state (validators, body
// hash, errors, schedule, lease) with compare-and-set writes, and the
// seen-item store that de-duplicates feed items before their pages are
// fetched.
//
// Files by behaviour:
//   - state.go: FeedState, Store (Get, Put with revision, Update, Claim, List).
//   - seen.go: Seen (Check, Mark) by GUID, canonical URL and title window.
package state
