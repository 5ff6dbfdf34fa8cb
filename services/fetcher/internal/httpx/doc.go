// Package httpx is the fetcher's one HTTP client, used for feeds and article
// pages alike. It is safe to point at the open internet: it refuses private,
// loopback, link-local and metadata addresses at dial time, caps bodies after
// decompression, limits redirects and URL length, and is polite per host
// (concurrency, minimum interval, robots.txt for pages).
//
// Files by behaviour:
//   - client.go: Options, New, Get, Response; request headers and body reading.
//   - guard.go: the SSRF address guard (dial-time Control hook, IP literals).
//   - decode.go: gzip, deflate and brotli decoding under the body cap.
//   - politeness.go: per-host concurrency and minimum interval.
//   - robots.go: robots.txt cache per host with TTL.
//   - errors.go: sentinel errors, StatusError, Classify and RetryAfter.
package httpx
