package store

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// rowset holds the rows of several articles column by column: PostgreSQL
// sends each column as one array, SQLite walks them by index.
type rowset struct {
	articles   articleCols
	tags       tagCols
	claims     claimCols
	quantities quantityCols
	places     placeCols
	entities   entityCols
}

type articleCols struct {
	id, contentHash, url, canonicalURL, feedURL, site, siteName, title, language []string
	relevant                                                                     []bool
	publishedUs                                                                  []*int64
	fetchedUs, storedUs, sortUs                                                  []int64
	doc                                                                          []string
	// Since migration 00006.
	confidence              []*float64
	method, publishedSource []string
}

type tagCols struct {
	articleID []string
	ord       []int32
	name      []string
	score     []float64
	evidence  []string
}

type claimCols struct {
	articleID                                   []string
	ord                                         []int32
	text, speaker, speakerKey, verb, via, topic []string
	speakerKind, speakerRole                    []string
	offset                                      []int32
	relevant                                    []bool
	sortUs                                      []int64
}

type quantityCols struct {
	articleID       []string
	claimOrd, ord   []int32
	value, low, hi  []*float64
	unit, qual, raw []string
}

type placeCols struct {
	articleID       []string
	claimOrd, ord   []int32
	place, placeKey []string
}

type entityCols struct {
	articleID           []string
	ord                 []int32
	name, nameKey, kind []string
	role                []string
}

// addArticle appends the article row.
func (r *rowset) addArticle(a *schema.ArticleTaggedV1) error {
	doc, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("store: encode article %q: %w", a.ID, err)
	}
	c := &r.articles
	c.id = append(c.id, a.ID)
	c.contentHash = append(c.contentHash, a.ContentHash)
	c.url = append(c.url, clean(a.URL))
	c.canonicalURL = append(c.canonicalURL, clean(a.CanonicalURL))
	c.feedURL = append(c.feedURL, clean(a.Item.FeedURL))
	c.site = append(c.site, clean(siteOf(a)))
	c.siteName = append(c.siteName, clean(a.SiteName))
	c.title = append(c.title, clean(a.Title))
	c.language = append(c.language, clean(a.Language))
	c.relevant = append(c.relevant, a.Relevant)
	var pub *int64
	if p := publishedAt(a); p != nil {
		us := micros(*p)
		pub = &us
	}
	c.publishedUs = append(c.publishedUs, pub)
	c.fetchedUs = append(c.fetchedUs, micros(a.Stages.FetchedAt))
	c.storedUs = append(c.storedUs, micros(*a.Stages.StoredAt))
	c.sortUs = append(c.sortUs, sortMicros(a))
	c.doc = append(c.doc, string(doc))
	var conf *float64
	method := ""
	if x := a.Extraction; x != nil {
		v := x.Confidence
		conf, method = &v, x.Method
	}
	c.confidence = append(c.confidence, conf)
	c.method = append(c.method, clean(method))
	c.publishedSource = append(c.publishedSource, clean(a.PublishedSource))
	return nil
}

