package warc

import (
	"errors"
	"fmt"
)

var (
	// ErrNotInRecording is returned by Replay.RoundTrip for a request the recording does not hold.
	ErrNotInRecording = errors.New("warc: not in recording")
	// ErrRecordedFailure is returned by Replay.RoundTrip when the recorded exchange itself
	// failed (connection refused, timeout, ...): replay repeats the failure.
	ErrRecordedFailure = errors.New("warc: recorded fetch error")
	// ErrBrokenRecord marks a record that cannot be read: truncated file, bad chunking,
	// wrong Content-Length, bad gzip member. Always wrapped in a *RecordError.
	ErrBrokenRecord = errors.New("warc: broken record")
	// ErrTruncated is returned when reading past the end of a body the recorder itself
	// marked as truncated (WARC-Truncated): the client stopped reading early when recording.
	ErrTruncated = errors.New("warc: body truncated in recording")
	// ErrNoFiles is returned when a replay path matches no WARC file.
	ErrNoFiles = errors.New("warc: no WARC files")
	// ErrBadSpeed is returned for a replay speed other than "", "max", "real" or "<N>x".
	ErrBadSpeed = errors.New("warc: invalid replay speed")
)

// RecordError names the record that could not be read.
type RecordError struct {
	File   string
	Offset int64  // byte offset of the gzip member (compressed files) or of the record (plain files); -1 if unknown
	Index  int    // 0-based position of the record in the file
	ID     string // WARC-Record-ID, if the header could be read
	After  string // WARC-Record-ID of the record before, when ID is unknown
	Err    error
}

func (e *RecordError) Error() string {
	id := e.ID
	switch {
	case id == "" && e.After != "":
		id = "unknown id, after " + e.After
	case id == "":
		id = "unknown id"
	}
	if e.Offset < 0 {
		return fmt.Sprintf("warc: broken record: %s: record #%d (%s): %v", e.File, e.Index, id, e.Err)
	}
	return fmt.Sprintf("warc: broken record: %s: record #%d at offset %d (%s): %v", e.File, e.Index, e.Offset, id, e.Err)
}

// Unwrap lets errors.Is match both ErrBrokenRecord and the cause.
func (e *RecordError) Unwrap() []error { return []error{ErrBrokenRecord, e.Err} }
