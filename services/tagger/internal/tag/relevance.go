package tag

import (
	"math"
	"sort"

	"github.com/newsflow/newsflow/pkg/schema"
)

// maxEvidence caps the matched spans reported per tag.
const maxEvidence = 12

// aliasHit is one alias occurrence in the title or the body.
type aliasHit struct {
	tag, alias int32
	a, b       int
	title      bool
	langs      uint32 // the alias data's languages, of those active
}

// topicSignals are the per-topic counts relevance is decided on.
type topicSignals struct {
	aliases  []aliasHit
	excludes []aliasHit // alias field unused
	context  map[int32]bool
	senses   []map[int32]bool
	comp     int
}

// tagVerdict is the outcome for one tag.
type tagVerdict struct {
	pass     bool
	hits     float64
	title    bool
	lead     bool
	score    float64
	evidence []string
	matches  []schema.Match
	langs    []string
}

// gatherSignals sorts the document's phrase hits into per-topic signals.
func (tg *Tagger) gatherSignals(dc *doc, body, title []hit, active uint32) []topicSignals {
	sig := make([]topicSignals, len(tg.topics))
	for i := range sig {
		// The maps are made on a sense's or the context's first hit: most
		// articles have none for most senses, and only their sizes are read.
		sig[i].senses = make([]map[int32]bool, len(tg.topics[i].t.Senses))
	}
	add := func(hs []hit, isTitle bool) {
		for _, h := range hs {
			for _, p := range tg.m.phrases[h.ph].pay {
				if p.langs&active == 0 {
					continue
				}
				s := &sig[p.topic]
				switch p.cat {
				case catAlias:
					s.aliases = append(s.aliases, aliasHit{tag: p.sub, alias: p.ref, a: h.a, b: h.b, title: isTitle, langs: p.langs & active})
				case catExclude:
					s.excludes = append(s.excludes, aliasHit{tag: p.sub, a: h.a, b: h.b, title: isTitle})
				case catContext:
					if s.context == nil {
						s.context = map[int32]bool{}
					}
					s.context[h.ph] = true
				case catSense:
					if s.senses[p.sub] == nil {
						s.senses[p.sub] = map[int32]bool{}
					}
					s.senses[p.sub][h.ph] = true
				case catCompetitor:
					if !isTitle {
						s.comp++
					}
				}
			}
		}
	}
	add(title, true)
	add(body, false)
	return sig
}

// decide runs the relevance rules for every tag of every topic.
func (tg *Tagger) decide(dc *doc, sig []topicSignals) ([]schema.Tag, bool) {
	var tags []schema.Tag
	relevant := false
	for ti := range tg.topics {
		ct := &tg.topics[ti]
		s := &sig[ti]
		ctx := len(s.context)
		senseMax := 0
		for _, m := range s.senses {
			if len(m) > senseMax {
				senseMax = len(m)
			}
		}
		verdicts := make([]tagVerdict, len(ct.t.Tags))
		for gi := range ct.t.Tags {
			spec := &ct.t.Tags[gi]
			required := true
			alone := false
			if spec.Requires != "" {
				rv := &verdicts[ct.tagIndex[spec.Requires]]
				required = rv.pass
				alone = !rv.pass && spec.AloneHits > 0 && (rv.hits > 0 || rv.title)
			}
			v := tg.countTag(dc, ct, int32(gi), s, ctx, senseMax, required || alone)
			minHits := spec.MinHits
			if minHits == 0 {
				minHits = 3
				if spec.Requires != "" {
					minHits = 1
				}
			}
			need := math.Max(minHits, float64(dc.words)/500)
			switch {
			case spec.Requires != "" && required:
				v.pass = v.hits >= minHits || v.title
			case alone:
				// The required tag is named but not enough to pass alone;
				// this tag carries the article, and the required tag with it.
				v.pass = v.hits >= spec.AloneHits && float64(s.comp) < 3*v.hits
				if v.pass {
					rv := &verdicts[ct.tagIndex[spec.Requires]]
					rv.pass = true
					tags = append(tags, rv.tag(spec.Requires))
				}
			default:
				v.pass = (v.title && (v.hits >= 1 || ctx >= 3)) ||
					(v.lead && v.hits >= 2) ||
					v.hits >= need
				// An article about another armed group that mentions this
				// one in passing is not about it.
				if v.pass && !v.title && float64(s.comp) >= 3*v.hits {
					v.pass = false
				}
			}
			raw := v.hits
			if v.title {
				raw += 2
			}
			if v.lead {
				raw++
			}
			v.score = math.Round((1-math.Exp(-raw/3))*1000) / 1000
			verdicts[gi] = v
			if v.pass {
				relevant = true
				tags = append(tags, v.tag(spec.Name))
			}
		}
	}
	return tags, relevant
}

