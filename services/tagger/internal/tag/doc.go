// Package tag decides whether an article is about a topic (by default ISIS
// and the anti-ISIS coalition) and extracts its entities and claims: who
// said which number, about where.
//
// It is pure: no I/O beyond reading a topic file, no NATS. Files by behaviour:
//
//   - topic.go: the Topic data format, DefaultTopic (embedded
//     topics/isis.yaml) and LoadTopic.
//   - tag.go: New compiles topics into a Tagger; Tag runs the stages.
//   - document.go, token.go: lines, chrome removal and tokens.
//   - match.go: one pass over the tokens finds every topic phrase.
//   - relevance.go: aliases confirmed by context, senses, exclusions and
//     competitors; tags with score and evidence.
//
// The claim side is passes over the document, each in its file and each
// reading only what the one before produced (Tag calls them in order):
//
//  1. segment.go: sentences and quotations.
//  2. entity.go (mentionPass): places and organisations the matcher found,
//     people with their roles, and which sentence mentions whom.
//  3. attribution.go (attributionPass), with speaker.go: each sentence's
//     attribution (reporting verbs, "according to", "an estimate by X",
//     inversions), its speaker resolved through the discourse ("he", "the
//     spokesman", "the firm", acronyms), quotations and continuations;
//     source.go gives the speaker's kind and the topic's role for it.
//  4. claim.go (claimPass): clauses with a quantity (package quantity), a
//     source, or an outcome at a place become claims.
//
// A new attribution rule goes into pass 3, a new kind of number into
// package quantity; neither reaches back into an earlier pass.
//   - lang.go, lang/en.yaml: the attribution vocabulary of a language
//     (reporting verbs, nouns of attribution, heads that refer back,
//     outcomes); vocab.go: the English grammar of names and titles.
package tag
