package quantity

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newsflow/newsflow/pkg/schema"
)

// q renders a quantity compactly for comparisons: "value unit qualifier" or
// "low-high unit range".
func q(x schema.Quantity) string {
	if x.Value != nil {
		return fmt.Sprintf("%g %s %s", *x.Value, x.Unit, x.Qualifier)
	}
	if x.Low != nil && x.High != nil {
		return fmt.Sprintf("%g-%g %s %s", *x.Low, *x.High, x.Unit, x.Qualifier)
	}
	return "invalid " + x.Unit
}

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input string
		want        []string
	}{
		{"separators", "there are 14,000 fighters left", []string{"14000 fighters exact"}},
		{"number words", "more than two million people returned", []string{"2e+06 people more than"}},
		{"small word", "four countries joined", []string{"4 countries exact"}},
		{"a dozen", "a dozen villages were retaken", []string{"12 villages exact"}},
		{"two dozen", "about two dozen detention centres", []string{"24 detention centres approximately"}},
		{"mn suffix", "some 4mn people were freed", []string{"4e+06 people approximately"}},
		{"decimal mn", "about 2.3mn people in Syria", []string{"2.3e+06 people approximately"}},
		{"money mn", "projects worth more than $200mn", []string{"2e+08 USD more than"}},
		{"money bn word", "pledged $1.5 billion in aid", []string{"1.5e+09 USD exact"}},
		{"bn suffix", "a 1.5bn euros fund", []string{"1.5e+09 EUR exact"}},
		{"k suffix", "10k fighters", []string{"10000 fighters exact"}},
		{"pounds", "a £40mn upgrade", []string{"4e+07 GBP exact"}},
		{"percent word", "95 percent of territory", []string{"95 percent exact"}},
		{"percent sign", "we will have 100%", []string{"100 percent exact"}},
		{"per cent", "up 3.5 per cent", []string{"3.5 percent exact"}},
		{"area glued", "more than 41,000sq km of ground", []string{"41000 km2 more than"}},
		{"area words", "about 8,000 square kilometres", []string{"8000 km2 approximately"}},
		{"range between", "between 14,000 and 18,000 ISIS militants", []string{"14000-18000 militants range"}},
		{"range hyphen", "14,000-18,000 fighters", []string{"14000-18000 fighters range"}},
		{"range scale", "between 2 and 3 million people", []string{"2e+06-3e+06 people range"}},
		{"over", "with over 800 units", []string{"800 units more than"}},
		{"nearly", "nearly eight million people", []string{"8e+06 people nearly"}},
		{"almost", "almost 500 civilians", []string{"500 civilians nearly"}},
		{"around", "around 3,500 suspects", []string{"3500 suspects approximately"}},
		{"approximately", "approximately 40 vehicles", []string{"40 vehicles approximately"}},
		{"up to", "up to 3,000 foreign fighters", []string{"3000 foreign fighters up to"}},
		{"at least", "killing at least 12 soldiers", []string{"12 soldiers at least"}},
		{"less than", "fewer than 200 fighters", []string{"200 fighters less than"}},
		{"another", "29 strikes on targets and another 34 against fighters", []string{"29 strikes exact", "34 strikes exact"}},
		{"of them", "59 reports, and found 12 of them credible", []string{"59 reports exact", "12 reports exact"}},
		{"three of his aides", "killed three of his aides", []string{"3 aides exact"}},
		{"duration", "after two years of war", []string{"2 years exact"}},
		{"duration months", "four months of fighting", []string{"4 months exact"}},
		{"hyphen duration", "a six-hour meeting", []string{"6 hours exact"}},
		{"collective", "19,000 police; 6,500 border guard forces", []string{"19000 police exact", "6500 border guard forces exact"}},
		{"proper unit", "more than 116,000 ISF and 43,000 Iraqi army", []string{"116000 ISF more than", "43000 army exact"}},
		{"people verb", "has displaced about two million since 2009", []string{"2e+06 people approximately"}},
		{"plus sign", "100+ fighters", []string{"100 fighters more than"}},
		{"year with count", "some 2000 fighters", []string{"2000 fighters approximately"}},
		{"initialism in unit", "Some 200 U.S. military personnel remain", []string{"200 U.S. military personnel approximately"}},
		// Not quantities.
		{"date month year", "by June 2022", nil},
		{"date day month", "on 29 June the ministers met", nil},
		{"year", "in 2014 the group rose", nil},
		{"year range", "from 2014-2017 it held Mosul", nil},
		{"clock", "at 10:30 the meeting began", nil},
		{"pm", "at 3 p.m. local time", nil},
		{"gmt", "at 1500 GMT", nil},
		{"phone", "call +44 20 7946 0000 now", nil},
		{"phone us", "call (202) 555-0100 today", nil},
		{"nine eleven", "accused 9/11 masterminds", nil},
		{"code", "(T/RS5/RS1)", nil},
		{"aircraft", "an F-16 jet", nil},
		{"covid", "COVID-19 cases", nil},
		{"resolution", "Resolution 2254 calls for", nil},
		{"number label", "No. 5 squadron", nil},
		{"ago", "Two weeks ago, the partners liberated Raqqa", []string{"2 weeks exact"}},
		{"a day earlier", "a day earlier the partners liberated Raqqa", nil},
		{"period of a year", "in the first eight months of 2017 the raids fell", nil},
		{"ordinal", "on our fourth month of operations, the 6th day", nil},
		{"age", "Moreno, 34, recorded the songs", nil},
		{"age hyphen", "a 25-year-old man", nil},
		{"one pronoun", "one of the largest coalitions", nil},
		{"fraction", "two-thirds of the city", []string{"66.7 percent exact"}},
		{"a third", "militants who seized almost a third of the country", []string{"33.3 percent nearly"}},
		{"more than half", "More than half of the people were civilians", []string{"50 percent more than"}},
		{"part, not amount", "the first half of 2016 and the western half of the city", nil},
		{"third is ordinal", "the third day of fighting", nil},
		{"quarter of a million", "more than a quarter of a million people have been killed", []string{"250000 people more than"}},
		{"doubled", "the force has nearly doubled in size", []string{"2 times nearly"}},
		{"double agent", "a double agent", nil},
		{"times", "almost seven times more than in Afghanistan", []string{"7 times nearly"}},
		{"per cent", "about 30 per cent of them", []string{"30 percent approximately"}},
		{"one building", "destroyed one ISIL building and one weapon", []string{"1 buildings exact", "1 weapons exact"}},
		{"proper modifiers", "10,000 Islamic State fighters and 2,000 US troops", []string{"10000 fighters exact", "2000 troops exact"}},
		{"list takes last unit", "at 2,500, 2,100 and 2,000 people, respectively", []string{"2500 people exact", "2100 people exact", "2000 people exact"}},
		{"unit of the quantity before", "has conducted 5,946 airstrikes, 2,657 in Iraq", []string{"5946 airstrikes exact", "2657 airstrikes exact"}},
		{"counted noun", "The number of weapons released is 32,801.", []string{"32801 weapons exact"}},
		{"death toll", "bringing the death toll to 28", []string{"28 deaths exact"}},
		{"have been displaced", "almost two million have been displaced", []string{"2e+06 people nearly"}},
		{"approaching", "that number is now approaching 4,000 fighters", []string{"4000 fighters nearly"}},
		{"decade", "in the 1990s", nil},
		{"counter", "1500 / 1500", nil},
		{"bare", "the figure rose to 45.", nil},
		{"member adjective", "a 60-member coalition", []string{"60 members exact"}},
		{"strong adjective", "a 5,000-strong force", []string{"5000 fighters exact"}},
		{"seat adjective", "a 4,000-seat stadium", []string{"4000 seats exact"}},
		{"square-mile adjective", "a 2-square-mile area", []string{"2 mi2 exact"}},
		{"between to", "between 300 to 500 fighters", []string{"300-500 fighters range"}},
		{"dot separator", "12.000 fighters", []string{"12000 fighters exact"}},
		{"decimal stays", "0.375 percent and 2.5 million", []string{"0.375 percent exact"}},
		{"space separator", "45 000 fighters", []string{"45000 fighters exact"}},
		{"no-break space separator", "45\u00a0000 fighters", []string{"45000 fighters exact"}},
		{"vulgar fraction", "2½ years", []string{"2.5 years exact"}},
		{"rate", "2,000 fighters a month", []string{"2000 fighters per month exact"}},
		{"money rate", "$3 million a day", []string{"3e+06 USD per day exact"}},
		{"barrels per day", "40,000 barrels per day", []string{"40000 barrels per day exact"}},
		{"a single", "a single soldier", []string{"1 soldiers exact"}},
		{"coordinated modifiers", "there have been 34,402 air and artillery strikes", []string{"34402 air and artillery strikes exact"}},
		{"singular head is last", "destroyed one ISIL armed vehicle", []string{"1 vehicles exact"}},
		{"town of", "unable to hold a town of 70,000 against them", []string{"70000 people exact"}},
		{"out of the", "about 7 out of the around 129 fighters", []string{"7 fighters approximately", "129 fighters approximately"}},
		{"others", "killed 50 civilians and wounded 284 others", []string{"50 civilians exact", "284 civilians exact"}},
		{"others alone", "wounded 284 others", []string{"284 people exact"}},
		{"comparable order", "The 8,249 sorties with at least one weapon are set to top last year's 11,825.", []string{"8249 sorties exact", "1 weapons at least", "11825 sorties exact"}},
		{"tens of thousands", "dropped tens of thousands of leaflets over Mosul", []string{"10000 leaflets thousands"}},
		{"hundreds of", "the defection of hundreds of Boko Haram fighters", []string{"100 fighters hundreds"}},
		{"several thousand", "the release of several thousand individuals", []string{"1000 individuals thousands"}},
		{"dozens", "more than dozens of strikes", []string{"10 strikes more than"}},
		{"thousands of the", "to rescue thousands of the Yazidi refugees", []string{"1000 refugees thousands"}},
		{"the dead are people", "more than 90 dead and 45 were killed", []string{"90 people more than", "45 people exact"}},
		{"bracketed unit", "about 80 [percent] of them", []string{"80 percent approximately"}},
		{"thousands alone", "in the thousands, they said", nil},
		{"scores as a noun", "the scores were level", nil},
		{"no unit across sentences", "They killed 12 fighters. Then 45 arrived.", []string{"12 fighters exact"}},
		{"between places", "between Iraq and Kuwait", nil},
	}
	p := New(Options{DropModifiers: []string{"ISIS-never-matches"}})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, m := range p.Find(tc.input) {
				got = append(got, q(m.Quantity))
			}
			if strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("Find(%q) = %q, want %q", tc.input, got, tc.want)
			}
		})
	}
}

