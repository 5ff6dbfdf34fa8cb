package tag

import (
	"reflect"
	"testing"
)

func TestSegment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		want  []string
	}{
		{"abbreviated titles", "Col. Dillon said Gen. Smith and Lt. Col. Jones agreed. Then they left.",
			[]string{"Col. Dillon said Gen. Smith and Lt. Col. Jones agreed.", "Then they left."}},
		{"initialisms", "The U.S. and the U.N. met in No. 10 Downing Street. It was cold.",
			[]string{"The U.S. and the U.N. met in No. 10 Downing Street.", "It was cold."}},
		{"initialism ends sentence", "Troops left the U.S. The base closed.",
			[]string{"Troops left the U.S.", "The base closed."}},
		{"decimals", "About 2.3mn people and 4.5 percent. Next one.",
			[]string{"About 2.3mn people and 4.5 percent.", "Next one."}},
		{"quote closes sentence", "“We won. We will win again,” he said. Others disagreed.",
			[]string{"“We won.", "We will win again,” he said.", "Others disagreed."}},
		{"lowercase after period", "after two years….reports Asian Lite News",
			[]string{"after two years….reports Asian Lite News"}},
		{"paragraphs", "First line\nSecond line. Third.",
			[]string{"First line", "Second line.", "Third."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dc := buildDoc(Document{Text: tc.input})
			var got []string
			for _, s := range segment(dc) {
				got = append(got, tc.input[s.start:s.end])
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("segment = %q\nwant      %q", got, tc.want)
			}
		})
	}
}

func TestQuoteGroups(t *testing.T) {
	t.Parallel()
	text := "“That success is due to Iraq. And to the others. Nearly all are allies,” he said. Next."
	dc := buildDoc(Document{Text: text})
	ss := segment(dc)
	if len(ss) != 4 {
		t.Fatalf("%d sentences", len(ss))
	}
	if ss[0].group != ss[1].group || ss[1].group != ss[2].group || ss[2].group == ss[3].group {
		t.Errorf("groups %d %d %d %d", ss[0].group, ss[1].group, ss[2].group, ss[3].group)
	}
}
