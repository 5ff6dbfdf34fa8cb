// Package feed parses RSS, Atom and JSON Feed bodies (through gofeed) into
// one normalised Feed, with charset handling gofeed lacks and distinct error
// classes for "not a feed" and "malformed feed".
//
// Files by behaviour:
//   - feed.go: Parse, Feed, Item, normalisation (links, dates, TTL, item cap).
//   - charset.go: body to UTF-8 (BOM, UTF-8, HTTP charset, XML or HTML declaration).
//   - notfeed.go: telling HTML and bot-challenge pages apart.
//   - errors.go: ErrNotAFeed, ErrBotChallenge, ErrMalformedFeed.
package feed
