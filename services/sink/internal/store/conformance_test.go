package store

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
	"go.uber.org/zap/zaptest"
)

// backend opens stores of one kind. newPlace returns a function opening a
// store on one fresh, empty location (file, schema or directory); calling
// it again opens another handle on the same data, as a second replica would.
type backend struct {
	name string
	// sharedHandles is false when a second handle on the same data cannot
	// be opened (JSONL is single-writer by design).
	sharedHandles bool
	// ready fails the test at once, with one message, when the backend's
	// server is missing.
	ready    func(t *testing.T)
	newPlace func(t *testing.T) func(t *testing.T) Store
}

func backends() []backend {
	return []backend{
		{name: "sqlite", sharedHandles: true, newPlace: func(t *testing.T) func(t *testing.T) Store {
			return specOpener("sqlite:" + filepath.Join(t.TempDir(), "newsflow.db"))
		}},
		{name: "postgres", sharedHandles: true, ready: func(t *testing.T) { storetest.PostgresDSN(t) }, newPlace: func(t *testing.T) func(t *testing.T) Store {
			return specOpener(storetest.PostgresSchema(t))
		}},
		{name: "jsonl", newPlace: func(t *testing.T) func(t *testing.T) Store {
			return specOpener("jsonl:" + t.TempDir())
		}},
	}
}

func specOpener(spec string) func(t *testing.T) Store {
	return func(t *testing.T) Store {
		t.Helper()
		s, err := Open(context.Background(), spec, zaptest.NewLogger(t))
		if err != nil {
			t.Fatalf("Open(%q): %v", spec, err)
		}
		t.Cleanup(func() {
			if err := s.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	}
}

// The conformance suite: every backend must pass every case.
func TestConformance(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, b backend, open func(t *testing.T) Store)
	}{
		{"ExportReturnsWhatWasStored", testExportExact},
		{"StampsStoredAt", testStampsStoredAt},
		{"IdempotentReplay", testIdempotentReplay},
		{"UpdateReplacesClaims", testUpdateReplaces},
		{"StaleReplayIgnored", testStaleReplay},
		{"DuplicatesInOneBatch", testDuplicatesInBatch},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ClaimFilters", testClaimFilters},
		{"ClaimFieldsAndMatching", testClaimFields},
		{"ExportFilters", testExportFilters},
		{"InvalidArticleWritesNothing", testInvalid},
		{"OddTextIsStored", testOddText},
		{"FullTextSearch", testSearch},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			if b.ready != nil {
				b.ready(t)
			}
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, b, b.newPlace(t))
				})
			}
		})
	}
}

// stamped returns articles with a fixed stored time, as the sink sets it.
func stamped(as []schema.ArticleTaggedV1) []schema.ArticleTaggedV1 {
	at := time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)
	out := slices.Clone(as)
	for i := range out {
		out[i].Stages.StoredAt = &at
	}
	return out
}

func upsert(t *testing.T, s Store, batch []schema.ArticleTaggedV1) {
	t.Helper()
	if err := s.Upsert(context.Background(), batch); err != nil {
		t.Fatalf("Upsert: %v", err)
	}
}

func export(t *testing.T, s Store, f ExportFilter) []schema.ArticleTaggedV1 {
	t.Helper()
	var out []schema.ArticleTaggedV1
	if err := s.Export(context.Background(), f, func(a schema.ArticleTaggedV1) error {
		out = append(out, a)
		return nil
	}); err != nil {
		t.Fatalf("Export(%+v): %v", f, err)
	}
	return out
}

func stats(t *testing.T, s Store) Stats {
	t.Helper()
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatalf("Stats: %v", err)
	}
	return st
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// wantOrder sorts articles the way Export must: published (else stored)
// time, then id. Written out here rather than calling sortMicros.
func wantOrder(as []schema.ArticleTaggedV1) []schema.ArticleTaggedV1 {
	key := func(a schema.ArticleTaggedV1) time.Time {
		switch {
		case a.PublishedAt != nil:
			return *a.PublishedAt
		case a.Item.PublishedAt != nil:
			return *a.Item.PublishedAt
		}
		return *a.Stages.StoredAt
	}
	out := slices.Clone(as)
	slices.SortStableFunc(out, func(x, y schema.ArticleTaggedV1) int {
		return cmp.Or(key(x).Compare(key(y)), strings.Compare(x.ID, y.ID))
	})
	return out
}

