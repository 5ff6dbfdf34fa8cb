# newsflow: run `make` for the list of targets.
SHELL := /bin/bash
SERVICES := fetcher cleaner tagger sink
MODULES := $(shell go list -m -f '{{.Dir}}' 2>/dev/null)
BIN := bin
DATA := data
FEEDS ?=
REPLAY ?= testdata/recording
# T: which tests `make test` and `make test-short` run (go test -run).
T ?= .
PKG ?= work
FUZZTIME ?= 5s
# The recording run-cluster and bench-pipeline replay: the benchmark pages under many feeds.
CORPUS_PAGES ?= 1000
CORPUS ?= $(DATA)/corpus-$(CORPUS_PAGES)

# Tests that need the machine's services find them here (see docs/testing.md).
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
	@$(BIN)/newsflow bench-pipeline --bin $(BIN) --corpus $(CORPUS) --testdata testdata

$(CORPUS)/bundle.warc.gz: | build
	$(BIN)/fetcher warc build --out $(CORPUS) --pages $(CORPUS_PAGES) --testdata testdata

serve: build ## Serve the claim desk page (and the read-only JSON API) over what `make run` stored: http://127.0.0.1:8090/
	@$(BIN)/sink serve --db sqlite:$(DATA)/newsflow.db

MOD := github.com/newsflow/newsflow
# Pure, single-threaded packages with heavy corpus tests run without the
# race detector (it multiplies their time by ten and finds nothing there);
# everything with goroutines, NATS or I/O runs with it. By name: a package
# renamed or removed here makes `make test` fail, not silently race-test it.
NORACE := \
	services/cleaner/internal/clean \
	services/cleaner/internal/eval \
	services/cleaner/extractbench \
	services/fetcher/internal/feed \
	services/fetcher/internal/recording \
	services/tagger/internal/eval \
	services/tagger/internal/quantity \
	services/tagger/internal/tag
# The system tests (real binaries, chaos, clusters, deploy files, end to
# end) are the tests/ module: in `make test`, not in `make test-short`.
SYSTEM := tests
# go list of the workspace's packages without the ones named in $(1).
without = go list work | grep -vxF $(foreach p,$(1),-e $(MOD)/$(p))

test: ## Run every test (T=regexp to pick tests, PKG=./path/ for one package), with the race detector where there is concurrency (needs the machine's NATS and PostgreSQL, see docs/testing.md).
ifeq ($(PKG),work)
	go test -count=1 -timeout 20m -run '$(T)' $(addprefix ./,$(NORACE))
	go test -race -count=1 -timeout 20m -run '$(T)' $$($(call without,$(NORACE)))
else
	go test -race -count=1 -timeout 20m -run '$(T)' $(PKG)
endif

test-short: ## Every unit and contract test with -short and no race detector: no system, chaos, browser or outage test (under 2 minutes on two cores).
ifeq ($(PKG),work)
	go test -short -count=1 -timeout 10m -run '$(T)' $$(go list work | grep -v '^$(MOD)/$(SYSTEM)/')
else
	go test -short -count=1 -timeout 10m -run '$(T)' $(PKG)
endif

# golangci-lint is built from the module proxy into bin/ at this version
# (go install pkg@version leaves every go.mod of the workspace alone).
GOLANGCI_VERSION := v2.15.0
GOLANGCI := $(BIN)/golangci-lint-$(GOLANGCI_VERSION)

$(GOLANGCI):
	@mkdir -p $(BIN)
	GOBIN=$(abspath $(BIN))/.golangci go install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_VERSION)
	@mv $(BIN)/.golangci/golangci-lint $@ && rmdir $(BIN)/.golangci

lint: $(GOLANGCI) ## go vet, gofmt and golangci-lint (.golangci.yml) over every module.
	go vet work
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GOLANGCI) run $(foreach m,$(MODULES),$(patsubst $(CURDIR)/%,./%,$(m))/...)

bench: ## Print the figures: cleaner F1/P/R and pages/s, tagger quality and speed, sink, fetcher and replay throughput.
	@echo "== cleaner: quality on the 181-page benchmark, wcxb-dev-articles and the readability pages (tuning / held-out parts, docs/cleaner.md)"
	@go test -count=1 -run 'TestBenchmarkQuality$$|TestWCXBQuality$$|TestReadabilityPages$$' -v ./services/cleaner/internal/clean/ | grep -E 'F1|pages/s|FAIL'
	@echo "== cleaner: against go-trafilatura (with its fallbacks), same pages, same run"
	@go test -count=1 -run 'TestCompare$$' -v ./services/cleaner/extractbench/ | grep -E 'F1|FAIL'
	@echo "== cleaner: speed on one core (and go-trafilatura's in the same run)"
	@GOMAXPROCS=1 go test -run '^$$' -bench 'Extract$$|ParseOnly' -benchmem -benchtime 3x ./services/cleaner/internal/clean/
	@GOMAXPROCS=1 go test -run '^$$' -bench 'SpeedRatio' -benchtime 1x ./services/cleaner/extractbench/
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

eval: ## Print the tagger's quality on the dev set, on ../shared/tagger-realworld (tuning and held-out parts) and relevance by language.
	go test -count=1 -v -run 'TestEval$$|TestRealworld$$|TestMultilingual$$' ./services/tagger/internal/eval/

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
