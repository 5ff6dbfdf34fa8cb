module github.com/newsflow/newsflow/pkg/schema

go 1.26.0

require github.com/klauspost/compress v1.20.3

require github.com/goccy/go-json v0.12.0
