package schema

import (
	"errors"
	"fmt"
)

// ErrInvalid is wrapped by every validation error: such a message can never
// succeed and belongs in the dead-letter stream, not in a retry loop.
var ErrInvalid = errors.New("schema: invalid message")

// ErrUnknownVersion is wrapped when the major schema version is not one this
// package reads.
var ErrUnknownVersion = errors.New("schema: unknown schema version")

// FieldError names the field that failed validation.
type FieldError struct {
	Type   string
	Field  string
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("schema: %s: field %q %s", e.Type, e.Field, e.Reason)
}

// Is makes errors.Is(err, ErrInvalid) true for every FieldError.
func (e *FieldError) Is(target error) bool { return target == ErrInvalid }
