package app

import "strings"

// ErrorLine is how Command reports a service's error: prefixed with the
// service's name, unless the error already starts with it (most errors of
// a service are wrapped as "sink: ..."), so the name is not said twice
// ("sink: sink: no store configured").
func ErrorLine(name string, err error) string {
	msg := err.Error()
	if strings.HasPrefix(msg, name+": ") {
		return msg
	}
	return name + ": " + msg
}
