package deskdb

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/desk/ledger"
	"github.com/newsflow/newsflow/services/sink/internal/store"
)

// withSpeakers gives the fixture's claims speaker kinds and roles by a
// fixed rule (the bundled recording predates them): the outlet's own
// voice without a speaker, else person, organisation or anonymous by the
// claim's position, and the role government on every other claim.
func withSpeakers(as []schema.ArticleTaggedV1) []schema.ArticleTaggedV1 {
	kinds := []string{schema.SpeakerPerson, schema.SpeakerOrganisation, schema.SpeakerAnonymous}
	out := slices.Clone(as)
	for i := range out {
		out[i].Claims = slices.Clone(out[i].Claims)
		for ci := range out[i].Claims {
			c := &out[i].Claims[ci]
			c.SpeakerKind, c.SpeakerRole = schema.SpeakerOutlet, ""
			if c.Speaker != "" {
				c.SpeakerKind = kinds[(i+ci)%len(kinds)]
				if (i+ci)%2 == 0 {
					c.SpeakerRole = "government"
				}
			}
		}
	}
	return out
}

func TestCheckSpeaker(t *testing.T) {
	for _, k := range append(slices.Clone(SpeakerKinds), "") {
		if err := CheckSpeakerKind(k); err != nil {
			t.Errorf("CheckSpeakerKind(%q): %v", k, err)
		}
	}
	for _, k := range []string{"people", "Person", "person "} {
		if CheckSpeakerKind(k) == nil {
			t.Errorf("CheckSpeakerKind(%q) took it", k)
		}
	}
	for _, r := range []string{"", "government", "group-media", "ngo"} {
		if err := CheckSpeakerRole(r); err != nil {
			t.Errorf("CheckSpeakerRole(%q): %v", r, err)
		}
	}
	for _, r := range []string{"Government", "group media", "-x", "a;b"} {
		if CheckSpeakerRole(r) == nil {
			t.Errorf("CheckSpeakerRole(%q) took it", r)
		}
	}
}

// testSpeakerFilters checks the speaker kind, role, topic and unit
// filters, alone and combined, against the scan and against the claims
// they must keep.
func testSpeakerFilters(t *testing.T, open func(t *testing.T) store.Store) {
	ctx := context.Background()
	s := open(t)
	d := deskOf(t, s)
	as := withSpeakers(deskArticles(t))
	upsert(t, s, as)
	syncLedger(t, d, as)
	ref := scanDesk{s}
	claimOf := map[string]schema.Claim{}
	for i := range as {
		for ci, c := range as[i].Claims {
			claimOf[claimID(as[i].ID, ci)] = c
		}
	}

	for _, f := range []LedgerFilter{
		{SpeakerKind: schema.SpeakerPerson, WithMembers: true},
		{SpeakerKind: schema.SpeakerOutlet, Notable: true, WithMembers: true},
		{SpeakerRole: "government", WithMembers: true},
		{SpeakerKind: schema.SpeakerAnonymous, SpeakerRole: "government", WithMembers: true},
		{SpeakerKind: schema.SpeakerPerson, Topic: "territory", Unit: "percent", WithMembers: true},
		{SpeakerKind: schema.SpeakerOrganisation, Speaker: "mattis", WithMembers: true},
	} {
		got, err := d.LedgerGroups(ctx, f)
		if err != nil {
			t.Fatalf("LedgerGroups(%+v): %v", f, err)
		}
		want, err := ref.LedgerGroups(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		sameLedger(t, "groups "+jsonOf(t, f), got, want)
		if f.Speaker == "" && len(got) == 0 {
			t.Errorf("LedgerGroups(%+v) found nothing", f)
		}
		// A group is listed when one of its members passes.
		for _, g := range got {
			if !slices.ContainsFunc(g.Entries, func(e ledger.Entry) bool {
				c := claimOf[claimID(e.ArticleID, e.Claim)]
				return (f.SpeakerKind == "" || c.SpeakerKind == f.SpeakerKind) && (f.SpeakerRole == "" || c.SpeakerRole == f.SpeakerRole)
			}) {
				t.Errorf("LedgerGroups(%+v): group %s has no member passing", f, g.ID)
			}
		}
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
		for _, sr := range gotS {
			for _, p := range sr.Points {
				if c := claimOf[claimID(p.ArticleID, p.Claim)]; f.SpeakerKind != "" && c.SpeakerKind != f.SpeakerKind {
					t.Errorf("LedgerSeries(%+v): a point by a %s", f, c.SpeakerKind)
				}
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
	if g, w := jsonOf(t, got), jsonOf(t, want); g != w || len(got.Roles) != 1 || got.Roles[0].Value != "government" ||
		!slices.ContainsFunc(got.Units, func(f Facet) bool { return f.Value == "percent" }) ||
		!slices.ContainsFunc(got.Topics, func(f Facet) bool { return f.Value == "territory" }) {
		t.Errorf("facets: roles %v, units %v, topics %v; scan's %s", got.Roles, got.Units, got.Topics, w)
	}

	for _, f := range []ArticleFilter{
		{SpeakerKind: schema.SpeakerPerson},
		{SpeakerRole: "government", RelevantOnly: true},
		{Topic: "territory"},
		{Unit: "PERCENT"},
		{Topic: "territory", Unit: "percent", SpeakerKind: schema.SpeakerOutlet},
		{Speaker: "mattis", SpeakerKind: schema.SpeakerAnonymous},
	} {
		got, err := d.Articles(ctx, f)
		if err != nil {
			t.Fatalf("Articles(%+v): %v", f, err)
		}
		want, err := ref.Articles(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		sameArticles(t, got, want)
		if f.Speaker == "" && len(got) == 0 {
			t.Errorf("Articles(%+v) found nothing", f)
		}
		for i := range got {
			if !slices.ContainsFunc(got[i].Claims, f.claimPasses) {
				t.Errorf("Articles(%+v): %s has no claim passing", f, got[i].ID)
			}
		}
	}
}

func claimID(articleID string, claim int) string { return fmt.Sprint(articleID, "#", claim) }
