package tag

// English grammar the claim extractor relies on. The reporting verbs and
// the nouns of attribution are data (lang/en.yaml, read in lang.go); the
// lists below are the grammar of names and titles the passes share.

// speechVerbs introduce an attribution: every reporting verb of the
// language file (lang/en.yaml).
var speechVerbs = english.speech

// speechVerbsF turns most words away before the map is asked.
var speechVerbsF = newWordFilter(speechVerbs)

// isSpeechVerb is speechVerbs[w], asked for every word of every sentence.
func isSpeechVerb(w string) bool { return speechVerbsF.mayHave(w) && speechVerbs[w] }

// weakVerbs attribute only with a clear subject, never by inversion.
var weakVerbs = english.weak

// auxBeforeVerb may stand between a subject and its speech verb.
var auxBeforeVerb = map[string]bool{
	"has": true, "have": true, "had": true, "also": true, "further": true, "later": true,
	"then": true, "reportedly": true, "previously": true, "again": true, "repeatedly": true,
	"however": true, "recently": true, "earlier": true, "once": true, "publicly": true,
	"separately": true, "subsequently": true, "likewise": true, "already": true, "today": true,
	"yesterday": true, "on": true, "last": true, "week": true, "month": true, "year": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "morning": true, "night": true, "evening": true,
	"afternoon": true, "tonight": true, "this": true,
}

// clauseBreakWords end the stretch of words that can be a verb's subject.
var clauseBreakWords = map[string]bool{
	"that": true, "but": true, "as": true, "while": true, "when": true, "because": true,
	"although": true, "though": true, "whereas": true, "if": true, "since": true,
	"where": true, "so": true, "after": true, "before": true, "until": true, "unless": true,
	"than": true, "whom": true, "what": true, "how": true, "why": true, "whether": true,
}

// leadingConnectives are dropped from the front of a subject.
var leadingConnectives = map[string]bool{
	"meanwhile": true, "however": true, "also": true, "and": true, "but": true, "so": true,
	"then": true, "now": true, "still": true, "separately": true, "later": true,
	"earlier": true, "moreover": true, "furthermore": true, "additionally": true,
	"instead": true, "yet": true, "indeed": true, "thus": true, "finally": true,
}

// pronouns that can be a speaker and are resolved to an earlier one.
var pronouns = map[string]bool{
	"he": true, "she": true, "they": true, "it": true, "both": true, "we": true, "i": true,
}

// sourceNouns can head a speaker's noun phrase: "the ministry said",
// "a UN report revealed", "two army officers said".
var sourceNouns = map[string]bool{
	"official": true, "officials": true, "spokesman": true, "spokesmen": true,
	"spokeswoman": true, "spokesperson": true, "spokespeople": true, "minister": true,
	"ministers": true, "secretary": true, "president": true, "commander": true,
	"commanders": true, "general": true, "colonel": true, "envoy": true, "ambassador": true,
	"report": true, "reports": true, "statement": true, "communique": true, "communiqué": true,
	"study": true, "survey": true, "figures": true, "data": true, "document": true,
	"documents": true, "source": true, "sources": true, "resident": true, "residents": true,
	"witness": true, "witnesses": true, "analyst": true, "analysts": true, "expert": true,
	"experts": true, "observer": true, "observers": true, "police": true, "army": true,
	"military": true, "ministry": true, "command": true, "team": true, "group": true,
	"groups": true, "charity": true, "agency": true, "office": true, "government": true,
	"authorities": true, "coalition": true, "forces": true, "force": true, "council": true,
	"committee": true, "commission": true, "organisation": true, "organization": true,
	"organisations": true, "organizations": true, "monitor": true, "observatory": true,
	"officer": true, "officers": true, "soldier": true, "soldiers": true, "leader": true,
	"leaders": true, "chief": true, "head": true, "director": true, "diplomat": true,
	"diplomats": true, "lawmaker": true, "lawmakers": true, "senator": true, "mayor": true,
	"governor": true, "activist": true, "activists": true, "campaigners": true,
	"medics": true, "doctors": true, "rescuers": true, "investigators": true,
	"prosecutors": true, "judge": true, "court": true, "newspaper": true, "paper": true,
	"website": true, "channel": true, "broadcaster": true, "magazine": true,
	"aides": true, "aide": true, "curator": true, "historian": true, "economist": true,
	"captain": true, "sergeant": true, "relatives": true, "survivors": true,
	"survivor": true, "neighbours": true, "farmer": true, "farmers": true, "residents'": true,
	"representative": true, "representatives": true, "delegation": true, "mission": true,
	"task": true, "department": true, "administration": true, "secretariat": true,
	"members": true, "member": true, "parties": true, "party": true, "movement": true,
	"militia": true, "fighters": true, "militants": true, "guards": true, "staff": true,
	"workers": true, "volunteers": true, "volunteer": true, "researchers": true,
	"researcher": true, "scientists": true, "professor": true, "scholar": true,
	"scholars": true, "unit": true, "directorate": true, "service": true, "services": true,
	"union": true, "alliance": true, "bloc": true, "cabinet": true, "parliament": true,
	"presidency": true, "palace": true, "embassy": true, "consulate": true,
	"authority": true, "board": true, "panel": true, "body": true, "bodies": true,
	"network": true, "tally": true, "count": true, "states": true, "countries": true,
	"governments": true, "allies": true, "partners": true, "delegates": true,
	"monitors": true, "inspectors": true, "correspondent": true, "reporter": true,
	"journalist": true, "journalists": true, "veterans": true, "veteran": true,
	"forecasters": true, "economists": true, "historians": true, "critics": true,
	"supporters": true, "opponents": true, "polls": true, "poll": true, "registry": true,
	"executive": true, "executives": true, "company": true, "firm": true, "bank": true,
	"regulator": true, "media": true, "television": true, "tv": true, "radio": true,
	"outlet": true, "outlets": true, "daily": true, "news": true, "wire": true, "brigade": true, "battalion": true,
}

