// Package story groups articles about one event into stories and compares
// the figures a story's sources give. It is pure: no database, no NATS.
//
//   - rules.go: the rules (rules.yaml): time window, key weights, the
//     disagreement tolerance and units that mean the same.
//   - story.go: an article's keys (Keys), when two articles are linked,
//     and Group, which makes stories the connected components of linked
//     articles, so a story depends on the set of articles only, never on
//     the order they came in.
//   - index.go: Index, the incremental form: each new article finds its
//     linked articles through the key postings of the window.
//   - figures.go: Compare, the competing figures of one story.
//
// docs/stories.md says how stories and figures work for a reader.
package story
