module github.com/newsflow/newsflow/pkg/schema

go 1.26.0

require github.com/klauspost/compress v1.20.3

require (
	github.com/goccy/go-json v0.12.0
	golang.org/x/text v0.43.0
)

require golang.org/x/net v0.62.0