// titleWords make a following capitalised name a person: "Col. Dillon",
// "Foreign Minister Luigi Di Maio".
var titleWords = map[string]bool{
	"president": true, "minister": true, "secretary": true, "general": true, "colonel": true,
	"col": true, "gen": true, "lt": true, "lieutenant": true, "maj": true, "major": true,
	"capt": true, "captain": true, "sgt": true, "sergeant": true, "admiral": true, "adm": true,
	"brig": true, "brigadier": true, "commander": true, "cmdr": true, "chief": true,
	"ambassador": true, "envoy": true, "director": true, "spokesman": true,
	"spokesperson": true, "spokeswoman": true, "senator": true, "sen": true, "rep": true,
	"representative": true, "governor": true, "gov": true, "mayor": true, "king": true,
	"queen": true, "prince": true, "princess": true, "sheikh": true, "emir": true, "dr": true,
	"mr": true, "mrs": true, "ms": true, "miss": true, "prof": true, "professor": true,
	"judge": true, "justice": true, "chancellor": true, "premier": true, "chairman": true,
	"chairwoman": true, "pope": true, "imam": true, "ayatollah": true, "marshal": true,
	"coordinator": true, "commissioner": true, "attorney": true, "sir": true, "dame": true,
	"lord": true, "lady": true, "pvt": true, "private": true, "corporal": true, "cpl": true,
	"leader": true, "head": true, "cleric": true, "deputy": true, "vice": true,
	"administrator": true, "ceo": true, "cfo": true, "coo": true, "cto": true,
	"superintendent": true, "inspector": true, "sheriff": true, "rabbi": true, "bishop": true,
	"archbishop": true,
}

// roleNouns written in lower case before a name make it a person:
// "curator Helen Marsh", "SDF spokesman Farhad Shami".
var roleNouns = map[string]bool{
	"spokesman": true, "spokeswoman": true, "spokesperson": true, "curator": true,
	"economist": true, "historian": true, "senator": true, "sergeant": true,
	"co-leader": true, "leader": true, "volunteer": true, "director": true,
	"executive": true, "analyst": true, "commander": true, "official": true, "captain": true,
	"minister": true, "envoy": true, "head": true, "professor": true, "expert": true,
	"researcher": true, "correspondent": true, "farmer": true, "chief": true,
	"president": true, "secretary": true, "ambassador": true, "activist": true,
	"lawyer": true, "journalist": true, "reporter": true, "lawmaker": true, "mp": true,
	"chairman": true, "coordinator": true, "adviser": true, "advisor": true, "colonel": true,
	"general": true, "scholar": true, "author": true, "singer": true, "mayor": true,
	"governor": true, "deputy": true, "cleric": true, "imam": true, "resident": true,
	"witness": true, "doctor": true, "surgeon": true, "engineer": true, "officer": true,
	"soldier": true, "teacher": true, "student": true, "mother": true, "father": true,
	"handler": true, "manager": true, "founder": true, "editor": true,
	"prosecutor": true, "judge": true, "diplomat": true, "representative": true,
	"member": true, "veteran": true, "survivor": true, "writer": true, "producer": true,
	"presenter": true, "host": true, "coach": true, "player": true,
	"worker": true, "nurse": true, "medic": true, "elder": true, "tribesman": true,
	"fighter": true, "militant": true, "smuggler": true, "guard": true, "trader": true,
}

// nameParticles are lower-case parts of names: al-Abadi, Di Maio, bin Salman.
var nameParticles = map[string]bool{
	"al": true, "el": true, "bin": true, "ibn": true, "abu": true, "di": true, "de": true,
	"da": true, "van": true, "von": true, "der": true, "le": true, "la": true, "du": true,
	"dos": true, "das": true, "del": true, "bint": true, "ben": true, "ould": true, "ul": true,
}

