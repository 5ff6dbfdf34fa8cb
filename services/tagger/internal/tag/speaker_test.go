package tag

import (
	"strings"
	"testing"
)

// claimBy tags text and returns the claim containing sub.
func claimBy(t *testing.T, tg *Tagger, text, sub string) (speaker, via string, found bool) {
	t.Helper()
	r := tg.Tag(Document{Text: text})
	for _, c := range r.Claims {
		if containsStr(c.Text, sub) {
			return c.Speaker, c.Via, true
		}
	}
	return "", "", false
}

func containsStr(s, sub string) bool {
	return len(sub) <= len(s) && (len(sub) == 0 || indexOf(s, sub) >= 0)
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func newDefault(t testing.TB) *Tagger {
	t.Helper()
	top, err := DefaultTopic()
	if err != nil {
		t.Fatal(err)
	}
	tg, err := New(top)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}

func TestSpeakers(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	tests := []struct {
		name, text, claim, speaker, via string
	}{
		{"said after name", "“Mosul has been liberated,” Mattis said.", "Mosul", "Mattis", ""},
		{"said before name", "“Mosul has been liberated,” said Mattis.", "Mosul", "Mattis", ""},
		{"according to", "According to Col. Dillon, the UN has 300 projects in Mosul.", "300 projects", "Dillon", ""},
		{"outlet becomes via", "US Defence Secretary James Mattis spoke. According to KUNA, he said that 95 percent of territory is liberated.", "95 percent", "James Mattis", "KUNA"},
		{"he resolves to last speaker", "Col. Ryan Dillon told reporters the fight goes on. He said some 4mn people were freed.", "4mn", "Ryan Dillon", ""},
		{"role resolves to person", "US Defence Secretary James Mattis hosted the meeting. “Raqqa was liberated two weeks ago,” the US secretary said.", "Raqqa", "James Mattis", ""},
		{"both", "NATO Secretary General Jens Stoltenberg and US Defence Secretary James Mattis met. Both said that 95 percent of territory is free.", "95 percent", "Jens Stoltenberg and James Mattis", ""},
		{"communique", "“Nearly eight million people have been freed,” said a joint communique issued on Monday.", "eight million", "joint communique", ""},
		{"report with participle", "A report by the UN sanctions monitoring team presented to the Security Council revealed that there are 14,000 militants.", "14,000", "report by the UN sanctions monitoring team", ""},
		{"it resolves to document", "A report by the UN team said the group is weak. “It may revive,” it added.", "It may revive", "report by the UN team", ""},
		{"reported at end", "Trump addressed officials from more than 70 countries, AFP reported.", "70 countries", "AFP", ""},
		{"aside skipped", "The official, speaking on condition of anonymity, said two drones were shot down.", "two drones", "official", ""},
		{"appositive name", "Her lawyer, Daniel Furner, said the ruling was wrong and cost her 5 years.", "5 years", "Daniel Furner", ""},
		{"outlet voice", "Some 35 countries took part in today’s meeting.", "35 countries", "", ""},
		{"claimed the attack is a fact", "ISKP claimed the bombing that killed about 170 people.", "170 people", "", ""},
		{"estimate by", "The present best estimate by Airwars is that 8,106 civilians have died.", "8,106 civilians", "Airwars", ""},
		{"by the count", "There have been 34,402 strikes in Iraq and Syria, by Airwars' count.", "34,402 strikes", "Airwars", ""},
		{"confirmed by", "Five soldiers were killed in Baga, as confirmed by ISWAP.", "Five soldiers", "ISWAP", ""},
		{"revised its estimate", "The CIA revised its estimate of 10,000 fighters upwards to 31,000.", "31,000", "CIA", ""},
		{"revised a draft", "The CIA revised the draft of a law on 10,000 fighters.", "10,000 fighters", "", ""},
		{"calculated", "The monitor calculated that 2,000 people have died.", "2,000 people", "monitor", ""},
		{"noun form as verb", "The report estimates only about 7 fighters are back.", "7 fighters", "report", ""},
		{"noun form as noun", "Its estimates of 7 fighters are low.", "7 fighters", "", ""},
		{"transitive inverted", "In August 700 executions took place, claimed the Syrian Observatory, according to Reuters.", "700 executions", "Syrian Observatory", "Reuters"},
		{"middle initial", "CENTCOM's commander, Gen. Michael E. Kurilla, insisted that 153 attacks took place.", "153 attacks", "Gen. Michael E. Kurilla", ""},
		{"aside of circumstance", "Capt. Ahmed al Jubouri, in a telephone interview from the main operations center in the city of Samara, said that 30 targets were hit.", "30 targets", "Ahmed al Jubouri", ""},
		{"initialism without its last period", "According to the U.S Central Command, the coalition has conducted 5,946 airstrikes.", "5,946", "U.S Central Command", ""},
		{"acronym defined before", "The Soufan Group (TSG) counted fighters. In May 31,000 fighters had travelled, TSG said.", "31,000 fighters", "Soufan Group (TSG)", ""},
		{"the firm refers back", "The Soufan Group said fighters travel. The New York-based security firm calculated that 27,000 people have travelled.", "27,000 people", "Soufan Group", ""},
		{"the government is itself", "Local officials said so. The government says about 17,000 families remain displaced.", "17,000 families", "government", ""},
		{"they is plural source", "US intelligence officials said so. A tribal leader said 2 camps fell. They claimed to have viewed 160 ledgers.", "160 ledgers", "US intelligence officials", ""},
		{"continuation", "A fact sheet released by the State Department said 62 percent was freed. Additionally, coalition operations have killed more than 180 IS leaders.", "180 IS leaders", "State Department", ""},
		{"leading circumstance", "In January 2015 a tribal leader in Mosul said 2,000 fighters left.", "2,000 fighters", "tribal leader in Mosul", ""},
		{"release refers to the body named before", "The Syrian Democratic Forces press office issued a note. The press release said 40 fighters were seized.", "40 fighters", "Syrian Democratic Forces", ""},
		{"initials before a verb", "IS released a statement saying 2 bombers struck.", "2 bombers", "IS", ""},
		{"noun subject with plain verb", "Reports from UNAMI, which local media corroborated, indicate that 200,000 people fled.", "200,000 people", "Reports from UNAMI", ""},
		{"role noun worker", "Roj camp social worker Sumaya al-Issa spoke to reporters. The process takes 3 months, she said.", "3 months", "Sumaya al-Issa", ""},
		{"claimed with a clause", "In a statement, the group claimed 20 soldiers were killed.", "20 soldiers", "group", ""},
		{"member states told", "Member states told the panel that 4,000 fighters remain.", "4,000 fighters", "Member states", ""},
		{"quoted paragraph goes on", "“We are winning,” said Col. Wayne Marotto.\n“They lost 200 fighters this week.”", "200 fighters", "Wayne Marotto", ""},
		{"unquoted paragraph is the outlet", "“We are winning,” said Col. Wayne Marotto.\nThey lost 200 fighters this week.", "200 fighters", "", ""},
		{"the command", "CENTCOM forces struck a camp. The command said 12 fighters were killed.", "12 fighters", "US Central Command", ""},
		{"reported speech goes on", "A tribal leader in Mosul said the group kept ledgers. Up to $2bn had been recorded for expenditure.", "$2bn", "tribal leader in Mosul", ""},
		{"reporter's past goes alone", "A tribal leader in Mosul said the group kept ledgers. The city fell in 2014 with 500 fighters.", "500 fighters", "", ""},
		{"quoted as saying", "The agency quoted a police official as saying that 12 people died.", "12 people", "police official", ""},
		{"was quoted as saying", "Gen. Yahya Rasool was quoted as saying that 12 fighters died.", "12 fighters", "Yahya Rasool", ""},
		{"two sources, first clause", "The ministry said 40 people died, but the Syrian Observatory put the toll at 65.", "40 people", "ministry", ""},
		{"two sources, second clause", "The ministry said 40 people died, but the Syrian Observatory put the toll at 65.", "65", "Syrian Observatory", ""},
		{"two sources after a leading while", "While CENTCOM says ISIS conducted 153 attacks in Syria, a day-to-day monitoring of reported attacks indicates the true number is 551.", "551", "day-to-day monitoring of reported attacks", ""},
		{"one source, two verbs", "The ministry said 40 people died and added that 12 were wounded.", "12 were wounded", "ministry", ""},
		{"according to him", "Col. Wayne Marotto spoke to reporters. According to him, 200 fighters surrendered.", "200 fighters", "Wayne Marotto", ""},
		{"carried from a two-source sentence", "The ministry said 40 people died, but the Syrian Observatory put the toll at 65. Additionally, 30 people were wounded.", "30 people", "Syrian Observatory", ""},
		{"it is the body named before", "The Pentagon released new figures on Monday. It said 90 fighters were killed.", "90 fighters", "Pentagon", ""},
		{"quote group", "“That success is due to Iraq. And to 20 others,” Stoltenberg said.", "20 others", "Stoltenberg", ""},
		{"told outlet", "“They came in 20 trucks,” a soldier told AFP.", "20 trucks", "soldier", "AFP"},
		{"titled aside name", "A spokesman for the coalition, Col. Wayne Marotto, said the strikes killed 10 militants.", "10 militants", "Wayne Marotto", ""},
		{"role before name", "Iraqi military spokesman Yehia Rasool said 15 militants were killed.", "15 militants", "Yehia Rasool", ""},
		{"inverted titled name", "“We killed 15 militants,” said Brig. Gen. Yehia Rasool, a military spokesman.", "15 militants", "Yehia Rasool", ""},
		{"said on day", "The Pentagon said on Tuesday that 900 troops remain in Syria.", "900 troops", "Pentagon", ""},
		{"officials told outlet", "Officials told Reuters that 30 fighters surrendered.", "30 fighters", "Officials", "Reuters"},
		{"state media", "Syrian state media reported that 20 soldiers were killed.", "20 soldiers", "Syrian state media", ""},
		{"possessive org", "Iraq's Joint Operations Command said 12 militants were killed.", "12 militants", "Iraq's Joint Operations Command", ""},
		{"speaking to reporters", "Speaking to reporters, Austin said 2,500 troops would stay.", "2,500 troops", "Austin", ""},
		{"apposition before verb", "Omar Lamrani, a senior military analyst at Stratfor, told reporters that 200 troops remain.", "200 troops", "Omar Lamrani", ""},
		{"observatory", "At least 37 fighters were killed, according to the Syrian Observatory for Human Rights.", "37 fighters", "Syrian Observatory for Human Rights", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sp, via, ok := claimBy(t, tg, tc.text, tc.claim)
			if !ok {
				t.Fatalf("no claim containing %q", tc.claim)
			}
			if sp != tc.speaker || via != tc.via {
				t.Errorf("speaker %q via %q, want %q via %q", sp, via, tc.speaker, tc.via)
			}
		})
	}
}