func wantStats(as []schema.ArticleTaggedV1) Stats {
	var st Stats
	for _, a := range as {
		st.Articles++
		if a.Relevant {
			st.Relevant++
		}
		st.Claims += int64(len(a.Claims))
		for _, c := range a.Claims {
			st.Quantities += int64(len(c.Quantities))
		}
	}
	return st
}

func sameArticles(t *testing.T, got, want []schema.ArticleTaggedV1) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d articles, want %d", len(got), len(want))
	}
	for i := range want {
		if g, w := jsonOf(t, got[i]), jsonOf(t, want[i]); g != w {
			t.Fatalf("article %d (%s) differs:\n got %.300s\nwant %.300s", i, want[i].ID, g, w)
		}
	}
}

func testExportExact(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := stamped(storetest.Articles(1, 30))
	upsert(t, s, in[:10])
	upsert(t, s, in[10:])
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(in))
	if got, want := stats(t, s), wantStats(in); got != want {
		t.Errorf("Stats = %+v, want %+v", got, want)
	}
}

func testStampsStoredAt(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	before := time.Now().Add(-time.Second)
	upsert(t, s, storetest.Articles(2, 3))
	after := time.Now().Add(time.Second)
	for _, a := range export(t, s, ExportFilter{}) {
		if a.Stages.StoredAt == nil || a.Stages.StoredAt.Before(before) || a.Stages.StoredAt.After(after) {
			t.Errorf("article %s: StoredAt = %v, want between %v and %v", a.ID, a.Stages.StoredAt, before, after)
		}
	}
}

func testIdempotentReplay(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := storetest.Articles(3, 25)
	upsert(t, s, in)
	first := export(t, s, ExportFilter{})
	firstStats := stats(t, s)

	// Redelivery: the same batch, reversed, one by one, and twice in one batch.
	upsert(t, s, in)
	rev := slices.Clone(in)
	slices.Reverse(rev)
	upsert(t, s, rev)
	for _, a := range in[:5] {
		upsert(t, s, []schema.ArticleTaggedV1{a})
	}
	upsert(t, s, append(slices.Clone(in), in...))

	// Nothing changed, not even the stored time of the first write.
	sameArticles(t, export(t, s, ExportFilter{}), first)
	if got := stats(t, s); got != firstStats || got != wantStats(in) {
		t.Errorf("Stats after replays = %+v, want %+v", got, firstStats)
	}
}

func articleClaims(t *testing.T, s Store, id string) []schema.Claim {
	t.Helper()
	rows, err := s.Claims(context.Background(), ClaimFilter{})
	if err != nil {
		t.Fatalf("Claims: %v", err)
	}
	var out []schema.Claim
	for _, r := range rows {
		if r.ArticleID == id {
			out = append(out, r.Claim)
		}
	}
	return out
}

func testUpdateReplaces(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := stamped(storetest.Articles(4, 6))
	upsert(t, s, in)

	// Article 2 changes upstream: new text, hash and claims.
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[2], 4, 2, 1)})[0]
	if v2.ContentHash == in[2].ContentHash || jsonOf(t, v2.Claims) == jsonOf(t, in[2].Claims) {
		t.Fatal("fixture: revision did not change the content")
	}
	upsert(t, s, []schema.ArticleTaggedV1{v2})

	want := slices.Clone(in)
	want[2] = v2
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder(want))
	if got, w := jsonOf(t, articleClaims(t, s, v2.ID)), jsonOf(t, v2.Claims); got != w {
		t.Errorf("claims after update:\n got %s\nwant %s", got, w)
	}
	if got, w := stats(t, s), wantStats(want); got != w {
		t.Errorf("Stats = %+v, want %+v (old claims must be gone)", got, w)
	}
}

