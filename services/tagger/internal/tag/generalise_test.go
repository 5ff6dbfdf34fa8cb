package tag

import (
	"strings"
	"testing"
)

// TestAttributionGeneralises holds sentences written for this test (made
// up, in the way wire copy writes them), several phrasings for each class
// of attribution failure the real-world sets showed, so a rule is judged
// on phrasings it was not written for. speaker lists alternatives split
// by "|": the claim's speaker must contain one of them ("" wants none).
func TestAttributionGeneralises(t *testing.T) {
	t.Parallel()
	tg := newDefault(t)
	tests := []struct {
		class, text, claim, speaker string
	}{
		// Organisations, offices and documents with reporting verbs
		// beyond "say".
		{"verb", "The UN refugee agency estimated that 3,000 families had fled Hawija.", "3,000 families", "UN refugee agency"},
		{"verb", "Iraqi health officials estimate that at least 250 civilians were killed in the strike.", "250 civilians", "Iraqi health officials"},
		{"verb", "The Syrian Observatory for Human Rights has documented 412 deaths since March.", "412 deaths", "Syrian Observatory"},
		{"verb", "The monitoring group reported 23 fighters killed in clashes near Deir ez-Zor.", "23 fighters", "monitoring group"},
		{"verb", "The Interior Ministry confirmed that 14 police officers died in the ambush.", "14 police", "Interior Ministry"},
		{"verb", "Amnesty International warned that 1,200 detainees face execution.", "1,200 detainees", "Amnesty International"},
		{"verb", "The Pentagon announced that 500 additional troops would deploy to Syria.", "500 additional troops", "Pentagon"},
		{"verb", "Airwars calculated that 1,300 civilians died in the Raqqa campaign.", "1,300 civilians", "Airwars"},
		{"verb", "The coalition revised its tally of civilian deaths to 1,437.", "1,437", "coalition"},
		{"verb", "The provincial health directorate put the death toll at 52.", "52", "health directorate"},
		{"verb", "Kurdish officials put the number of displaced people at 180,000.", "180,000", "Kurdish officials"},
		{"verb", "The agency has raised its toll to 61 dead.", "61 dead", "agency"},
		{"verb", "The monitor counted 95 air strikes on the province last week.", "95 air strikes", "monitor"},
		{"verb", "The Red Cross reported that 3,500 prisoners remain in the camp.", "3,500 prisoners", "Red Cross"},
		{"verb", "The Iraqi army has announced the capture of 40 militants in Anbar.", "40 militants", "Iraqi army"},
		{"verb", "Local authorities have confirmed 19 deaths in the blast.", "19 deaths", "Local authorities"},
		{"verb", "The World Food Programme warned on Thursday that 700,000 people lack food in the province.", "700,000 people", "World Food Programme"},
		// Noun attributions.
		{"noun", "A report by Human Rights Watch found that 600 people were detained.", "600 people", "Human Rights Watch"},
		{"noun", "Figures from the Iraqi Ministry of Health show 120 deaths in June.", "120 deaths", "Ministry of Health"},
		{"noun", "According to data from the UN mission, 1,100 civilians were killed in 2016.", "1,100 civilians", "UN mission"},
		{"noun", "According to figures compiled by Airwars, 3,000 civilians died.", "3,000 civilians", "Airwars"},
		{"noun", "By the command's estimates, about 2,500 militants remain in the desert.", "2,500 militants", "command"},
		{"noun", "A tally by the Associated Press counted 9,000 civilian deaths in Mosul.", "9,000 civilian", "Associated Press"},
		{"noun", "Data released by the Syrian Network for Human Rights shows 224 civilians were killed in March.", "224 civilians", "Syrian Network for Human Rights"},
		{"noun", "About 1,800 fighters are held in the prison, according to a UN estimate.", "1,800 fighters", "UN"},
		{"noun", "Some 40,000 people returned to the city in May, according to figures from the International Organization for Migration.", "40,000 people", "International Organization for Migration"},
		// The subject as the source.
		{"subject", "Officials estimate the group still has 10,000 fighters in Iraq and Syria.", "10,000 fighters", "Officials"},
		{"subject", "Iraqi commanders estimate that 1,000 militants remain in the old city.", "1,000 militants", "Iraqi commanders"},
		{"subject", "US intelligence agencies calculate that the group earns $2 million a day from oil.", "$2 million", "US intelligence agencies"},
		// A statement as the circumstance.
		{"statement", "In a statement on Tuesday, the group claimed its fighters had killed 30 soldiers.", "30 soldiers", "group"},
		{"statement", "In a statement released late on Monday, the ministry said 18 soldiers died.", "18 soldiers", "ministry"},
		{"statement", "In a statement posted online, Amaq claimed that 12 Kurdish fighters were killed.", "12 Kurdish fighters", "Amaq"},
		{"statement", "In a statement, the Kurdistan Region Security Council said 7 suspects were arrested.", "7 suspects", "Kurdistan Region Security Council"},
		// Told a panel or a body.
		{"told", "Member states told the monitoring team that some 3,000 foreign fighters remain in Idlib.", "3,000 foreign fighters", "Member states"},
		{"told", "Iraqi officials told the committee that 400 fighters had surrendered.", "400 fighters", "Iraqi officials"},
		{"told", "Several governments told the UN panel that 20,000 fighters remain.", "20,000 fighters", "governments"},
		// Released a report that.
		{"released", "Human Rights Watch released a report that documents 75 executions in Raqqa.", "75 executions", "Human Rights Watch"},
		{"released", "The UN released a report on Thursday saying 4,000 civilians were killed.", "4,000 civilians", "UN"},
		{"released", "Amnesty International published a report saying at least 3,000 civilians died.", "3,000 civilians", "Amnesty International"},
		// Speakers across sentences.
		{"quote before", "Col. John Dorrian told reporters that the fight was hard. “We estimate 2,000 fighters remain in Raqqa.”", "2,000 fighters", "John Dorrian"},
		{"quote after", "“We estimate 2,000 fighters remain in Raqqa.” Dorrian added that the fight would be hard.", "2,000 fighters", "Dorrian"},
		{"also said", "Maj. Gen. Ahmed Hassan, in a telephone interview from Erbil, said the offensive had begun. He also said 4,000 troops had been deployed.", "4,000 troops", "Ahmed Hassan"},
		{"also said", "Lt. Col. Ali Kareem, the commander of the 9th Division, said on Sunday that troops had entered the district. He also said 35 militants were killed.", "35 militants", "Ali Kareem"},
		{"also said", "Brig. Gen. Saad Maan, speaking by phone from Baghdad, said the attack was repelled. He added that 9 attackers were killed.", "9 attackers", "Saad Maan"},
		{"refers back", "Col. Myles Caggins, the coalition spokesman, said the raid was a success. The spokesman said 11 fighters were captured.", "11 fighters", "Myles Caggins"},
		{"refers back", "The Syrian Observatory for Human Rights said clashes continued overnight. The group said 27 fighters died.", "27 fighters", "Syrian Observatory"},
		{"refers back", "The Iraqi Defence Ministry issued a statement on Monday. The statement said 16 militants were killed.", "16 militants", "Defence Ministry|statement"},
		{"refers back", "US Central Command announced new strikes on Thursday. The command said 8 fighters were killed.", "8 fighters", "Central Command"},
		{"refers back", "Airwars published its monthly assessment on Friday. The monitor estimated that 60 civilians died in March.", "60 civilians", "Airwars"},
		{"refers back", "A senior US official, speaking on condition of anonymity, said the talks had stalled. The official said 300 troops would stay.", "300 troops", "US official"},
		{"refers back", "Fighting raged in Deir ez-Zor, the Syrian Observatory for Human Rights said. The Britain-based monitor said 40 fighters died.", "40 fighters", "Syrian Observatory"},
		{"refers back", "Human Rights Watch released a report on Tuesday. The report documented 40 executions in the town.", "40 executions", "Human Rights Watch|report"},
		{"quote next paragraph", "Col. John Dorrian told reporters the fight was hard.\n“We estimate 2,000 fighters remain in Raqqa.”", "2,000 fighters", "John Dorrian"},
		{"quote next paragraph", "The ministry said the offensive would go on.\n“About 300 militants are still hiding in the old city.”", "300 militants", ""},
		{"also said", "Gen. Ahmed Hassan, in a telephone interview from Erbil, said the offensive had begun.\nHe also said 4,000 troops had been deployed.", "4,000 troops", "Ahmed Hassan"},
		{"refers back", "A police source said a car bomb hit the market. The same source said 12 people were wounded.", "12 people", "police source"},
		{"refers back", "The ministry said in a statement that the attack was repelled. The same statement said 9 attackers were killed.", "9 attackers", "ministry|statement"},
		{"aside", "Rami Abdel Rahman, who heads the Britain-based Syrian Observatory for Human Rights and relies on a network of sources on the ground across the country, said 40 fighters died.", "40 fighters", "Rami Abdel Rahman"},
		{"aside", "The Syrian Observatory for Human Rights, a Britain-based war monitor with a network of sources inside Syria, said 40 fighters died.", "40 fighters", "Syrian Observatory"},
		{"aside", "The Pentagon, in a statement released late on Friday, said 3 service members were wounded.", "3 service members", "Pentagon"},
		{"aside", "Airwars, in a report published on Monday, said 60 civilians died in March.", "60 civilians", "Airwars"},
		{"aside", "Iraqi Prime Minister Haider al-Abadi, speaking at a news conference in Baghdad on Tuesday, said 90 percent of the city was retaken.", "90 percent", "Haider al-Abadi"},
		// Spokespeople and outlets.
		{"spokesman", "A spokesman for the Kurdish-led force said 200 fighters had surrendered.", "200 fighters", "spokesman"},
		{"spokesman", "The commander of the operation, Maj. Gen. Najm al-Jabouri, told state television that 25 villages were freed.", "25 villages", "Najm al-Jabouri"},
		{"spokesman", "Speaking to AFP, the commander said 60 militants were killed.", "60 militants", "commander"},
		{"spokesman", "Coalition spokesman Col. Sean Ryan said on Twitter that 12 strikes hit targets near Hajin.", "12 strikes", "Sean Ryan"},
		{"spokesman", "The interior ministry's spokesman, Saad Maan, told a news conference that 30 suspects were held.", "30 suspects", "Saad Maan"},
		{"spokesman", "“We found 40 bodies,” the mayor of the town told reporters.", "40 bodies", "mayor"},
		{"spokesman", "Dorrian put it bluntly: “We killed 40 fighters this week.”", "40 fighters", "Dorrian"},
		{"outlet", "All told, 300 people died in the siege.", "300 people", ""},
		{"outlet", "The city, home to 1.5 million people, fell in 2014.", "1.5 million", ""},
		{"document subject", "Human Rights Watch released a report on Tuesday. The report lists 300 sites destroyed in the fighting.", "300 sites", "Human Rights Watch|report"},
		{"document subject", "The study covers 2,000 households in Mosul and Tal Afar.", "2,000 households", "study"},
		{"document subject", "The UN mission issued its quarterly update. The latest update puts the civilian death toll at 1,100.", "1,100", "UN mission|update|United Nations"},
		{"outlet", "The statement was published on Monday, when 40 people died in Hajin.", "40 people", ""},
		{"outlet", "The video appeared online hours after 12 soldiers were captured.", "12 soldiers", ""},
		// Pronouns.
		{"pronoun", "Col. Ryan Dillon said the strikes went on. Later, Iraqi Prime Minister Haider al-Abadi visited Mosul. He said 300 fighters were killed.", "300 fighters", "Haider al-Abadi"},
		{"pronoun", "Col. Ryan Dillon said the strikes went on. Gen. Stephen Townsend flew to Baghdad on Monday. He told reporters that 2,000 fighters remain.", "2,000 fighters", "Stephen Townsend"},
		{"pronoun", "Col. Ryan Dillon said the strikes went on. The strikes were ordered by Gen. Stephen Townsend. He said 40 fighters died.", "40 fighters", "Ryan Dillon"},
		{"pronoun", "Capt. Ahmed Jubouri, in a telephone interview from Samarra, said the road was cut. Prime Minister Haider al-Abadi flew to the city on Monday. He also said 30 fighters were killed.", "30 fighters", "Ahmed Jubouri"},
		{"pronoun", "Capt. Ahmed Jubouri said the road was cut. Prime Minister Haider al-Abadi flew to the city on Monday. He added that 30 fighters were killed.", "30 fighters", "Ahmed Jubouri"},
		{"pronoun", "Kurdish officials told reporters the attack had failed. The militants lost 40 men, they said.", "40 men", "Kurdish officials"},
		{"pronoun", "A UN panel of experts said the group remains resilient. It said 4,000 fighters remain in Afghanistan.", "4,000 fighters", "UN panel of experts"},
		{"pronoun", "The Pentagon said on Monday that strikes would continue. It added that 900 troops remain in Syria.", "900 troops", "Pentagon"},
		// Two sources in one sentence.
		{"two", "Col. Dorrian and Gen. Townsend met in Baghdad. Dorrian said 40 fighters died, while Townsend said 2,000 remained.", "40 fighters", "Dorrian"},
		{"two", "Col. Dorrian and Gen. Townsend met in Baghdad. Dorrian said 40 fighters died, while Townsend said 2,000 remained.", "2,000 remained", "Townsend"},
		{"two", "According to the ministry, 40 people died; the Observatory put the toll at 65.", "40 people", "ministry"},
		{"two", "According to the ministry, 40 people died; the Observatory put the toll at 65.", "65", "Observatory"},
		{"two", "The ministry put the toll at 22, while the Syrian Observatory said 31 people were killed.", "22", "ministry"},
		{"two", "The ministry put the toll at 22, while the Syrian Observatory said 31 people were killed.", "31 people", "Syrian Observatory"},
		{"two", "Iraqi officials said 15 militants died, whereas the group claimed it had killed 40 soldiers.", "15 militants", "Iraqi officials"},
		{"two", "Iraqi officials said 15 militants died, whereas the group claimed it had killed 40 soldiers.", "40 soldiers", "group"},
		// Unnamed and plural sources, lower-case bodies.
		{"plain", "Eyewitnesses said more than 20 civilians were killed in the market.", "20 civilians", "Eyewitnesses"},
		{"plain", "Hospital medics said 12 people were wounded in the blast.", "12 people", "medics"},
		{"plain", "Rescue workers said 30 bodies were recovered from the rubble.", "30 bodies", "Rescue workers"},
		{"plain", "Local police said 8 people died when the car bomb went off.", "8 people", "police"},
		{"plain", "The army said 20 militants were killed in the operation.", "20 militants", "army"},
		{"plain", "The defence ministry said 6 soldiers were wounded.", "6 soldiers", "defence ministry"},
		{"plain", "Doctors at the city's main hospital said 15 children were among the dead.", "15 children", "Doctors"},
		{"plain", "Human rights groups estimate that 5,000 Yazidi women were abducted.", "5,000 Yazidi", "Human rights groups"},
		{"plain", "Aid agencies say 400,000 people remain trapped in the old city.", "400,000 people", "Aid agencies"},
		{"plain", "Two security sources told Reuters that 9 militants were killed.", "9 militants", "security sources"},
		{"plain", "A senior Kurdish official, who asked not to be named, said 300 fighters had surrendered.", "300 fighters", "Kurdish official"},
		{"plain", "The UN's humanitarian office, OCHA, said 700,000 people had fled.", "700,000 people", "OCHA|humanitarian office"},
		{"plain", "Kurdish commander Mazloum Abdi told the BBC that 10,000 prisoners are held in the camps.", "10,000 prisoners", "Mazloum Abdi"},
		{"plain", "The Observatory's director, Rami Abdel Rahman, said 40 fighters died.", "40 fighters", "Rami Abdel Rahman"},
		{"plain", "The militants lost 40 fighters, said Rami Abdel Rahman, who heads the Observatory.", "40 fighters", "Rami Abdel Rahman"},
		// Inverted and trailing attributions.
		{"trailing", "At least 40 people were killed, the ministry said in a statement.", "40 people", "ministry"},
		{"trailing", "The death toll rose to 61, the health ministry said on Wednesday, adding that 120 were wounded.", "61", "health ministry"},
		{"trailing", "Dozens of fighters were killed, the Britain-based war monitor said.", "fighters", "war monitor"},
		{"trailing", "Some 200 families have returned, according to the SOHR.", "200 families", "SOHR"},
		{"trailing", "According to the latest UN figures, 5,000 civilians have died.", "5,000 civilians", "UN"},
		// Possessive estimates and documents.
		{"possessive", "The UN's estimate of 3.3 million displaced is widely cited.", "3.3 million", "UN"},
		{"possessive", "The coalition's own tally stands at 1,437 civilian deaths.", "1,437 civilian", "coalition"},
		{"possessive", "The Iraqi government's figure of 50,000 missing people is disputed.", "50,000 missing", "Iraqi government"},
		{"possessive", "Airwars' count of 3,000 deaths is far higher than the coalition's.", "3,000 deaths", "Airwars"},
		{"possessive", "The ministry's statement said 14 soldiers were killed.", "14 soldiers", "ministry"},
		{"possessive", "In its latest report, the UN said 5,000 civilians were killed.", "5,000 civilians", "UN"},
		{"possessive", "The UN said in its latest report that 5,000 civilians were killed.", "5,000 civilians", "UN"},
		{"possessive", "A UN report seen by Reuters says 2,000 fighters remain in Libya.", "2,000 fighters", "UN"},
		{"possessive", "According to a statement from the ministry, 12 militants were arrested.", "12 militants", "ministry"},
		{"possessive", "The group said in a statement on its Telegram channel that 9 soldiers were killed.", "9 soldiers", "group"},
		{"possessive", "Citing hospital sources, the agency said 17 people died.", "17 people", "agency|hospital sources"},
		// Estimates as objects and documents as subjects.
		{"object", "The Pentagon has put the cost of the campaign at $14 billion.", "$14 billion", "Pentagon"},
		{"object", "The United Nations puts the number of displaced at 3.3 million.", "3.3 million", "United Nations"},
		{"object", "The group later revised the toll to 64.", "64", "group"},
		{"document", "The coalition's latest monthly report, released on Thursday, acknowledged 1,300 civilian deaths.", "1,300 civilian", "report"},
		{"document", "Figures released by the coalition on Thursday show that 1,437 civilians have been killed.", "1,437 civilians", "coalition"},
		{"document", "A UN report released this week estimates that 10,000 fighters remain.", "10,000 fighters", "UN"},
		{"document", "The group's Amaq news agency said 12 soldiers were killed.", "12 soldiers", "Amaq"},
		{"document", "The figure of 64 dead was confirmed by the Iraqi Defence Ministry.", "64 dead", "Defence Ministry"},
		{"two", "The ministry said 40 people died, and the Observatory put the toll at 65.", "65", "Observatory"},
		{"two", "The ministry said 40 people died and the Observatory said 65 were killed.", "65 were killed", "Observatory"},
		{"two", "Iraqi forces say they have killed 2,000 militants, though the group claimed that only 300 fighters died.", "300 fighters", "group"},
		{"two", "Iraqi forces say they have killed 2,000 militants, though the group claimed that only 300 fighters died.", "2,000 militants", "Iraqi forces"},
		{"two", "Iraqi forces say they have killed 2,000 militants, though Amaq claimed that only 300 fighters died.", "300 fighters", "Amaq"},
		{"two", "The ministry said 40 people died, but Reuters reported that 65 were killed.", "65 were killed", "Reuters"},
		{"two", "The ministry said 40 people died, but Reuters reported that 65 were killed.", "40 people", "ministry"},
		// Negatives: the reporter's own assertions.
		{"outlet", "More than 5,000 people have fled the city since the offensive began.", "5,000 people", ""},
		{"outlet", "The militants seized 3 villages near Kirkuk last month.", "3 villages", ""},
		{"outlet", "Officials were evacuated after 3 mortar rounds hit the compound.", "3 mortar", ""},
		{"outlet", "The report comes as 300 families returned to Sinjar.", "300 families", ""},
		{"outlet", "The agency's offices in Mosul were closed for 3 days.", "3 days", ""},
		{"outlet", "The coalition has carried out more than 14,000 strikes since 2014.", "14,000 strikes", ""},
		{"outlet", "Security forces killed 15 militants in a raid on Tuesday.", "15 militants", ""},
		{"outlet", "The ministry building was hit by 3 rockets on Sunday.", "3 rockets", ""},
		{"outlet", "Officials from 30 countries met in Rome to discuss the campaign.", "30 countries", ""},
		{"outlet", "The group claimed the attack, which killed 20 people.", "20 people", ""},
		{"outlet", "Reports of the strike, which hit 2 schools, spread quickly online.", "2 schools", ""},
		{"outlet", "The coalition's campaign has cost $14 billion since 2014.", "$14 billion", ""},
		{"outlet", "The group's losses since 2014 exceed 60,000 fighters.", "60,000 fighters", ""},
		{"outlet", "Mosul: 40 families returned home on Sunday.", "40 families", ""},
		{"outlet", "The group once controlled a third of Iraq, and 8 million people lived under its rule.", "8 million", ""},
	}
	for _, tc := range tests {
		t.Run(tc.class+"/"+tc.claim, func(t *testing.T) {
			t.Parallel()
			sp, _, ok := claimBy(t, tg, tc.text, tc.claim)
			if !ok {
				t.Fatalf("no claim containing %q in %q", tc.claim, tc.text)
			}
			if !speakerMatches(sp, tc.speaker) {
				t.Errorf("%q: speaker %q, want %q", tc.text, sp, tc.speaker)
			}
		})
	}
}

func speakerMatches(got, want string) bool {
	if want == "" {
		return got == ""
	}
	for _, w := range strings.Split(want, "|") {
		if got != "" && strings.Contains(got, w) {
			return true
		}
	}
	return false
}
