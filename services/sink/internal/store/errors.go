package store

import "errors"

var (
	// ErrBadSpec is returned by Open for a store spec it cannot use.
	ErrBadSpec = errors.New("store: bad store spec")
	// ErrUnsupported is returned by a backend for a query it cannot answer
	// (for example full-text search outside PostgreSQL).
	ErrUnsupported = errors.New("store: unsupported by this backend")
	// ErrClosed is returned after Close.
	ErrClosed = errors.New("store: closed")
	// ErrLocked is returned when another process already writes a JSONL
	// directory.
	ErrLocked = errors.New("store: locked by another writer")
	// ErrReadOnly is returned by Upsert on a store from OpenReadOnly.
	ErrReadOnly = errors.New("store: opened read-only")
)
