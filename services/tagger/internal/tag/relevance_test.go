package tag

import (
	"strings"
	"testing"
)

func TestRelevance(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	tests := []struct {
		name, title, text string
		want              bool
		tags              string
	}{
		{"isis wire", "ISIS claims attack near Tikrit", "Islamic State militants attacked an army post near Tikrit, killing four soldiers. ISIS claimed the attack on Telegram.", true, "isis"},
		{"coalition meeting", "Coalition ministers meet", "Ministers of the Global Coalition to Defeat ISIS met in Rome. The coalition said Daesh remains a threat in Iraq and Syria.", true, "isis coalition"},
		{"isis in title case", "Isis suspects' children held in Syrian camps", "Thousands of children of suspected Isis fighters are held in camps in Syria run by Kurdish forces. Isis lost its last territory in 2019.", true, "isis"},
		{"goddess", "Statues of Isis reunited", "Two statues of the Egyptian goddess Isis and Osiris are shown together at the museum. Isis was worshipped in a temple on the Nile.", false, ""},
		{"river", "Rowers warned off the Isis", "Boat clubs suspended outings on the Isis in Oxford after the river flooded near Folly Bridge. The Isis is the Thames in Oxford.", false, ""},
		{"neutron source", "ISIS neutron source upgraded", "The ISIS Neutron and Muon Source at the Rutherford Appleton Laboratory will be upgraded. ISIS fires protons at a target.", false, ""},
		{"person named Isis", "Isis Moreno returns", "Singer Isis Moreno releases her album. Isis Moreno will tour Brazil.", false, ""},
		{"capitalised headline", "WHY THE HOUSING MARKET IS STILL BROKEN", "House prices rose 6 percent last year, according to the Land Registry.", false, ""},
		{"generic islamic state", "Pakistan debates what it means to be an Islamic State", "Lawmakers argue over how far Pakistan should go as an Islamic state.", false, ""},
		{"election coalition", "Coalition talks stall", "The coalition talks stalled as the parties failed to agree on a coalition agreement. The coalition would hold 172 seats.", false, ""},
		{"yemen coalition", "Saudi-led coalition strikes Houthis", "The Saudi-led coalition carried out 20 air strikes in Yemen. Coalition officials said Houthi drone sites were hit. The coalition denied killing civilians.", false, ""},
		{"province short name", "Suicide bomber kills 12 at Kabul ministry", "ISIS-K claimed the bombing through its Amaq news agency. The Khorasan Province has attacked Taliban officials before.", true, "isis"},
		{"affiliate by province", "Insurgents seize port town in Cabo Delgado", "The attack was claimed by IS-Cap, the Islamic State's Central Africa Province, whose insurgents held the town for three days.", true, "isis"},
		{"mosul football", "Mosul stadium hosts first international match since ISIS", "Fans filled the rebuilt stadium in Mosul as Iraq played Jordan in a friendly match. The players and coach thanked the supporters; the league hopes to bring more matches to the city, which ISIS held until 2017.", false, ""},
		{"passing mention", "Taliban extend ban on women aid workers", "The Taliban extended the ban. The Taliban say the rules uphold Islamic law. The group also faces attacks from a local Islamic State affiliate. Taliban officials declined to comment.", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tg.Tag(Document{Title: tc.title, Text: tc.text})
			var names []string
			for _, g := range r.Tags {
				names = append(names, g.Name)
			}
			if r.Relevant != tc.want || strings.Join(names, " ") != tc.tags {
				t.Errorf("relevant %v tags %q, want %v %q", r.Relevant, names, tc.want, tc.tags)
			}
		})
	}
}

func TestChromeNeverCounts(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	chrome := []string{"ALSO READ: ISIS leader killed in Syria as 5,000 fighters flee", "Related Posts"}
	text := "Council approves 12 new bus routes, officials said.\nALSO READ: ISIS leader killed in Syria as 5,000 fighters flee\nRelated Posts"
	r := tg.Tag(Document{Title: "Council approves bus routes", Text: text, Chrome: chrome})
	if r.Relevant {
		t.Error("chrome made the article relevant")
	}
	for _, c := range r.Claims {
		if strings.Contains(c.Text, "ISIS") || strings.Contains(c.Text, "Related") {
			t.Errorf("claim from chrome: %q", c.Text)
		}
	}
	if len(r.Claims) != 1 {
		t.Errorf("claims = %+v", r.Claims)
	}
}
