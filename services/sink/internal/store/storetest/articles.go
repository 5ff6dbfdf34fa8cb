package storetest

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
)

// Base is the first publication time of the generated articles; article i
// is published i hours later.
func Base() time.Time { return time.Date(2025, 3, 1, 6, 0, 0, 0, time.UTC) }

// Vocabulary of the generated articles, small so that filters match
// several claims.
func vocab() (sites, speakers, topics, places, units []string) {
	sites = []string{"news.example.com", "www.daily.example.org", "wire.example.net", "www.region.example.de"}
	speakers = []string{"Christine Lagarde", "the health ministry", "Olaf Scholz", "a police spokesperson", "UNHCR", ""}
	topics = []string{"inflation", "energy", "health", "migration", "housing"}
	places = []string{"Berlin", "Paris", "Frankfurt", "Lyon", "Hamburg", "Brussels"}
	units = []string{"percent", "EUR", "people", "MW", "km2"}
	return
}

// Articles returns n articles from Article(seed, 0..n-1).
func Articles(seed uint64, n int) []schema.ArticleTaggedV1 {
	out := make([]schema.ArticleTaggedV1, n)
	for i := range out {
		out[i] = Article(seed, i)
	}
	return out
}

// Article returns a valid, realistic tagged article, the same for the same
// seed and i: 3-8 claims with 1-3 quantities each, 0-2 places per claim,
// 2-4 tags, entities and about 3 KB of text. Every seventh article has no
// publication date; two in three are relevant.
func Article(seed uint64, i int) schema.ArticleTaggedV1 {
	sites, _, _, _, _ := vocab()
	site := sites[i%len(sites)]
	raw := fmt.Sprintf("https://%s/news/%d-story?utm_source=feed", site, i)
	id, canonical, err := schema.ArticleID(raw)
	if err != nil {
		// Only a bad constant above could get here.
		id, canonical = fmt.Sprintf("bad%d", i), raw
	}
	published := Base().Add(time.Duration(i) * time.Hour)
	a := schema.ArticleTaggedV1{
		SchemaVersion: schema.Version,
		ID:            id,
		URL:           raw,
		CanonicalURL:  canonical,
		Item: schema.FeedItem{
			FeedURL: "https://" + site + "/rss.xml",
			Title:   fmt.Sprintf("Story %d", i),
			Link:    raw,
		},
		Title:    fmt.Sprintf("Story %d from %s", i, site),
		Byline:   "By A. Reporter",
		SiteName: site,
		Language: "en",
		Relevant: i%3 != 0,
	}
	if i%7 != 3 {
		a.PublishedAt = &published
	}
	fill(&a, seed, i, 0, published)
	return a
}

// Revise returns a with new content: new text, claims and content hash,
// fetched rev hours after the original.
func Revise(a schema.ArticleTaggedV1, seed uint64, i, rev int) schema.ArticleTaggedV1 {
	a.Stages.StoredAt = nil
	fill(&a, seed, i, rev, a.Stages.FetchedAt.Add(time.Duration(rev)*time.Hour))
	return a
}

// fill sets the text, tags, claims, entities, hash and stages of a.
func fill(a *schema.ArticleTaggedV1, seed uint64, i, rev int, fetched time.Time) {
	_, speakers, topics, places, units := vocab()
	r := rand.New(rand.NewPCG(seed, uint64(i)<<16|uint64(rev)))
	pick := func(s []string) string { return s[r.IntN(len(s))] }

	var text strings.Builder
	for text.Len() < 3000 {
		fmt.Fprintf(&text, "Officials in %s said on Tuesday that %d people were affected, up %.1f percent from last year. ",
			pick(places), 100+r.IntN(9000), float64(r.IntN(200))/10)
	}
	if rev > 0 {
		fmt.Fprintf(&text, "This story was updated (revision %d).", rev)
	}
	a.Text = text.String()
	a.ContentHash = schema.ContentHash([]byte(a.Text))

	a.Tags = nil
	for range 2 + r.IntN(3) {
		a.Tags = append(a.Tags, schema.Tag{Name: pick(topics), Score: float64(r.IntN(100)) / 100, Evidence: []string{"people were affected"}})
	}
	a.Claims = nil
	for range 3 + r.IntN(6) {
		c := schema.Claim{
			Speaker: pick(speakers),
			Verb:    "said",
			Topic:   pick(topics),
			Offset:  r.IntN(len(a.Text)),
			Places:  []string{},
		}
		for range r.IntN(3) {
			c.Places = append(c.Places, pick(places))
		}
		var parts []string
		for range 1 + r.IntN(3) {
			q := schema.Quantity{Unit: pick(units), Qualifier: "exact"}
			switch r.IntN(3) {
			case 0:
				lo, hi := float64(r.IntN(1000)), float64(1000+r.IntN(1000))
				q.Low, q.High, q.Qualifier = &lo, &hi, "range"
				q.Raw = fmt.Sprintf("between %.0f and %.0f %s", lo, hi, q.Unit)
			case 1:
				v := float64(r.IntN(100000)) / 10
				q.Value, q.Qualifier = &v, "approx"
				q.Raw = fmt.Sprintf("about %.1f %s", v, q.Unit)
			default:
				v := float64(r.IntN(5000))
				q.Value = &v
				q.Raw = fmt.Sprintf("%.0f %s", v, q.Unit)
			}
			c.Quantities = append(c.Quantities, q)
			parts = append(parts, q.Raw)
		}
		c.Text = fmt.Sprintf("%s said %s.", cmp.Or(c.Speaker, "A report"), strings.Join(parts, " and "))
		a.Claims = append(a.Claims, c)
	}
	a.Entities = []schema.Entity{
		{Name: pick(places), Kind: "place"},
		{Name: pick(speakers[:3]), Kind: "person", Role: "official"},
		{Name: "European Central Bank", Kind: "org"},
	}
	cleaned, tagged := fetched.Add(time.Second), fetched.Add(2*time.Second)
	a.Stages = schema.Stages{FetchedAt: fetched, CleanedAt: &cleaned, TaggedAt: &tagged}
}
