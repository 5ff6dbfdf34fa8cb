package deskdb

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/newsflow/newsflow/pkg/schema"
)

// SpeakerKinds are the values a speaker-kind filter takes: the schema's
// closed list (schema.SpeakerPerson ...).
var SpeakerKinds = []string{schema.SpeakerPerson, schema.SpeakerOrganisation, schema.SpeakerDocument,
	schema.SpeakerAnonymous, schema.SpeakerOutlet}

// roleWord is what a speaker role looks like. Roles come from the
// tagger's topic file (coalition, government, group-media, monitor, ngo,
// media by default), so the desk checks their form, not a list.
var roleWord = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// CheckSpeakerKind says why kind is not a speaker kind; empty is no
// filter.
func CheckSpeakerKind(kind string) error {
	if kind == "" || slices.Contains(SpeakerKinds, kind) {
		return nil
	}
	return fmt.Errorf("speaker kind %q: want one of %s", kind, strings.Join(SpeakerKinds, ", "))
}

// CheckSpeakerRole says why role cannot be a speaker role; empty is no
// filter.
func CheckSpeakerRole(role string) error {
	if role == "" || roleWord.MatchString(role) {
		return nil
	}
	return fmt.Errorf("speaker role %q: want a role of the topic file, a lower-case word such as government or group-media", role)
}