// notNames are capitalised words that start sentences or name things that
// are not people.
var notNames = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "under": true,
	"according": true, "meanwhile": true, "while": true, "when": true, "as": true,
	"after": true, "before": true, "during": true, "speaking": true, "this": true,
	"that": true, "these": true, "those": true, "but": true, "and": true, "however": true,
	"also": true, "some": true, "many": true, "relatively": true, "it": true, "he": true,
	"she": true, "they": true, "we": true, "i": true, "his": true, "her": true, "their": true,
	"its": true, "our": true, "there": true, "here": true, "if": true, "for": true,
	"from": true, "to": true, "with": true, "by": true, "of": true, "near": true,
	"monday": true, "tuesday": true, "wednesday": true, "thursday": true, "friday": true,
	"saturday": true, "sunday": true, "january": true, "february": true, "march": true,
	"april": true, "may": true, "june": true, "july": true, "august": true,
	"september": true, "october": true, "november": true, "december": true,
	"coalition": true, "forces": true, "force": true, "council": true, "ministry": true,
	"department": true, "agency": true, "army": true, "news": true, "state": true,
	"province": true, "region": true, "university": true, "party": true, "group": true,
	"committee": true, "command": true, "office": true, "government": true, "times": true,
	"police": true, "national": true, "international": true, "united": true, "nations": true,
	"security": true, "foreign": true, "affairs": true, "defence": true, "defense": true,
	"house": true, "white": true, "islamic": true, "republic": true, "kingdom": true,
	"democratic": true, "popular": true, "mobilization": true, "mobilisation": true,
	"small": true, "global": true, "joint": true, "task": true, "operation": true,
	"central": true, "federal": true, "iraqi": true, "syrian": true, "kurdish": true,
	"american": true, "british": true, "us": true, "uk": true, "un": true, "eu": true,
	"nato": true, "daesh": true, "isis": true, "isil": true, "is": true, "no": true,
	"yes": true, "why": true, "what": true, "how": true, "who": true, "where": true,
	"related": true, "previous": true, "next": true, "story": true, "posts": true,
	"comments": true, "read": true, "don't": true, "go": true,
	"do": true, "now": true, "more": true, "two": true, "three": true, "four": true,
	"five": true, "one": true, "first": true, "last": true, "remnants": true, "rest": true,
	"even": true, "additionally": true, "nearly": true, "most": true, "both": true,
	"western": true, "eastern": true, "northern": true, "southern": true,
	"north": true, "south": true, "east": true, "west": true, "centre": true, "center": true,
	"base": true, "camp": true, "village": true, "city": true, "prison": true, "valley": true,
	"desert": true, "mountains": true, "river": true, "lake": true, "bridge": true,
	"museum": true, "temple": true, "laboratory": true, "source": true, "facility": true,
	"court": true, "parliament": true, "senate": true, "congress": true, "assembly": true,
	"service": true, "services": true, "union": true, "alliance": true, "front": true,
	"brigade": true, "battalion": true, "division": true, "directorate": true,
	"communique": true, "communiqué": true, "statement": true, "report": true,
	"constitution": true, "charter": true, "bill": true, "law": true, "act": true,
	"war": true, "day": true, "week": true, "year": true, "christmas": true, "eid": true,
	"ramadan": true, "summer": true, "winter": true, "spring": true, "autumn": true,
	"greens": true, "green": true, "centre-right": true, "liberal": true, "labour": true,
}

// leadStrip are capitalised sentence openers dropped from the front of a name run.
var leadStrip = map[string]bool{
	"the": true, "a": true, "an": true, "in": true, "on": true, "at": true, "under": true,
	"according": true, "meanwhile": true, "while": true, "when": true, "as": true,
	"after": true, "before": true, "during": true, "speaking": true, "this": true,
	"that": true, "these": true, "those": true, "but": true, "and": true, "however": true,
	"also": true, "some": true, "many": true, "relatively": true, "it": true, "he": true,
	"she": true, "they": true, "we": true, "i": true, "his": true, "her": true, "their": true,
	"its": true, "our": true, "there": true, "here": true, "if": true, "for": true,
	"from": true, "to": true, "with": true, "by": true, "near": true, "even": true,
	"additionally": true, "nearly": true, "most": true, "both": true, "now": true,
	"only": true, "since": true, "until": true, "despite": true, "although": true,
	"though": true, "because": true, "so": true, "yet": true, "instead": true, "last": true,
	"later": true, "earlier": true, "today": true, "yesterday": true, "separately": true,
}

// roleObjects follow "of" in a title: Minister of Finance, Chief of Staff.
var roleObjects = map[string]bool{
	"interior": true, "staff": true, "finance": true, "health": true, "justice": true,
	"homeland": true, "energy": true, "trade": true, "education": true, "information": true,
	"intelligence": true, "navy": true, "air": true, "oil": true, "culture": true,
	"commerce": true, "labor": true, "labour": true, "agriculture": true, "transport": true,
	"treasury": true, "economy": true, "planning": true, "communications": true,
	"peshmerga": true, "kurdistan": true, "iraq": true, "syria": true, "endowments": true,
}
