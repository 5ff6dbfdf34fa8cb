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

// New compiles the topics into one Tagger.
func New(topics ...Topic) (*Tagger, error) {
	if len(topics) == 0 {
		return nil, ErrNoTopics
	}
	tg := &Tagger{m: newMatcher(), unitCues: map[string][]int{}, roles: newRoleIndex()}
	tagNames := map[string]string{}
	placeIdx := map[string]int32{}
	orgIdx := map[string]int32{}
	claimIdx := map[string]int32{}
	var drop []string
	for ti := range topics {
		t := topics[ti]
		if err := t.validate(); err != nil {
			return nil, err
		}
		ct := compiledTopic{t: t, tagIndex: map[string]int{}}
		top := int32(ti)
		for gi, spec := range t.Tags {
			if other, ok := tagNames[spec.Name]; ok {
				return nil, fmt.Errorf("%w: %q in topics %q and %q", ErrDuplicateTag, spec.Name, other, t.Name)
			}
			tagNames[spec.Name] = t.Name
			ct.tagIndex[spec.Name] = gi
			for ai, al := range spec.Aliases {
				tg.m.add(al.Text, al.Case, payload{cat: catAlias, topic: top, sub: int32(gi), ref: int32(ai)})
				if !strings.ContainsAny(strings.TrimSpace(al.Text), " -") && spec.Requires == "" {
					drop = append(drop, al.Text)
				}
			}
			for _, ex := range spec.Exclude {
				tg.m.add(ex, "", payload{cat: catExclude, topic: top, sub: int32(gi)})
			}
		}
		for _, c := range t.Context {
			tg.m.add(c, "", payload{cat: catContext, topic: top})
		}
		for si, s := range t.Senses {
			for _, c := range s.Cues {
				tg.m.add(c, "", payload{cat: catSense, topic: top, sub: int32(si)})
			}
		}
		for _, c := range t.Competitors {
			tg.m.add(c, "", payload{cat: catCompetitor, topic: top})
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
					tg.m.add(v, g.Case, payload{cat: cat, topic: top, ref: ref})
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
				tg.m.add(cue, "", payload{cat: catClaimTopic, topic: top, sub: ci})
				if !strings.Contains(cue, " ") {
					k := fold(cue)
					tg.unitCues[k] = appendUnique(tg.unitCues[k], int(ci))
				}
			}
		}
		tg.topics = append(tg.topics, ct)
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
	body = tg.m.scan(dc.toks, dc.text, body)
	title := tg.m.scan(dc.ttoks, dc.title, ws.title[:0])
	ws.body, ws.title = body, title
	sig := tg.gatherSignals(dc, body, title)
	tags, relevant := tg.decide(dc, sig)
	// The claim side is four passes over the document, each reading what
	// the one before produced: sentences (segment.go), entities and
	// mentions (entity.go), attributions (attribution.go, speaker.go),
	// claims and quantities (claim.go, package quantity).
	sents := segmentTo(dc, ws.sents[:0])
	ws.sents = sents
	mn := tg.mentionPass(dc, sents, body, ws)
	saids := tg.attributionPass(dc, sents, mn, ws)
	claims := tg.claimPass(dc, sents, body, mn, saids, ws)
	return Result{
		Relevant: relevant,
		Tags:     nonNilTags(tags),
		Claims:   nonNilClaims(claims),
		Entities: tg.entities(title, body, mn.ds),
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
func (tg *Tagger) entities(title, body []hit, ds *discourse) []schema.Entity {
	var out []schema.Entity
	// A struct key rather than kind+"\x00"+name: no string per lookup.
	type entityKey struct{ kind, name string }
	seen := map[entityKey]bool{}
	for _, hs := range [][]hit{title, body} {
		for _, h := range hs {
			for _, p := range tg.m.phrases[h.ph].pay {
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
