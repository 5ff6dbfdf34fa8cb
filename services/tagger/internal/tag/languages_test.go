package tag

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func newAllLanguages(tb testing.TB) *Tagger {
	tb.Helper()
	ts, err := DefaultTopics()
	if err != nil {
		tb.Fatal(err)
	}
	tg, err := New(ts...)
	if err != nil {
		tb.Fatal(err)
	}
	return tg
}

func TestLanguageSelection(t *testing.T) {
	t.Parallel()
	tg := newAllLanguages(t)
	fr := Document{
		Title: "L'EI revendique l'attentat de Kaboul",
		Text:  "Le groupe jihadiste État islamique a revendiqué l'attentat. Daech a diffusé un communiqué de son agence Amaq. L'EI multiplie les attaques en Afghanistan.",
	}
	ar := Document{
		Title: "مقتل جنديين بهجوم لداعش جنوب كركوك",
		Text:  "قتل جنديان بهجوم شنه عناصر من تنظيم داعش على نقطة عسكرية. وقال مصدر أمني إن مسلحي التنظيم هاجموا القوات، وإن الدولة الإسلامية ما زالت تنشط.",
	}
	// Long enough for its function words to tell the language.
	frLong := Document{Title: fr.Title, Text: fr.Text + "\nLes talibans, au pouvoir depuis 2021, sont la cible de cette branche qui a été créée en 2015 dans l'est du pays. Les attaques ont fait des centaines de morts dans les mosquées et les écoles."}
	// An English text about Türkiye names many people with letters beyond
	// ASCII; it is still read as English, where "EI" and "IS" are no names.
	enAccents := Document{
		Title: "Erdoğan and Kılıçdaroğlu trade barbs over Çanakkale bridge",
		Text:  "İzmir, Şanlıurfa and Gaziantep mayors joined Erdoğan. Kılıçdaroğlu said the bridge at Çanakkale was overpriced. The IS department of the ministry and the EI unit of Düzce university were praised for the design of the project.",
	}
	tests := []struct {
		name  string
		d     Document
		lang  string
		want  bool
		match string // "text=form/lang" expected among the isis tag's matches
	}{
		{"french as french", fr, "fr", true, "L'EI=EI/fr"},
		{"french with a region", fr, "fr-BE", true, "Daech=Daech/fr"},
		{"french as three-letter code", fr, "fra", true, ""},
		{"french read as english", fr, "en", false, ""},
		{"french without a language", frLong, "", true, "L'EI=EI/fr"},
		{"english with accented names", enAccents, "", false, ""},
		{"arabic without a language", ar, "", true, ""},
		{"french read as german", fr, "de", false, ""},
		{"arabic as arabic", ar, "ar", true, "لداعش=داعش/ar"},
		{"arabic detected as persian", ar, "fa", true, ""},
		{"arabic read as english", ar, "en", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d := tc.d
			d.Lang = tc.lang
			r := tg.Tag(d)
			if r.Relevant != tc.want {
				t.Fatalf("relevant %v, want %v (tags %+v)", r.Relevant, tc.want, r.Tags)
			}
			if tc.match == "" {
				return
			}
			var got []string
			for _, m := range r.Tags[0].Matches {
				got = append(got, m.Text+"="+m.Form+"/"+m.Lang)
			}
			if !contains(got, tc.match) {
				t.Errorf("matches %q lack %q", got, tc.match)
			}
			if len(r.Tags[0].Matches) != len(r.Tags[0].Evidence) || !contains(r.Tags[0].Langs, strings.Split(tc.match, "/")[1]) {
				t.Errorf("tag %+v: matches do not follow evidence, or langs lack the language", r.Tags[0])
			}
			if len(r.Claims) != 0 {
				t.Errorf("claims from a %s article: %+v", tc.lang, r.Claims)
			}
		})
	}
}

// The English data reads as before when other languages are loaded: the
// dev articles give the same tags and claims with and without them.
func TestLanguagesLeaveEnglishAlone(t *testing.T) {
	t.Parallel()
	en := newDefault(t)
	all := newAllLanguages(t)
	files, err := filepath.Glob("testdata/dev/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no dev articles: %v", err)
	}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		d := Document{Title: strings.SplitN(string(raw), "\n", 2)[0], Text: string(raw)}
		a, b := en.Tag(d), all.Tag(d)
		ja, _ := json.Marshal(a)
		jb, _ := json.Marshal(b)
		if string(ja) != string(jb) {
			t.Errorf("%s: result changes with the other languages loaded", f)
		}
	}
}

