// Package schema holds the versioned messages that flow between the newsflow
// services, and the only copy of the subject, stream and consumer names.
//
// # Flow
//
//	fetcher ──newsflow.v1.article.fetched──▶ cleaner      (stream NEWSFLOW_FETCHED, consumer "cleaner")
//	cleaner ──newsflow.v1.article.cleaned──▶ tagger       (stream NEWSFLOW_CLEANED, consumer "tagger")
//	tagger  ──newsflow.v1.article.tagged───▶ sink         (stream NEWSFLOW_TAGGED,  consumer "sink")
//	any     ──newsflow.v1.dlq.<stage>──────▶ operators    (stream NEWSFLOW_DLQ)
//
// Every message is JSON (the fetched article: JSON, then its page; see
// below) and carries schema_version ("1.x": a reader accepts
// any minor version of the major it knows, rejects every other major), the
// article id (see [ArticleID]) and the timestamps of each stage it passed.
//
// # Fields
//
// ArticleFetchedV1 (fetcher → cleaner):
//   - schema_version: "1.3" ("1.0" had the body base64 inside the JSON and
//     no s2; 1.1 had no body_filter; 1.2 had no langs and matches on tags,
//     no claims[].speaker_kind and speaker_role, no date sources and no
//     extraction; readers of 1.3 read all four).
//   - id: stable article id, hex SHA-256 prefix of the canonical URL.
//   - url: the URL the page was requested at (the feed item's link).
//   - final_url: the URL after redirects.
//   - canonical_url: the canonical form of url used for id (see [CanonicalURL]).
//   - content_hash: hex SHA-256 prefix of the raw body; with id it forms the
//     Nats-Msg-Id, so re-publishing the same page is de-duplicated.
//   - update: true when this id was published before with another content hash.
//   - response: status, content_type, charset (as declared), etag,
//     last_modified, fetched_at, size (raw body bytes).
//   - body_filter: "stripped" when the fetcher dropped the contents of the
//     page's script (other than JSON-LD) and style elements, which no stage
//     reads and which are half a news page's bytes (package markup); absent
//     for the page as fetched. content_hash and response.size are the raw
//     page's either way.
//   - body: the HTML bytes, compressed as body_encoding says ("s2", the
//     default, "zstd" or "identity"). On the wire ([EncodeFetched]) the body
//     follows the JSON line and a newline, as it is, and body_bytes gives
//     its length; use [DecodeFetched] and [ArticleFetchedV1.HTML] to read it.
//   - item: the feed item: feed_url, feed_title, title, link, guid,
//     published_at, updated_at, authors, categories, description.
//   - stages: timestamps, here fetched_at.
//
// ArticleCleanedV1 (cleaner → tagger): id, url, canonical_url, feed item,
// title, byline, authors, published_at, modified_at, site_name, language,
// description, image, text (the article text, paragraphs separated by "\n"),
// chrome (lines the cleaner removed as site chrome, kept so the tagger can
// refuse them) and stages (fetched_at, cleaned_at). Since 1.3 also
// published_source and modified_source (where each date came from: json-ld,
// meta, microdata, time, text, url or feed) and extraction ({confidence 0-1,
// method}); the tagged article carries all three on.
//
// ArticleTaggedV1 (tagger → sink): everything of the cleaned article except
// chrome, plus:
//   - relevant: the article is substantively about the topic (ISIS / the
//     anti-ISIS coalition by default), not a passing mention.
//   - tags: list of {name, score, evidence}; names "isis" and "coalition" for
//     the default topic; score in [0,1]; evidence the matched spans.
//     Since 1.3 also langs (the languages of the topic data that matched,
//     "en", "fr", "ar"...) and matches, one {text, form, lang} per evidence
//     span: the span as written, the data's form it matched, its language.
//   - claims: list of {text, speaker, speaker_kind, speaker_role, verb,
//     via, topic, quantities, places}: text is the sentence or clause;
//     speaker who asserted it ("" for the outlet's own voice); speaker_kind
//     (since 1.3) one of person, organisation, document, anonymous, outlet
//     ("outlet" with an empty speaker); speaker_role (since 1.3) the role the
//     topic file gives a known source (coalition, government, group-media,
//     monitor, ngo, media), empty when unknown; verb the reporting verb or
//     phrase ("said", "estimated", "according to", "by"); via the outlet
//     that carried the words ("told AFP"); quantities are {value, low, high, unit, qualifier,
//     raw}, where value is set for a single number, low/high for a range,
//     unit is normalised ("percent", "people", "km2", "USD" ...), qualifier is
//     one of exact, approximately, more than, less than, nearly, up to,
//     at least, range, and raw is the exact surface text.
//   - entities: places, organisations and people named.
//   - stages: fetched_at, cleaned_at, tagged_at.
package schema
