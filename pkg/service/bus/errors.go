package bus

import (
	"errors"

	"github.com/newsflow/newsflow/pkg/schema"
)

// ErrTooLarge is returned when an output does not fit the server's payload
// limit even after compression; such a message is dead-lettered.
var ErrTooLarge = errors.New("bus: message exceeds the server's max payload")

type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as one no retry can fix: the message goes straight to
// the dead-letter stream.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err was marked Permanent, is a schema
// validation error, or is a too-large message.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p) || errors.Is(err, schema.ErrInvalid) ||
		errors.Is(err, schema.ErrUnknownVersion) || errors.Is(err, ErrTooLarge)
}
