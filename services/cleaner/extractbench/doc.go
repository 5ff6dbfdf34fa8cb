// Package extractbench compares the cleaner's extractor with
// go-trafilatura on the same pages in the same run: quality on the open
// corpora and pages per second on one core. It is a module of its own so
// that no service depends on go-trafilatura.
package extractbench