func TestLanguageTopicErrors(t *testing.T) {
	t.Parallel()
	def, err := DefaultTopic()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		yaml string
	}{
		{"no base topic", "name: other\nlang: fr\ntags: [{name: isis, aliases: [{text: EI}]}]"},
		{"tag not in base", "name: isis-coalition\nlang: fr\ntags: [{name: hamas, aliases: [{text: Hamas}]}]"},
		{"decision in a language file", "name: isis-coalition\nlang: fr\ntags: [{name: isis, min_hits: 2, aliases: [{text: EI}]}]"},
		{"claims in a language file", "name: isis-coalition\nlang: fr\ntags: [{name: isis, aliases: [{text: EI}]}]\nclaim_topics: [{name: x, cues: [y]}]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			lt, err := ParseTopic(strings.NewReader(tc.yaml))
			if err == nil {
				_, err = New(def, lt)
			}
			if !errors.Is(err, ErrInvalidTopic) {
				t.Errorf("err = %v, want ErrInvalidTopic", err)
			}
		})
	}
	// Merging a language does not write into the caller's topic.
	n := len(def.Tags[0].Aliases)
	if _, err := New(newAllTopics(t)...); err != nil {
		t.Fatal(err)
	}
	if len(def.Tags[0].Aliases) != n {
		t.Error("New changed the base topic it was given")
	}
}

func newAllTopics(tb testing.TB) []Topic {
	ts, err := DefaultTopics()
	if err != nil {
		tb.Fatal(err)
	}
	return ts
}

// BenchmarkTagLanguages reports articles/s on the tag package's labelled
// examples in every language, each tagged with its language.
func BenchmarkTagLanguages(b *testing.B) {
	tg := newAllLanguages(b)
	files, err := filepath.Glob("testdata/lang/*.json")
	if err != nil || len(files) == 0 {
		b.Fatalf("no examples: %v", err)
	}
	var docs []Document
	total := 0
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var es []struct{ Lang, Title, Text string }
		if err := json.Unmarshal(raw, &es); err != nil {
			b.Fatal(err)
		}
		for _, e := range es {
			// Twelve copies of each body: about the 4 KB of an English
			// benchmark article.
			text := strings.Repeat(e.Text+"\n", 12)
			docs = append(docs, Document{Title: e.Title, Text: text, Lang: e.Lang})
			total += len(text)
		}
	}
	b.SetBytes(int64(total / len(docs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tg.Tag(docs[i%len(docs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(total)/float64(len(docs)), "bytes/article")
}

// BenchmarkTagEnglishAllLanguages is BenchmarkTag with the tagger the
// service runs (every language's data loaded), on the same English
// articles given without a language, so that the guess runs too.
func BenchmarkTagEnglishAllLanguages(b *testing.B) {
	tg := newAllLanguages(b)
	docs := benchDocs(b)
	total := 0
	for _, d := range docs {
		total += len(d.Text)
	}
	b.SetBytes(int64(total / len(docs)))
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		tg.Tag(docs[i%len(docs)])
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "articles/s")
	b.ReportMetric(float64(total)/float64(len(docs)), "bytes/article")
}

// FuzzTagLanguages tags any text in any of the languages: evidence and
// matches come in pairs, and every match is a piece of the text or title.
func FuzzTagLanguages(f *testing.F) {
	for _, s := range []struct{ text, lang string }{
		{"L'EI revendique l'attentat; l’État islamique, Daech.", "fr"},
		{"IŞİD'in DEAŞ'a Irak'ta Sana'a '", "tr"},
		{"والدولة الإسلامية للتنظيم بالموصل ٢٠١٤٫٥ لل ال و", "ar"},
		{"بین\u200cالمللی داعش ۱۲۳", "fa"},
		{"Anti-IS-Koalition IS-Kämpfern", "de"},
		{"«Исламское государство» запрещённая", "ru"},
		{"\xd8\xa7\xff ل\u200c", ""},
	} {
		f.Add(s.text, s.text, s.lang)
	}
	tg := newAllLanguages(f)
	f.Fuzz(func(t *testing.T, text, title, lang string) {
		r := tg.Tag(Document{Title: title, Text: text, Lang: lang})
		for _, g := range r.Tags {
			if len(g.Matches) != len(g.Evidence) {
				t.Fatalf("%d matches for %d evidence spans", len(g.Matches), len(g.Evidence))
			}
			for _, m := range g.Matches {
				if !strings.Contains(text, m.Text) && !strings.Contains(title, m.Text) || m.Form == "" || m.Lang == "" {
					t.Fatalf("match %+v is not from the article", m)
				}
			}
		}
	})
}
