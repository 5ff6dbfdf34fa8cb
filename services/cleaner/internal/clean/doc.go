// Package clean extracts the article from a news page: its text, one
// paragraph per line, the site chrome around it as separate lines, and its
// metadata. It is pure: no network, no NATS.
//
// Extract reads the page through a size cap and charset decoding, filters
// out what is never read (script and style contents but JSON-LD, comment
// text, unused attributes), parses it once with golang.org/x/net/html,
// and flattens <body> into text blocks
// (runs of inline text between block boundaries) and the elements that
// hold them. Each block gets a value for how much it
// reads like prose (length, punctuation, link density, teaser shape);
// elements named or marked as chrome (class and id words, roles, hidden,
// nav/aside/footer) are pruned unless they turn out to wrap the article;
// the container is the element with the best decayed sum of its blocks'
// values, widened to take in the rest of a split article; its blocks are
// filtered (captions, link lists, "ALSO READ" labels) and trimmed at the
// edges. A JSON-LD articleBody confirms blocks and stands in when the page
// body hides the text. Site rules can name the body or chrome per domain.
//
// Files:
//   - extract.go: Extract, Options, Article; size cap and charset decoding.
//   - rawskip.go: filters the markup before parsing.
//   - tree.go: the single walk that flattens <body> into elements and blocks.
//   - text.go: whitespace-collapsing text buffer and text helpers.
//   - hints.go: class, id, role and tag vocabulary for chrome and content.
//   - select.go: block values, pruning, container choice, block filters.
//   - metadata.go: title, byline, dates, language and the rest, with JSON-LD.
//   - rules.go: site rules (built-in and loaded from JSON or YAML).
//   - errors.go: sentinel errors.
package clean
