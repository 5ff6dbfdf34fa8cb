package tag

import (
	"fmt"
	"strings"
	"sync"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/tagger/internal/quantity"
)

// Document is the article as the cleaner left it.
type Document struct {
	Title string
	// Text is the body, paragraphs separated by "\n".
	Text string
	// Chrome are lines the cleaner removed. They never yield claims or
	// count for relevance, even when they are still present in Text.
	Chrome []string
	// Lang is the language the cleaner detected (ISO 639 code, "fr",
	// "deu"...). It chooses the topic data that applies besides English;
	// an unknown code means English only, and an empty one a guess from
	// the text's function words (see guessLang).
	Lang string
}

// Result is what the tagger found in a Document.
type Result struct {
	Relevant bool
	Tags     []schema.Tag
	Claims   []schema.Claim
	Entities []schema.Entity
}

// compiledTopic is a Topic with its lookups built.
type compiledTopic struct {
	t        Topic
	tagIndex map[string]int
}

type gazEntry struct {
	name    string
	kind    string
	country string
	outlet  bool
}

// Tagger tags documents against one or more topics. It is immutable after
// New and safe for concurrent use.
type Tagger struct {
	topics      []compiledTopic
	m           *matcher
	qp          *quantity.Parser
	places      []gazEntry
	orgs        []gazEntry
	claimTopics []string
	unitCues    map[string][]int
	langs       []string          // language of each bit of a payload's langs
	langCodes   map[string]uint32 // language code to the bits it turns on
	stopwords   map[string]uint32 // function word to the languages it tells
	roles       *roleIndex
	work        sync.Pool // of *workspace
}

// workspace holds the buffers one Tag call works in: tokens, lines, hits,
// sentences and the claim pass's arrays. None of them is part of the
// Result, so Tag takes a workspace from the Tagger's pool and gives it
// back, and a stream of articles reuses that memory instead of allocating
// and collecting it for every article.
type workspace struct {
	dc      doc
	body    []hit
	title   []hit
	sents   []sentence
	parts   []sentence // clauses of one sentence
	saids   []said
	alts    []said // second sources of two-clause sentences
	blocked []bool
	at      []int32
}

// maxPooledTokens keeps the workspace of an outsized document out of the
// pool, so that it does not stay pinned.
const maxPooledTokens = 1 << 16

func (tg *Tagger) getWorkspace() *workspace {
	if ws, ok := tg.work.Get().(*workspace); ok {
		return ws
	}
	return new(workspace)
}

func (tg *Tagger) putWorkspace(ws *workspace) {
	if cap(ws.dc.toks) > maxPooledTokens {
		return
	}
	// Drop the strings of this document so that a pooled workspace does
	// not keep the article alive.
	ws.dc.release()
	clear(ws.saids)
	clear(ws.alts)
	tg.work.Put(ws)
}