// addChildren appends the tags, claims, quantities, places and entities.
func (r *rowset) addChildren(a *schema.ArticleTaggedV1) error {
	id := a.ID
	for i, t := range a.Tags {
		ev, err := json.Marshal(nonNil(t.Evidence))
		if err != nil {
			return fmt.Errorf("store: encode tag evidence of %q: %w", id, err)
		}
		r.tags.articleID = append(r.tags.articleID, id)
		r.tags.ord = append(r.tags.ord, int32(i))
		r.tags.name = append(r.tags.name, clean(t.Name))
		r.tags.score = append(r.tags.score, t.Score)
		r.tags.evidence = append(r.tags.evidence, string(ev))
	}
	sortUs := sortMicros(a)
	for i, cl := range a.Claims {
		c := &r.claims
		c.articleID = append(c.articleID, id)
		c.ord = append(c.ord, int32(i))
		c.text = append(c.text, clean(cl.Text))
		c.speaker = append(c.speaker, clean(cl.Speaker))
		c.speakerKey = append(c.speakerKey, clean(nameKey(cl.Speaker)))
		c.verb = append(c.verb, clean(cl.Verb))
		c.speakerKind = append(c.speakerKind, clean(cl.SpeakerKind))
		c.speakerRole = append(c.speakerRole, clean(cl.SpeakerRole))
		c.via = append(c.via, clean(cl.Via))
		c.topic = append(c.topic, clean(cl.Topic))
		c.offset = append(c.offset, int32(cl.Offset))
		c.relevant = append(c.relevant, a.Relevant)
		c.sortUs = append(c.sortUs, sortUs)
		for j, q := range cl.Quantities {
			qc := &r.quantities
			qc.articleID = append(qc.articleID, id)
			qc.claimOrd = append(qc.claimOrd, int32(i))
			qc.ord = append(qc.ord, int32(j))
			qc.value = append(qc.value, q.Value)
			qc.low = append(qc.low, q.Low)
			qc.hi = append(qc.hi, q.High)
			qc.unit = append(qc.unit, clean(q.Unit))
			qc.qual = append(qc.qual, clean(q.Qualifier))
			qc.raw = append(qc.raw, clean(q.Raw))
		}
		for j, p := range cl.Places {
			pc := &r.places
			pc.articleID = append(pc.articleID, id)
			pc.claimOrd = append(pc.claimOrd, int32(i))
			pc.ord = append(pc.ord, int32(j))
			pc.place = append(pc.place, clean(p))
			pc.placeKey = append(pc.placeKey, clean(nameKey(p)))
		}
	}
	for i, e := range a.Entities {
		ec := &r.entities
		ec.articleID = append(ec.articleID, id)
		ec.ord = append(ec.ord, int32(i))
		ec.name = append(ec.name, clean(e.Name))
		ec.nameKey = append(ec.nameKey, clean(nameKey(e.Name)))
		ec.kind = append(ec.kind, clean(e.Kind))
		ec.role = append(ec.role, clean(e.Role))
	}
	return nil
}

// clean makes a string storable in any backend: PostgreSQL rejects NUL
// bytes and invalid UTF-8 in text, and one such article must not block the
// stream forever. The JSON document keeps the original (escaped) form.
func clean(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Column lists, in the order the args methods below produce values.
const (
	articleColumns  = "id, content_hash, url, canonical_url, feed_url, site, site_name, title, language, relevant, published_us, fetched_us, stored_us, sort_us, doc, extraction_confidence, extraction_method, published_source"
	tagColumns      = "article_id, ord, name, score, evidence"
	claimColumns    = "article_id, ord, text, speaker, speaker_key, verb, via, topic, text_offset, relevant, sort_us, speaker_kind, speaker_role"
	quantityColumns = "article_id, claim_ord, ord, value, low, high, unit, qualifier, raw"
	placeColumns    = "article_id, claim_ord, ord, place, place_key"
	entityColumns   = "article_id, ord, name, name_key, kind, role"
)

func (c *articleCols) args(i int, dst []any) []any {
	return append(dst, c.id[i], c.contentHash[i], c.url[i], c.canonicalURL[i], c.feedURL[i], c.site[i], c.siteName[i],
		c.title[i], c.language[i], c.relevant[i], c.publishedUs[i], c.fetchedUs[i], c.storedUs[i], c.sortUs[i], c.doc[i],
		c.confidence[i], c.method[i], c.publishedSource[i])
}

func (c *tagCols) args(i int, dst []any) []any {
	return append(dst, c.articleID[i], c.ord[i], c.name[i], c.score[i], c.evidence[i])
}

func (c *claimCols) args(i int, dst []any) []any {
	return append(dst, c.articleID[i], c.ord[i], c.text[i], c.speaker[i], c.speakerKey[i], c.verb[i], c.via[i],
		c.topic[i], c.offset[i], c.relevant[i], c.sortUs[i], c.speakerKind[i], c.speakerRole[i])
}

func (c *quantityCols) args(i int, dst []any) []any {
	return append(dst, c.articleID[i], c.claimOrd[i], c.ord[i], c.value[i], c.low[i], c.hi[i], c.unit[i], c.qual[i], c.raw[i])
}

func (c *placeCols) args(i int, dst []any) []any {
	return append(dst, c.articleID[i], c.claimOrd[i], c.ord[i], c.place[i], c.placeKey[i])
}

func (c *entityCols) args(i int, dst []any) []any {
	return append(dst, c.articleID[i], c.ord[i], c.name[i], c.nameKey[i], c.kind[i], c.role[i])
}
