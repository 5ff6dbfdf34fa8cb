package ledger

import (
	"cmp"
	"slices"
	"strings"
)

// Series is what the articles said one topic and unit amounted to over
// time (fighters; percent of territory; people freed; strikes): one point
// per claim, with its source, so a change of the number is visible.
type Series struct {
	Topic string `json:"topic"`
	Unit  string `json:"unit"`
	// Points are in canonical order (time first).
	Points []Entry `json:"points"`
	// Groups and Outlets count the distinct claims and outlets.
	Groups  int `json:"groups"`
	Outlets int `json:"outlets"`
}

// Key names the series, "territory · percent".
func (s *Series) Key() string {
	if s.Topic == "" {
		return s.Unit
	}
	return s.Topic + " · " + s.Unit
}

// BuildSeries collects grouped numeric entries (SeriesTopic set) into
// series of at least minPoints points, the longest first. Entries without
// a topic form no series: a number is only comparable with others about
// the same thing.
func BuildSeries(entries []Entry, minPoints int) []Series {
	type key struct{ topic, unit string }
	by := map[key][]Entry{}
	for _, e := range entries {
		if !e.Numeric() || e.SeriesTopic == "" {
			continue
		}
		k := key{e.SeriesTopic, e.UnitKey()}
		by[k] = append(by[k], e)
	}
	var out []Series
	for k, pts := range by {
		if len(pts) < max(minPoints, 1) {
			continue
		}
		slices.SortFunc(pts, func(a, b Entry) int { return Compare(&a, &b) })
		groups, sites := map[string]bool{}, map[string]bool{}
		for _, p := range pts {
			groups[p.GroupID] = true
			sites[p.Site] = true
		}
		out = append(out, Series{Topic: k.topic, Unit: pts[0].Unit, Points: pts, Groups: len(groups), Outlets: len(sites)})
	}
	slices.SortFunc(out, func(a, b Series) int {
		return cmp.Or(cmp.Compare(len(b.Points), len(a.Points)), strings.Compare(a.Topic, b.Topic), strings.Compare(a.Unit, b.Unit))
	})
	return out
}
