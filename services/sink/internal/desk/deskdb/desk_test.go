package deskdb

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger/ledgertest"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// deskArticles are the bundled recording as the pipeline tagged it plus
// the hand-written repeats of seed figures, with a fixed stored time.
func deskArticles(t *testing.T) []schema.ArticleTaggedV1 {
	t.Helper()
	return stamped(append(ledgertest.Recording(t), ledgertest.Repeats(t)...))
}

// fullLedger is the ledger rebuilt from scratch: what every incremental
// path must end at.
func fullLedger(as []schema.ArticleTaggedV1) []ledger.Group {
	var es []ledger.Entry
	for i := range as {
		es = append(es, ledger.EntriesOf(&as[i])...)
	}
	gs := ledger.Regroup(es, ledger.DefaultOptions())
	slices.SortStableFunc(gs, compareRank)
	return gs
}

func allGroups(t *testing.T, d Store) []ledger.Group {
	t.Helper()
	gs, err := d.LedgerGroups(context.Background(), LedgerFilter{WithMembers: true})
	if err != nil {
		t.Fatalf("LedgerGroups: %v", err)
	}
	return gs
}

func sameLedger(t *testing.T, what string, got, want []ledger.Group) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d groups, want %d", what, len(got), len(want))
	}
	for i := range want {
		if g, w := jsonOf(t, got[i]), jsonOf(t, want[i]); g != w {
			t.Fatalf("%s: group %d differs:\n got %.600s\nwant %.600s", what, i, g, w)
		}
	}
}

func syncLedger(t *testing.T, d Store, as []schema.ArticleTaggedV1) int {
	t.Helper()
	ids := make([]string, len(as))
	for i := range as {
		ids[i] = as[i].ID
	}
	n, err := d.SyncLedger(context.Background(), ids)
	if err != nil {
		t.Fatalf("SyncLedger: %v", err)
	}
	return n
}

// The desk suite runs on every backend; JSON lines computes the ledger on
// read, the databases keep it incrementally.
func TestDesk(t *testing.T) {
	cases := []struct {
		name string
		run  func(t *testing.T, place func(t *testing.T) store.Store)
	}{
		{"IncrementalEqualsRebuild", testLedgerIncremental},
		{"UpdatesAndRelevance", testLedgerUpdates},
		{"CatchUp", testLedgerCatchUp},
		{"ReadsAgreeWithScan", testDeskReads},
		{"SpeakerTopicUnitFilters", testSpeakerFilters},
	}
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) {
			t.Parallel()
			if b.ready != nil {
				b.ready(t)
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					// Each call opens a store on a fresh, empty place.
					c.run(t, func(t *testing.T) store.Store { return b.newPlace(t)(t) })
				})
			}
		})
	}
}

// testLedgerIncremental stores the articles in shuffled batches, syncing
// after each as the sink does, and checks the ledger equals a rebuild;
// then replays everything and checks nothing changes.
func testLedgerIncremental(t *testing.T, open func(t *testing.T) store.Store) {
	as := deskArticles(t)
	want := fullLedger(as)
	for seed := range uint64(2) {
		s := open(t)
		d := deskOf(t, s)
		order := slices.Clone(as)
		r := rand.New(rand.NewPCG(seed, 7))
		r.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for start := 0; start < len(order); {
			n := 1 + r.IntN(9)
			batch := order[start:min(start+n, len(order))]
			upsert(t, s, batch)
			syncLedger(t, d, batch)
			start += n
		}
		sameLedger(t, "shuffled batches", allGroups(t, d), want)
		upsert(t, s, as)
		if _, isScan := d.(scanDesk); !isScan {
			if n := syncLedger(t, d, as); n != 0 {
				t.Errorf("a replay changed the ledger for %d articles", n)
			}
		}
		sameLedger(t, "after a replay", allGroups(t, d), want)
	}
}

// testLedgerUpdates changes a figure upstream and turns an article
// irrelevant: the ledger follows the stored versions only.
func testLedgerUpdates(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	d := deskOf(t, s)
	as := deskArticles(t)
	upsert(t, s, as)
	syncLedger(t, d, as)

	// The Gulf Wire repeat now says 96%: it leaves the 95 percent group.
	i := slices.IndexFunc(as, func(a schema.ArticleTaggedV1) bool {
		return a.URL == "https://www.gulfwire.example/world/nato-coalition-meeting-territory-liberated"
	})
	if i < 0 {
		t.Fatal("repeat 01 missing from the fixture")
	}
	up := as[i]
	up.ContentHash += "-v2"
	up.Stages.FetchedAt = up.Stages.FetchedAt.Add(time.Hour)
	up.Claims = slices.Clone(up.Claims)
	c := &up.Claims[0]
	c.Quantities = slices.Clone(c.Quantities)
	v := 96.0
	c.Quantities[0].Value = &v
	// Another article drops out of the relevant set.
	j := slices.IndexFunc(as, func(a schema.ArticleTaggedV1) bool { return a.Relevant && a.ID != up.ID })
	gone := as[j]
	gone.ContentHash += "-v2"
	gone.Stages.FetchedAt = gone.Stages.FetchedAt.Add(time.Hour)
	gone.Relevant = false

	// A stale copy synced first changes nothing: the store keeps the newer.
	upsert(t, s, []schema.ArticleTaggedV1{up, gone})
	stale := as[i]
	upsert(t, s, []schema.ArticleTaggedV1{stale})
	syncLedger(t, d, []schema.ArticleTaggedV1{stale, up, gone})

	now := slices.Clone(as)
	now[i], now[j] = up, gone
	sameLedger(t, "after updates", allGroups(t, d), fullLedger(now))
}

