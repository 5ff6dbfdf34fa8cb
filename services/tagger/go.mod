module github.com/newsflow/newsflow/services/tagger

go 1.26.0

replace github.com/newsflow/newsflow/pkg/schema => ../../pkg/schema

replace github.com/newsflow/newsflow/pkg/service => ../../pkg/service

require (
	github.com/newsflow/newsflow/pkg/schema v0.0.0-00010101000000-000000000000
	github.com/newsflow/newsflow/pkg/service v0.0.0-00010101000000-000000000000
)

require (
	go.yaml.in/yaml/v3 v3.0.4 // indirect
	golang.org/x/text v0.43.0 // indirect
)
