// Package ledger is the claim desk's ledger: it groups claims that state
// the same thing across articles and outlets ("95 percent of territory
// liberated", said by Mattis, carried by four outlets the same day), and
// lines up the figures of one topic and unit over time as a series, so a
// change of the number is visible.
//
// It is pure: entries in, groups out. Package deskdb keeps the result in
// SQLite or PostgreSQL and updates it incrementally (see Options.ReopenFrom
// for why a change only regroups a window); the web page and `sink ledger`
// read it back, and package report prints it.
//
// Files by behaviour:
//
//	entry.go    Entry: one figure (or one number-less claim) of a relevant article, from EntriesOf
//	group.go    Options, Group and Regroup: the grouping rules, applied in canonical order
//	match.go    when two figures, topics, places and texts agree
//	series.go   Series: the figures of a topic and unit over time
//	figure.go   an entry's figure as people read it ("14,000–18,000 militants")
//
// The result depends only on the set of entries, never on the order they
// arrived in, so a replay rebuilds the same ledger.
package ledger
