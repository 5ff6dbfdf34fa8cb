// Package warc records the fetcher's HTTP exchanges as WARC 1.1 files and replays
// WARC files (WARC/1.0 and 1.1, ours, wget's and other crawlers') as an
// http.RoundTripper, so replay drives the very same client code as live fetching.
//
// Files, by behaviour:
//   - record.go: Recorder, whose Wrap tees every exchange into an async writer that
//     never slows or breaks fetching (errors are logged and counted).
//   - capture.go: body capture for the recorder and the HTTP head serialisation.
//   - member.go: the per-record gzip compressor handed to gowarc, which also puts
//     record header fields in a fixed order so recordings are byte-reproducible.
//   - scan.go: reads WARC files member by member and names the broken record.
//   - index.go: pairs records into servable entries (methods, revisits, recorded failures).
//   - replay.go: Replay, matching requests on method and URL, and replay pacing.
//   - list.go: List, the body of `fetcher warc ls`.
//   - errors.go: sentinel errors and RecordError.
//
// The WARC format itself (record framing, digests, header parsing) is
// github.com/internetarchive/gowarc; this package adds HTTP semantics around it.
package warc
