package tag

import "errors"

var (
	// ErrInvalidTopic is returned for a topic file that decodes but makes no sense.
	ErrInvalidTopic = errors.New("tag: invalid topic")
	// ErrEmptyTopic is returned for an empty topic file.
	ErrEmptyTopic = errors.New("tag: empty topic")
	// ErrNoTopics is returned by New without topics.
	ErrNoTopics = errors.New("tag: no topics")
	// ErrDuplicateTag is returned when two topics define the same tag name.
	ErrDuplicateTag = errors.New("tag: tag defined twice")
	// ErrNoReportingVerbs is returned for a language file without verbs.
	ErrNoReportingVerbs = errors.New("tag: no reporting verbs")
)