func testStaleReplay(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	v1 := stamped(storetest.Articles(5, 1))[0]
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(v1, 5, 0, 1)})[0]
	upsert(t, s, []schema.ArticleTaggedV1{v2})
	// A replay of the older version must not roll the article back.
	upsert(t, s, []schema.ArticleTaggedV1{v1})
	sameArticles(t, export(t, s, ExportFilter{}), []schema.ArticleTaggedV1{v2})
	if got, w := stats(t, s), wantStats([]schema.ArticleTaggedV1{v2}); got != w {
		t.Errorf("Stats = %+v, want %+v", got, w)
	}
}

func testDuplicatesInBatch(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	v1 := stamped(storetest.Articles(6, 1))[0]
	v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(v1, 6, 0, 1)})[0]
	other := stamped(storetest.Articles(7, 2))[1]
	upsert(t, s, []schema.ArticleTaggedV1{v1, v2, other, v1, other})
	sameArticles(t, export(t, s, ExportFilter{}), wantOrder([]schema.ArticleTaggedV1{v2, other}))
	if got, w := stats(t, s), wantStats([]schema.ArticleTaggedV1{v2, other}); got != w {
		t.Errorf("Stats = %+v, want %+v", got, w)
	}
}

// Several writers (separate handles where the backend allows, as sink
// replicas are) store overlapping articles and their revisions in random
// orders. The result must be each article's newest revision, once.
func testConcurrentWriters(t *testing.T, b backend, open func(t *testing.T) Store) {
	const (
		writers  = 4
		articles = 40
		revs     = 3
	)
	base := stamped(storetest.Articles(8, articles))
	versions := make([][]schema.ArticleTaggedV1, articles)
	for i, a := range base {
		versions[i] = []schema.ArticleTaggedV1{a}
		for r := 1; r < revs; r++ {
			versions[i] = append(versions[i], stamped([]schema.ArticleTaggedV1{storetest.Revise(a, 8, i, r)})[0])
		}
	}
	first := open(t)
	stores := []Store{first}
	for range writers - 1 {
		if b.sharedHandles {
			stores = append(stores, open(t))
		} else {
			stores = append(stores, first)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w, s := range stores {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 99))
			var all []schema.ArticleTaggedV1
			for _, vs := range versions {
				all = append(all, vs...)
			}
			r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
			for len(all) > 0 {
				n := min(len(all), 1+r.IntN(12))
				if err := s.Upsert(context.Background(), all[:n]); err != nil {
					errs <- fmt.Errorf("writer %d: %w", w, err)
					return
				}
				all = all[n:]
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	var want []schema.ArticleTaggedV1
	for _, vs := range versions {
		want = append(want, vs[len(vs)-1])
	}
	sameArticles(t, export(t, first, ExportFilter{}), wantOrder(want))
	if got, w := stats(t, first), wantStats(want); got != w {
		t.Errorf("Stats = %+v, want %+v", got, w)
	}
	rows, err := first.Claims(context.Background(), ClaimFilter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		k := fmt.Sprintf("%s/%d", r.ArticleID, r.Index)
		if seen[k] {
			t.Fatalf("claim %s listed twice", k)
		}
		seen[k] = true
	}
}

// wantClaims filters claims by brute force, written independently of the
// stores' own matching.
func wantClaims(as []schema.ArticleTaggedV1, f ClaimFilter) []string {
	var out []string
	for _, a := range wantOrder(as) {
		pub := a.PublishedAt
		if pub == nil {
			pub = a.Stages.StoredAt
		}
		if (!f.Since.IsZero() && pub.Before(f.Since)) || (f.RelevantOnly && !a.Relevant) {
			continue
		}
		for i, c := range a.Claims {
			ok := (f.Topic == "" || c.Topic == f.Topic) && (f.Speaker == "" || strings.EqualFold(c.Speaker, f.Speaker))
			if f.Place != "" {
				found := false
				for _, p := range c.Places {
					found = found || strings.EqualFold(p, f.Place)
				}
				ok = ok && found
			}
			if f.Unit != "" {
				found := false
				for _, q := range c.Quantities {
					found = found || q.Unit == f.Unit
				}
				ok = ok && found
			}
			if ok {
				out = append(out, fmt.Sprintf("%s/%d", a.ID, i))
			}
		}
	}
	lo := min(f.Offset, len(out))
	out = out[lo:]
	if f.Limit > 0 {
		out = out[:min(f.Limit, len(out))]
	}
	return out
}

func testClaimFilters(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := stamped(storetest.Articles(9, 60))
	upsert(t, s, in)
	since := storetest.Base().Add(30 * time.Hour)
	filters := []struct {
		name string
		f    ClaimFilter
	}{
		{"all", ClaimFilter{}},
		{"topic", ClaimFilter{Topic: "energy"}},
		{"speaker any case", ClaimFilter{Speaker: "christine LAGARDE"}},
		{"place any case", ClaimFilter{Place: "berlin"}},
		{"unit", ClaimFilter{Unit: "MW"}},
		{"since", ClaimFilter{Since: since}},
		{"relevant", ClaimFilter{RelevantOnly: true}},
		{"combined", ClaimFilter{Topic: "health", Unit: "percent", RelevantOnly: true, Since: since}},
		{"place and speaker", ClaimFilter{Place: "Paris", Speaker: "UNHCR"}},
		{"first page", ClaimFilter{Topic: "housing", Limit: 7}},
		{"second page", ClaimFilter{Topic: "housing", Limit: 7, Offset: 7}},
		{"offset only", ClaimFilter{Offset: 100}},
		{"no match", ClaimFilter{Topic: "sport"}},
	}
	for _, tc := range filters {
		t.Run(tc.name, func(t *testing.T) {
			rows, err := s.Claims(context.Background(), tc.f)
			if err != nil {
				t.Fatalf("Claims: %v", err)
			}
			got := make([]string, len(rows))
			for i, r := range rows {
				got[i] = fmt.Sprintf("%s/%d", r.ArticleID, r.Index)
			}
			want := wantClaims(in, tc.f)
			if tc.name != "no match" && len(want) == 0 {
				t.Fatal("fixture: filter matches nothing, test would prove little")
			}
			if !slices.Equal(got, want) {
				t.Errorf("Claims(%+v):\n got %v\nwant %v", tc.f, got, want)
			}
		})
	}
}

// testClaimFields checks one hand-written claim row field by field.
func testClaimFields(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	a := stamped(storetest.Articles(10, 1))[0]
	lo, hi, v := 2.0, 4.0, 3.5
	a.Claims = []schema.Claim{
		{Text: "Inflation fell to 3.5 percent, Lagarde said.", Speaker: "Christine Lagarde", Verb: "said",
			SpeakerKind: schema.SpeakerPerson, SpeakerRole: "government", Topic: "inflation", Offset: 42, Places: []string{"Frankfurt", "Euro Area"},
			Quantities: []schema.Quantity{{Value: &v, Unit: "percent", Qualifier: "exact", Raw: "3.5 percent"}}},
		{Text: "Between 2 and 4 million people moved, via Reuters.", Via: "Reuters", Offset: -1,
			Quantities: []schema.Quantity{{Low: &lo, High: &hi, Unit: "million people", Qualifier: "range", Raw: "between 2 and 4 million"}}},
	}
	upsert(t, s, []schema.ArticleTaggedV1{a})

	rows, err := s.Claims(context.Background(), ClaimFilter{Place: "EURO AREA"})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 {
		t.Fatalf("got %d rows, want 1", len(rows))
	}
	want := ClaimRow{
		ArticleID: a.ID, ArticleURL: a.URL, Title: a.Title, Site: "news.example.com", FeedURL: a.Item.FeedURL,
		PublishedAt: a.PublishedAt, StoredAt: *a.Stages.StoredAt, Relevant: a.Relevant, Index: 0, Claim: a.Claims[0],
	}
	if g, w := jsonOf(t, rows[0]), jsonOf(t, want); g != w {
		t.Errorf("row:\n got %s\nwant %s", g, w)
	}
	rows, err = s.Claims(context.Background(), ClaimFilter{Unit: "million people"})
	if err != nil {
		t.Fatal(err)
	}
	// Rows list no places as [], never null, whatever the article held.
	wantRange := a.Claims[1]
	wantRange.Places = []string{}
	if len(rows) != 1 || rows[0].Index != 1 || jsonOf(t, rows[0].Claim) != jsonOf(t, wantRange) {
		t.Errorf("range claim: got %s", jsonOf(t, rows))
	}
	// Whole words (issue 17): a word of a name is a match, a part of a
	// word is not.
	if rows, err := s.Claims(context.Background(), ClaimFilter{Speaker: "lagarde"}); err != nil || len(rows) != 1 {
		t.Errorf("Speaker by a word of the name: %d rows, %v; want the one", len(rows), err)
	}
	if rows, err := s.Claims(context.Background(), ClaimFilter{Speaker: "Lagar"}); err != nil || len(rows) != 0 {
		t.Errorf("Speaker partial word: %d rows, %v; want none", len(rows), err)
	}
}

func testExportFilters(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := stamped(storetest.Articles(11, 40))
	upsert(t, s, in)
	all := wantOrder(in)
	since := storetest.Base().Add(20 * time.Hour)

	var wantSince, wantRel, wantSite []schema.ArticleTaggedV1
	for _, a := range all {
		pub := a.PublishedAt
		if pub == nil {
			pub = a.Stages.StoredAt
		}
		if !pub.Before(since) {
			wantSince = append(wantSince, a)
		}
		if a.Relevant && !pub.Before(since) {
			wantRel = append(wantRel, a)
		}
		if strings.Contains(a.URL, "://wire.example.net/") && a.Relevant {
			wantSite = append(wantSite, a)
		}
	}
	t.Run("since", func(t *testing.T) { sameArticles(t, export(t, s, ExportFilter{Since: since}), wantSince) })
	t.Run("since relevant", func(t *testing.T) {
		sameArticles(t, export(t, s, ExportFilter{Since: since, RelevantOnly: true}), wantRel)
	})
	t.Run("site", func(t *testing.T) {
		sameArticles(t, export(t, s, ExportFilter{Site: "WIRE.example.net", RelevantOnly: true}), wantSite)
	})
	t.Run("pages", func(t *testing.T) {
		var got []schema.ArticleTaggedV1
		for off := 0; off < len(all)+7; off += 7 {
			got = append(got, export(t, s, ExportFilter{Limit: 7, Offset: off})...)
		}
		sameArticles(t, got, all)
	})
	t.Run("site pages", func(t *testing.T) {
		got := export(t, s, ExportFilter{Site: "wire.example.net", RelevantOnly: true, Limit: 2, Offset: 1})
		sameArticles(t, got, wantSite[1:3])
	})
	t.Run("callback error stops", func(t *testing.T) {
		stop := errors.New("stop")
		n := 0
		err := s.Export(context.Background(), ExportFilter{}, func(schema.ArticleTaggedV1) error {
			n++
			return stop
		})
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("Export = %v after %d calls, want the callback's error after 1", err, n)
		}
	})
}

func testInvalid(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	in := storetest.Articles(12, 3)
	in[1].ContentHash = ""
	err := s.Upsert(context.Background(), in)
	if !errors.Is(err, schema.ErrInvalid) {
		t.Fatalf("Upsert = %v, want schema.ErrInvalid", err)
	}
	if st := stats(t, s); st != (Stats{}) {
		t.Errorf("Stats = %+v, want nothing stored", st)
	}
}

// A NUL byte or invalid UTF-8 (PostgreSQL rejects both in text) must not
// make an article unstorable: it would block the stream forever.
func testOddText(t *testing.T, _ backend, open func(t *testing.T) Store) {
	s := open(t)
	a := stamped(storetest.Articles(13, 1))[0]
	a.Title = "Nul\x00 and bad \xff\xfe bytes"
	a.Text += " more\x00text"
	a.Claims[0].Speaker = "Sp\x00eaker \xc3"
	a.Claims[0].Places = []string{"Ber\x00lin"}
	upsert(t, s, []schema.ArticleTaggedV1{a})
	// What is stored is the JSON form, where invalid UTF-8 became U+FFFD.
	var want schema.ArticleTaggedV1
	if err := json.Unmarshal([]byte(jsonOf(t, a)), &want); err != nil {
		t.Fatal(err)
	}
	sameArticles(t, export(t, s, ExportFilter{}), []schema.ArticleTaggedV1{want})
	rows, err := s.Claims(context.Background(), ClaimFilter{Place: "berlin"})
	if err != nil {
		t.Fatal(err)
	}
	_ = rows // whether "Ber\x00lin" matches "berlin" may differ by backend; it must not fail
}
