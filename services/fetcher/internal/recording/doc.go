// Package recording generates the recording `make run` replays: testdata/recording/
// bundle.warc.gz and feeds.yaml.
//
// Build serves fixture files (the five seed pages and 45 pages of the Scrapinghub
// article-extraction-benchmark) under their real URLs from an in-process server,
// together with four feeds linking to them (RSS 2.0, Atom, JSON Feed and a
// WordPress-style RSS) and a robots.txt per host, and records every exchange with
// warc.Recorder. A fixed clock and fixed record ids make the output byte-reproducible.
//
// Files, by behaviour:
//   - build.go: Build, the fixture server and the recording client.
//   - pages.go: reading the fixture pages and their metadata.
//   - feeds.go: the four feed documents and feeds.yaml.
package recording