// testLedgerCatchUp fills a store without syncing, as a sink from before
// the ledger would have, and lets CatchUpLedger build it; then fakes a
// ledger built under other rules and checks it is rebuilt.
func testLedgerCatchUp(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	d := deskOf(t, s)
	as := deskArticles(t)
	upsert(t, s, as)
	n, err := d.CatchUpLedger(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := fullLedger(as)
	sameLedger(t, "after catch-up", allGroups(t, d), want)
	if _, isScan := d.(scanDesk); isScan {
		return
	}
	if n != len(as) {
		t.Errorf("catch-up synced %d articles, want %d", n, len(as))
	}
	if n, err := d.CatchUpLedger(context.Background()); err != nil || n != 0 {
		t.Errorf("second catch-up: %d, %v; want nothing to do", n, err)
	}
	db, ok := d.(*sqlDesk)
	if !ok {
		t.Fatalf("unexpected desk %T", d)
	}
	err = db.inTx(context.Background(), func(tx store.Tx) error {
		return tx.Exec(context.Background(), "UPDATE ledger_state SET value = 'old' WHERE name = 'version'")
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := d.CatchUpLedger(context.Background()); err != nil || n != len(as) {
		t.Errorf("catch-up after a rules change: %d, %v; want all %d rebuilt", n, err, len(as))
	}
	sameLedger(t, "after a rebuild", allGroups(t, d), want)
}

// testDeskReads compares every read of the desk with the same read
// answered by scanning Export, for a spread of filters.
func testDeskReads(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	d := deskOf(t, s)
	as := deskArticles(t)
	upsert(t, s, as)
	syncLedger(t, d, as)
	ref := scanDesk{s}
	june := time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)

	ledgerFilters := []LedgerFilter{
		{},
		{Notable: true, WithMembers: true},
		{Site: "www.gulf-times.com", WithMembers: true},
		{Place: "syria"},
		{Place: "Hawija", Notable: true},
		{Since: june, Until: june.Add(24 * time.Hour)},
		{Topic: "territory", Unit: "PERCENT"},
		{MinOutlets: 2, WithMembers: true},
		{Notable: true, Limit: 5, Offset: 3},
		{MinPoints: 2},
		// Outlets, places and speakers by a word, in any case.
		{Place: "RAQQA", WithMembers: true},
		{Site: "gulf times", WithMembers: true},
		{Site: "gulfwire"},
		{Speaker: "mattis", WithMembers: true},
		{Language: "EN", Notable: true},
		{Language: "fr"},
	}
	for _, f := range ledgerFilters {
		got, err := d.LedgerGroups(ctx, f)
		if err != nil {
			t.Fatalf("LedgerGroups(%+v): %v", f, err)
		}
		want, err := ref.LedgerGroups(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		sameLedger(t, "groups "+jsonOf(t, f), got, want)
		gotS, err := d.LedgerSeries(ctx, f)
		if err != nil {
			t.Fatalf("LedgerSeries(%+v): %v", f, err)
		}
		wantS, err := ref.LedgerSeries(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		if g, w := jsonOf(t, gotS), jsonOf(t, wantS); g != w {
			t.Errorf("series %+v:\n got %.400s\nwant %.400s", f, g, w)
		}
	}
	if gs, _ := d.LedgerGroups(ctx, LedgerFilter{MinOutlets: 2}); len(gs) == 0 {
		t.Error("no group carried by two outlets: the fixture's repeats should give several")
	}
	for _, f := range []LedgerFilter{{Speaker: "mattis"}, {Place: "raqqa"}, {Site: "gulf-times"}, {Language: "en"}} {
		if gs, _ := d.LedgerGroups(ctx, f); len(gs) == 0 {
			t.Errorf("LedgerGroups(%+v) found nothing: a word of a name should find it", f)
		}
	}
	for _, f := range []ArticleFilter{{Speaker: "MATTIS"}, {Place: "raqqa"}, {Site: "gulfwire"}, {Language: "en"}} {
		if as, _ := d.Articles(ctx, f); len(as) == 0 {
			t.Errorf("Articles(%+v) found nothing: a word of a name should find it", f)
		}
	}

	articleFilters := []ArticleFilter{
		{},
		{RelevantOnly: true},
		{RelevantOnly: true, Limit: 4, Offset: 2},
		{RelevantOnly: true, Site: "www.gulfwire.example"},
		{RelevantOnly: true, Tag: "coalition"},
		{RelevantOnly: true, Place: "raqqa"},
		{Since: june, Until: june.Add(24 * time.Hour)},
		{RelevantOnly: true, Place: "RAQQA"},
		{RelevantOnly: true, Site: "Gulf Wire"},
		{Speaker: "mattis"},
		{Language: "en", Limit: 5},
		{Language: "fr"},
	}
	for _, f := range articleFilters {
		got, err := d.Articles(ctx, f)
		if err != nil {
			t.Fatalf("Articles(%+v): %v", f, err)
		}
		want, err := ref.Articles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		sameArticles(t, got, want)
		for i := 1; i < len(got); i++ {
			if store.SortTime(&got[i]).After(store.SortTime(&got[i-1])) {
				t.Fatalf("Articles(%+v) not newest first", f)
			}
		}
	}
	got, err := d.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.Facets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w {
		t.Errorf("facets:\n got %s\nwant %s", g, w)
	}
	if got.Relevant == 0 || got.Recurring == 0 || len(got.Outlets) == 0 || len(got.Places) == 0 {
		t.Errorf("facets look empty: %+v", got)
	}
}
