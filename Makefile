# newsflow: run `make` for the list of targets.
SHELL := /bin/bash
SERVICES := fetcher cleaner tagger sink
MODULES := $(shell go list -m -f '{{.Dir}}' 2>/dev/null)
BIN := bin
DATA := data
FEEDS ?=
REPLAY ?= testdata/recording
T ?= .
PKG ?= work
FUZZTIME ?= 5s

# Tests that need the machine's services find them here (see TESTING.md).
export NEWSFLOW_TEST_NATS_URL ?= nats://127.0.0.1:4222
export NEWSFLOW_TEST_PG_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: all help build run test test-short lint bench eval fuzz tidy clean

all: help

help: ## Show this help.
	@grep -hE '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

build: ## Build the four services and the newsflow tool into bin/.
	@mkdir -p $(BIN)
	@for s in $(SERVICES); do go build -o $(BIN)/$$s ./services/$$s || exit 1; done
	@go build -o $(BIN)/newsflow ./tools/newsflow

run: build ## Replay the bundled recording through embedded NATS and the four services (FEEDS=file for live feeds).
ifeq ($(FEEDS),)
	@$(BIN)/newsflow run --bin $(BIN) --data $(DATA) --replay $(REPLAY)
else
	@$(BIN)/newsflow run --bin $(BIN) --data $(DATA) --feeds $(FEEDS)
endif

# Pure, single-threaded packages with heavy corpus tests run without the
# race detector (it multiplies their time by ten and finds nothing there);
# everything with goroutines, NATS or I/O runs with it.
NORACE := /services/cleaner/internal/(clean|evaluate)$$|/services/tagger/internal/(tag|quantity|eval)$$|/services/fetcher/internal/(bundle|feed)$$

test: ## Run every module's tests, with the race detector where there is concurrency (needs the machine's NATS and PostgreSQL, see TESTING.md).
ifeq ($(PKG),work)
	go test -count=1 -timeout 20m $$(go list work | grep -E '$(NORACE)')
	go test -race -count=1 -timeout 20m $$(go list work | grep -vE '$(NORACE)')
else
	go test -race -count=1 -timeout 20m $(PKG)
endif

test-short: ## Run every test without the race detector (faster).
	go test -count=1 -timeout 20m $(PKG)

lint: ## go vet and gofmt over every module.
	go vet work
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }

bench: ## Print the figures: cleaner F1/P/R and pages/s, tagger quality and speed, sink, fetcher and replay throughput.
	@echo "== cleaner: quality on the 181-page benchmark"
	@go test -count=1 -run 'TestBenchmarkQuality$$' -v ./services/cleaner/internal/clean/ | grep -E 'F1|pages/s' | head -5
	@echo "== cleaner: speed on one core"
	@GOMAXPROCS=1 go test -run '^$$' -bench 'Extract$$|ParseOnly' -benchmem -benchtime 3x ./services/cleaner/internal/clean/
	@echo "== tagger: quality on the dev set"
	@$(MAKE) --no-print-directory eval | grep -vE '^(=== RUN|--- PASS|PASS|ok)'
	@echo "== tagger: speed on one core"
	@go test -run '^$$' -bench Tag -benchmem -cpu 1 ./services/tagger/internal/tag/
	@echo "== sink: articles stored per second (SQLite and PostgreSQL, batch 1/100/1000)"
	@go test -run '^$$' -bench Upsert -benchtime 1x ./services/sink/internal/store/
	@echo "== fetcher: conditional polls per second (10,000 feeds on loopback)"
	@go test -run '^$$' -bench Poll -benchtime 3x ./services/fetcher/internal/httpx/
	@echo "== replay: records and MB per second"
	@go test -run '^$$' -bench Replay -benchtime 1x ./services/fetcher/internal/warc/

eval: ## Print the tagger's quality on the dev set (relevance, claims, speakers, quantities).
	go test -count=1 -v -run 'TestEval$$' ./services/tagger/internal/eval/

fuzz: ## Run each fuzz target for FUZZTIME (default 5s; e.g. FUZZTIME=10m to fuzz long).
	@set -e; for target in $$(grep -rl --include='*_test.go' '^func Fuzz' services pkg | xargs -n1 dirname | sort -u); do \
	  for f in $$(grep -h '^func Fuzz' $$target/*_test.go | sed 's/func \(Fuzz[A-Za-z0-9_]*\).*/\1/'); do \
	    echo "== $$target $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) ./$$target/; \
	  done; done

tidy: ## go mod tidy in every module.
	@for m in $(MODULES); do (cd $$m && GOWORK=off go mod tidy) || exit 1; done

clean: ## Remove bin/ and data/.
	rm -rf $(BIN) $(DATA)