// New compiles the topics into one Tagger. A topic with a language (Lang)
// and the name of a topic listed before it is that topic's words in that
// language: its aliases, cues, places and organisations join the base
// topic's, and count for articles in that language (see languages.go).
func New(topics ...Topic) (*Tagger, error) {
	if len(topics) == 0 {
		return nil, ErrNoTopics
	}
	tg := &Tagger{m: newMatcher(), unitCues: map[string][]int{}, langCodes: map[string]uint32{}, stopwords: map[string]uint32{}, roles: newRoleIndex()}
	tg.langs = []string{"en"}
	tg.langCodes["en"], tg.langCodes["eng"] = langEnglish, langEnglish
	tagNames := map[string]string{}
	placeIdx := map[string]int32{}
	orgIdx := map[string]int32{}
	claimIdx := map[string]int32{}
	byName := map[string]int32{}
	var drop []string
	for ti := range topics {
		t := topics[ti]
		if err := t.validate(); err != nil {
			return nil, err
		}
		lang := langEnglish
		var ct *compiledTopic
		if isForeign(t.Lang) {
			bi, ok := byName[t.Name]
			if !ok {
				return nil, fmt.Errorf("%w: topic %q in %q has no base topic listed before it", ErrInvalidTopic, t.Name, t.Lang)
			}
			var err error
			if lang, err = tg.addLanguage(t.Lang, t.Codes); err != nil {
				return nil, err
			}
			ct = &tg.topics[bi]
		} else {
			// The base topic is copied, so that the languages merged into it
			// do not write into the caller's slices.
			base := t
			base.Tags = append([]TagSpec(nil), t.Tags...)
			base.Senses = append([]Sense(nil), t.Senses...)
			if _, ok := byName[t.Name]; !ok {
				byName[t.Name] = int32(len(tg.topics))
			}
			tg.topics = append(tg.topics, compiledTopic{t: base, tagIndex: map[string]int{}})
			ct = &tg.topics[len(tg.topics)-1]
		}
		tg.addStopwords(t.Stopwords, lang)
		top := int32(len(tg.topics) - 1)
		if lang != langEnglish {
			top = byName[t.Name]
		}
		for _, spec := range t.Tags {
			var gi int
			if lang == langEnglish {
				if other, ok := tagNames[spec.Name]; ok {
					return nil, fmt.Errorf("%w: %q in topics %q and %q", ErrDuplicateTag, spec.Name, other, t.Name)
				}
				tagNames[spec.Name] = t.Name
				gi = len(ct.tagIndex)
				ct.tagIndex[spec.Name] = gi
			} else {
				var ok bool
				if gi, ok = ct.tagIndex[spec.Name]; !ok {
					return nil, fmt.Errorf("%w: topic %q in %q: tag %q is not in the base topic", ErrInvalidTopic, t.Name, t.Lang, spec.Name)
				}
			}
			bs := &ct.t.Tags[gi]
			first := 0
			if lang != langEnglish {
				// Full slice expressions: append copies, never writing
				// into the caller's arrays.
				first = len(bs.Aliases)
				bs.Aliases = append(bs.Aliases[:first:first], spec.Aliases...)
				bs.Exclude = append(bs.Exclude[:len(bs.Exclude):len(bs.Exclude)], spec.Exclude...)
			}
			for ai, al := range spec.Aliases {
				tg.m.add(al.Text, al.Case, payload{cat: catAlias, topic: top, sub: int32(gi), ref: int32(first + ai), langs: lang})
				if lang == langEnglish && !strings.ContainsAny(strings.TrimSpace(al.Text), " -") && spec.Requires == "" {
					drop = append(drop, al.Text)
				}
			}
			for _, ex := range spec.Exclude {
				tg.m.add(ex, "", payload{cat: catExclude, topic: top, sub: int32(gi), langs: lang})
			}
		}
		for _, c := range t.Context {
			tg.m.add(c, "", payload{cat: catContext, topic: top, langs: lang})
		}
		for _, s := range t.Senses {
			si := len(ct.t.Senses)
			for i := range ct.t.Senses {
				if ct.t.Senses[i].Name == s.Name {
					si = i
				}
			}
			if lang != langEnglish && si == len(ct.t.Senses) {
				ct.t.Senses = append(ct.t.Senses, Sense{Name: s.Name})
			}
			for _, c := range s.Cues {
				tg.m.add(c, "", payload{cat: catSense, topic: top, sub: int32(si), langs: lang})
			}
		}
		for _, c := range t.Competitors {
			tg.m.add(c, "", payload{cat: catCompetitor, topic: top, langs: lang})
		}
		addGaz := func(list []Gazetteer, kind string, idx map[string]int32, dst *[]gazEntry, cat uint8) {
			for _, g := range list {
				ref, ok := idx[g.Name]
				if !ok {
					ref = int32(len(*dst))
					idx[g.Name] = ref
					*dst = append(*dst, gazEntry{name: g.Name, kind: kind, country: g.Country, outlet: g.Outlet})
				}
				for _, v := range append([]string{g.Name}, g.Variants...) {
					tg.m.add(v, g.Case, payload{cat: cat, topic: top, ref: ref, langs: lang})
				}
			}
		}
		for _, sr := range t.Sources {
			for _, n := range sr.Names {
				tg.roles.add(n, sr.Role)
			}
		}
		addGaz(t.Places, "place", placeIdx, &tg.places, catPlace)
		addGaz(t.Orgs, "org", orgIdx, &tg.orgs, catOrg)
		for _, c := range t.ClaimTopics {
			ci, ok := claimIdx[c.Name]
			if !ok {
				ci = int32(len(tg.claimTopics))
				claimIdx[c.Name] = ci
				tg.claimTopics = append(tg.claimTopics, c.Name)
			}
			for _, cue := range c.Cues {
				tg.m.add(cue, "", payload{cat: catClaimTopic, topic: top, sub: ci, langs: lang})
				if !strings.Contains(cue, " ") {
					k := fold(cue)
					tg.unitCues[k] = appendUnique(tg.unitCues[k], int(ci))
				}
			}
		}
	}
	// Outlets without a role of their own are media.
	for _, t := range topics {
		for _, g := range t.Orgs {
			if g.Outlet {
				for _, v := range append([]string{g.Name}, g.Variants...) {
					tg.roles.add(v, "media")
				}
			}
		}
	}
	tg.qp = quantity.New(quantity.Options{DropModifiers: drop})
	return tg, nil
}