func TestDropModifiers(t *testing.T) {
	t.Parallel()
	p := New(Options{DropModifiers: []string{"ISIS", "IS"}})
	got := p.Find("between 14,000 and 18,000 ISIS militants and some 10,000 IS fighters")
	if len(got) != 2 || got[0].Unit != "militants" || got[1].Unit != "fighters" {
		t.Fatalf("units = %+v", got)
	}
	if got[0].Raw != "between 14,000 and 18,000 ISIS militants" {
		t.Errorf("raw = %q", got[0].Raw)
	}
}

func TestOffsets(t *testing.T) {
	t.Parallel()
	text := "He said some 4mn people in more than 41,000sq km have been freed."
	for _, m := range Find(text) {
		if text[m.Start:m.End] != m.Raw {
			t.Errorf("offsets %d:%d give %q, raw %q", m.Start, m.End, text[m.Start:m.End], m.Raw)
		}
	}
	if got := Parse(text); len(got) != 2 {
		t.Errorf("Parse = %v", got)
	}
}

func TestParseLang(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "small_numbers: {one: 1}", "unknown_list: [a]"} {
		if _, err := ParseLang([]byte(bad)); err == nil {
			t.Errorf("ParseLang(%q): no error", bad)
		}
	}
	l, err := ParseLang(englishYAML)
	if err != nil {
		t.Fatal(err)
	}
	if l.SmallNumbers["twelve"] != 12 || len(l.Qualifiers) == 0 || l.Fractions["third"] < 33 {
		t.Errorf("English file read wrong: %+v", l.SmallNumbers)
	}
}
