package store

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
	"github.com/newsflow/newsflow/services/sink/internal/store/storetest"
)

// An update keeps the claims it replaces as a revision (migration 00010),
// once however often it is replayed; an unchanged redelivery keeps none.
func TestUpdateKeepsRevision(t *testing.T) {
	for _, b := range backends() {
		if !b.sharedHandles {
			continue // JSON lines keeps no revisions
		}
		t.Run(b.name, func(t *testing.T) {
			if b.ready != nil {
				b.ready(t)
			}
			s := b.newPlace(t)(t)
			in := stamped(storetest.Articles(4, 3))
			upsert(t, s, in)
			upsert(t, s, in)
			if n := revisionCount(t, s, in[1].ID); n != 0 {
				t.Fatalf("revisions after a redelivery: %d, want 0", n)
			}
			v2 := stamped([]schema.ArticleTaggedV1{storetest.Revise(in[1], 4, 1, 1)})[0]
			upsert(t, s, []schema.ArticleTaggedV1{v2})
			upsert(t, s, []schema.ArticleTaggedV1{v2})
			upsert(t, s, in) // a stale replay is ignored, and keeps nothing
			db, _ := DBOf(s)
			q := "SELECT content_hash, new_hash, claims FROM claim_revisions WHERE article_id = " + map[bool]string{true: "$1", false: "?"}[db.Postgres]
			rows, err := db.Query(context.Background(), q, in[1].ID)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				n++
				var old, nw, claims string
				if err := rows.Scan(&old, &nw, &claims); err != nil {
					t.Fatal(err)
				}
				var got []schema.Claim
				if err := json.Unmarshal([]byte(claims), &got); err != nil {
					t.Fatalf("claims %q: %v", claims, err)
				}
				if old != in[1].ContentHash || nw != v2.ContentHash || jsonOf(t, got) != jsonOf(t, in[1].Claims) {
					t.Errorf("revision %s→%s claims %s, want %s→%s %s", old, nw, jsonOf(t, got), in[1].ContentHash, v2.ContentHash, jsonOf(t, in[1].Claims))
				}
			}
			if n != 1 {
				t.Errorf("revisions %d, want 1", n)
			}
		})
	}
}

func revisionCount(t *testing.T, s Store, id string) int {
	t.Helper()
	db, _ := DBOf(s)
	q := "SELECT count(*) FROM claim_revisions WHERE article_id = " + map[bool]string{true: "$1", false: "?"}[db.Postgres]
	rows, err := db.Query(context.Background(), q, id)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	return int(n)
}
