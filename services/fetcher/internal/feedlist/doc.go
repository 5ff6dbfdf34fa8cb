// Package feedlist reads the fetcher's subscriptions: a YAML feeds file with
// per-feed options, or an OPML export from a feed reader, and keeps them
// current while the service runs.
//
// Files by behaviour:
//   - feedlist.go: Feed, Load, ParseYAML and validation.
//   - opml.go: ParseOPML (folders and categories become tags).
//   - watch.go: Watcher, reloading on file change (fsnotify) or Reload (SIGHUP).
package feedlist
