package feed

import "errors"

// Error classes. Every error Parse returns matches exactly one of
// ErrNotAFeed or ErrMalformedFeed with errors.Is; both are permanent for the
// body at hand (retrying the same bytes gives the same answer).
var (
	// ErrNotAFeed: the body is something else (an HTML page, a bot-challenge
	// page, other XML or JSON, plain text, nothing).
	ErrNotAFeed = errors.New("feed: not a feed")
	// ErrBotChallenge: a not-a-feed that is a bot-protection interstitial.
	// errors.Is(err, ErrNotAFeed) is also true.
	ErrBotChallenge = errors.New("feed: bot-challenge page")
	// ErrMalformedFeed: an RSS, Atom or JSON feed the parser cannot read.
	ErrMalformedFeed = errors.New("feed: malformed feed")
)

// parseError carries a class, a short detail and the underlying cause.
type parseError struct {
	kind   error
	also   error // an extra class, e.g. ErrBotChallenge
	detail string
	cause  error
}

func (e *parseError) Error() string {
	s := e.kind.Error()
	if e.detail != "" {
		s += ": " + e.detail
	}
	if e.cause != nil {
		s += ": " + e.cause.Error()
	}
	return s
}

func (e *parseError) Is(target error) bool {
	return target == e.kind || (e.also != nil && target == e.also)
}

func (e *parseError) Unwrap() error { return e.cause }
