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
# The recording run-cluster and bench-pipeline replay: the benchmark pages under many feeds.
CORPUS_PAGES ?= 1000
CORPUS ?= $(DATA)/corpus-$(CORPUS_PAGES)

# Tests that need the machine's services find them here (see TESTING.md).
export NEWSFLOW_TEST_NATS_URL ?= nats://127.0.0.1:4222
export NEWSFLOW_TEST_PG_DSN ?= postgres://postgres@127.0.0.1:5432/test?sslmode=disable

.PHONY: all help build run run-cluster bench-pipeline serve test test-short lint bench eval fuzz tidy clean

all: help

help: ## Show this help.
	@grep -hE '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

build: ## Build the four services and the newsflow tool into bin/.
	@mkdir -p $(BIN)
	@for s in $(SERVICES); do go build -o $(BIN)/$$s ./services/$$s || exit 1; done
	@go build -o $(BIN)/newsflow ./tools/newsflow

run: build ## Replay the bundled recording through embedded NATS and the four services (FEEDS=file for live feeds, DB=spec or NEWSFLOW_SINK_DB for the database).
ifeq ($(FEEDS),)
	@$(BIN)/newsflow run --bin $(BIN) --data $(DATA) --replay $(REPLAY) $(if $(DB),--db '$(DB)')
else
	@$(BIN)/newsflow run --bin $(BIN) --data $(DATA) --feeds $(FEEDS) $(if $(DB),--db '$(DB)')
endif

run-cluster: build $(CORPUS)/bundle.warc.gz ## A 3-node local NATS cluster, replicas of each service, a 1,000-page replay; scales the cleaner 1 → 3 → 1 while it runs.
	@$(BIN)/newsflow cluster --bin $(BIN) --data $(DATA) --replay $(CORPUS)/bundle.warc.gz --replay-feeds $(CORPUS)/feeds.yaml

bench-pipeline: build $(CORPUS)/bundle.warc.gz ## Replay 1,000 article pages through the pipeline: articles/s, fetch→store latency, CPU and RSS per process, messaging share.
	go test -count=1 -run '^$$' -bench '^BenchmarkPipeline$$' -benchtime 1x -timeout 30m ./tools/newsflow/internal/scale/ \
	  -args -bin $(abspath $(BIN)) -corpus $(abspath $(CORPUS))

$(CORPUS)/bundle.warc.gz:
	go test -count=1 -run '^TestBuildCorpusCmd$$' ./services/fetcher/internal/bundle/ -args -out $(abspath $(CORPUS)) -pages $(CORPUS_PAGES)

serve: build ## Serve the claim desk page (and the read-only JSON API) over what `make run` stored: http://127.0.0.1:8090/
	@$(BIN)/sink serve --db sqlite:$(DATA)/newsflow.db

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
	    echo "== $$target $$f"; go test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s ./$$target/; \
	  done; done

# -e: modernc.org/sqlite's own tests import a google/pprof version the
# module proxy here refuses (403); nothing of ours needs it.
tidy: ## go mod tidy in every module.
	@for m in $(MODULES); do (cd $$m && GOWORK=off go mod tidy -e) || exit 1; done

clean: ## Remove bin/ and data/.
	rm -rf $(BIN) $(DATA)