// countTag confirms the alias hits of one tag and adds them up.
func (tg *Tagger) countTag(dc *doc, ct *compiledTopic, gi int32, s *topicSignals, ctx, senseMax int, required bool) tagVerdict {
	var hs []aliasHit
	for _, h := range s.aliases {
		if h.tag == gi && !excluded(h, s.excludes, gi) {
			hs = append(hs, h)
		}
	}
	// Longest match first at each position, no overlaps: "Islamic State
	// group" is one mention, not two.
	sort.Slice(hs, func(i, j int) bool {
		if hs[i].title != hs[j].title {
			return hs[i].title
		}
		if hs[i].a != hs[j].a {
			return hs[i].a < hs[j].a
		}
		return hs[i].b > hs[j].b
	})
	var v tagVerdict
	seenEv := map[string]bool{}
	lastB, lastTitle := -1, false
	spec := &ct.t.Tags[gi]
	for _, h := range hs {
		if h.title == lastTitle && h.a <= lastB {
			continue
		}
		toks, text := dc.toks, dc.text
		if h.title {
			toks, text = dc.ttoks, dc.title
		}
		al := &spec.Aliases[h.alias]
		if !confirm(al, toks, text, h, ctx, senseMax) {
			continue
		}
		if spec.Requires != "" && !al.Strong && !required {
			continue
		}
		lastB, lastTitle = h.b, h.title
		w := al.Weight
		if w == 0 {
			w = 1
		}
		onTitleLine := !h.title && dc.lines[toks[h.a].line].title
		switch {
		case h.title || onTitleLine:
			v.title = true
		default:
			v.hits += w
			if h.a < dc.leadEnd {
				v.lead = true
			}
		}
		ev := text[toks[h.a].start:toks[h.b].end]
		if !seenEv[ev] && len(v.evidence) < maxEvidence {
			seenEv[ev] = true
			v.evidence = append(v.evidence, ev)
			lang := tg.langOf(h.langs, h.langs)
			ws, we := writtenSpan(toks, h.a, h.b)
			v.matches = append(v.matches, schema.Match{Text: text[ws:we], Form: al.Text, Lang: lang})
			if !containsString(v.langs, lang) {
				v.langs = append(v.langs, lang)
			}
		}
	}
	return v
}

func excluded(h aliasHit, ex []aliasHit, gi int32) bool {
	for _, e := range ex {
		if e.tag == gi && e.title == h.title && e.a <= h.b && h.a <= e.b {
			return true
		}
	}
	return false
}

// confirm applies an alias's own conditions to one mention.
func confirm(al *Alias, toks []token, text string, h aliasHit, ctx, senseMax int) bool {
	t := &toks[h.a]
	need := al.Context
	if t.has(fShout) && al.Case == "exact" {
		// A capitalised headline writes every word in capitals: "IS" is
		// then the verb, and "ISIS" needs as much support as "Isis".
		if len([]rune(t.text(text))) <= 2 {
			return false
		}
		if need < 2 {
			need = 2
		}
	}
	if need > 0 && (ctx < need || senseMax > ctx) {
		return false
	}
	if al.NotBeforeName && !t.has(fTitle) && !t.has(fShout) {
		if n := h.b + 1; n < len(toks) && toks[n].line == t.line && toks[n].kind == tWord && toks[n].has(fUpper) && toks[n].has(fSpaced) {
			return false // Isis Moreno, Isis Pharmaceuticals
		}
	}
	return true
}

// tag is the verdict as the tag the article carries.
func (v *tagVerdict) tag(name string) schema.Tag {
	return schema.Tag{Name: name, Score: v.score, Evidence: v.evidence, Langs: v.langs, Matches: v.matches}
}

func containsString(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// writtenSpan widens tokens a..b to the words as written: "l'EI" for EI,
// "IŞİD'in" for IŞİD, "لداعش" for داعش, where the tokeniser cut off an
// elision, a suffix or an attached clitic.
func writtenSpan(toks []token, a, b int) (int, int) {
	glued := func(x, y *token) bool {
		return x.end == y.start && x.line == y.line && (x.isWord() && y.isWord() ||
			x.isWord() && y.kind == tPunct && isApostrophe(y.norm) ||
			x.kind == tPunct && isApostrophe(x.norm) && y.isWord())
	}
	for a > 0 && glued(&toks[a-1], &toks[a]) {
		a--
	}
	for b+1 < len(toks) && glued(&toks[b], &toks[b+1]) {
		b++
	}
	return toks[a].start, toks[b].end
}

func isApostrophe(s string) bool { return s == "'" || s == "’" }
