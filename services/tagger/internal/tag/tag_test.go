package tag

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestClaimOffsetsAndShape(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	files, err := filepath.Glob("testdata/*/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test articles: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text := string(raw)
			r := tg.Tag(Document{Text: text})
			for _, c := range r.Claims {
				if c.Offset < 0 || c.Offset+len(c.Text) > len(text) || text[c.Offset:c.Offset+len(c.Text)] != c.Text {
					t.Errorf("claim offset %d does not point at %q", c.Offset, c.Text)
				}
				if c.Quantities == nil || c.Places == nil {
					t.Errorf("nil slices in %+v", c)
				}
				toks := tokenize(c.Text, 0, nil)
				// Verb is "" for a source carried over from the sentence
				// before, which never makes a claim alone.
				if len(c.Quantities) == 0 && c.Verb == "" && (len(c.Places) == 0 && !hasPlaceNoun(toks, 0, len(toks)) || !english.hasOutcome(toks, 0, len(toks))) && !hasRank(toks, 0, len(toks)) {
					t.Errorf("claim with neither quantity, attribution nor an outcome at a place: %q", c.Text)
				}
			}
			if r.Tags == nil || r.Claims == nil {
				t.Error("nil tags or claims")
			}
		})
	}
}

func TestEntities(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	r := tg.Tag(Document{Text: "Forces retook Hawijah and Talafar, then moved on Deir al-Zour. Col. Ryan Dillon, spokesperson for the coalition, said the SDF advanced."})
	got := map[string]string{}
	for _, e := range r.Entities {
		got[e.Name] = e.Kind
	}
	for name, kind := range map[string]string{"Hawija": "place", "Tal Afar": "place", "Deir ez-Zor": "place", "Syrian Democratic Forces": "org", "Ryan Dillon": "person"} {
		if got[name] != kind {
			t.Errorf("%s: kind %q, want %q (all %v)", name, got[name], kind, got)
		}
	}
}

// TestConcurrent runs one Tagger from many goroutines; with -race it
// checks that Tag shares no mutable state.
func TestConcurrent(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	raw, err := os.ReadFile("testdata/dev/rel_oir_strikes.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := tg.Tag(Document{Text: string(raw)})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				got := tg.Tag(Document{Text: string(raw)})
				if got.Relevant != want.Relevant || len(got.Claims) != len(want.Claims) {
					t.Error("results differ between goroutines")
					return
				}
			}
		}()
	}
	wg.Wait()
}

// A sentence with neither number nor source is a claim when it states an
// outcome at a place, or a rank.
func TestOutcomeClaims(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	tests := []struct {
		text string
		want bool
	}{
		{"The nearby camp came under Syrian state control after the SDF withdrew from parts of Hasaka.", true},
		{"The group is encircled in the old city of Mosul and cut off from its supply lines.", true},
		{"The weather in Raqqa was mild and the markets were busy.", false},
		{"The SDF has pushed into the eastern districts.", true},
		{"Fighters withdrew from the front after a long night.", false}, // no place
		{"Greece's first contribution makes it the 29th partner to fund the programme.", true},
		{"It ranks second in terms of the number of airstrikes.", true},
		{"The meeting was held on June 29th in a hotel.", false},
	}
	for _, tc := range tests {
		r := tg.Tag(Document{Text: tc.text})
		if got := len(r.Claims) == 1; got != tc.want {
			t.Errorf("%q: claims %+v, want a claim: %v", tc.text, r.Claims, tc.want)
		}
	}
}
