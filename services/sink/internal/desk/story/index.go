package story

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// Index finds the stories of articles as they come: Add looks up the
// articles a new one is linked to through the postings of its keys in the
// time window (never all pairs) and joins their stories, so each Add costs
// the postings of its keys in the window. The stories are the connected
// components of Linked whatever the order of Adds. Memory is a few int32
// per article and key; article ids are kept once.
type Index struct {
	r      Rules
	keyIDs map[string]int32
	keyW   []float64
	post   [][]int32 // per key, doc indexes ordered by (at, index)
	ids    []string
	at     []int64 // unix microseconds
	total  []float64
	parent []int32
	// acc and stamp accumulate shared weight per candidate during one
	// Add (stamp == gen marks this Add's), touched lists the candidates.
	acc     []float64
	stamp   []uint32
	gen     uint32
	touched []int32
}

// NewIndex returns an empty index under r.
func NewIndex(r Rules) *Index {
	return &Index{r: r, keyIDs: map[string]int32{}}
}

// Len is how many articles the index holds.
func (x *Index) Len() int { return len(x.ids) }

// Add puts d in the index and joins it with every story it is linked to.
// Each article is added once.
func (x *Index) Add(d Doc) {
	n := int32(len(x.ids))
	at := d.At.UnixMicro()
	w := x.r.Window.Microseconds()
	x.ids = append(x.ids, d.ID)
	x.at = append(x.at, at)
	x.parent = append(x.parent, n)
	x.acc = append(x.acc, 0)
	x.stamp = append(x.stamp, 0)
	keys := make([]int32, 0, len(d.Keys))
	total := 0.0
	for _, k := range d.Keys {
		id, ok := x.keyIDs[k]
		if !ok {
			id = int32(len(x.keyW))
			x.keyIDs[k] = id
			x.keyW = append(x.keyW, x.r.weight(k))
			x.post = append(x.post, nil)
		}
		keys = append(keys, id)
		total += x.keyW[id]
	}
	x.total = append(x.total, total)
	x.gen++
	x.touched = x.touched[:0]
	for _, k := range keys {
		p := x.post[k]
		wk := x.keyW[k]
		if wk == 0 {
			continue
		}
		from := sort.Search(len(p), func(i int) bool { return x.at[p[i]] >= at-w })
		for _, o := range p[from:] {
			if x.at[o] > at+w {
				break
			}
			if x.stamp[o] != x.gen {
				x.stamp[o], x.acc[o] = x.gen, 0
				x.touched = append(x.touched, o)
			}
			x.acc[o] += wk
		}
	}
	for _, o := range x.touched {
		shared := x.acc[o]
		lighter := min(total, x.total[o])
		if shared >= x.r.MinShared && lighter > 0 && shared/lighter >= x.r.MinOverlap {
			x.union(n, o)
		}
	}
	for _, k := range keys {
		p := x.post[k]
		i := sort.Search(len(p), func(i int) bool {
			o := p[i]
			return x.at[o] > at || x.at[o] == at && o > n
		})
		p = slices.Insert(p, i, n)
		x.post[k] = p
	}
}

func (x *Index) find(i int32) int32 {
	for x.parent[i] != i {
		x.parent[i] = x.parent[x.parent[i]]
		i = x.parent[i]
	}
	return i
}

func (x *Index) union(a, b int32) {
	ra, rb := x.find(a), x.find(b)
	if ra == rb {
		return
	}
	if ra < rb {
		ra, rb = rb, ra
	}
	x.parent[ra] = rb
}

// StoryOf is the representative index of the story of the i-th article
// added: equal for two articles of one story.
func (x *Index) StoryOf(i int) int { return int(x.find(int32(i))) }

// Stories lists the stories, each with its members oldest first (time,
// then id) and named by its first member, the stories by first member.
func (x *Index) Stories() []Story {
	byRoot := map[int32][]int32{}
	for i := range x.ids {
		r := x.find(int32(i))
		byRoot[r] = append(byRoot[r], int32(i))
	}
	less := func(a, b int32) int {
		if x.at[a] != x.at[b] {
			if x.at[a] < x.at[b] {
				return -1
			}
			return 1
		}
		return strings.Compare(x.ids[a], x.ids[b])
	}
	out := make([]Story, 0, len(byRoot))
	for _, m := range byRoot {
		slices.SortFunc(m, less)
		s := Story{ID: x.ids[m[0]], First: time.UnixMicro(x.at[m[0]]).UTC(), Last: time.UnixMicro(x.at[m[len(m)-1]]).UTC()}
		for _, i := range m {
			s.Members = append(s.Members, x.ids[i])
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Story) int {
		if c := a.First.Compare(b.First); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}
