package clean

import "errors"

var (
	// ErrTooLarge is returned (wrapped, with the limit) when the page is
	// bigger than Options.MaxBytes.
	ErrTooLarge = errors.New("clean: page too large")
	// ErrNoContent is returned when no article text could be found.
	ErrNoContent = errors.New("clean: no article content")
	// ErrMalformed is returned (wrapped) when the HTML cannot be parsed at
	// all, such as elements nested more than 512 deep.
	ErrMalformed = errors.New("clean: malformed html")
)