func TestPersonRoles(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	r := tg.Tag(Document{Text: "US Secretary of State Antony Blinken and Italian Foreign Minister Luigi Di Maio met Iraqi Prime Minister Haider al-Abadi’s envoy."})
	want := map[string]string{"Antony Blinken": "US Secretary of State", "Luigi Di Maio": "Italian Foreign Minister", "Haider al-Abadi": "Iraqi Prime Minister"}
	got := map[string]string{}
	for _, e := range r.Entities {
		if e.Kind == "person" {
			got[e.Name] = e.Role
		}
	}
	for name, role := range want {
		if got[name] != role {
			t.Errorf("%s: role %q, want %q (all: %v)", name, got[name], role, got)
		}
	}
}

// Each claim carries its speaker's kind and, for a source the topic file
// knows, its role.
func TestSpeakerKindsAndRoles(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	tests := []struct {
		name, text, claim, kind, role string
	}{
		{"person with party role", "SDF spokesman Farhad Shami said 37 fighters were killed.", "37 fighters", "person", "coalition"},
		{"command", "US Central Command said 153 attacks took place.", "153 attacks", "organisation", "coalition"},
		{"group media", "Amaq claimed that 20 soldiers were killed.", "20 soldiers", "organisation", "group-media"},
		{"monitor", "The Syrian Observatory for Human Rights said 700 people were executed.", "700 people", "organisation", "monitor"},
		{"report", "A UN report estimated that 10,000 fighters remain.", "10,000 fighters", "document", "monitor"},
		{"anonymous officials", "US officials said 2,000 troops will stay.", "2,000 troops", "anonymous", "government"},
		{"named officials are a body", "Pentagon officials said 2,000 troops will stay.", "2,000 troops", "organisation", "coalition"},
		{"capitalised officials are no person", "Officials estimate ISIL has lost 25,000 square kilometres.", "25,000", "anonymous", ""},
		{"outlet as source", "About 100 hostages are still held, AFP reported.", "100 hostages", "organisation", "media"},
		{"ngo", "Human Rights Watch documented 40 executions.", "40 executions", "organisation", "ngo"},
		{"outlet voice", "Some 35 countries took part in the meeting.", "35 countries", "outlet", ""},
		{"one word body", "Airwars estimates that at least 7,595 civilians have been killed.", "7,595", "organisation", "monitor"},
		{"US is no first person", "The US Central Intelligence Agency estimated 31,500 fighters.", "31,500", "organisation", "government"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := tg.Tag(Document{Text: tc.text})
			for _, c := range r.Claims {
				if strings.Contains(c.Text, tc.claim) {
					if c.SpeakerKind != tc.kind || c.SpeakerRole != tc.role {
						t.Errorf("speaker %q: kind %q role %q, want %q %q", c.Speaker, c.SpeakerKind, c.SpeakerRole, tc.kind, tc.role)
					}
					return
				}
			}
			t.Fatalf("no claim containing %q in %+v", tc.claim, r.Claims)
		})
	}
}
