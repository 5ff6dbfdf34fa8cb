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
//   - segment.go: sentences and quotations.
//   - entity.go: people with roles, and the discourse memory used to
//     resolve "he said" and "the US secretary said".
//   - speaker.go, claim.go: attributions, speakers and claims.
//   - vocab.go: English words the extractor relies on.
package tag