func appendUnique(s []int, v int) []int {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

// Tag reads one document: relevance with tags, entities, and claims with
// their speakers and quantities. Claims are extracted whether or not the
// document is relevant; callers filter on Relevant.
func (tg *Tagger) Tag(d Document) Result {
	ws := tg.getWorkspace()
	defer tg.putWorkspace(ws)
	dc := &ws.dc
	dc.build(d)
	body := ws.body[:0]
	if n := len(dc.toks) / 4; cap(body) < n {
		body = make([]hit, 0, n)
	}
	active := tg.activeLangs(d.Lang)
	if d.Lang == "" {
		active = tg.guessLang(dc)
	}
	body = tg.m.scan(dc.toks, dc.text, active, body)
	title := tg.m.scan(dc.ttoks, dc.title, active, ws.title[:0])
	ws.body, ws.title = body, title
	sig := tg.gatherSignals(dc, body, title, active)
	tags, relevant := tg.decide(dc, sig)
	ds := newDiscourse()
	var claims []schema.Claim
	// Claims are English only: their speech verbs and number words are
	// English data (see docs/tagger.md, "Languages"). The claim side is
	// four passes over the document, each reading what the one before
	// produced: sentences (segment.go), entities and mentions (entity.go),
	// attributions (attribution.go, speaker.go), claims and quantities
	// (claim.go, package quantity).
	if active == langEnglish {
		sents := segmentTo(dc, ws.sents[:0])
		ws.sents = sents
		mn := tg.mentionPass(dc, sents, body, ws)
		saids := tg.attributionPass(dc, sents, mn, ws)
		claims = tg.claimPass(dc, sents, body, mn, saids, ws)
		ds = mn.ds
	}
	return Result{
		Relevant: relevant,
		Tags:     nonNilTags(tags),
		Claims:   nonNilClaims(claims),
		Entities: tg.entities(title, body, ds, active),
	}
}

func nonNilTags(t []schema.Tag) []schema.Tag {
	if t == nil {
		return []schema.Tag{}
	}
	return t
}

func nonNilClaims(c []schema.Claim) []schema.Claim {
	if c == nil {
		return []schema.Claim{}
	}
	return c
}

// entities lists places and organisations (canonical names, first
// mention first), then people with their roles.
func (tg *Tagger) entities(title, body []hit, ds *discourse, active uint32) []schema.Entity {
	var out []schema.Entity
	// A struct key rather than kind+"\x00"+name: no string per lookup.
	type entityKey struct{ kind, name string }
	seen := map[entityKey]bool{}
	for _, hs := range [][]hit{title, body} {
		for _, h := range hs {
			for _, p := range tg.m.phrases[h.ph].pay {
				if p.langs&active == 0 {
					continue
				}
				var g *gazEntry
				switch p.cat {
				case catPlace:
					g = &tg.places[p.ref]
				case catOrg:
					g = &tg.orgs[p.ref]
				default:
					continue
				}
				key := entityKey{g.kind, g.name}
				if seen[key] {
					continue
				}
				seen[key] = true
				out = append(out, schema.Entity{Name: g.name, Kind: g.kind})
			}
		}
	}
	for _, p := range ds.persons {
		key := entityKey{"person", p.name}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, schema.Entity{Name: p.name, Kind: "person", Role: p.role})
	}
	return out
}
